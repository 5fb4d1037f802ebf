package trust

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/siptls/siptls/internal/regfile"
)

// nonBlockingFS is os.DirFS(dir) whose Open opens files with
// regfile.Open: opening a named pipe then returns at once instead of
// waiting for a writer, with a *regfile.NotRegularError that loadFile
// turns into a Skipped entry naming the kind of file. Folders open as
// os.DirFS opens them.
func nonBlockingFS(dir string) fs.FS {
	return &nbFS{dir: dir, base: os.DirFS(dir)}
}

type nbFS struct {
	dir  string
	base fs.FS
}

// Open implements fs.FS.
func (n *nbFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, _, err := regfile.Open(filepath.Join(n.dir, filepath.FromSlash(name)))
	if nr, ok := errors.AsType[*regfile.NotRegularError](err); ok {
		if nr.Mode.IsDir() {
			return n.base.Open(name)
		}
		nr.Path = name
		return nil, nr
	}
	if err != nil {
		// The error names the path as the caller gave it, as os.DirFS does.
		if pe, ok := err.(*fs.PathError); ok {
			pe.Path = name
		}
		return nil, err
	}
	return f, nil
}

// ReadDir implements fs.ReadDirFS.
func (n *nbFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(n.base, name) }

// Stat implements fs.StatFS.
func (n *nbFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(n.base, name) }

// ReadLink implements fs.ReadLinkFS.
func (n *nbFS) ReadLink(name string) (string, error) { return fs.ReadLink(n.base, name) }

// Lstat implements fs.ReadLinkFS.
func (n *nbFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(n.base, name) }
