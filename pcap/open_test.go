//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package pcap

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/specialtest"
)

// TestReadFileNotRegular: a named pipe, a device (through a symbolic link)
// and a socket are refused at once with one sentence, without blocking.
func TestReadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.pcap")
	specialtest.FIFO(t, fifo)
	zero := filepath.Join(dir, "y.pcap")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "z.pcap")
	if l, err := net.Listen("unix", sock); err == nil {
		defer l.Close()
	} else {
		sock = ""
	}
	tests := []struct{ path, msg string }{
		{fifo, fifo + " is a named pipe, not a capture file"},
		{zero, zero + " is a character device, not a capture file"},
		{sock, sock + " is a socket, not a capture file"},
	}
	for _, tt := range tests {
		if tt.path == "" {
			continue
		}
		err := specialtest.Within(t, 10*time.Second, tt.path+": ReadFile blocks", func() error {
			_, err := ReadFile(tt.path, Options{Framer: digitFramer}, newRecorder())
			return err
		})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Problem != ProblemNotRegular || err.Error() != tt.msg {
			t.Errorf("%s: %v, want %q", tt.path, err, tt.msg)
		}
	}
}
