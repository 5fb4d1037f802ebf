package report

import (
	"fmt"

	"github.com/siptls/siptls/triage"
)

// maxHTMLActions is how many remedies the HTML report lists.
const maxHTMLActions = 10

// htmlActions are the remedies the HTML report opens with (template
// "actions" in templates/actions.html.tmpl).
type htmlActions struct {
	List []htmlAction
	// More counts the remedies beyond maxHTMLActions.
	More int
	// Class is the banner's: bad when a remedy explains call failures,
	// else warn.
	Class string
}

// htmlAction is one remedy and its first evidence.
type htmlAction struct {
	Sentence string
	// Count says how many connections it explains.
	Count string
	// Frame is the first evidence's frame (0: none), Capture its capture
	// ("[1]") when the report has several, Anchor the connection's
	// section when it is shown in full.
	Frame   uint64
	Capture string
	Anchor  string
}

func buildHTMLActions(t *triage.Triage) htmlActions {
	out := htmlActions{Class: "warn"}
	shown := map[[2]uint64]bool{}
	for _, c := range t.Connections {
		shown[[2]uint64{uint64(c.Capture), c.ID}] = true
	}
	for i := range t.Actions {
		a := &t.Actions[i]
		if triage.CallFailure(a.Verdict) {
			out.Class = "bad"
		}
		if i >= maxHTMLActions {
			out.More++
			continue
		}
		h := htmlAction{Sentence: a.Sentence, Count: triage.ActionCountWords(a)}
		if len(a.Evidence) > 0 {
			e := a.Evidence[0]
			h.Frame = e.Frame
			if len(t.Captures) > 1 {
				h.Capture = fmt.Sprintf("[%d]", e.Capture)
			}
			if shown[[2]uint64{uint64(e.Capture), e.Connection}] {
				h.Anchor = fmt.Sprintf("c%d-%d", e.Capture, e.Connection)
			}
		}
		out.List = append(out.List, h)
	}
	return out
}
