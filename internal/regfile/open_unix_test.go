//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package regfile

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenFIFO checks that a named pipe with no writer is refused at once.
func TestOpenFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	_, _, err := Open(fifo) // must not block: no writer
	var nr *NotRegularError
	if !errors.As(err, &nr) || Kind(nr.Mode) != "a named pipe" {
		t.Errorf("Open(fifo) = %v, want a *NotRegularError for a named pipe", err)
	}
	if want := fifo + " is a named pipe"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
