package main

import (
	"bytes"
	"errors"
	"testing"
)

// TestPrintError checks that messages on standard error cannot carry
// terminal controls or invalid UTF-8, one line per joined error.
func TestPrintError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"plain", errors.New("a.pcap: no such file"), "siptls: a.pcap: no such file\n"},
		{"8-bit csi in a path", errors.New("reading x\x9b2J.pcap: cut off"), "siptls: reading x\\x9b2J.pcap: cut off\n"},
		{"esc and bell", errors.New("\x1b]0;title\x07"), "siptls: \\x1b]0;title\\x07\n"},
		{"joined errors", errors.Join(errors.New("a\u202eb"), errors.New("c")), "siptls: a\\u202eb\nsiptls: c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printError(&b, tt.err)
			if b.String() != tt.want {
				t.Errorf("printError = %q, want %q", b.String(), tt.want)
			}
		})
	}
}
