package screentext

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// FuzzRead checks that Read and every writer never panic, that the line
// counts add up, that every connection has a verdict and a first line, and
// that the JSON output is valid. It is seeded with the starts of the
// fixtures.
func FuzzRead(f *testing.F) {
	for _, p := range []string{"../testdata/screen/cucm-seed-excerpt.txt", "../testdata/screen/tcpdump-n-outcomes.txt", "../testdata/bad-cucm-screen-output.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// A small seed keeps the minimizing of new inputs short.
		f.Add(b[:min(len(b), 1200)])
	}
	f.Add([]byte(synA + "\n" + synA2 + "\r\n" + old1 + "\n" + old2 + "\n"))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		txt, err := Read(bytes.NewReader(b), "fuzz.txt", Options{MaxLine: 512, MaxConns: 50})
		if txt == nil {
			t.Fatal("nil Text")
		}
		if n := txt.PacketLines + txt.OtherLines + txt.Unreadable; n > txt.Lines {
			t.Fatalf("%d lines counted, %d read", n, txt.Lines)
		}
		if len(txt.Examples) > MaxExamples || len(txt.Connections) > 50 {
			t.Fatalf("%d examples, %d connections", len(txt.Examples), len(txt.Connections))
		}
		packets := 0
		for _, c := range txt.Connections {
			if c.Verdict == "" || c.Reason == "" || !c.First.Seen() || c.Last.Line < c.First.Line {
				t.Fatalf("connection %+v", c)
			}
			packets += c.Packets[Client] + c.Packets[Server]
		}
		if packets+txt.Untracked != txt.PacketLines {
			t.Fatalf("%d packets in connections + %d untracked, %d packet lines", packets, txt.Untracked, txt.PacketLines)
		}
		a := Analyze([]*Text{txt}, []error{err})
		for _, f := range []Format{FormatText, FormatJSON, FormatNDJSON} {
			var out bytes.Buffer
			if err := Write(&out, a, WriteOptions{Format: f}); err != nil {
				t.Fatal(err)
			}
			if f == FormatJSON && !json.Valid(out.Bytes()) {
				t.Fatalf("invalid JSON: %.200s", out.String())
			}
			if f == FormatText && strings.ContainsAny(out.String(), "\x1b\x9b") {
				t.Fatal("escape byte in the text output")
			}
		}
		if err := WriteHTML(&bytes.Buffer{}, a, "fuzz"); err != nil {
			t.Fatal(err)
		}
		Sniff(b)
	})
}
