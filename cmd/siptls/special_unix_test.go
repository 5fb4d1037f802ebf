//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/specialtest"
)

// copyFile copies the file from to the path to.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSpecialFiles checks devices, named pipes and unreadable folders given
// as or found in a trust path or a triage folder: each run ends at once,
// with one sentence naming the path and exit status 2 when an input could
// not be read, and the good files still used.
func TestSpecialFiles(t *testing.T) {
	chdirRoot(t)
	dir := t.TempDir()
	pemData, err := os.ReadFile("testdata/certs/cube1.pem")
	if err != nil {
		t.Fatal(err)
	}
	fifo, trustDir := specialtest.TrustFolder(t, dir, "cube1.pem", pemData)
	capDir := filepath.Join(dir, "caps")
	locked := specialtest.Locked(t, filepath.Join(capDir, "locked"))
	copyFile(t, "testdata/ok-tls13-go.pcap", filepath.Join(capDir, "ok.pcap"))

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
			if tt.needLocked && !locked {
				t.Skip("running as root: every folder can be read")
			}
			type result struct {
				code        int
				out, stderr string
			}
			r := specialtest.Within(t, 30*time.Second, "siptls did not return: it waits on a pipe", func() result {
				var r result
				switch tt.cmd {
				case "certs":
					r.code, r.out, r.stderr = runCerts(t, tt.args...)
				case "analyze":
					r.code, r.out, r.stderr = runAnalyze(t, tt.args...)
				case "triage":
					r.code, r.out, r.stderr = triageOut(t, tt.args...)
				}
				return r
			})
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
	copyFile(t, "testdata/ok-tls13-go.pcap", filepath.Join(dir, "ok.pcap"))
	fifo := filepath.Join(dir, "x.pcap")
	specialtest.FIFO(t, fifo)
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "y.pcap")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "captures")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	type res struct {
		code     int
		out, err string
	}
	within := func(name string, f func() (int, string, string)) (int, string, string) {
		r := specialtest.Within(t, 20*time.Second, name+" blocks", func() res {
			c, o, e := f()
			return res{c, o, e}
		})
		return r.code, r.out, r.err
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
