//go:build unix

package trust

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/specialtest"
)

// TestLoadPathSpecialFiles checks LoadPath on the real file system: a
// folder with symbolic links to /dev/zero and to a named pipe loads its
// good file and skips the others by kind, at once; a trust path that is
// /dev/zero or a named pipe is one sentence; an unreadable subfolder is
// listed by Unreadable.
func TestLoadPathSpecialFiles(t *testing.T) {
	l := newLab(t)
	fifo, folder := specialtest.TrustFolder(t, t.TempDir(), "a.pem", pemOf(l.selfA))
	locked := specialtest.Locked(t, filepath.Join(folder, "locked"))

	tests := []struct {
		name           string
		path           string
		wantErr        string
		wantCerts      int
		wantSkipped    []string
		wantUnreadable []string
	}{
		{name: "/dev/zero", path: "/dev/zero", wantErr: "trust: /dev/zero is a device, not a certificate file or folder"},
		{name: "a named pipe", path: fifo, wantErr: "trust: " + fifo + " is a named pipe (FIFO), not a certificate file or folder"},
		{name: "a link to /dev/zero", path: filepath.Join(folder, "zero.pem"), wantErr: "trust: " + filepath.Join(folder, "zero.pem") + " is a device, not a certificate file or folder"},
		{
			name:      "a folder with links to /dev/zero and a pipe",
			path:      folder,
			wantCerts: 1,
			wantSkipped: []string{
				"fifo.pem: a named pipe (FIFO), not a regular file",
				"zero.pem: a device, not a regular file",
			},
		},
	}
	if locked { // not when the tests run as root
		tests[3].wantSkipped = []string{
			"fifo.pem: a named pipe (FIFO), not a regular file",
			"locked: unreadable",
			"zero.pem: a device, not a regular file",
		}
		tests[3].wantUnreadable = []string{"locked"}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				s   *Store
				err error
			}
			r := specialtest.Within(t, 20*time.Second, "LoadPath did not return: it waits on a pipe", func() result {
				s, err := LoadPath(tt.path, "")
				return result{s, err}
			})
			if tt.wantErr != "" {
				var nf *NotFileError
				if !errors.As(r.err, &nf) || r.err.Error() != tt.wantErr {
					t.Fatalf("LoadPath = %v; want %q", r.err, tt.wantErr)
				}
				return
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			if len(r.s.Certs) != tt.wantCerts {
				t.Errorf("%d certificates, want %d", len(r.s.Certs), tt.wantCerts)
			}
			if got := skippedReasons(r.s); strings.Join(got, "\n") != strings.Join(tt.wantSkipped, "\n") {
				t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantSkipped, "\n"))
			}
			var unreadable []string
			for _, k := range r.s.Unreadable() {
				unreadable = append(unreadable, k.File)
				if !errors.Is(k.Err, fs.ErrPermission) {
					t.Errorf("%s: %v, want a permission error", k.File, k.Err)
				}
			}
			if strings.Join(unreadable, ",") != strings.Join(tt.wantUnreadable, ",") {
				t.Errorf("unreadable %q, want %q", unreadable, tt.wantUnreadable)
			}
		})
	}
}
