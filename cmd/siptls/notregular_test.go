//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNotRegularFiles: a FIFO named x.pcap and a symbolic link to
// /dev/zero named y.pcap, given to analyze or found by triage in a folder
// (given through a symbolic link), each get one sentence; the good file is
// still reported, the exit status is 2, and nothing blocks.
func TestNotRegularFiles(t *testing.T) {
	chdirRoot(t)
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/ok-tls13-go.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.pcap"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "x.pcap")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFO:", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "y.pcap")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "captures")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	within := func(name string, f func() (int, string, string)) (int, string, string) {
		type res struct {
			code     int
			out, err string
		}
		done := make(chan res, 1)
		go func() {
			c, o, e := f()
			done <- res{c, o, e}
		}()
		select {
		case r := <-done:
			return r.code, r.out, r.err
		case <-time.After(20 * time.Second):
			t.Fatalf("%s blocks", name)
		}
		return 0, "", ""
	}
	code, _, errOut := within("analyze", func() (int, string, string) { return runAnalyze(t, fifo) })
	if code != exitTrouble || !strings.Contains(errOut, fifo+" is a named pipe, not a capture file") {
		t.Errorf("analyze FIFO: exit %d, stderr %q", code, errOut)
	}
	for _, arg := range []string{dir, link} {
		code, out, errOut := within("triage", func() (int, string, string) { return triageOut(t, arg) })
		if code != exitTrouble {
			t.Errorf("triage %s: exit %d, want %d", arg, code, exitTrouble)
		}
		for _, w := range []string{
			filepath.Join(arg, "x.pcap") + " is a named pipe, not a capture file",
			filepath.Join(arg, "y.pcap") + " is a character device, not a capture file",
		} {
			if !strings.Contains(errOut, w) || !strings.Contains(out, w) {
				t.Errorf("triage %s: %q missing:\nstdout %s\nstderr %s", arg, w, out, errOut)
			}
		}
		if !strings.Contains(out, "1 connection: 1 ok") {
			t.Errorf("triage %s: the good file is not reported:\n%s", arg, out)
		}
	}
}
