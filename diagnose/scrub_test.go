package diagnose

import (
	"bytes"
	"crypto/rsa"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsdecrypt"
)

// scrubber passes everything to the Analyzer and then overwrites the bytes
// of each unit, as the reader may once Data has returned (pcap.Data.Bytes
// are valid only until then).
type scrubber struct{ *Analyzer }

func (s scrubber) Data(d *pcap.Data) bool {
	more := s.Analyzer.Data(d)
	for i := range d.Bytes {
		d.Bytes[i] = 0xee
	}
	return more
}

// scrubKeys are the key logs and the RSA key of testdata, so that
// decryption, TLS 1.3 handshakes and SIP are read too.
func scrubKeys(t testing.TB) (*tlsdecrypt.KeyLog, []*rsa.PrivateKey) {
	var keys tlsdecrypt.KeyLog
	logs, _ := filepath.Glob("../testdata/*.keys")
	for _, p := range logs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.Read(bytes.NewReader(b), p); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile("../testdata/certs/cube1.key")
	if err != nil {
		t.Fatal(err)
	}
	k, err := tlsdecrypt.ParseRSAKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return &keys, []*rsa.PrivateKey{k}
}

// sameWhenScrubbed analyses data twice, once with each unit overwritten
// after Data returns, and fails unless the analyses are the same.
func sameWhenScrubbed(t testing.TB, name string, data []byte, opts Options) {
	plain := NewAnalyzer(opts)
	_ = plain.Read(bytes.NewReader(data), name)
	scrubbed := NewAnalyzer(opts)
	_, _ = pcap.Read(bytes.NewReader(data), name, scrubbed.pcapOptions(), scrubber{scrubbed})
	scrubbed.flush()
	want, got := plain.Result().Connections, scrubbed.Result().Connections
	if reflect.DeepEqual(got, want) {
		return
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: connection %d differs once units are overwritten after Data:\n got %+v\nwant %+v", name, want[i].ID, got[i], want[i])
		}
	}
	t.Fatalf("%s: %d connections once units are overwritten, %d before", name, len(got), len(want))
}

// TestKeepsNoUnitBytes: the Analyzer copies whatever it keeps of a unit.
// Every capture of testdata, with the key logs and the RSA key, is
// analysed twice, once with each unit overwritten after Data returns: the
// analyses must be the same.
func TestKeepsNoUnitBytes(t *testing.T) {
	keys, rsaKeys := scrubKeys(t)
	paths, _ := filepath.Glob("../testdata/*.pcap*")
	more, _ := filepath.Glob("../testdata/*.cap")
	paths = append(paths, more...)
	if len(paths) < 20 {
		t.Fatalf("found %d captures in testdata", len(paths))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sameWhenScrubbed(t, p, data, Options{AnyPort: true, KeyLog: keys, RSAKeys: rsaKeys})
	}
}

// FuzzKeepsNoUnitBytes is TestKeepsNoUnitBytes on arbitrary capture
// bytes, seeded with the small captures of testdata, with small buffers so
// that caps, gaps and resynchronisation are reached too.
func FuzzKeepsNoUnitBytes(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/*.pcap*")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	keys, rsaKeys := scrubKeys(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sameWhenScrubbed(t, "fuzz.pcap", data, Options{AnyPort: true, MaxBuffer: 64 << 10, MaxConns: 64, KeyLog: keys, RSAKeys: rsaKeys})
	})
}
