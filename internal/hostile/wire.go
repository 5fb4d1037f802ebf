//go:build linux

package hostile

import (
	"bufio"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/siptls/siptls/internal/capgen"
)

// TCP flags, with their wire values.
const (
	fin = capgen.FlagFIN
	syn = capgen.FlagSYN
	rst = capgen.FlagRST
	psh = capgen.FlagPSH
	ack = capgen.FlagACK
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

// appendFrame appends an Ethernet, IPv4 and TCP frame (no options, window
// 65535, IPv4 identification 0, correct checksums) carrying payload from src
// to dst; ackn is left out (zero) unless flags has ACK.
func appendFrame(buf []byte, src, dst netip.AddrPort, seq, ackn uint32, flags capgen.Flags, payload []byte) []byte {
	if flags&ack == 0 {
		ackn = 0
	}
	p := capgen.Packet{Flags: flags, Seq: seq, Ack: ackn, Window: 0xffff, Payload: payload}
	return capgen.AppendEthernetFrame(buf, capgen.Endpoint{AddrPort: src, MAC: mac(src.Addr())}, capgen.Endpoint{AddrPort: dst, MAC: mac(dst.Addr())}, 0, &p)
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
func (k *conn) send(side int, flags capgen.Flags, payload []byte) error {
	return k.sendAt(side, k.next[side], flags, payload)
}

// sendAt writes one segment at sequence number seq. The side's next sequence
// number becomes the segment's end when that is further on.
func (k *conn) sendAt(side int, seq uint32, flags capgen.Flags, payload []byte) error {
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
