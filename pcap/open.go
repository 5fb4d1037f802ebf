package pcap

import (
	"errors"
	"io/fs"
	"os"

	"github.com/siptls/siptls/internal/regfile"
)

// OpenFile opens the capture file at path for reading, following symbolic
// links, and returns it with its FileInfo taken from the opened handle. It
// opens only regular files: a directory gives ProblemDirectory, and a
// named pipe, device or socket ProblemNotRegular, without blocking (a FIFO
// is opened non-blocking, then checked). Other failures give ProblemIO.
// The size in the FileInfo is only shown, never trusted for reading.
func OpenFile(path string) (*os.File, fs.FileInfo, error) {
	f, st, err := regfile.Open(path)
	if nr, ok := errors.AsType[*regfile.NotRegularError](err); ok {
		return nil, nil, notRegular(path, nr.Mode)
	}
	if err != nil {
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
