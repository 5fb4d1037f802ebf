package pcap

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

type discard struct{ units, bytes int }

func (d *discard) Event(*Event) {}
func (d *discard) Data(u *Data) bool {
	d.units++
	d.bytes += len(u.Bytes)
	return true
}
func (d *discard) End(*Conn, *ConnStats) {}

// syntheticCapture builds a capture of conns interleaved connections, each
// with a handshake, records TLS application-data records of recLen bytes per
// direction cut into 1448-byte segments, ACKs, and FINs.
func syntheticCapture(tb testing.TB, conns, records, recLen int) []byte {
	type state struct {
		cv   conv
		pkts []pkt
		cseq uint32
		sseq uint32
		i    int
		recs []record
	}
	rec := make([]byte, recLen)
	rec[0], rec[1], rec[2], rec[3], rec[4] = 23, 3, 3, byte((recLen-5)>>8), byte(recLen-5)
	for i := 5; i < recLen; i++ {
		rec[i] = byte(i)
	}
	var all []record
	sts := make([]*state, conns)
	for c := range sts {
		s := &state{cv: defaultConv(), cseq: 1, sseq: 1}
		s.cv.client = fmt.Sprintf("10.%d.%d.1:%d", c/250, c%250, 40000+c%20000)
		s.cv.start = t0.Add(time.Duration(c) * time.Microsecond)
		s.pkts = append(s.pkts, handshake...)
		for r := 0; r < records; r++ {
			for side := 0; side < 2; side++ {
				for o := 0; o < recLen; o += 1448 {
					e := min(o+1448, recLen)
					if side == 0 {
						s.pkts = append(s.pkts, pkt{c2s: true, flags: "PA", seq: s.cseq, ack: s.sseq, data: string(rec[o:e])})
						s.cseq += uint32(e - o)
					} else {
						s.pkts = append(s.pkts, pkt{flags: "PA", seq: s.sseq, ack: s.cseq, data: string(rec[o:e])})
						s.sseq += uint32(e - o)
					}
				}
				if side == 0 {
					s.pkts = append(s.pkts, pkt{flags: "A", seq: s.sseq, ack: s.cseq})
				} else {
					s.pkts = append(s.pkts, pkt{c2s: true, flags: "A", seq: s.cseq, ack: s.sseq})
				}
			}
		}
		s.pkts = append(s.pkts, pkt{c2s: true, flags: "FA", seq: s.cseq, ack: s.sseq}, pkt{flags: "FA", seq: s.sseq, ack: s.cseq + 1})
		for i := range s.pkts {
			s.pkts[i].at = time.Duration(i+1) * time.Millisecond
		}
		s.recs = s.cv.records(tb, s.pkts)
		sts[c] = s
	}
	// interleave round-robin
	for left := true; left; {
		left = false
		for _, s := range sts {
			if s.i < len(s.recs) {
				all = append(all, s.recs[s.i])
				s.i++
				left = true
			}
		}
	}
	return writePcap(tb, layers.LinkTypeEthernet, all, false)
}

// benchRead reads file b.N times with tlsFramer, each time with a new
// Handler from newHandler, and counts size bytes a read. check, when not
// nil, checks each read that returned no error.
func benchRead[H Handler](b *testing.B, file []byte, size int, newHandler func() H, check func(*CaptureInfo, H) error) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := newHandler()
		info, err := Read(bytes.NewReader(file), "bench", Options{Framer: tlsFramer}, h)
		if err == nil && check != nil {
			err = check(info, h)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	file := syntheticCapture(b, 200, 20, 4096)
	benchRead(b, file, len(file), func() *discard { return &discard{} }, func(info *CaptureInfo, h *discard) error {
		if info.Conns != 200 || h.units != 200*20*2 {
			return fmt.Errorf("conns %d units %d", info.Conns, h.units)
		}
		return nil
	})
}

func BenchmarkReadGzip(b *testing.B) {
	plain := syntheticCapture(b, 200, 20, 4096)
	// MB/s of uncompressed capture
	benchRead(b, gzipBytes(b, plain), len(plain), func() *discard { return &discard{} }, nil)
}

// stopAfter stops each direction after n units, as a TLS handler does once
// the handshake is over.
type stopAfter struct {
	n     int
	units map[*Conn]int
}

func (s *stopAfter) Event(*Event) {}
func (s *stopAfter) Data(u *Data) bool {
	s.units[u.Conn]++
	return s.units[u.Conn] < s.n
}
func (s *stopAfter) End(*Conn, *ConnStats) {}

// BenchmarkReadHandshakeOnly is BenchmarkRead with a Handler that stops
// delivery after the first units of each connection.
func BenchmarkReadHandshakeOnly(b *testing.B) {
	file := syntheticCapture(b, 200, 20, 4096)
	benchRead(b, file, len(file), func() *stopAfter { return &stopAfter{n: 4, units: map[*Conn]int{}} }, nil)
}
