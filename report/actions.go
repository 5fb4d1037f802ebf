package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/siptls/siptls/internal/textwrap"
	"github.com/siptls/siptls/triage"
)

// maxActionLines is how many remedies the text lists (JSON lists them all).
const maxActionLines = 10

// writeActionsText writes the remedies, numbered, each with the
// connections it explains: "1. Upload … — explains 3 failed connections,
// e.g. frame 43". Nothing when there is none (every connection ok). A
// blank line follows the block when blankAfter is set (triage, which opens
// with it); analyze writes it after its connections, whose paragraphs end
// with a blank line, and before the capture facts, which begin with one.
// On a terminal each remedy wraps to width, continued under its first word.
func writeActionsText(w io.Writer, actions []triage.Action, manyCaptures, blankAfter bool, width int) {
	if len(actions) == 0 {
		return
	}
	fmt.Fprintln(w, "What to do, first:")
	for i := range actions {
		if i == maxActionLines {
			fmt.Fprintf(w, "  … and %d more (--format json lists them all)\n", len(actions)-i)
			break
		}
		a := &actions[i]
		num := fmt.Sprintf("  %d. ", i+1)
		textwrap.WriteLine(w, width, num, strings.Repeat(" ", len(num)), Sanitize(strings.TrimSuffix(a.Sentence, "."))+" — "+triage.ActionWords(a, manyCaptures))
	}
	if blankAfter {
		fmt.Fprintln(w)
	}
}

// actions writes an action record per remedy.
func (w *ndjsonWriter) actions(actions []triage.Action) {
	for i := range actions {
		w.typed("action", &actions[i])
	}
}
