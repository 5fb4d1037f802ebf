package pcap

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// nopHandler accepts everything and checks the call contract.
type checkHandler struct {
	t     *testing.T
	ended map[uint64]bool
	frame uint64
}

func (h *checkHandler) Event(ev *Event) {
	if h.ended[ev.Conn.ID] {
		h.t.Fatalf("event after End on conn %d", ev.Conn.ID)
	}
}

func (h *checkHandler) Data(d *Data) bool {
	if h.ended[d.Conn.ID] {
		h.t.Fatalf("data after End on conn %d", d.Conn.ID)
	}
	if len(d.Bytes) == 0 || d.FirstFrame > d.Frame {
		h.t.Fatalf("bad unit: %d bytes, frames %d-%d", len(d.Bytes), d.FirstFrame, d.Frame)
	}
	return true
}

func (h *checkHandler) End(c *Conn, st *ConnStats) {
	if h.ended[c.ID] {
		h.t.Fatalf("End twice on conn %d", c.ID)
	}
	h.ended[c.ID] = true
}

// FuzzRead feeds whole capture files to Read: it must not panic, must end
// every connection exactly once and must return an InputError or nil.
func FuzzRead(f *testing.F) {
	cv := defaultConv()
	seeds := [][]byte{
		writePcap(f, layers.LinkTypeEthernet, cv.records(f, simpleConv), false),
		writePcapng(f, cv.records(f, simpleConv)),
	}
	v6 := conv{client: "[2001:db8::1]:40000", server: "[2001:db8::2]:5061", cisn: 7, sisn: 9, link: layers.LinkTypeLinuxSLL2}
	seeds = append(seeds, writePcap(f, v6.link, v6.records(f, simpleConv), true))
	ppp := defaultConv()
	ppp.pppoe, ppp.vlans = true, 2
	seeds = append(seeds, writePcap(f, ppp.link, ppp.records(f, simpleConv), false))
	seeds = append(seeds, gzipBytes(f, seeds[0]))
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 {
			seeds = append(seeds, b)
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h := &checkHandler{t: t, ended: map[uint64]bool{}}
		opts := Options{AnyPort: true, Framer: tlsFramer, MaxBuffer: 512, MaxConns: 4}
		if len(b) > 0 && b[len(b)-1]&1 == 1 {
			opts.Framer = digitFramer
		}
		info, err := Read(bytes.NewReader(b), "fuzz", opts, h)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
		}
		if uint64(len(h.ended)) != info.Conns {
			t.Fatalf("%d conns, %d ended", info.Conns, len(h.ended))
		}
	})
}

// FuzzReassembly sends one direction's bytes as segments chosen by the
// fuzzer (any order, overlaps, duplicates, holes) and checks that every unit
// delivered holds exactly the stream's bytes at its offset, and that a
// fully covered stream is delivered whole, without gaps. The ISN's low bit
// also sets Options.HeadOnly: units whose first byte is even are passed
// over whole (and the next even ones without asking, PassAgain), those
// whose first byte is a multiple of 3 given by their first 2 bytes; a
// fully covered stream is then its units, heads, bodies skipped and units
// passed over, to the byte.
func FuzzReassembly(f *testing.F) {
	f.Add(uint32(1000), []byte{0, 30, 30, 30, 60, 30, 90, 30, 120, 30, 150, 50})
	f.Add(uint32(1001), []byte{0, 30, 30, 30, 60, 30, 90, 30, 120, 30, 150, 50}) // with HeadOnly
	f.Add(uint32(0xffffff80), []byte{120, 80, 0, 60, 50, 80, 10, 10, 199, 1})
	f.Add(uint32(7), []byte{100, 100, 0, 100, 0, 200})
	f.Fuzz(func(t *testing.T, isn uint32, ops []byte) {
		const size = 200
		stream := make([]byte, size)
		for i := range stream {
			stream[i] = byte(i*7 + 3)
		}
		cv := defaultConv()
		cv.cisn = isn
		pkts := append([]pkt(nil), handshake...)
		var covered [size]bool
		for i := 0; i+1 < len(ops) && len(pkts) < 64; i += 2 {
			start := int(ops[i]) % size
			end := min(start+int(ops[i+1])%64+1, size)
			pkts = append(pkts, pkt{c2s: true, flags: "PA", seq: uint32(1 + start), ack: 1, data: string(stream[start:end])})
			for j := start; j < end; j++ {
				covered[j] = true
			}
		}
		file := writePcap(t, cv.link, cv.records(t, pkts), false)
		h := &streamCheck{t: t, stream: stream}
		budget := NewBudget(0)
		opts := Options{Framer: func([]byte) int { return 7 }, Budget: budget}
		if isn&1 == 1 {
			opts.HeadOnly = func(c *Conn, d Dir, head []byte) int {
				switch {
				case head[0]%2 == 0:
					return -1
				case head[0]%3 == 0:
					return 2
				}
				return 0
			}
			opts.PassAgain = func(prev, head []byte) bool { return prev[0]%2 == 0 && head[0]%2 == 0 }
			opts.Passed = func(c *Conn, p *Passed) {
				if p.Units == 0 || p.Bytes != 7*p.Units || p.Len != 7 || p.Dir != ClientToServer {
					t.Fatalf("passed %+v", *p)
				}
				h.delivered += int(p.Bytes)
			}
		}
		if _, err := Read(bytes.NewReader(file), "fuzz", opts, h); err != nil {
			t.Fatal(err)
		}
		if budget.Used() != 0 {
			t.Fatalf("%d bytes still charged to the budget after Read", budget.Used())
		}
		full := true
		for _, c := range covered {
			full = full && c
		}
		if full && (h.gaps > 0 || h.delivered != size/7*7) {
			t.Fatalf("fully covered stream: %d gaps, %d bytes delivered", h.gaps, h.delivered)
		}
	})
}

