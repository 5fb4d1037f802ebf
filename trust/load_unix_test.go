//go:build unix

package trust

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadPathSpecialFiles checks LoadPath on the real file system: a
// folder with symbolic links to /dev/zero and to a named pipe loads its
// good file and skips the others by kind, at once; a trust path that is
// /dev/zero or a named pipe is one sentence; an unreadable subfolder is
// listed by Unreadable.
func TestLoadPathSpecialFiles(t *testing.T) {
	l := newLab(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes:", err)
	}
	folder := filepath.Join(dir, "trust")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(folder, 0o755))
	must(os.WriteFile(filepath.Join(folder, "a.pem"), pemOf(l.selfA), 0o644))
	must(os.Symlink("/dev/zero", filepath.Join(folder, "zero.pem")))
	must(os.Symlink(fifo, filepath.Join(folder, "fifo.pem")))
	must(os.Mkdir(filepath.Join(folder, "locked"), 0o000))
	t.Cleanup(func() { os.Chmod(filepath.Join(folder, "locked"), 0o755) })
	_, lockedErr := os.ReadDir(filepath.Join(folder, "locked"))

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
	if lockedErr != nil { // not when the tests run as root
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
			done := make(chan result, 1)
			go func() {
				s, err := LoadPath(tt.path, "")
				done <- result{s, err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("LoadPath did not return: it waits on a pipe")
			}
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
