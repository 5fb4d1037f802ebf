//go:build linux

package hostile

import (
	"bufio"
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TCP flags as they appear on the wire (RFC 9293 section 3.1).
const (
	fin = 0x01
	syn = 0x02
	rst = 0x04
	psh = 0x08
	ack = 0x10
)

// epoch is the capture time of every file's first packet.
var epoch = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// sink takes packet records: a frame, the length it had on the wire, and the
// capture time. Frames longer than the file's snap length are cut by the sink.
type sink interface {
	packet(ts time.Time, frame []byte, wireLen int) error
}

// pcapSink writes a classic pcap file through gopacket's pcapgo.
type pcapSink struct {
	w       *pcapgo.Writer
	snaplen int
}

func newPcap(w *bufio.Writer, snaplen int) (*pcapSink, error) {
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(uint32(snaplen), layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	return &pcapSink{w: pw, snaplen: snaplen}, nil
}

func (s *pcapSink) packet(ts time.Time, frame []byte, wireLen int) error {
	if len(frame) > s.snaplen {
		frame = frame[:s.snaplen]
	}
	return s.w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(frame), Length: wireLen}, frame)
}

// mac is a fixed, locally administered Ethernet address derived from a.
func mac(a netip.Addr) [6]byte {
	b := a.As4()
	return [6]byte{0x02, 0x00, b[0], b[1], b[2], b[3]}
}

// appendFrame appends an Ethernet, IPv4 and TCP frame (no options, correct
// checksums) carrying payload from src to dst.
func appendFrame(buf []byte, src, dst netip.AddrPort, seq, ackn uint32, flags uint8, payload []byte) []byte {
	be := binary.BigEndian
	dm, sm := mac(dst.Addr()), mac(src.Addr())
	buf = append(buf, dm[:]...)
	buf = append(buf, sm[:]...)
	buf = be.AppendUint16(buf, 0x0800)
	ip := len(buf)
	total := 40 + len(payload)
	s4, d4 := src.Addr().As4(), dst.Addr().As4()
	buf = append(buf, 0x45, 0)
	buf = be.AppendUint16(buf, uint16(total))
	buf = append(buf, 0, 0, 0x40, 0, 64, 6, 0, 0)
	buf = append(buf, s4[:]...)
	buf = append(buf, d4[:]...)
	be.PutUint16(buf[ip+10:], ^fold(sum(buf[ip:ip+20], 0)))
	tcp := len(buf)
	buf = be.AppendUint16(buf, src.Port())
	buf = be.AppendUint16(buf, dst.Port())
	buf = be.AppendUint32(buf, seq)
	if flags&ack == 0 {
		ackn = 0
	}
	buf = be.AppendUint32(buf, ackn)
	buf = append(buf, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
	buf = append(buf, payload...)
	var ph [12]byte
	copy(ph[0:], s4[:])
	copy(ph[4:], d4[:])
	ph[9] = 6
	be.PutUint16(ph[10:], uint16(20+len(payload)))
	be.PutUint16(buf[tcp+16:], ^fold(sum(buf[tcp:], sum(ph[:], 0))))
	return buf
}

// sum adds b as big-endian 16-bit words to acc (RFC 1071).
func sum(b []byte, acc uint32) uint32 {
	for len(b) >= 2 {
		acc += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	return acc
}

func fold(acc uint32) uint16 {
	for acc > 0xffff {
		acc = acc>>16 + acc&0xffff
	}
	return uint16(acc)
}

// conn is one TCP connection as the capture sees it: each side's next
// sequence number, and a clock shared by the file.
type conn struct {
	ends [2]netip.AddrPort // client, server
	next [2]uint32
	out  sink
	clk  *clock
	buf  []byte
}

// clock hands out capture times 10 µs apart.
type clock struct{ t time.Time }

func (c *clock) tick() time.Time {
	if c.t.IsZero() {
		c.t = epoch
	}
	c.t = c.t.Add(10 * time.Microsecond)
	return c.t
}

const (
	client = 0
	server = 1
)

func newConn(out sink, clk *clock, cli, srv netip.AddrPort, isn uint32) *conn {
	return &conn{ends: [2]netip.AddrPort{cli, srv}, next: [2]uint32{isn, isn ^ 0x5a5a5a5a}, out: out, clk: clk}
}

// send writes one segment from side with the payload at the side's next
// sequence number, and advances it.
func (k *conn) send(side int, flags uint8, payload []byte) error {
	return k.sendAt(side, k.next[side], flags, payload)
}

// sendAt writes one segment at sequence number seq. The side's next sequence
// number becomes the segment's end when that is further on.
func (k *conn) sendAt(side int, seq uint32, flags uint8, payload []byte) error {
	k.buf = appendFrame(k.buf[:0], k.ends[side], k.ends[1-side], seq, k.next[1-side], flags, payload)
	end := seq + uint32(len(payload))
	if flags&(syn|fin) != 0 {
		end++
	}
	if int32(end-k.next[side]) > 0 {
		k.next[side] = end
	}
	return k.out.packet(k.clk.tick(), k.buf, len(k.buf))
}

// open writes the three-way handshake.
func (k *conn) open() error {
	if err := k.send(client, syn, nil); err != nil {
		return err
	}
	if err := k.send(server, syn|ack, nil); err != nil {
		return err
	}
	return k.send(client, ack, nil)
}

// write sends b from side in segments of at most mss bytes.
func (k *conn) write(side int, b []byte, mss int) error {
	for len(b) > 0 {
		n := min(len(b), mss)
		if err := k.send(side, psh|ack, b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// close writes FIN from each side and the client's last ACK.
func (k *conn) close() error {
	if err := k.send(client, fin|ack, nil); err != nil {
		return err
	}
	if err := k.send(server, fin|ack, nil); err != nil {
		return err
	}
	return k.send(client, ack, nil)
}

// addr returns 10.a.b.c for n, for client addresses that differ.
func addr(prefix byte, n int) netip.Addr {
	return netip.AddrFrom4([4]byte{prefix, byte(n >> 16), byte(n >> 8), byte(n)})
}