// streamCheck compares delivered units with the original stream.
type streamCheck struct {
	t         *testing.T
	stream    []byte
	gaps      int
	delivered int
}

func (s *streamCheck) Event(ev *Event) {
	if ev.Kind == EventGap {
		s.gaps++
	}
}

func (s *streamCheck) Data(d *Data) bool {
	end := d.Offset + uint64(len(d.Bytes))
	if d.Dir != ClientToServer || end > uint64(len(s.stream)) {
		s.t.Fatalf("unit at %d (%d bytes) is outside the stream", d.Offset, len(d.Bytes))
	}
	// The unit is the stream's bytes, with its holes zero.
	want := bytes.Clone(s.stream[d.Offset:end])
	prev := 0
	for _, m := range d.Missing {
		if m.Start < prev || m.End <= m.Start || m.End > len(d.Bytes) || m.Start == 0 {
			s.t.Fatalf("unit at %d (%d bytes): bad missing ranges %v", d.Offset, len(d.Bytes), d.Missing)
		}
		clear(want[m.Start:m.End])
		prev = m.End
	}
	if !bytes.Equal(d.Bytes, want) {
		s.t.Fatalf("unit at %d (%d bytes) is not the stream's bytes: %x", d.Offset, len(d.Bytes), d.Bytes)
	}
	s.delivered += len(d.Bytes) + d.BodySkipped
	return true
}

func (s *streamCheck) End(*Conn, *ConnStats) {}

// FuzzPcapngBlocks feeds pcapng streams to the block reader: it must not
// panic, must end, must never return a packet longer than MaxRecord or
// than its block, and must keep at most ngMaxInterfaces interfaces.
func FuzzPcapngBlocks(f *testing.F) {
	var seeds []string
	for _, pat := range []string{"testdata/*.pcapng", "../testdata/*.pcapng"} {
		m, _ := filepath.Glob(pat)
		seeds = append(seeds, m...)
	}
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
			f.Add(b)
		}
	}
	cv := defaultConv()
	f.Add(writePcapng(f, cv.records(f, simpleConv)))
	f.Fuzz(func(t *testing.T, b []byte) {
		nr := newNgReader(bufio.NewReaderSize(bytes.NewReader(b), 4096))
		last := int64(-1)
		for {
			kind, data, ci, _, err := nr.next()
			if err != nil {
				var ne *ngError
				var re *recordError
				if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.As(err, &ne) && !errors.As(err, &re) {
					t.Fatalf("unexpected error %T %v", err, err)
				}
				return
			}
			if nr.start <= last || nr.off > int64(len(b)) || nr.off <= nr.start {
				t.Fatalf("block at %d after %d, next at %d of %d", nr.start, last, nr.off, len(b))
			}
			last = nr.start
			if len(nr.ifaces) > ngMaxInterfaces {
				t.Fatalf("%d interfaces", len(nr.ifaces))
			}
			if kind == ngPacket && (len(data) > MaxRecord || len(data) != ci.CaptureLength || int64(len(data)) > nr.off-nr.start) {
				t.Fatalf("packet of %d bytes (caplen %d) in a block of %d", len(data), ci.CaptureLength, nr.off-nr.start)
			}
		}
	})
}
