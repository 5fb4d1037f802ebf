package triage

import (
	"fmt"
	"testing"

	"github.com/siptls/siptls/pcap"
)

// TestBuildCaptureErrorPath checks that a capture gets the error of its own
// file only, even when its path is part of another file's path or of the
// other error's message (a.cap and data.cap).
func TestBuildCaptureErrorPath(t *testing.T) {
	empty := &pcap.InputError{Path: "data.cap", Problem: pcap.ProblemEmpty, Offset: -1}
	errs := []error{fmt.Errorf("reading: %w", empty)}
	tests := []struct {
		path, want string
	}{
		{"a.cap", ""},
		{"data.cap", errs[0].Error()},
		{"ta.cap", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			c := buildCapture(&pcap.CaptureInfo{Path: tt.path}, 0, errs)
			if c.Error != tt.want {
				t.Errorf("Error = %q, want %q", c.Error, tt.want)
			}
		})
	}
}
