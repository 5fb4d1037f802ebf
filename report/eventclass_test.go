package report

import (
	"testing"

	"github.com/siptls/siptls/diagnose"
)

// TestLadderColoursByKind checks that the ladder colours an event by its
// kind, not by its text: an encrypted alert is an alert although its text
// does not start with "alert", and a TLS message whose text mentions
// "fatal" is not.
func TestLadderColoursByKind(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"encrypted alert", Event{Kind: diagnose.EventAlert, What: "encrypted alert"}, "alert"},
		{"encrypted close_notify", Event{Kind: diagnose.EventAlert, What: "encrypted alert (most likely close_notify)"}, "alert"},
		{"readable alert", Event{Kind: diagnose.EventAlert, What: "alert fatal unknown_ca"}, "alert"},
		{"reset", Event{Kind: diagnose.EventRST, What: "RST"}, "alert"},
		{"fin", Event{Kind: diagnose.EventFIN, What: "FIN"}, "fin"},
		{"syn", Event{Kind: diagnose.EventTCP, What: "SYN"}, "tcp"},
		{"message mentioning fatal", Event{Kind: diagnose.EventTLS, What: "Certificate (malformed: fatal length)"}, "tls"},
		{"gap", Event{Kind: diagnose.EventNote, What: "gap: bytes missing from the capture"}, "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := buildLadder(&Connection{Events: []Event{tt.ev}})
			if len(l.Rows) != 1 || l.Rows[0].Class != tt.want {
				t.Errorf("rows %+v, want one of class %q", l.Rows, tt.want)
			}
		})
	}
}
