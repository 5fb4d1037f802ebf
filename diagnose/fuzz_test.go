package diagnose

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzAnalyze runs the whole pipeline (capture reader, TCP reassembly, TLS
// parsing, certificate reading, verdicts) over arbitrary capture bytes. It
// is seeded with the end-to-end captures in ../testdata, so mutations start
// from real handshakes. The pipeline must never panic, and every connection
// must get a verdict and a summary.
func FuzzAnalyze(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/*.pcap")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAnalyzer(Options{AnyPort: true, MaxBuffer: 64 << 10, MaxConns: 64})
		_ = a.Read(bytes.NewReader(data), "fuzz.pcap")
		for _, c := range a.Result().Connections {
			if c.Verdict == "" || c.Reason == "" || c.Summary == "" {
				t.Fatalf("connection %d has no verdict: %+v", c.ID, c)
			}
		}
	})
}
