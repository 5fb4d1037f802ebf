package capgen

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/siptls/siptls/internal/golden"
)

// TestGoldenFiles compares whole small files, byte for byte, with
// testdata/files.golden.txt (rewritten with -update): a refused connection
// (SYN, then RST) in each link type and format, so that any change to the
// bytes written shows up in review as a hex diff.
func TestGoldenFiles(t *testing.T) {
	refused := func(v6 bool) Conversation {
		return conv(v6, Step{0, Client, SYN, nil}, Step{ms(0.4), Server, RST, nil})
	}
	second := refused(false)
	second.Client = netip.AddrPortFrom(second.Client.Addr(), 40001)
	tests := []struct {
		name  string
		opts  Options
		input []Conversation
	}{
		{"pcap ethernet ipv4", Options{}, []Conversation{refused(false)}},
		{"pcap ethernet qinq nanosecond", Options{VLANs: []uint16{100, 200}, Nanosecond: true}, []Conversation{refused(false)}},
		{"pcap big-endian sll ipv6", Options{BigEndian: true, Link: SLL}, []Conversation{refused(true)}},
		{"pcap sll2 ipv4", Options{Link: SLL2}, []Conversation{refused(false)}},
		{"pcap raw ipv6", Options{Link: RawIP}, []Conversation{refused(true)}},
		{"pcap null ipv6", Options{Link: Null}, []Conversation{refused(true)}},
		{"pcap pppoe ipv4 snaplen 60", Options{Link: PPPoE, Snaplen: 60}, []Conversation{refused(false)}},
		{"pcapng two interfaces", Options{Format: PCAPNG, SecondInterface: linkPtr(Null)}, []Conversation{refused(false), second}},
	}
	var got bytes.Buffer
	for _, tt := range tests {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tt.input {
			w.Add(c)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "== %s\n%s", tt.name, hex.Dump(buf.Bytes()))
	}
	golden.Check(t, filepath.Join("testdata", "files.golden.txt"), got.Bytes(), *update)
}
