package trust

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
)

// FuzzLoadCerts loads arbitrary bytes as a one-file trust folder and judges
// what it found: neither may panic, and the result must be consistent.
// Seeded with the trust folder and lab certificates of testdata, and with
// PEM and PKCS#7 files made by the tests' PKI. The fuzzer also picks the
// file's kind (kind%4: a regular file, a named pipe, a device, or a
// symbolic link to a device): what is not a regular file must be skipped
// with its kind and never read.
func FuzzLoadCerts(f *testing.F) {
	for _, glob := range []string{"../testdata/trust/*/*", "../testdata/certs/*.pem"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data, uint8(0))
			}
		}
	}
	l := newLab(f)
	f.Add(pemOf(l.ms, l.inter, l.root), uint8(0))
	f.Add(p7bOf(f, l.root, l.inter), uint8(0))
	f.Add(l.weak.DER, uint8(0))
	f.Add(pemOf(l.ms), uint8(1))
	f.Add(pemOf(l.ms), uint8(2))
	f.Add(pemOf(l.ms), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		fsys := fstest.MapFS{"dir/f.cer": &fstest.MapFile{Data: data}}
		switch kind % 4 {
		case 1:
			fsys["dir/f.cer"].Mode = fs.ModeNamedPipe
		case 2:
			fsys["dir/f.cer"].Mode = fs.ModeDevice | fs.ModeCharDevice
		case 3:
			fsys["dev/zero"] = &fstest.MapFile{Data: data, Mode: fs.ModeDevice | fs.ModeCharDevice}
			fsys["dir/f.cer"] = &fstest.MapFile{Data: []byte("../dev/zero"), Mode: fs.ModeSymlink}
		}
		s, err := Load(fsys, "dir", "10.10.1.11")
		if kind%4 != 0 {
			if s == nil || len(s.Certs) != 0 || len(s.Skipped) != 1 || !strings.HasSuffix(s.Skipped[0].Reason, ", not a regular file") {
				t.Fatalf("kind %d: store %+v, error %v", kind%4, s, err)
			}
			return
		}
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
		j := s.Judge(chain, captureTime, diagnose.Client)
		if j.Status != StatusExactMatch || j.File != "f.cer" {
			t.Fatalf("the store's own leaf is %s %q", j.Status, j.File)
		}
		s.Judge(chain[len(chain)-1:], captureTime, diagnose.Server)
	})
}
