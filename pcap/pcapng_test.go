package pcap

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// ngBuilder writes pcapng blocks in one byte order.
type ngBuilder struct{ bo binary.AppendByteOrder }

// block returns a pcapng block of type typ with body b.
func (g ngBuilder) block(typ uint32, b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	n := uint32(12 + len(b))
	out := g.bo.AppendUint32(nil, typ)
	out = g.bo.AppendUint32(out, n)
	out = append(out, b...)
	return g.bo.AppendUint32(out, n)
}

func (g ngBuilder) words(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = g.bo.AppendUint32(b, v)
	}
	return b
}

// blockTypesFile is a pcapng file with every packet block type (EPB, SPB,
// OPB), a custom block, which Wireshark lists as a frame too, and blocks
// that are not frames (NRB, ISB). tshark numbers its frames 1 to 4 (little- and big-endian).
func blockTypesFile(t *testing.T, bo binary.AppendByteOrder) []byte {
	g := ngBuilder{bo}
	cv := defaultConv()
	recs := cv.records(t, handshake)
	ts := uint64(t0.UnixMicro())
	var f []byte
	f = append(f, g.block(0x0A0D0D0A, append(bo.AppendUint16(bo.AppendUint16(g.words(0x1A2B3C4D), 1), 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))...)
	f = append(f, g.block(1, append(bo.AppendUint16(bo.AppendUint16(nil, 1), 0), g.words(65535)...))...) // IDB: Ethernet
	f = append(f, g.block(4, g.words(0))...)                                                             // NRB: end of records only
	epb := append(g.words(0, uint32(ts>>32), uint32(ts), uint32(len(recs[0].data)), uint32(len(recs[0].data))), recs[0].data...)
	f = append(f, g.block(6, epb)...)                                                         // frame 1: EPB
	f = append(f, g.block(0xBAD, g.words(12345, 0))...)                                       // frame 2: a custom block, a frame in Wireshark
	f = append(f, g.block(3, append(g.words(uint32(len(recs[1].data))), recs[1].data...))...) // frame 3: SPB
	f = append(f, g.block(5, g.words(0, uint32(ts>>32), uint32(ts)))...)                      // ISB
	opb := append(g.words(0, uint32(ts>>32), uint32(ts+3000), uint32(len(recs[2].data)), uint32(len(recs[2].data))), recs[2].data...)
	f = append(f, g.block(2, opb)...) // frame 4: OPB
	return f
}

// TestPcapngBlockTypes: EPB, SPB, OPB and custom blocks are frames,
// numbered as Wireshark numbers them; other blocks are not.
func TestPcapngBlockTypes(t *testing.T) {
	f := blockTypesFile(t, binary.LittleEndian)
	if *update {
		if err := os.WriteFile("testdata/block-types.pcapng", f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range [][]byte{f, blockTypesFile(t, binary.BigEndian)} {
		rec := newRecorder()
		info, err := readBytes(t, f, Options{}, rec)
		if err != nil {
			t.Fatal(err)
		}
		want := "ev 1 c>s SYN f1\nev 1 s>c SYN-ACK f3\nev 1 c>s handshake ACK f4\nend 1 10.0.0.1:40000>10.0.0.2:5061 from SYN"
		if got := strings.Join(rec.lines, "\n"); got != want || info.Packets != 4 || info.OtherPackets != 1 {
			t.Errorf("%d packets, got:\n%s\nwant:\n%s", info.Packets, got, want)
		}
	}
}
