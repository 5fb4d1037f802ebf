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

// TestRootFlags checks the root command and every command's usage errors:
// --version and the version command print the factory's version; bad usage
// is one sentence and a pointer to --help on standard error, exit status 2.
func TestRootFlags(t *testing.T) {
	usage := func(cmd, msg string) string {
		return "siptls: " + msg + "\nRun 'siptls " + cmd + "--help' for usage.\n"
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string
		wantErrOut string
	}{
		{"--version", []string{"--version"}, exitOK, "siptls test\n", ""},
		{"version", []string{"version"}, exitOK, "siptls test\n", ""},
		{"version takes no argument", []string{"version", "x"}, exitTrouble, "", usage("version ", `unknown command "x" for "siptls version"`)},
		{"unknown command", []string{"nope"}, exitTrouble, "", usage("", `unknown command "nope" for "siptls"`)},
		{"unknown flag", []string{"--nope"}, exitTrouble, "", usage("", "unknown flag: --nope")},
		{"analyze without capture", []string{"analyze"}, exitTrouble, "", usage("analyze ", "analyze needs at least one capture file")},
		{"analyze bad cap", []string{"analyze", "--max-conns", "0", "a.cap"}, exitTrouble, "", usage("analyze ", "--max-conns must be at least 1, not 0")},
		{"analyze bad trust-for", []string{"analyze", "--trust-for", "nope", "a.cap"}, exitTrouble, "", usage("analyze ", `--trust-for "nope" must be IP=PATH`)},
		{"triage without path", []string{"triage"}, exitTrouble, "", usage("triage ", "triage needs at least one capture file, folder or pattern")},
		{"triage bad jobs", []string{"triage", "--jobs", "0", "a/"}, exitTrouble, "", usage("triage ", "--jobs must be at least 1, not 0")},
		{"triage bad max-matched", []string{"triage", "--max-matched", "0", "a/"}, exitTrouble, "", usage("triage ", "--max-matched must be at least 1, not 0")},
		{"triage bad format", []string{"triage", "--format", "xml", "a/"}, exitTrouble, "", usage("triage ", `--format must be text, json or ndjson, not "xml"`)},
		{"extract without out", []string{"extract", "a.cap"}, exitTrouble, "", usage("extract ", "extract needs --out DIR, the folder to write the certificates to")},
		{"extract bad port", []string{"extract", "--port", "70000", "-o", "certs/", "a.cap"}, exitTrouble, "", usage("extract ", "--port 70000 is not a TCP port")},
		{"extract without capture", []string{"extract", "-o", "certs/"}, exitTrouble, "", usage("extract ", "extract needs at least one capture file")},
		{"certs bad format", []string{"certs", "--format", "xml", "trust/"}, exitTrouble, "", usage("certs ", `--format must be text or json, not "xml"`)},
		{"certs without path", []string{"certs"}, exitTrouble, "", usage("certs ", "certs needs at least one folder or file")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(goldenToday, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if out != tt.wantOut {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
			if errOut != tt.wantErrOut {
				t.Errorf("stderr %q, want %q", errOut, tt.wantErrOut)
			}
		})
	}
}

// TestVerboseBeforeCommand: -v is --verbose everywhere, also before the
// command name, and --version has no short flag.
func TestVerboseBeforeCommand(t *testing.T) {
	chdirRoot(t)
	code, out, errOut := runCmd(goldenToday, "-v", "analyze", "testdata/refused-syn-rst.pcap")
	if code != exitProblems || errOut != "" || !strings.Contains(out, "frame 1  14:03:00.040375  client  SYN") {
		t.Errorf("siptls -v analyze: exit %d, stderr %q\n%s", code, errOut, out)
	}
	code, out, _ = runCmd(goldenToday, "--version")
	if code != exitOK || out != "siptls test\n" {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	_, help, _ := runCmd(goldenToday, "--help")
	if strings.Contains(help, "-v, --version") {
		t.Error("help still lists -v for --version")
	}
}
