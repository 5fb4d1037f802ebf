package diagnose

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsdecrypt"
)

// analyseBounded analyses one capture with keys and the decryption bounds
// of opts.
func analyseBounded(t *testing.T, path string, keys *tlsdecrypt.KeyLog, opts Options) *Connection {
	t.Helper()
	opts.KeyLog = keys
	a := NewAnalyzer(opts)
	if err := a.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	res := a.Result()
	if len(res.Connections) != 1 {
		t.Fatalf("%d connections", len(res.Connections))
	}
	return res.Connections[0]
}

// alertLines are the alerts of a connection's timeline.
func alertLines(c *Connection) []string {
	var out []string
	for _, e := range c.Events {
		if e.Kind == EventAlert {
			out = append(out, fmt.Sprintf("%d %s %s", e.Frame, e.From, e.What))
		}
	}
	return out
}

// TestDecryptBound: with Options.DecryptBytes small, or no application
// data decrypted at all, the key-log captures keep their verdicts, their
// findings and every decrypted alert (TLS 1.3's hidden ones too, opened by
// their size after records passed over), the SIP read is what the full
// decryption reads up to the bound, and the connection says in which frame
// decryption stopped whenever it passed SIP over.
func TestDecryptBound(t *testing.T) {
	files, _ := filepath.Glob("../testdata/keylog-*.pcap*")
	if len(files) < 6 {
		t.Fatalf("%d keylog-* captures in testdata", len(files))
	}
	stoppedSomewhere := 0
	for _, path := range files {
		var keys *tlsdecrypt.KeyLog
		if strings.HasSuffix(path, ".pcap") {
			keys = readKeyLog(t, path)
		}
		full := analyseBounded(t, path, keys, Options{})
		if full.DecryptStoppedFrame != 0 {
			t.Errorf("%s: decryption stopped in frame %d within the default bound", path, full.DecryptStoppedFrame)
		}
		for _, bound := range []int{-1, 1, 400} {
			t.Run(fmt.Sprintf("%s/%d", filepath.Base(path), bound), func(t *testing.T) {
				c := analyseBounded(t, path, keys, Options{DecryptBytes: bound})
				if c.Verdict != full.Verdict || c.Reason != full.Reason || !c.Decrypted || !slices.Equal(findingCodes(c), findingCodes(full)) {
					t.Errorf("%s/%s, decrypted %v, findings %v; want %s/%s and %v as with the whole decryption", c.Verdict, c.Reason, c.Decrypted, c.Findings, full.Verdict, full.Reason, findingCodes(full))
				}
				if got, want := alertLines(c), alertLines(full); !slices.Equal(got, want) {
					t.Errorf("alerts %q, want %q", got, want)
				}
				// What is read is what the whole decryption reads, less
				// what came at or after the frame where it stopped.
				i := 0
				for _, m := range full.SIP {
					if i < len(c.SIP) && c.SIP[i].Frame == m.Frame && c.SIP[i].StartLine == m.StartLine {
						i++
						continue
					}
					if c.DecryptStoppedFrame == 0 || m.Frame < c.DecryptStoppedFrame {
						t.Errorf("%q in frame %d not read, and decryption stopped in frame %d", m.StartLine, m.Frame, c.DecryptStoppedFrame)
					}
				}
				if i != len(c.SIP) {
					t.Errorf("SIP %v is not what the whole decryption reads, %v", c.SIP, full.SIP)
				}
				if bound == -1 && len(full.SIP) > 0 && (len(c.SIP) != 0 || c.DecryptStoppedFrame != firstAppData(c)) {
					t.Errorf("no application data decrypted: SIP %v, stopped in frame %d, want %d (the first application data)", c.SIP, c.DecryptStoppedFrame, firstAppData(c))
				}
				if c.DecryptStoppedFrame != 0 {
					stoppedSomewhere++
					if len(c.SIP) > 0 && !strings.HasSuffix(c.SIPSummary, fmt.Sprintf("decryption stopped at its bound (--decrypt-bytes %d per direction) in frame %d, later SIP not read", max(bound, 0), c.DecryptStoppedFrame)) {
						t.Errorf("SIP summary %q does not say where decryption stopped", c.SIPSummary)
					}
					if c.Verdict == VerdictOK && !strings.Contains(c.Summary, fmt.Sprintf("decryption stopped at its bound (--decrypt-bytes %d per direction) in frame %d", max(bound, 0), c.DecryptStoppedFrame)) && len(c.SIP) == 0 {
						t.Errorf("summary %q does not say where decryption stopped", c.Summary)
					}
				}
			})
		}
	}
	if stoppedSomewhere == 0 {
		t.Error("decryption never stopped at a bound")
	}
}

