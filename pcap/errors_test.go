package pcap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

func TestBadInput(t *testing.T) {
	cv := defaultConv()
	good := writePcap(t, layers.LinkTypeEthernet, cv.records(t, simpleConv), false)
	ng := writePcapng(t, cv.records(t, simpleConv))
	screen, err := os.ReadFile("testdata/cucm-screen.txt")
	if err != nil {
		t.Fatal(err)
	}
	tcpdump, err := os.ReadFile("testdata/tcpdump-screen.txt")
	if err != nil {
		t.Fatal(err)
	}
	// a record claiming 4 MB
	damaged := append([]byte(nil), good...)
	off := 24
	for i := 0; i < 3; i++ { // skip three records
		off += 16 + int(le32(good[off+8:]))
	}
	put32(damaged[off+8:], 4325376)
	put32(damaged[off+12:], 4325376)
	badCRC := gzipBytes(t, good)
	badCRC[len(badCRC)-6] ^= 1
	usb := append([]byte(nil), good[:24]...)
	put32(usb[20:], 189) // LINKTYPE_USB_LINUX_MMAPPED
	tests := []struct {
		name      string
		input     []byte
		problem   Problem
		frame     uint64
		msg       string // substring of Error()
		wantConns uint64
	}{
		{"empty", nil, ProblemEmpty, 0, "test.pcap is empty", 0},
		{"not a capture", []byte("<html><body>hello</body></html>"), ProblemNotCapture, 0, "not a packet capture file", 0},
		{"CUCM screen text", screen, ProblemScreenText, 0, "`file get activelog platform/cli/NAME.cap`", 0},
		{"tcpdump screen text", tcpdump, ProblemScreenText, 0, "prints on the screen; run it with `file NAME ... size all`", 0},
		{"gzip CUCM screen text", gzipBytes(t, screen), ProblemScreenText, 0, "utils network capture", 0},
		{"shorter than a magic number", []byte{0xd4, 0xc3}, ProblemTruncated, 0, "cut off inside its file header", 0},
		{"pcap header cut", good[:20], ProblemTruncated, 0, "cut off inside its file header", 0},
		{"unsupported link type", usb, ProblemLinkType, 0, "link type USB Linux (189)", 0},
		{"damaged record", damaged, ProblemDamaged, 4, "damaged at frame 4 (byte " + itoa(off) + "): the record claims 4325376", 1},
		{"cut in the middle of the last record", good[:len(good)-10], ProblemTruncated, 5, "cut off in the middle of frame 5; the 4 frames before it were read", 1},
		{"cut inside a record header", good[:off+8], ProblemTruncated, 4, "middle of frame 4", 1},
		{"pcapng cut in the last block", ng[:len(ng)-30], ProblemTruncated, 5, "middle of frame 5", 1},
		{"gzip checksum wrong", badCRC, ProblemDamaged, 6, "damaged at frame 6 (byte 404): gzip: invalid checksum", 1},
		{"gzip trailer cut", gzipBytes(t, good)[:len(gzipBytes(t, good))-4], ProblemTruncated, 6, "cut off", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			info, err := readBytes(t, tt.input, Options{}, rec)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T), want *InputError", err, err)
			}
			if ie.Problem != tt.problem || ie.Frame != tt.frame {
				t.Errorf("problem %v frame %d, want %v %d", ie.Problem, ie.Frame, tt.problem, tt.frame)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "test.pcap") {
				t.Errorf("message %q lacks %q or the file name", err, tt.msg)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("message spans lines: %q", err)
			}
			if tt.wantConns > 0 && (info.Conns != tt.wantConns || len(rec.conns) != int(tt.wantConns)) {
				t.Errorf("conns %d, ended %d; want %d", info.Conns, len(rec.conns), tt.wantConns)
			}
		})
	}
	t.Run("the first units of a cut file are delivered", func(t *testing.T) {
		rec := newRecorder()
		readBytes(t, good[:len(good)-10], Options{}, rec)
		if !strings.Contains(strings.Join(rec.lines, "\n"), `data 1 c>s "3ab" f4-4`) {
			t.Errorf("units before the cut record missing:\n%s", strings.Join(rec.lines, "\n"))
		}
	})
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	cv := defaultConv()
	good := writePcap(t, layers.LinkTypeEthernet, cv.records(t, simpleConv), false)
	p := filepath.Join(dir, "x.cap.gz")
	gz := gzipBytes(t, good)
	if err := os.WriteFile(p, gz, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := ReadFile(p, Options{Framer: digitFramer}, newRecorder())
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(gz)) || !info.Compressed || info.Path != p {
		t.Errorf("size %d compressed %v path %q", info.Size, info.Compressed, info.Path)
	}
	_, err = ReadFile(dir, Options{Framer: digitFramer}, newRecorder())
	var ie *InputError
	if !errors.As(err, &ie) || ie.Problem != ProblemDirectory || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	_, err = ReadFile(filepath.Join(dir, "missing"), Options{Framer: digitFramer}, newRecorder())
	if !errors.As(err, &ie) || ie.Problem != ProblemIO || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Read(bytes.NewReader(good), "x", Options{}, newRecorder()); !errors.Is(err, ErrOptions) {
		t.Errorf("no Framer: %v", err)
	}
}

// TestCaptureLongerThanPacket: a record whose captured length exceeds its
// original length is read, as Wireshark does, with a warning.
func TestCaptureLongerThanPacket(t *testing.T) {
	cv := defaultConv()
	good := writePcap(t, layers.LinkTypeEthernet, cv.records(t, simpleConv), false)
	off := 24 + 16 + int(le32(good[24+8:])) // the second record
	put32(good[off+12:], 10)
	rec := newRecorder()
	info, err := readBytes(t, good, Options{}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if info.Packets != 5 || info.Conns != 1 || len(info.Warnings) != 1 || len(rec.lines) != 6 {
		t.Errorf("packets %d conns %d warnings %q lines %q", info.Packets, info.Conns, info.Warnings, rec.lines)
	}
	// cut in that record's data
	rec = newRecorder()
	_, err = readBytes(t, good[:off+30], Options{}, rec)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Problem != ProblemTruncated || ie.Frame != 2 {
		t.Errorf("cut: %v", err)
	}
}

// TestCutAfterRecordHeader: a pcap that ends right after a whole record
// header is cut off in that record, not a clean end.
func TestCutAfterRecordHeader(t *testing.T) {
	cv := defaultConv()
	good := writePcap(t, layers.LinkTypeEthernet, cv.records(t, simpleConv), false)
	off := 24
	for i := 0; i < 3; i++ {
		off += 16 + int(le32(good[off+8:]))
	}
	for _, in := range [][]byte{good[:off+16], gzipBytes(t, good[:off+16])} {
		info, err := readBytes(t, in, Options{}, newRecorder())
		var ie *InputError
		if !errors.As(err, &ie) || ie.Problem != ProblemTruncated || ie.Frame != 4 || info.Packets != 3 {
			t.Errorf("got %v after %d packets, want cut off in frame 4 after 3", err, info.Packets)
		}
	}
	// a last record of no captured byte is whole
	empty := append([]byte(nil), good[:off+16]...)
	put32(empty[off+8:], 0)
	if info, err := readBytes(t, empty, Options{}, newRecorder()); err != nil || info.Packets != 4 {
		t.Errorf("empty last record: %v, %d packets", err, info.Packets)
	}
}
