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

// TestKeepsNoUnitBytes: the Analyzer copies whatever it keeps of a unit.
// Every capture of testdata, with the key logs and the RSA key (so that
// decryption, TLS 1.3 handshakes and SIP are read too), is analysed twice,
// once with each unit overwritten after Data returns: the analyses must
// be the same.
func TestKeepsNoUnitBytes(t *testing.T) {
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
	var rsaKeys []*rsa.PrivateKey
	b, err := os.ReadFile("../testdata/certs/cube1.key")
	if err != nil {
		t.Fatal(err)
	}
	k, err := tlsdecrypt.ParseRSAKey(b)
	if err != nil {
		t.Fatal(err)
	}
	rsaKeys = append(rsaKeys, k)
	paths, _ := filepath.Glob("../testdata/*.pcap*")
	more, _ := filepath.Glob("../testdata/*.cap")
	paths = append(paths, more...)
	if len(paths) < 20 {
		t.Fatalf("found %d captures in testdata", len(paths))
	}
	for _, p := range paths {
		opts := Options{AnyPort: true, KeyLog: &keys, RSAKeys: rsaKeys}
		plain := NewAnalyzer(opts)
		_ = plain.ReadFile(p)
		scrubbed := NewAnalyzer(opts)
		_, _ = pcap.ReadFile(p, scrubbed.pcapOptions(), scrubber{scrubbed})
		scrubbed.flush()
		want, got := plain.Result().Connections, scrubbed.Result().Connections
		if len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			for i := range min(len(got), len(want)) {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("%s: connection %d differs once units are overwritten after Data:\n got %+v\nwant %+v", p, want[i].ID, got[i], want[i])
					break
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d connections once units are overwritten, %d before", p, len(got), len(want))
			}
		}
	}
}
