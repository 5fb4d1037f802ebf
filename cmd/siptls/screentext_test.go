package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeScreenText runs analyze on screen text (the real tcpdump
// output of testdata/screen, and the console text of
// bad-cucm-screen-output.txt): the TCP-level report in every format, and
// the exit status of captures.
func TestAnalyzeScreenText(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name     string
		args     []string
		golden   string
		wantCode int
	}{
		{"outcomes text", []string{"testdata/screen/tcpdump-n-outcomes.txt"}, "screen-outcomes.golden.txt", exitProblems},
		{"problems only", []string{"--problems", "testdata/screen/tcpdump-names-sample-cucm-trunk.txt"}, "screen-names-problems.golden.txt", exitProblems},
		{"two texts", []string{"testdata/screen/cucm-seed-excerpt.txt", "testdata/bad-cucm-screen-output.txt"}, "screen-two-texts.golden.txt", exitProblems},
		{"--port given", []string{"--port", "5061", "testdata/screen/tcpdump-n-sample-cucm-trunk.txt"}, "", exitProblems},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runAnalyze(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr %q, want none", errOut)
			}
			if !strings.Contains(out, "utils network capture eth0 file NAME size all count 100000 port 5061") {
				t.Error("the output does not say how to take a capture file")
			}
			if strings.Contains(out, "No TLS connection") || strings.Contains(out, "certificate:") {
				t.Error("the output speaks of TLS facts")
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, []byte(out))
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		// --indent is the golden file, --format json its compact form,
		// --format ndjson the same facts
		checkJSONGolden(t, "screen-outcomes.golden.json", analyzer(t), true, "testdata/screen/tcpdump-n-outcomes.txt")
	})

	t.Run("ndjson", func(t *testing.T) {
		code, out, _ := runAnalyze(t, "--format", "ndjson", "testdata/screen/tcpdump-n-outcomes.txt")
		if code != exitProblems {
			t.Errorf("exit status %d", code)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		types := map[string]int{}
		for _, l := range lines {
			var r struct {
				Type   string `json:"type"`
				Source string `json:"source"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			types[r.Type]++
		}
		if types["header"] != 1 || types["connection"] != 7 || types["summary"] != 1 || !strings.HasPrefix(lines[0], `{"type":"header","schema":"siptls/ndjson/v1","source":"screen_text"`) {
			t.Errorf("records %v, first %s", types, lines[0])
		}
	})

	t.Run("html", func(t *testing.T) {
		page := filepath.Join(t.TempDir(), "r.html")
		code, _, _ := runAnalyze(t, "--html", page, "testdata/screen/tcpdump-n-outcomes.txt")
		b, err := os.ReadFile(page)
		if code != exitProblems || err != nil || !bytes.Contains(b, []byte("refused (syn_reset)")) || bytes.Contains(b, []byte("<script")) {
			t.Errorf("exit %d, %v, %d bytes", code, err, len(b))
		}
	})

	t.Run("exit 0", func(t *testing.T) {
		// the seed's first capture: SYN, SYN-ACK, ACK, and nothing else
		text := filepath.Join(t.TempDir(), "screen.txt")
		seed, err := os.ReadFile("testdata/screen/cucm-seed-excerpt.txt")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(text, bytes.Join(bytes.Split(seed, []byte("\n"))[:8], []byte("\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runAnalyze(t, text)
		if code != exitOK || !strings.Contains(out, "1 connection: 1 established") {
			t.Errorf("exit %d, stderr %q, output %s", code, errOut, out)
		}
	})

	t.Run("header without packets", func(t *testing.T) {
		text := filepath.Join(t.TempDir(), "screen.txt")
		if err := os.WriteFile(text, []byte("admin:utils network capture eth0 port 5061\nExecuting command with options:\n size=128 count=1000 interface=eth0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runAnalyze(t, text)
		if code != exitTrouble || !strings.Contains(errOut, "screen.txt holds no tcpdump line of a TCP packet (3 lines read)") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
}

// TestScreenTextElsewhere checks that screen text still gets the capture
// reader's sentence where it cannot be used: beside a capture given to
// analyze, and given to triage or extract.
func TestScreenTextElsewhere(t *testing.T) {
	chdirRoot(t)
	const want = "testdata/screen/cucm-seed-excerpt.txt is not a capture file: this is the text `utils network capture` prints on the screen"
	for _, args := range [][]string{
		{"analyze", "testdata/screen/cucm-seed-excerpt.txt", "testdata/refused-syn-rst.pcap"},
		{"triage", "testdata/screen/cucm-seed-excerpt.txt"},
		{"extract", "--out", "OUT", "testdata/screen/cucm-seed-excerpt.txt"},
	} {
		t.Run(args[0], func(t *testing.T) {
			for i, a := range args {
				if a == "OUT" {
					args[i] = t.TempDir()
				}
			}
			code, _, errOut := runCmd(goldenToday, args...)
			if code != exitTrouble || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr %q", code, errOut)
			}
			const hint = "; its TCP lines are read when it is given to analyze alone: siptls analyze testdata/screen/cucm-seed-excerpt.txt"
			if strings.Contains(errOut, hint) != (args[0] == "analyze") {
				t.Errorf("stderr %q: the hint to analyze it alone is for analyze only", errOut)
			}
		})
	}
}

// TestScreenTextTLSFlags: flags that only TLS facts use are said to be left
// out on screen text, once, naming them; the report is the one without them.
func TestScreenTextTLSFlags(t *testing.T) {
	chdirRoot(t)
	const text = "testdata/screen/tcpdump-n-sample-cucm-trunk.txt"
	_, plain, _ := runAnalyze(t, text)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--trust", "testdata/trust/cucm7-pub-CallManager-trust"}, "siptls: --trust is of no use on screen text"},
		{[]string{"--node", "10.10.1.11", "--keylog", "testdata/keylog-tls12-sip.keys", "--expect-name", "cucm8-pub"},
			"siptls: --node, --expect-name and --keylog are of no use on screen text"},
	}
	for _, tt := range tests {
		code, out, errOut := runAnalyze(t, append(tt.args, text)...)
		if code != exitProblems || out != plain {
			t.Errorf("%v: exit %d, or the report differs from the one without them", tt.args, code)
		}
		if !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: stderr %q, want one line starting %q", tt.args, errOut, tt.want)
		}
	}
}
