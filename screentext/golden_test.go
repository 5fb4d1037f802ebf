package screentext

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/golden"
	"github.com/siptls/siptls/internal/textwrap"
	"github.com/siptls/siptls/pcap"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden/")

// fixtures are the screen texts of the repository's testdata: real tcpdump
// output of the test captures and the seed excerpt (testdata/gen's
// screenTexts), and the console text of bad-cucm-screen-output.txt.
func fixtures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/screen/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("../testdata/screen holds %d texts, want 4 (go run ./testdata/gen -only screen)", len(files))
	}
	return append(files, "../testdata/bad-cucm-screen-output.txt")
}

func analyzeFile(t *testing.T, path string) *Analysis {
	t.Helper()
	txt, err := ReadFile(path, Options{})
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	return Analyze([]*Text{txt}, []error{nil})
}

// TestGolden writes each fixture's analysis as text and JSON (and one as
// NDJSON and HTML) and compares them with testdata/golden.
func TestGolden(t *testing.T) {
	for _, f := range fixtures(t) {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			a := analyzeFile(t, f)
			formats := []struct {
				ext string
				f   Format
			}{{"txt", FormatText}, {"json", FormatJSON}}
			if name == "tcpdump-n-outcomes" {
				formats = append(formats, struct {
					ext string
					f   Format
				}{"ndjson", FormatNDJSON})
			}
			for _, fm := range formats {
				var buf bytes.Buffer
				if err := Write(&buf, a, WriteOptions{Format: fm.f, Version: "test", Indent: true}); err != nil {
					t.Fatal(err)
				}
				switch fm.f {
				case FormatJSON:
					if !json.Valid(buf.Bytes()) {
						t.Error("the JSON output is not valid JSON")
					}
				case FormatNDJSON:
					for i, l := range bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n")) {
						if !json.Valid(l) || !bytes.HasPrefix(l, []byte(`{"type":"`)) {
							t.Errorf("NDJSON line %d is not a typed JSON record: %.80s", i+1, l)
						}
					}
				}
				golden.Check(t, filepath.Join("testdata", "golden", name+"."+fm.ext), buf.Bytes(), *update)
			}
			if name == "tcpdump-n-outcomes" {
				var buf bytes.Buffer
				if err := WriteHTML(&buf, a, "test"); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", name+".html"), buf.Bytes(), *update)
			}
		})
	}
}

// TestFixtureVerdicts states what each real tcpdump text must give, as
// testdata/README.md tells the captures' stories: per connection (client
// -> server) the verdict/reason, and ended_by where it matters.
func TestFixtureVerdicts(t *testing.T) {
	sample := map[string]string{
		"10.10.1.11:38211 -> 10.20.1.21:5061": "established/closed",
		"10.10.1.11:38224 -> 10.20.1.22:5061": "established/closed", // unknown_ca, then a close: TLS, not visible
		"10.10.1.11:38377 -> 10.20.1.24:5061": "no_answer/syn_unanswered",
		"10.20.1.21:45112 -> 10.10.1.11:5061": "established/closed",
		"10.30.1.5:46021 -> 10.10.1.11:5061":  "established/closed",
	}
	tests := []struct {
		file  string
		conns int
		want  map[string]string
	}{
		{"tcpdump-n-sample-cucm-trunk.txt", 12, sample},
		{"tcpdump-names-sample-cucm-trunk.txt", 12, map[string]string{
			"cucm7-pub.clus1.lab:38377 -> cucm8-sub3.clus2.lab:5061": "no_answer/syn_unanswered",
			"cube1.lab:46021 -> cucm7-pub.clus1.lab:5061":            "established/closed",
		}},
		{"tcpdump-n-outcomes.txt", 7, map[string]string{
			"10.10.1.11:39511 -> 10.20.1.22:5061":             "refused/syn_reset",
			"10.10.1.11:39560 -> 10.20.1.24:5061":             "no_answer/syn_unanswered",
			"10.10.1.11:39230 -> 10.20.1.21:5061":             "established/reset server",
			"10.10.1.11:39318 -> 10.20.1.21:5061":             "established/closed server",
			"10.10.1.11:39601 -> 10.20.1.21:5061":             "established/open",
			"10.20.1.23:42611 -> 10.10.1.11:5061":             "incomplete/midstream client",
			"[fd00:10:10::11]:40155 -> [fd00:10:20::21]:5061": "established/closed client",
		}},
		{"cucm-seed-excerpt.txt", 4, map[string]string{
			"CUCM7-PUB.bbbburns.lab:37448 -> cucm8-pub.bbbburns.lab:5061":        "established/open",
			"CUCM7-SUB1.bbbburns.lab:52172 -> cucm8-pub.bbbburns.lab:5061":       "established/open",
			"CUCM8-Publisher.bbbburns.lab:48393 -> cucm7-sub1.bbbburns.lab:5061": "incomplete/midstream",
			"CUCM8-Publisher.bbbburns.lab:48417 -> cucm7-pub.bbbburns.lab:5061":  "incomplete/midstream",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			txt, err := ReadFile(filepath.Join("../testdata/screen", tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(txt.Connections) != tt.conns {
				t.Errorf("%d connections, want %d", len(txt.Connections), tt.conns)
			}
			got := map[string]string{}
			for _, c := range txt.Connections {
				v := string(c.Verdict) + "/" + string(c.Reason)
				if c.Ended && c.Reason != ReasonSYNReset {
					v += " " + c.EndedBy.String()
				}
				got[c.Client.String()+" -> "+c.Server.String()] = v
			}
			for k, w := range tt.want {
				g := got[k]
				if !strings.Contains(w, " ") { // ended_by not stated
					g, _, _ = strings.Cut(g, " ")
				}
				if g != w {
					t.Errorf("%s: %q, want %q", k, got[k], w)
				}
			}
		})
	}
}

// TestSniffAgreesWithPcap checks that every fixture is what Sniff takes
// for screen text and what the capture reader (used by triage and extract,
// which cannot use screen text) names ProblemScreenText, plain and gzip
// compressed.
func TestSniffAgreesWithPcap(t *testing.T) {
	for _, f := range fixtures(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		for _, in := range []struct {
			name string
			b    []byte
		}{{"plain", b}, {"gzip", z.Bytes()}} {
			t.Run(filepath.Base(f)+"/"+in.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "x.txt")
				if err := os.WriteFile(path, in.b, 0o644); err != nil {
					t.Fatal(err)
				}
				if !SniffFile(path) {
					t.Error("SniffFile: not screen text")
				}
				_, err := pcap.ReadFile(path, pcap.Options{Framer: func([]byte) int { return -1 }}, nopHandler{})
				var ie *pcap.InputError
				if !errors.As(err, &ie) || ie.Problem != pcap.ProblemScreenText {
					t.Errorf("pcap.ReadFile: %v, want a ProblemScreenText InputError", err)
				}
				txt, err := ReadFile(path, Options{})
				if err != nil || txt.PacketLines == 0 {
					t.Errorf("ReadFile: %v, %d packet lines", err, txt.PacketLines)
				}
			})
		}
	}
	for _, f := range []string{"../testdata/sample-cucm-trunk.cap", "../testdata/format-gzip.pcap.gz", "../testdata/bad-empty.cap", "../testdata/README.md"} {
		if SniffFile(f) {
			t.Errorf("SniffFile(%s): screen text, want not", f)
		}
	}
}

