//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFiles checks devices, named pipes and unreadable folders given
// as or found in a trust path or a triage folder: each run ends at once,
// with one sentence naming the path and exit status 2 when an input could
// not be read, and the good files still used.
func TestSpecialFiles(t *testing.T) {
	chdirRoot(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes:", err)
	}
	trustDir := filepath.Join(dir, "trust")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(trustDir, 0o755))
	pemData, err := os.ReadFile("testdata/certs/cube1.pem")
	must(err)
	must(os.WriteFile(filepath.Join(trustDir, "cube1.pem"), pemData, 0o644))
	must(os.Symlink("/dev/zero", filepath.Join(trustDir, "zero.pem")))
	must(os.Symlink(fifo, filepath.Join(trustDir, "fifo.pem")))
	capDir := filepath.Join(dir, "caps")
	must(os.MkdirAll(filepath.Join(capDir, "locked"), 0o755))
	capData, err := os.ReadFile("testdata/ok-tls13-go.pcap")
	must(err)
	must(os.WriteFile(filepath.Join(capDir, "ok.pcap"), capData, 0o644))
	must(os.Chmod(filepath.Join(capDir, "locked"), 0o000))
	t.Cleanup(func() { os.Chmod(filepath.Join(capDir, "locked"), 0o755) })
	_, lockedErr := os.ReadDir(filepath.Join(capDir, "locked"))

	tests := []struct {
		name       string
		cmd        string
		args       []string
		wantCode   int
		wantStderr string // exactly, or a prefix when it ends in "…"
		needLocked bool   // needs a folder that cannot be read (not as root)
	}{
		{"certs /dev/zero", "certs", []string{"/dev/zero"}, exitTrouble,
			"siptls: trust: /dev/zero is a device, not a certificate file or folder\n", false},
		{"certs a named pipe", "certs", []string{fifo}, exitTrouble,
			"siptls: trust: " + fifo + " is a named pipe (FIFO), not a certificate file or folder\n", false},
		{"certs a folder with links to /dev/zero and a pipe", "certs", []string{trustDir}, exitOK, "", false},
		{"analyze --trust /dev/zero", "analyze", []string{"--trust", "/dev/zero", "testdata/ok-tls13-go.pcap"}, exitTrouble,
			"siptls: trust: /dev/zero is a device, not a certificate file or folder\n", false},
		{"analyze --trust a folder with links to /dev/zero and a pipe", "analyze", []string{"--node", "10.10.1.11", "--trust", trustDir, "testdata/ok-tls13-go.pcap"}, exitOK, "", false},
		{"triage --trust a named pipe", "triage", []string{"--trust", fifo, "testdata/ok-tls13-go.pcap"}, exitTrouble,
			"siptls: trust: " + fifo + " is a named pipe (FIFO), not a certificate file or folder\n", false},
		{"triage an unreadable subfolder", "triage", []string{capDir}, exitTrouble,
			"siptls: " + filepath.Join(capDir, "locked") + ": could not be read: permission denied\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needLocked && lockedErr == nil {
				t.Skip("running as root: every folder can be read")
			}
			type result struct {
				code        int
				out, stderr string
			}
			done := make(chan result, 1)
			go func() {
				var r result
				switch tt.cmd {
				case "certs":
					r.code, r.out, r.stderr = runCerts(t, tt.args...)
				case "analyze":
					r.code, r.out, r.stderr = runAnalyze(t, tt.args...)
				case "triage":
					r.code, r.out, r.stderr = triageOut(t, tt.args...)
				}
				done <- r
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("siptls did not return: it waits on a pipe")
			}
			if r.code != tt.wantCode {
				t.Errorf("exit status %d, want %d; stderr %q", r.code, tt.wantCode, r.stderr)
			}
			if r.stderr != tt.wantStderr {
				t.Errorf("stderr %q, want %q", r.stderr, tt.wantStderr)
			}
			if tt.cmd == "certs" && tt.wantCode == exitOK {
				for _, w := range []string{"zero.pem  a device, not a regular file", "fifo.pem  a named pipe (FIFO), not a regular file"} {
					if !strings.Contains(r.out, w) {
						t.Errorf("stdout lacks %q:\n%s", w, r.out)
					}
				}
			}
		})
	}
}

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
