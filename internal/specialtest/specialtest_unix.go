//go:build unix

package specialtest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// FIFO makes a named pipe at path, and skips the test where named pipes
// cannot be made.
func FIFO(t testing.TB, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no named pipes:", err)
	}
}

// TrustFolder makes, inside dir, a named pipe "fifo" and a folder "trust"
// that holds the file name with data and two symbolic links: zero.pem to
// /dev/zero and fifo.pem to the pipe. It returns the pipe's path and the
// folder's, and skips the test where named pipes cannot be made.
func TrustFolder(t testing.TB, dir, name string, data []byte) (fifo, folder string) {
	t.Helper()
	fifo = filepath.Join(dir, "fifo")
	FIFO(t, fifo)
	folder = filepath.Join(dir, "trust")
	must(t, os.Mkdir(folder, 0o755))
	must(t, os.WriteFile(filepath.Join(folder, name), data, 0o644))
	must(t, os.Symlink("/dev/zero", filepath.Join(folder, "zero.pem")))
	must(t, os.Symlink(fifo, filepath.Join(folder, "fifo.pem")))
	return fifo, folder
}

// Locked makes the folder path (and its parents) and takes away every
// permission on it until the test ends. It reports whether the folder
// really cannot be read: not when the tests run as root.
func Locked(t testing.TB, path string) bool {
	t.Helper()
	must(t, os.MkdirAll(path, 0o755))
	must(t, os.Chmod(path, 0o000))
	t.Cleanup(func() { os.Chmod(path, 0o755) })
	_, err := os.ReadDir(path)
	return err != nil
}

// Within runs f and returns what it returns; when f has not returned after
// d, it fails the test at once with the message msg.
func Within[T any](t testing.TB, d time.Duration, msg string, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(d):
	}
	t.Fatal(msg)
	var zero T
	return zero
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
