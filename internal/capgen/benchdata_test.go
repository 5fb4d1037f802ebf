package capgen

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

var update = flag.Bool("update", false, "re-record the benchmark transcripts and rewrite golden files")

// TestBenchTranscripts re-records benchdata/transcripts.json.gz with -update,
// and otherwise checks that the embedded transcripts are whole TLS 1.2
// handshakes with one certificate each way (failed ones end in an alert).
func TestBenchTranscripts(t *testing.T) {
	ts, recorded := testTranscripts(t, "transcripts.json.gz", recordBenchTranscripts, loadTranscripts)
	if recorded {
		return
	}
	if len(ts) < 24 {
		t.Fatalf("%d transcripts, want at least 24", len(ts))
	}
	for _, tr := range ts {
		t.Run(tr.Name, func(t *testing.T) {
			var certs [2]int
			var alerts int
			eachRecord(t, tr.Writes, func(w write, typ uint8, ver uint16, body cryptobyte.String) {
				if ver != 0x0303 && ver != 0x0301 {
					t.Errorf("record version %#x", ver)
				}
				if typ == 21 {
					alerts++
				}
				// Handshake records before ChangeCipherSpec are plaintext;
				// Certificate (11) messages start a record in Go's output.
				if typ == 22 && len(body) > 0 && body[0] == 11 {
					certs[w.Side]++
				}
			})
			if certs[Client] != 1 || certs[Server] != 1 {
				t.Errorf("certificate messages client %d server %d, want 1 and 1", certs[Client], certs[Server])
			}
			if tr.Failed != (alerts > 0) {
				t.Errorf("failed %v but %d alerts", tr.Failed, alerts)
			}
		})
	}
}

// eachRecord calls f with each TLS record of ws, in order: its write, content
// type, legacy version and body. Bad record framing fails the test.
func eachRecord(t *testing.T, ws []write, f func(w write, typ uint8, ver uint16, body cryptobyte.String)) {
	t.Helper()
	for _, w := range ws {
		s := cryptobyte.String(w.Bytes)
		for !s.Empty() {
			var typ uint8
			var ver uint16
			var body cryptobyte.String
			if !s.ReadUint8(&typ) || !s.ReadUint16(&ver) || !s.ReadUint16LengthPrefixed(&body) {
				t.Fatalf("side %d: bad record framing", w.Side)
			}
			f(w, typ, ver, body)
		}
	}
}

// testTranscripts returns the embedded transcripts that load decodes. With
// -update it instead records them with record, at a fixed time, writes them
// to benchdata/name and reports recorded.
func testTranscripts(t *testing.T, name string, record func(time.Time) ([]transcript, error), load func() ([]transcript, error)) (ts []transcript, recorded bool) {
	t.Helper()
	if !*update {
		ts, err := load()
		if err != nil {
			t.Fatal(err)
		}
		return ts, false
	}
	ts, err := record(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b, err := encodeTranscripts(ts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("benchdata", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d transcripts, %d bytes", len(ts), len(b))
	return nil, true
}
