package diagnose

import (
	"bytes"
	"crypto/rsa"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/siptls/siptls/tlsdecrypt"
)

// fuzzAllocBound is what one fuzz input may make the pipeline allocate: a
// fixed allowance for the reader's buffers and one connection's handshake,
// plus a bounded multiple of the input's size. A parser that trusts a
// declared length (a record, a block, a handshake message) and allocates it
// before checking it against the bytes present exceeds this at once.
func fuzzAllocBound(n int) uint64 { return 16<<20 + 512*uint64(n) }

// FuzzAnalyze runs the whole pipeline (capture reader, TCP reassembly, TLS
// parsing, certificate reading, verdicts) over arbitrary capture bytes. It
// is seeded with the end-to-end captures in ../testdata, so mutations start
// from real handshakes. The pipeline must never panic, and every connection
// must get a verdict and a summary, and the bytes it allocates must stay
// within fuzzAllocBound of the input's size.
func FuzzAnalyze(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/*.pcap*")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	// The key logs and the RSA key of the seeds, so that decryption, the
	// TLS 1.3 handshake behind it and the SIP reader are fuzzed too.
	var keys tlsdecrypt.KeyLog
	logs, _ := filepath.Glob("../testdata/*.keys")
	for _, p := range logs {
		if b, err := os.ReadFile(p); err == nil {
			_ = keys.Read(bytes.NewReader(b), p)
		}
	}
	var rsaKeys []*rsa.PrivateKey
	if b, err := os.ReadFile("../testdata/certs/cube1.key"); err == nil {
		if k, err := tlsdecrypt.ParseRSAKey(b); err == nil {
			rsaKeys = append(rsaKeys, k)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The default decryption bound, and one byte: past it at once, so
		// that the records passed over by their headers, or not given at
		// all (pcap's Options.Passed), are fuzzed too.
		for _, bound := range []int{0, 1} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			a := NewAnalyzer(Options{AnyPort: true, MaxBuffer: 64 << 10, MaxConns: 64, KeyLog: &keys, RSAKeys: rsaKeys, DecryptBytes: bound})
			_ = a.Read(bytes.NewReader(data), "fuzz.pcap")
			runtime.ReadMemStats(&after)
			if got, max := after.TotalAlloc-before.TotalAlloc, fuzzAllocBound(len(data)); got > max {
				t.Fatalf("%d input bytes made the pipeline allocate %d bytes (bound %d)", len(data), got, max)
			}
			for _, c := range a.Result().Connections {
				if c.Verdict == "" || c.Reason == "" || c.Summary == "" {
					t.Fatalf("connection %d has no verdict: %+v", c.ID, c)
				}
			}
		}
	})
}
