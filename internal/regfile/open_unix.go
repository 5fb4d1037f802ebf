//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package regfile

import (
	"os"
	"syscall"
)

// openNoBlock opens path read-only and non-blocking, so that opening a
// FIFO with no writer does not wait for one.
func openNoBlock(path string) (*os.File, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.ENXIO || err == syscall.EOPNOTSUPP {
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// setBlocking clears O_NONBLOCK on a regular file's descriptor.
func setBlocking(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
