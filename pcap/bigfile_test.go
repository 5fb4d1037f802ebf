package pcap

import (
	"bufio"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBigFile measures throughput and peak RSS on a large synthetic capture.
// It runs only with SIPTLS_BIGFILE_MB set (the file size in MB), e.g.
//
//	SIPTLS_BIGFILE_MB=1000 go test -run TestBigFile -v ./pcap
func TestBigFile(t *testing.T) {
	mb, _ := strconv.Atoi(os.Getenv("SIPTLS_BIGFILE_MB"))
	if mb <= 0 {
		t.Skip("set SIPTLS_BIGFILE_MB to run")
	}
	unit := syntheticCapture(t, 200, 20, 4096)
	body := unit[24:]
	p := filepath.Join(t.TempDir(), "big.pcap")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(unit[:24])
	// repeat the body, shifting timestamps so that each copy is a new set of
	// connections once the previous ones are closed and quiet
	shift := uint32(0)
	for written := 0; written < mb<<20; written += len(body) {
		for o := 0; o+16 <= len(body); {
			n := int(binary.LittleEndian.Uint32(body[o+8:]))
			var hdr [16]byte
			copy(hdr[:], body[o:o+16])
			binary.LittleEndian.PutUint32(hdr[:], binary.LittleEndian.Uint32(body[o:])+shift)
			w.Write(hdr[:])
			w.Write(body[o+16 : o+16+n])
			o += 16 + n
		}
		shift += 120
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBigFileRead$", "-test.v")
	cmd.Env = append(os.Environ(), "SIPTLS_BIGFILE_PATH="+p)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatal(err)
	}
}

// TestBigFileRead is TestBigFile's child process: it reads the file alone,
// so that its peak RSS is the reader's.
func TestBigFileRead(t *testing.T) {
	p := os.Getenv("SIPTLS_BIGFILE_PATH")
	if p == "" {
		t.Skip("run by TestBigFile")
	}
	st, _ := os.Stat(p)
	// a handler that stops each direction after its first units, as the
	// TLS diagnosis does after the handshake
	start := time.Now()
	if _, err := ReadFile(p, Options{Framer: tlsFramer}, &stopAfter{n: 4, units: map[*Conn]int{}}); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("handshake only: %d MB in %v: %.0f MB/s", st.Size()>>20, el, float64(st.Size())/1e6/el.Seconds())
	start = time.Now()
	h := &discard{}
	info, err := ReadFile(p, Options{Framer: tlsFramer}, h)
	el = time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// VmHWM, not getrusage: ru_maxrss survives exec and would report the parent's peak
	hwm := "?"
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				hwm = strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
			}
		}
	}
	t.Logf("every unit delivered: %d MB in %v: %.0f MB/s; %d packets, %d conns, %d units; peak RSS (VmHWM) %s",
		st.Size()>>20, el, float64(st.Size())/1e6/el.Seconds(), info.Packets, info.Conns, h.units, hwm)
}
