package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/triage"
)

// TestCaptureTimeRange: the end of a capture's time range carries its
// date when the capture spans midnight, so it never seems to end before
// it starts.
func TestCaptureTimeRange(t *testing.T) {
	tests := []struct {
		name        string
		first, last time.Time
		want        string
	}{
		{"one day", time.Date(2021, 8, 6, 14, 12, 56, 0, time.UTC), time.Date(2021, 8, 6, 15, 0, 1, 0, time.UTC),
			"2021-08-06 14:12:56.000000 to 15:00:01.000000 UTC"},
		{"over midnight", time.Date(2021, 8, 6, 14, 12, 56, 0, time.UTC), time.Date(2021, 8, 7, 7, 6, 47, 0, time.UTC),
			"2021-08-06 14:12:56.000000 to 2021-08-07 07:06:47.000000 UTC"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		writeCaptureText(&b, 0, &triage.Capture{File: "x.cap", Format: "pcap", First: &triage.Time{Time: tt.first}, Last: &triage.Time{Time: tt.last}}, false, 0)
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("%s: %q, want %q in it", tt.name, b.String(), tt.want)
		}
	}
}
