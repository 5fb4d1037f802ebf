package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputFlag: -o FILE writes what standard output would get into FILE
// and nothing to standard output, for every command that has it; a file
// that cannot be created is exit status 2 before anything is read.
func TestOutputFlag(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"analyze text", []string{"analyze", "testdata/sample-cucm-trunk.cap"}, exitProblems},
		{"analyze json", []string{"analyze", "--format", "json", "testdata/sample-cucm-trunk.cap"}, exitProblems},
		{"analyze ndjson", []string{"analyze", "--format", "ndjson", "testdata/sample-cucm-trunk.cap"}, exitProblems},
		{"triage", []string{"triage", "-q", "testdata/triage/captures"}, exitProblems},
		{"certs json", []string{"certs", "--format", "json", "testdata/trust/cucm7-pub-CallManager-trust"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, want, _ := runCmd(goldenToday, tt.args...)
			if code != tt.code {
				t.Fatalf("without -o: exit status %d, want %d", code, tt.code)
			}
			file := filepath.Join(t.TempDir(), "out")
			args := append([]string{tt.args[0], "-o", file}, tt.args[1:]...)
			code, out, errOut := runCmd(goldenToday, args...)
			got, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || out != "" || string(got) != want {
				t.Errorf("-o: exit %d, stdout %q, stderr %q; file differs from standard output: %v", code, out, errOut, string(got) != want)
			}
		})
	}
	code, _, errOut := runCmd(goldenToday, "analyze", "-o", filepath.Join(t.TempDir(), "no", "such", "dir"), "testdata/sample-cucm-trunk.cap")
	if code != exitTrouble || !strings.Contains(errOut, "cannot write the output") {
		t.Errorf("unwritable -o: exit %d, stderr %q", code, errOut)
	}
}
