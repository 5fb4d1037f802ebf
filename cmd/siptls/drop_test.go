package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDropCapture: `siptls FILE` (a capture dropped on siptls) analyses
// it, writes FILE.siptls.html beside it, says where, opens it when standard
// output is a terminal and --no-open is not given, and waits for Enter
// when siptls has a console of its own.
func TestDropCapture(t *testing.T) {
	chdirRoot(t)
	sample, err := os.ReadFile("testdata/sample-cucm-trunk.cap")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		flags      []string
		tty        bool
		console    bool
		wantOpened bool
	}{
		{"terminal: opened", nil, true, false, true},
		{"terminal, --no-open", []string{"--no-open"}, true, false, false},
		{"piped: not opened", nil, false, false, false},
		{"own console (Windows drop): opened, waits for Enter", nil, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			capture := filepath.Join(t.TempDir(), "capture with space.cap")
			if err := os.WriteFile(capture, sample, 0o644); err != nil {
				t.Fatal(err)
			}
			ios, in, out, errOut := Test()
			ios.OutTTY = tt.tty
			in.WriteString("\n")
			var opened []string
			f := &Factory{IO: ios, Now: func() time.Time { return goldenToday }, Version: "test",
				Open:       func(p string) error { opened = append(opened, p); return nil },
				OwnConsole: func() bool { return tt.console }}
			code := run(f, append(tt.flags, capture))
			report := capture + ".siptls.html"
			if _, err := os.Stat(report); err != nil || code != exitProblems {
				t.Fatalf("exit %d, report %v\nstderr %s", code, err, errOut)
			}
			if !strings.Contains(out.String(), "12 connections: 7 ") || !strings.Contains(errOut.String(), "The report is in "+report) {
				t.Errorf("stdout %.300q\nstderr %q", out.String(), errOut.String())
			}
			if got := len(opened) == 1 && opened[0] == report; got != tt.wantOpened || len(opened) > 1 {
				t.Errorf("opened %v, want opened %v", opened, tt.wantOpened)
			}
			if waited := strings.Contains(errOut.String(), "Press Enter"); waited != tt.console || (tt.console && in.Len() != 0) {
				t.Errorf("waited for Enter: %v (input left %d bytes), want %v", waited, in.Len(), tt.console)
			}
		})
	}
	// A mistyped command is not taken for a file.
	code, _, errOut := runCmd(goldenToday, "anlyze", "x.cap")
	if code != exitTrouble || !strings.Contains(errOut, `unknown command "anlyze" for "siptls"; did you mean analyze?`) {
		t.Errorf("mistyped command: exit %d, stderr %q", code, errOut)
	}
}

// TestDropMissing: a dropped path that is not there writes no report.
func TestDropMissing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.cap")
	code, _, errOut := runCmd(goldenToday, missing)
	entries, _ := os.ReadDir(dir)
	if code != exitTrouble || len(entries) != 0 || !strings.Contains(errOut, "cannot read "+missing+": no such file or directory") {
		t.Errorf("exit %d, %d files written, stderr %q", code, len(entries), errOut)
	}
}
