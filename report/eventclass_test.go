package report

import (
	"testing"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/triage"
)

// TestLadderColoursByKind checks that the ladder colours an event by its
// kind, not by its text: an encrypted alert is an alert although its text
// does not start with "alert", and a TLS message whose text mentions
// "fatal" is not.
func TestLadderColoursByKind(t *testing.T) {
	tests := []struct {
		name string
		ev   triage.Event
		want string
	}{
		{"encrypted alert", triage.Event{Kind: diagnose.EventAlert, What: "encrypted alert"}, "alert"},
		{"encrypted close_notify", triage.Event{Kind: diagnose.EventAlert, What: "encrypted alert (most likely close_notify)"}, "alert"},
		{"readable alert", triage.Event{Kind: diagnose.EventAlert, What: "alert fatal unknown_ca"}, "alert"},
		{"reset", triage.Event{Kind: diagnose.EventRST, What: "RST"}, "alert"},
		{"fin", triage.Event{Kind: diagnose.EventFIN, What: "FIN"}, "fin"},
		{"syn", triage.Event{Kind: diagnose.EventTCP, What: "SYN"}, "tcp"},
		{"message mentioning fatal", triage.Event{Kind: diagnose.EventTLS, What: "Certificate (malformed: fatal length)"}, "tls"},
		{"gap", triage.Event{Kind: diagnose.EventNote, What: "gap: bytes missing from the capture"}, "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := buildLadder(&triage.Connection{Events: []triage.Event{tt.ev}})
			if len(l.Rows) != 1 || l.Rows[0].Class != tt.want {
				t.Errorf("rows %+v, want one of class %q", l.Rows, tt.want)
			}
		})
	}
}