type nopHandler struct{}

func (nopHandler) Event(*pcap.Event)               {}
func (nopHandler) Data(*pcap.Data) bool            { return false }
func (nopHandler) End(*pcap.Conn, *pcap.ConnStats) {}

// TestServerEndedSoon checks the hint of a TLS rejection against the
// captures' stories (testdata/README.md): in the sample, the server ends
// soon exactly the three calls to 10.20.1.22 (unknown_ca) and the CUBE's
// inbound call (unknown_ca); in the outcomes, the reset after the client's
// certificate and the close after a subject name mismatch.
func TestServerEndedSoon(t *testing.T) {
	for _, tt := range []struct {
		file, want string
	}{
		{"tcpdump-n-sample-cucm-trunk.txt", "38224 38263 46021 38302"}, // in order of first line
		{"tcpdump-n-outcomes.txt", "39230 39318"},
		{"cucm-seed-excerpt.txt", ""},
	} {
		txt, err := ReadFile(filepath.Join("../testdata/screen", tt.file), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range txt.Connections {
			if c.ServerEndedSoon() {
				got = append(got, fmt.Sprint(c.Client.Port))
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: server ended soon the connections from ports %v, want %s", tt.file, got, tt.want)
		}
	}
	a := analyzeFile(t, "../testdata/screen/tcpdump-n-sample-cucm-trunk.txt")
	const want = "The server ended every connection to 10.20.1.22:5061 within 2 s of its SYN-ACK, and the others did not"
	if p := Patterns(a); !strings.Contains(p[0], want) || !strings.Contains(p[0], "about one call in 3;") {
		t.Errorf("patterns %q, want %q and one call in 3", p[0], want)
	}
}

// TestWriteWraps: on a terminal (Width set) the connection sentences and
// the load-balancing paragraphs wrap to the width, continued under their
// start, and no word is lost; other lines are left as they are.
func TestWriteWraps(t *testing.T) {
	a := analyzeFile(t, "../testdata/screen/tcpdump-names-sample-cucm-trunk.txt")
	var flat, wrapped strings.Builder
	if err := Write(&flat, a, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&wrapped, a, WriteOptions{Width: 60}); err != nil {
		t.Fatal(err)
	}
	if flat.String() == wrapped.String() {
		t.Fatal("nothing was wrapped at 60 columns")
	}
	if got, want := strings.Fields(wrapped.String()), strings.Fields(flat.String()); !slices.Equal(got, want) {
		t.Errorf("wrapping changed the words:\n%s", wrapped.String())
	}
	// A sentence's lines start with 3 spaces, a load-balancing paragraph's
	// continued lines with 4: none may run past the width with a space to
	// break at.
	continued := regexp.MustCompile(`^ {3,4}\S`)
	for _, line := range strings.Split(wrapped.String(), "\n") {
		if continued.MatchString(line) && textwrap.Columns(line) > 60 && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("a wrapped line runs past 60 columns: %q", line)
		}
	}
}
