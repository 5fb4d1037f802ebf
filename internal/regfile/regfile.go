// Package regfile opens regular files without ever blocking on one that
// is not: a named pipe with no writer, a device or a socket is refused
// with a *NotRegularError instead of waited on. pcap.OpenFile and trust's
// folder reader both open files through it.
package regfile

import (
	"errors"
	"io/fs"
	"os"
)

// NotRegularError reports a path that is not a regular file.
type NotRegularError struct {
	// Path is the path as given.
	Path string
	// Mode is its file mode (the type bits say which kind it is).
	Mode fs.FileMode
}

// Error implements error: "/dev/zero is a character device".
func (e *NotRegularError) Error() string { return e.Path + " is " + Kind(e.Mode) }

// Open opens the regular file at path for reading, following symbolic
// links, and returns it with its FileInfo taken from the opened handle. A
// directory, named pipe, device or socket gives a *NotRegularError without
// blocking: the file is opened non-blocking (where the system has a
// non-blocking open), checked, and only then made blocking. Other failures
// are returned as they are.
func Open(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNoBlock(path)
	if err != nil {
		if errors.Is(err, errNotRegular) {
			// a socket cannot be opened at all: say what it is
			if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
				return nil, nil, &NotRegularError{Path: path, Mode: st.Mode()}
			}
		}
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, Mode: st.Mode()}
	}
	if err := setBlocking(f); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// errNotRegular marks an open that failed because of the kind of file (a socket).
var errNotRegular = errors.New("not a regular file")

// kinds names the kinds of file that are not regular, in the order Kind
// tries their mode bits.
var kinds = [...]struct {
	bit  fs.FileMode
	name string
}{
	{fs.ModeNamedPipe, "a named pipe"},
	{fs.ModeSocket, "a socket"},
	{fs.ModeCharDevice, "a character device"},
	{fs.ModeDevice, "a block device"},
	{fs.ModeDir, "a directory"},
}

// Kind names the kind of a file that is not regular, with its article:
// "a named pipe", "a socket", "a character device", "a block device",
// "a directory".
func Kind(m fs.FileMode) string {
	for _, k := range kinds {
		if m&k.bit != 0 {
			return k.name
		}
	}
	return "not a regular file"
}

// Cause returns the cause of a *fs.PathError ("no such file or
// directory") instead of the whole ("open x.cap: no such file or
// directory"), for messages that already name the file; other errors are
// returned as they are.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
