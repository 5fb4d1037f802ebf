package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/siptls/siptls/triage"
)

// maxActionLines is how many remedies the text lists (JSON lists them all).
const maxActionLines = 10

// writeActionsText writes the remedies, numbered, each with the
// connections it explains: "1. Upload … — explains 3 failed connections,
// e.g. frame 43". Nothing when there is none (every connection ok). atEnd
// puts the blank line before the block (analyze, which streams its
// connections first), else after it (triage, which opens with it).
func writeActionsText(w io.Writer, actions []triage.Action, manyCaptures, atEnd bool) {
	if len(actions) == 0 {
		return
	}
	if atEnd {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "What to do, first:")
	for i := range actions {
		if i == maxActionLines {
			fmt.Fprintf(w, "  … and %d more (--format json lists them all)\n", len(actions)-i)
			break
		}
		a := &actions[i]
		fmt.Fprintf(w, "  %d. %s — %s\n", i+1, Sanitize(strings.TrimSuffix(a.Sentence, ".")), triage.ActionWords(a, manyCaptures))
	}
	if !atEnd {
		fmt.Fprintln(w)
	}
}

// actions writes an action record per remedy.
func (w *ndjsonWriter) actions(actions []triage.Action) {
	for i := range actions {
		w.typed("action", &actions[i])
	}
}
