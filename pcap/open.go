package pcap

import (
	"errors"
	"io/fs"
	"os"
)

// OpenFile opens the capture file at path for reading, following symbolic
// links, and returns it with its FileInfo taken from the opened handle. It
// opens only regular files: a directory gives ProblemDirectory, and a
// named pipe, device or socket ProblemNotRegular, without blocking (a FIFO
// is opened non-blocking, then checked). Other failures give ProblemIO.
// The size in the FileInfo is only shown, never trusted for reading.
func OpenFile(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNoBlock(path)
	if err != nil {
		if errors.Is(err, errNotRegular) {
			// a socket cannot be opened at all: say what it is
			if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
				return nil, nil, notRegular(path, st.Mode())
			}
		}
		return nil, nil, &InputError{Path: path, Problem: ProblemIO, Offset: -1, Err: err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, &InputError{Path: path, Problem: ProblemIO, Offset: -1, Err: err}
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, notRegular(path, st.Mode())
	}
	if err := setBlocking(f); err != nil {
		f.Close()
		return nil, nil, &InputError{Path: path, Problem: ProblemIO, Offset: -1, Err: err}
	}
	return f, st, nil
}

func notRegular(path string, m fs.FileMode) *InputError {
	if m.IsDir() {
		return &InputError{Path: path, Problem: ProblemDirectory, Offset: -1}
	}
	return &InputError{Path: path, Problem: ProblemNotRegular, Offset: -1, Mode: m.Type()}
}

// errNotRegular marks an open that failed because of the kind of file (a socket).
var errNotRegular = errors.New("not a regular file")

// fileKind names the kind of a file that is not regular, with its article.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeDir != 0:
		return "a directory"
	}
	return "not a regular file"
}