// findingCodes are the codes of a connection's findings, in order.
func findingCodes(c *Connection) []FindingCode {
	var codes []FindingCode
	for _, f := range c.Findings {
		codes = append(codes, f.Code)
	}
	return codes
}

// firstAppData is the frame of a connection's first application data
// record, from its timeline (0: none).
func firstAppData(c *Connection) uint64 {
	for _, e := range c.Events {
		if e.What == "application data" {
			return e.Frame
		}
	}
	return 0
}

// TestSIPMessagesCap: Options.SIPMessages keeps the first messages, counts
// the rest as dropped, and the summary says so rather than "no answer".
func TestSIPMessagesCap(t *testing.T) {
	path := filepath.Join("..", "testdata", "keylog-tls12-sip.pcap")
	keys := readKeyLog(t, path)
	full := analyseBounded(t, path, keys, Options{})
	c := analyseBounded(t, path, keys, Options{SIPMessages: 1})
	if len(full.SIP) < 3 || len(c.SIP) != 1 || c.SIP[0] != full.SIP[0] || c.SIPDropped != len(full.SIP)-1 {
		t.Fatalf("kept %v, dropped %d; all %v", c.SIP, c.SIPDropped, full.SIP)
	}
	if want := fmt.Sprintf("INVITE 3011 → no answer read; %d later SIP messages not kept", len(full.SIP)-1); c.SIPSummary != want {
		t.Errorf("summary %q, want %q", c.SIPSummary, want)
	}
}

// TestHeadOnlySameAnalysis: past the decryption bound, the records passed
// over are given to the Analyzer as their headers alone (pcap's
// Options.HeadOnly), or not at all once only counting is left (counted
// by Options.Passed); the analysis is the same as when they are
// reassembled whole, on every key-log capture with no application data
// decrypted and with a small bound, and both ways are taken at least once.
func TestHeadOnlySameAnalysis(t *testing.T) {
	files, _ := filepath.Glob("../testdata/keylog-*.pcap*")
	asked, passed := 0, 0
	for _, path := range files {
		var keys *tlsdecrypt.KeyLog
		if strings.HasSuffix(path, ".pcap") {
			keys = readKeyLog(t, path)
		}
		for _, bound := range []int{-1, 600} {
			opts := Options{KeyLog: keys, DecryptBytes: bound}
			headOnly := NewAnalyzer(opts)
			po := headOnly.pcapOptions()
			po.HeadOnly = func(c *pcap.Conn, d pcap.Dir, head []byte) int {
				k := headOnly.headOnly(c, d, head)
				switch {
				case k > 0:
					asked++
				case k < 0:
					passed++
				}
				return k
			}
			if _, err := pcap.ReadFile(path, po, headOnly); err != nil {
				t.Fatal(err)
			}
			headOnly.flush()
			whole := NewAnalyzer(opts)
			po = whole.pcapOptions()
			po.HeadOnly = nil
			if _, err := pcap.ReadFile(path, po, whole); err != nil {
				t.Fatal(err)
			}
			whole.flush()
			if got, want := headOnly.Result().Connections, whole.Result().Connections; !reflect.DeepEqual(got, want) {
				t.Errorf("%s, bound %d: the analysis differs with records passed over by their headers:\n got %+v\nwant %+v", path, bound, got, want)
			}
		}
	}
	if asked == 0 || passed == 0 {
		t.Errorf("records passed over by their header alone: %d, and whole: %d; want both", asked, passed)
	}
}
