package pcap

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
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

// ngFile builds a little-endian pcapng file from the blocks given after
// the section header.
func ngFile(g ngBuilder, blocks ...[]byte) []byte {
	f := g.block(ngSHB, append(g.bo.AppendUint16(g.bo.AppendUint16(g.words(ngByteOrderMagic), 1), 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	for _, b := range blocks {
		f = append(f, b...)
	}
	return f
}

func (g ngBuilder) idb(lt uint16, opts ...byte) []byte {
	return g.block(ngIDB, append(append(g.bo.AppendUint16(g.bo.AppendUint16(nil, lt), 0), g.words(65535)...), opts...))
}

func (g ngBuilder) epb(id uint32, ts uint64, data []byte) []byte {
	return g.block(ngEPB, append(g.words(id, uint32(ts>>32), uint32(ts), uint32(len(data)), uint32(len(data))), data...))
}

// TestPcapngDamagedBlocks: a block's declared length is checked before the
// block is read, and each damaged block gives one sentence with its frame.
func TestPcapngDamagedBlocks(t *testing.T) {
	g := ngBuilder{binary.LittleEndian}
	cv := defaultConv()
	recs := cv.records(t, handshake)
	ts := uint64(t0.UnixMicro())
	ok := g.epb(0, ts, recs[0].data)
	huge := g.words(ngEPB, 1000<<20, 0, 0, 0) // an EPB declaring 1,000 MB, followed by nothing
	odd := append([]byte(nil), ok...)
	binary.LittleEndian.PutUint32(odd[4:], 30)
	mismatch := append([]byte(nil), ok...)
	binary.LittleEndian.PutUint32(mismatch[len(mismatch)-4:], 12)
	bigCap := g.block(ngEPB, append(g.words(0, 0, 0, MaxRecord+1, MaxRecord+1), make([]byte, 64)...))
	overCap := g.block(ngEPB, append(g.words(0, 0, 0, 200, 200), make([]byte, 64)...))
	nrb := g.words(ngNRB, 20<<20)
	var ifaces []byte
	for range ngMaxInterfaces + 1 {
		ifaces = append(ifaces, g.idb(1)...)
	}
	tests := []struct {
		name    string
		f       []byte
		problem Problem
		frame   uint64
		msg     string
	}{
		{"EPB declaring 1,000 MB", ngFile(g, g.idb(1), ok, huge), ProblemDamaged, 2, "damaged at frame 2 (byte 140): an enhanced packet block declares 1048576000 bytes, more than such a block can hold"},
		{"length not a multiple of 4", ngFile(g, g.idb(1), odd), ProblemDamaged, 1, "declares a length of 30 bytes"},
		{"two lengths differ", ngFile(g, g.idb(1), mismatch), ProblemDamaged, 1, "two length fields differ"},
		{"captured length above MaxRecord", ngFile(g, g.idb(1), bigCap), ProblemDamaged, 1, "the record claims 262145 captured bytes"},
		{"captured length above the block", ngFile(g, g.idb(1), overCap), ProblemDamaged, 1, "claims 200 captured bytes but holds only 64"},
		{"packet before any interface", ngFile(g, ok), ProblemDamaged, 1, "names interface 0, but the section describes 0"},
		{"NRB of 20 MB", ngFile(g, g.idb(1), ok, nrb), ProblemDamaged, 2, "a name resolution block declares 20971520 bytes, more than any block"},
		{"too many interfaces", ngFile(g, ifaces), ProblemDamaged, 1, "more than 65536 interfaces"},
		{"cut in a block header", ngFile(g, g.idb(1), ok, ok[:6]), ProblemTruncated, 2, "cut off in the middle of frame 2"},
		{"cut in a skipped block", ngFile(g, g.idb(1), ok, g.block(ngNRB, make([]byte, 100))[:50]), ProblemTruncated, 2, "cut off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := readBytes(t, tt.f, Options{}, newRecorder())
			var ie *InputError
			if !errors.As(err, &ie) || ie.Problem != tt.problem || ie.Frame != tt.frame || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %v at frame %d with %q", err, tt.problem, tt.frame, tt.msg)
			}
			if info.Packets != tt.frame-1 {
				t.Errorf("%d packets read, want %d", info.Packets, tt.frame-1)
			}
		})
	}
}

// TestPcapngSkippedBlocks: blocks that are not frames are skipped without
// being kept, custom blocks count as frames however large, interfaces come
// as they are described, and sections of an unknown version are skipped.
func TestPcapngSkippedBlocks(t *testing.T) {
	g := ngBuilder{binary.LittleEndian}
	cv := defaultConv()
	recs := cv.records(t, handshake)
	ts := uint64(t0.UnixMicro())
	var blocks [][]byte
	blocks = append(blocks, g.idb(1))
	for range 8 {
		blocks = append(blocks, g.block(ngNRB, make([]byte, 1<<20)), g.block(ngDSB, make([]byte, 1000)), g.block(0x1234, nil))
	}
	blocks = append(blocks, g.epb(0, ts, recs[0].data), g.block(ngCustom, make([]byte, 1<<20)))
	for i := range 1000 { // interfaces interleaved with packets
		blocks = append(blocks, g.idb(1), g.epb(uint32(i+1), ts+uint64(i), recs[1].data))
	}
	blocks = append(blocks, g.block(ngISB, g.words(0, 0, 0)))
	f := ngFile(g, blocks...)
	// a section of version 2 (skipped), then a big-endian one
	v2 := ngFile(g, g.idb(1), g.epb(0, ts, recs[0].data))
	binary.LittleEndian.PutUint16(v2[12:], 2)
	f = append(f, v2...)
	be := ngBuilder{binary.BigEndian}
	f = append(f, ngFile(be, be.idb(1), be.epb(0, ts+5000, recs[2].data))...)
	info, err := readBytes(t, f, Options{}, newRecorder())
	if err != nil {
		t.Fatal(err)
	}
	if info.Packets != 1003 || info.OtherPackets != 1 || info.TCPPackets != 1002 {
		t.Errorf("packets %d, other %d, TCP %d; want 1003, 1, 1002", info.Packets, info.OtherPackets, info.TCPPackets)
	}
	if want := t0.Add(5 * time.Millisecond); !info.Last.Equal(want) {
		t.Errorf("last packet at %v, want %v", info.Last, want)
	}
}

// TestPcapngTimestamps: if_tsresol (decimal and binary) and if_tsoffset.
func TestPcapngTimestamps(t *testing.T) {
	g := ngBuilder{binary.LittleEndian}
	cv := defaultConv()
	recs := cv.records(t, handshake)
	opt := func(code uint16, v ...byte) []byte {
		b := g.bo.AppendUint16(g.bo.AppendUint16(nil, code), uint16(len(v)))
		b = append(b, v...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	sec := uint64(t0.Unix())
	tests := []struct {
		name string
		idb  []byte
		ts   uint64
		want time.Time
	}{
		{"default microseconds", g.idb(1), sec*1e6 + 250000, t0.Add(250 * time.Millisecond)},
		{"nanoseconds", g.idb(1, opt(9, 9)...), sec*1e9 + 7, t0.Add(7)},
		{"picoseconds", g.idb(1, opt(9, 12)...), 1000*1e12 + 7000, time.Unix(1000, 7)},
		{"2^-10 s", g.idb(1, opt(9, 0x80|10)...), sec<<10 | 512, t0.Add(500 * time.Millisecond)},
		{"offset", g.idb(1, append(opt(14, binary.LittleEndian.AppendUint64(nil, 100)...), opt(9, 0)...)...), sec, t0.Add(100 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := readBytes(t, ngFile(g, tt.idb, g.epb(0, tt.ts, recs[0].data)), Options{}, newRecorder())
			if err != nil || !info.First.Equal(tt.want) {
				t.Errorf("time %v (%v), want %v", info.First, err, tt.want)
			}
		})
	}
}

// TestPcapngSecrets: a Decryption Secrets Block holding a TLS key log is
// handed to Options.TLSKeys, others are skipped, none is a frame, and one
// whose secrets overrun it is damage.
func TestPcapngSecrets(t *testing.T) {
	g := ngBuilder{binary.LittleEndian}
	cv := defaultConv()
	recs := cv.records(t, handshake)
	ts := uint64(t0.UnixMicro())
	keys := "CLIENT_RANDOM 00 11\n" // the reader does not read it: diagnose does
	dsb := func(typ uint32, secrets string, declared int) []byte {
		return g.block(ngDSB, append(g.words(typ, uint32(declared)), secrets...))
	}
	tests := []struct {
		name    string
		blocks  [][]byte
		want    []string
		packets uint64
		damaged bool
	}{
		{"a TLS key log", [][]byte{g.idb(1), dsb(ngSecretsTLS, keys, len(keys)), g.epb(0, ts, recs[0].data)}, []string{keys}, 1, false},
		{"two, and a WireGuard one", [][]byte{g.idb(1), dsb(ngSecretsTLS, keys, len(keys)), dsb(0x57474b4c, "wg", 2), g.epb(0, ts, recs[0].data), dsb(ngSecretsTLS, "x", 1)},
			[]string{keys, "x"}, 1, false},
		{"secrets longer than the block", [][]byte{g.idb(1), dsb(ngSecretsTLS, keys, 4096)}, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			info, err := readBytes(t, ngFile(g, tt.blocks...), Options{TLSKeys: func(b []byte) { got = append(got, string(b)) }}, newRecorder())
			var ie *InputError
			if damaged := errors.As(err, &ie) && ie.Problem == ProblemDamaged; damaged != tt.damaged || (!tt.damaged && err != nil) {
				t.Fatalf("err %v, want damaged %v", err, tt.damaged)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || info.Packets != tt.packets {
				t.Errorf("key logs %q, %d packets; want %q, %d", got, info.Packets, tt.want, tt.packets)
			}
		})
	}
}
