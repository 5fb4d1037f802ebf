package trust

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/siptls/siptls/certinfo"
)

// FuzzLoadCerts loads arbitrary bytes as a one-file trust folder and judges
// what it found: neither may panic, and the result must be consistent.
// Seeded with the trust folder and lab certificates of testdata, and with
// PEM and PKCS#7 files made by the tests' PKI.
func FuzzLoadCerts(f *testing.F) {
	for _, glob := range []string{"../testdata/trust/*/*", "../testdata/certs/*.pem"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	l := newLab(f)
	f.Add(pemOf(l.ms, l.inter, l.root))
	f.Add(p7bOf(f, l.root, l.inter))
	f.Add(l.weak.DER)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load(fstest.MapFS{"dir/f.cer": &fstest.MapFile{Data: data}}, "dir", "10.10.1.11")
		if err != nil {
			var nc *NoCertificatesError
			if !errors.As(err, &nc) || s == nil || len(s.Certs) != 0 || len(s.Skipped) == 0 {
				t.Fatalf("error %v with store %v", err, s)
			}
			return
		}
		if len(s.Certs) == 0 {
			t.Fatal("no error and no certificate")
		}
		chain := make([]*certinfo.Info, 0, len(s.Certs))
		for i, e := range s.Certs {
			if e.Info == nil || e.Info.Version == 0 || e.File != "f.cer" || e.Index != i {
				t.Fatalf("entry %d: %+v", i, e)
			}
			chain = append(chain, e.Info)
		}
		j := s.Judge(chain, captureTime, RoleClient)
		if j.Status != StatusExactMatch || j.File != "f.cer" {
			t.Fatalf("the store's own leaf is %s %q", j.Status, j.File)
		}
		s.Judge(chain[len(chain)-1:], captureTime, RoleServer)
	})
}
