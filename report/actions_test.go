package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/triage"
)

// testActions are n remedies, the first explaining failed connections
// and the others incomplete ones, each with one piece of evidence.
func testActions(n int) []triage.Action {
	var out []triage.Action
	for i := range n {
		v := diagnose.VerdictIncomplete
		if i == 0 {
			v = diagnose.VerdictFailed
		}
		out = append(out, triage.Action{Code: triage.ActionCaptureAgain, Sentence: fmt.Sprintf("Remedy %d.", i+1), Verdict: v, Connections: n - i,
			Evidence: []triage.ActionEvidence{{Capture: i % 2, Connection: uint64(i + 1), Frame: uint64(10 * (i + 1))}}})
	}
	return out
}

// TestWriteActionsText checks the "What to do, first" block: nothing
// without remedies, the blank line after the block when asked, the
// sentence without its period before the count, and the cap.
func TestWriteActionsText(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		many  bool
		blank bool
		want  string
	}{
		{"none", 0, false, true, ""},
		{"after the connections", 2, false, false, "What to do, first:\n  1. Remedy 1 — explains 2 failed connections, e.g. frame 10\n  2. Remedy 2 — concerns 1 incomplete connection, e.g. frame 20\n"},
		{"first, several captures", 1, true, true, "What to do, first:\n  1. Remedy 1 — explains 1 failed connection, e.g. [0] frame 10\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			writeActionsText(&b, testActions(tt.n), tt.many, tt.blank, 0)
			if b.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", b.String(), tt.want)
			}
		})
	}
	var b strings.Builder
	writeActionsText(&b, testActions(maxActionLines+3), false, false, 0)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != maxActionLines+2 || lines[len(lines)-1] != "  … and 3 more (--format json lists them all)" {
		t.Errorf("capped list:\n%s", b.String())
	}
}

// TestHTMLActions checks the HTML section's data: the cap, the banner
// class, and a link only to a connection shown in full.
func TestHTMLActions(t *testing.T) {
	tr := &triage.Triage{Actions: testActions(maxHTMLActions + 2), Captures: make([]triage.Capture, 2)}
	tr.Connections = []triage.TriageConnection{{Connection: triage.Connection{Capture: 0, ID: 1}}}
	h := buildHTMLActions(tr)
	if len(h.List) != maxHTMLActions || h.More != 2 || h.Class != "bad" {
		t.Fatalf("%d listed, %d more, class %q", len(h.List), h.More, h.Class)
	}
	if h.List[0].Anchor != "c0-1" || h.List[1].Anchor != "" || h.List[0].Capture != "[0]" || h.List[1].Capture != "[1]" {
		t.Errorf("anchors %q %q, captures %q %q", h.List[0].Anchor, h.List[1].Anchor, h.List[0].Capture, h.List[1].Capture)
	}
	tr.Actions = tr.Actions[1:2]
	if h := buildHTMLActions(tr); h.Class != "warn" || h.More != 0 {
		t.Errorf("undecided only: class %q, more %d", h.Class, h.More)
	}
	if h := buildHTMLActions(&triage.Triage{}); h.List != nil {
		t.Errorf("no remedy: %+v", h)
	}
}
