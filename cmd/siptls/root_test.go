package main

import (
	"bytes"
	"errors"
	"strings"
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

// TestRootFlags checks the root command: --version and the version
// command print the factory's version, and bad usage exits with status 2
// and a pointer to --help.
func TestRootFlags(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string
		wantErrOut string // in stderr
	}{
		{"--version", []string{"--version"}, exitOK, "siptls test\n", ""},
		{"version", []string{"version"}, exitOK, "siptls test\n", ""},
		{"version takes no argument", []string{"version", "x"}, exitTrouble, "", "Run 'siptls version --help' for usage."},
		{"unknown command", []string{"nope"}, exitTrouble, "", `siptls: unknown command "nope" for "siptls"`},
		{"unknown flag", []string{"--nope"}, exitTrouble, "", "siptls: unknown flag: --nope"},
		{"subcommand usage", []string{"analyze"}, exitTrouble, "", "siptls: analyze needs at least one capture file\nRun 'siptls analyze --help' for usage.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := Test()
			if code := run(testFactory(ios, goldenToday), tt.args); code != tt.wantCode {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErrOut) || (tt.wantErrOut == "") != (errOut.Len() == 0) {
				t.Errorf("stderr %q, want %q in it", errOut, tt.wantErrOut)
			}
		})
	}
}
