package pcap

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// ngBlock returns a little-endian pcapng block of type typ with body b.
func ngBlock(typ uint32, b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	n := uint32(12 + len(b))
	out := binary.LittleEndian.AppendUint32(nil, typ)
	out = binary.LittleEndian.AppendUint32(out, n)
	out = append(out, b...)
	return binary.LittleEndian.AppendUint32(out, n)
}

func le(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// blockTypesFile is a pcapng file with every packet block type (EPB, SPB,
// OPB) among blocks that are not packets (NRB, ISB). tshark numbers its
// frames 1 to 3. (A custom block, which Wireshark also shows as a frame, is
// skipped by pcapgo: see the package documentation.)
func blockTypesFile(t *testing.T) []byte {
	cv := defaultConv()
	recs := cv.records(t, handshake)
	ts := uint64(t0.UnixMicro())
	var f []byte
	f = append(f, ngBlock(0x0A0D0D0A, append(le(0x1A2B3C4D, 0x00000001), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))...)
	f = append(f, ngBlock(1, le(1, 65535))...) // IDB: Ethernet
	f = append(f, ngBlock(4, le(0))...)        // NRB: end of records only
	epb := append(le(0, uint32(ts>>32), uint32(ts), uint32(len(recs[0].data)), uint32(len(recs[0].data))), recs[0].data...)
	f = append(f, ngBlock(6, epb)...)                                                    // frame 1: EPB
	f = append(f, ngBlock(3, append(le(uint32(len(recs[1].data))), recs[1].data...))...) // frame 2: SPB
	f = append(f, ngBlock(5, le(0, uint32(ts>>32), uint32(ts)))...)                      // ISB
	opb := append(le(0, uint32(ts>>32), uint32(ts+3000), uint32(len(recs[2].data)), uint32(len(recs[2].data))), recs[2].data...)
	f = append(f, ngBlock(2, opb)...) // frame 3: OPB
	return f
}

// TestPcapngBlockTypes: EPB, SPB and OPB are frames, numbered as Wireshark
// numbers them; other blocks are not.
func TestPcapngBlockTypes(t *testing.T) {
	f := blockTypesFile(t)
	if *update {
		if err := os.WriteFile("testdata/block-types.pcapng", f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := newRecorder()
	info, err := readBytes(t, f, Options{}, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := "ev 1 c>s SYN f1\nev 1 s>c SYN-ACK f2\nev 1 c>s handshake ACK f3\nend 1 10.0.0.1:40000>10.0.0.2:5061 from SYN"
	if got := strings.Join(rec.lines, "\n"); got != want || info.Packets != 3 {
		t.Errorf("%d packets, got:\n%s\nwant:\n%s", info.Packets, got, want)
	}
}
