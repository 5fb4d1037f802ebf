package trust

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadNotRegular checks that devices, named pipes and sockets, also
// behind a symbolic link, are skipped with their kind and never read, and
// that a root that is one of them is a *NotFileError.
func TestLoadNotRegular(t *testing.T) {
	l := newLab(t)
	tests := []struct {
		name        string
		fsys        fstest.MapFS
		root        string
		wantCerts   int
		wantSkipped []string // "file: reason"
		wantErr     string
	}{
		{
			name: "device, pipe and socket in a folder",
			fsys: fstest.MapFS{
				"a.pem":  file(pemOf(l.selfA)),
				"zero":   {Mode: fs.ModeDevice | fs.ModeCharDevice, Data: bytes.Repeat([]byte{0}, 64)},
				"x.pem":  {Mode: fs.ModeNamedPipe},
				"s.sock": {Mode: fs.ModeSocket},
			},
			root:      ".",
			wantCerts: 1,
			wantSkipped: []string{
				"s.sock: a socket, not a regular file",
				"x.pem: a named pipe (FIFO), not a regular file",
				"zero: a device, not a regular file",
			},
		},
		{
			name: "symbolic links to a device and a pipe",
			fsys: fstest.MapFS{
				"a.pem":       file(pemOf(l.selfA)),
				"dev/zero":    {Mode: fs.ModeDevice | fs.ModeCharDevice},
				"dev/fifo":    {Mode: fs.ModeNamedPipe},
				"t/zero.pem":  {Mode: fs.ModeSymlink, Data: []byte("../dev/zero")},
				"t/fifo.pem":  {Mode: fs.ModeSymlink, Data: []byte("../dev/fifo")},
				"t/other.pem": {Mode: fs.ModeSymlink, Data: []byte("../a.pem")},
			},
			root:      "t",
			wantCerts: 1,
			wantSkipped: []string{
				"fifo.pem: a named pipe (FIFO), not a regular file",
				"zero.pem: a device, not a regular file",
			},
		},
		{
			name:    "root is a device",
			fsys:    fstest.MapFS{"zero": {Mode: fs.ModeDevice | fs.ModeCharDevice}},
			root:    "zero",
			wantErr: "trust: zero is a device, not a certificate file or folder",
		},
		{
			name:    "root is a pipe",
			fsys:    fstest.MapFS{"p": {Mode: fs.ModeNamedPipe}},
			root:    "p",
			wantErr: "trust: p is a named pipe (FIFO), not a certificate file or folder",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.fsys, tt.root, "")
			if tt.wantErr != "" {
				var nf *NotFileError
				if !errors.As(err, &nf) || err.Error() != tt.wantErr {
					t.Fatalf("Load = %v, %v; want %q", s, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Certs) != tt.wantCerts {
				t.Errorf("%d certificates, want %d", len(s.Certs), tt.wantCerts)
			}
			if got := skippedReasons(s); strings.Join(got, "\n") != strings.Join(tt.wantSkipped, "\n") {
				t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantSkipped, "\n"))
			}
			if len(s.Unreadable()) != 0 || s.CapHit != "" {
				t.Errorf("unreadable %v, cap %q", s.Unreadable(), s.CapHit)
			}
		})
	}
}

func skippedReasons(s *Store) []string {
	var out []string
	for _, k := range s.Skipped {
		out = append(out, k.File+": "+k.Reason)
	}
	return out
}

// TestLoadCaps checks the caps on a file's size, the folder's bytes, its
// entries and its certificates: what is over a cap is not read, and the
// Store says which cap stopped it and where.
func TestLoadCaps(t *testing.T) {
	l := newLab(t)
	one := pemOf(l.selfA)
	big := func(n int) *fstest.MapFile { return file(append(bytes.Repeat([]byte("\n"), n-len(one)), one...)) }
	many := func(n int) fstest.MapFS {
		m := fstest.MapFS{}
		for i := range n {
			m[fmt.Sprintf("f%05d.txt", i)] = file(nil)
		}
		m["a.pem"] = file(one)
		return m
	}
	tests := []struct {
		name        string
		fsys        fstest.MapFS
		wantCerts   int
		wantCap     string
		wantSkipped string // the last skipped entry
	}{
		{
			name:      "a file of exactly MaxFileSize is read",
			fsys:      fstest.MapFS{"a.pem": big(MaxFileSize)},
			wantCerts: 1,
		},
		{
			name:        "a file over MaxFileSize is skipped",
			fsys:        fstest.MapFS{"a.pem": big(MaxFileSize + 1), "b.pem": file(pemOf(l.selfB))},
			wantCerts:   1,
			wantSkipped: "a.pem: too large: more than 4 MiB (trust.MaxFileSize)",
		},
		{
			name: "MaxFolderBytes stops the load",
			fsys: fstest.MapFS{
				"1.pem": big(MaxFileSize), "2.pem": big(MaxFileSize), "3.pem": big(MaxFileSize), "4.pem": big(MaxFileSize),
				"5.pem": file(one),
			},
			wantCerts:   4,
			wantCap:     "MaxFolderBytes",
			wantSkipped: "5.pem: not read, nor anything after it: the folder's files add up to more than 16 MiB (trust.MaxFolderBytes)",
		},
		{
			name:        "MaxFolderEntries stops the load",
			fsys:        many(MaxFolderEntries),
			wantCerts:   1,
			wantCap:     "MaxFolderEntries",
			wantSkipped: "f19999.txt: not read, nor anything after it: the folder has more than 20000 files and folders (trust.MaxFolderEntries)",
		},
		{
			name:        "MaxCertificates stops the load",
			fsys:        fstest.MapFS{"a1.pem": file(bytes.Repeat(one, MaxCertificates/2)), "a2.pem": file(bytes.Repeat(one, MaxCertificates/2)), "b.pem": file(one)},
			wantCerts:   MaxCertificates,
			wantCap:     "MaxCertificates",
			wantSkipped: "b.pem: not read, nor anything after it: the folder holds more than 10000 certificates (trust.MaxCertificates)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.fsys, ".", "")
			if err != nil && tt.wantCerts > 0 {
				t.Fatal(err)
			}
			if len(s.Certs) != tt.wantCerts || s.CapHit != tt.wantCap {
				t.Errorf("%d certificates, cap %q; want %d, %q", len(s.Certs), s.CapHit, tt.wantCerts, tt.wantCap)
			}
			var last string
			if len(s.Skipped) > 0 {
				k := s.Skipped[len(s.Skipped)-1]
				last = k.File + ": " + k.Reason
			}
			if tt.wantSkipped != "" && last != tt.wantSkipped {
				t.Errorf("last skipped %q, want %q", last, tt.wantSkipped)
			}
		})
	}
}
