// Package pcaptest reads the packets of a classic pcap file in tests that
// make variants of a testdata capture (a packet dropped, timestamps
// moved), as editcap would.
package pcaptest

import (
	"io"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Header is what a pcap file's header says.
type Header struct {
	Snaplen  uint32
	LinkType layers.LinkType
}

// Each calls fn for every packet of the pcap file at path, with its frame
// number (1-based), after calling start with the file's header; it fails
// the test on any read error.
func Each(t testing.TB, path string, start func(Header), fn func(frame int, ci gopacket.CaptureInfo, data []byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	start(Header{Snaplen: r.Snaplen(), LinkType: r.LinkType()})
	for frame := 1; ; frame++ {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return
		} else if err != nil {
			t.Fatal(err)
		}
		fn(frame, ci, data)
	}
}
