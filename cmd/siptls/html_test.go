package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestHTMLFlag checks that analyze and triage write the HTML report beside
// their usual output, with each capture's SHA-256, and keep their exit codes.
func TestHTMLFlag(t *testing.T) {
	chdirRoot(t)
	dir := t.TempDir()
	tests := []struct {
		name     string
		run      func(args ...string) (int, string, string)
		args     []string
		captures []string
		wantCode int
		want     []string
	}{
		{"analyze", func(a ...string) (int, string, string) { return runAnalyze(t, a...) },
			[]string{"--trust", "testdata/trust/cucm7-pub-CallManager-trust", "testdata/sample-cucm-trunk.cap"},
			[]string{"testdata/sample-cucm-trunk.cap"}, exitProblems,
			[]string{`id="verdict"`, "12 connections: 7 ok, 4 failed, 1 no_answer", `<svg class="ladder"`, "stale_copy", "siptls test"}},
		{"analyze max-detail", func(a ...string) (int, string, string) { return runAnalyze(t, a...) },
			[]string{"--max-detail", "2", "testdata/sample-cucm-trunk.cap"},
			[]string{"testdata/sample-cucm-trunk.cap"}, exitProblems,
			[]string{"12 connections: 7 ok, 4 failed, 1 no_answer", "only the first 2 problem connections are listed in full (3 more are counted in the tables): raise --max-detail to see more"}},
		{"triage", func(a ...string) (int, string, string) { return triageOut(t, a...) },
			[]string{"-q", "testdata/triage/captures"},
			[]string{"testdata/triage/captures/cucm7-pub-later.cap", "testdata/triage/captures/cucm7-pub.cap", "testdata/triage/captures/cucm8-pub.pcapng"}, exitProblems,
			[]string{`id="verdict"`, "27 connections: 16 ok, 11 failed", `<svg class="ladder"`, "Client and destination pairs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.name+".html")
			code, stdout, stderr := tt.run(append([]string{"--html", out}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if stdout == "" {
				t.Error("--html replaced the text output instead of adding to it")
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			page := string(b)
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("the report lacks %q", w)
				}
			}
			for _, c := range tt.captures {
				if sum := fileSHA256(t, c); !strings.Contains(page, sum) {
					t.Errorf("the report lacks the SHA-256 of %s (%s)", c, sum)
				}
			}
		})
	}
}

// TestHTMLFlagUnwritable checks that a report that cannot be written is
// trouble (exit 2), not a silent success.
func TestHTMLFlagUnwritable(t *testing.T) {
	chdirRoot(t)
	bad := filepath.Join(t.TempDir(), "no-such-dir", "r.html")
	tests := []struct {
		name string
		run  func(args ...string) (int, string, string)
	}{
		{"analyze", func(a ...string) (int, string, string) { return runAnalyze(t, a...) }},
		{"triage", func(a ...string) (int, string, string) { return triageOut(t, a...) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := tt.run("--html", bad, "testdata/ok-tls12-rsa-go.pcap")
			if code != exitTrouble || !strings.Contains(stderr, "--html") {
				t.Errorf("exit %d, stderr %q; want %d and a message naming --html", code, stderr, exitTrouble)
			}
		})
	}
}

func TestHashFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"file", p, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"missing", filepath.Join(dir, "none"), ""},
		{"folder", dir, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hashFile(tt.input); got != tt.want {
				t.Errorf("hashFile(%s) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

// TestHostileNamesTerminal checks that the names of hostile-names.pcap
// (terminal escapes, a right-to-left override) reach the terminal only as
// visible escapes, in every output of analyze and triage.
func TestHostileNamesTerminal(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name string
		run  func(args ...string) (int, string, string)
		args []string
	}{
		{"analyze", func(a ...string) (int, string, string) { return runAnalyze(t, a...) }, []string{"testdata/hostile-names.pcap"}},
		{"analyze verbose", func(a ...string) (int, string, string) { return runAnalyze(t, a...) }, []string{"-v", "testdata/hostile-names.pcap"}},
		{"triage", func(a ...string) (int, string, string) { return triageOut(t, a...) }, []string{"-q", "testdata/hostile-names.pcap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := tt.run(tt.args...)
			if code != exitProblems {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitProblems, errOut)
			}
			for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
				if strings.Contains(out+errOut, bad) {
					t.Errorf("the output carries %q raw", bad)
				}
			}
			if !strings.Contains(out, "<script>alert(1)</script>") {
				t.Error("the output lacks the certificate's name (it must be shown, made harmless)")
			}
		})
	}
}
