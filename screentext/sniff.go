package screentext

import (
	"bytes"
	"compress/gzip"
	"io"

	"github.com/siptls/siptls/internal/regfile"
)

// SniffLen is how much of the start of a file Sniff looks at: as much as
// the capture reader (package pcap) looks at to name screen text.
const SniffLen = 4096

// Sniff reports whether b, the start of a file, is tcpdump's one-line
// output as CUCM's `utils network capture` prints it on the screen: text
// (no NUL, at least 95% printable) with CUCM's `Executing command with
// options` header or a line ParseLine reads as a TCP packet. Only the first
// SniffLen bytes are looked at.
func Sniff(b []byte) bool {
	if len(b) > SniffLen {
		b = b[:SniffLen]
	}
	if len(b) == 0 || bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	printable := 0
	for _, c := range b {
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' || c >= 0x80 {
			printable++
		}
	}
	if printable*100 < len(b)*95 {
		return false
	}
	if bytes.Contains(b, []byte("Executing command with options")) {
		return true
	}
	for i, l := range bytes.Split(b, []byte("\n")) {
		if _, problem := ParseLine(string(bytes.TrimRight(l, "\r")), i+1); problem == "" {
			return true
		}
	}
	return false
}

// SniffFile reports whether the file at path, plain or gzip compressed,
// starts as Sniff wants. A file that cannot be read, and anything but a
// regular file (a named pipe is not even opened for reading), is not
// screen text.
func SniffFile(path string) bool {
	f, _, err := regfile.Open(path) // never blocks on a named pipe
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, SniffLen)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if gzipped(head) {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return false
		}
		// The compressed head may end before SniffLen bytes of text: what
		// it holds is enough.
		text, _ := io.ReadAll(io.LimitReader(zr, SniffLen))
		return Sniff(text)
	}
	return Sniff(head)
}

// gzipped reports whether b starts with gzip's magic number.
func gzipped(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }
