package capgen

import (
	"sort"
	"strings"
	"time"
)

// Flags are the TCP control bits of a Packet.
type Flags uint8

// TCP control bits, with their wire values (RFC 9293 section 3.1).
const (
	FlagFIN Flags = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
)

// String returns the flags in tcpdump's style, for example "SYN|ACK".
func (f Flags) String() string {
	var parts []string
	for _, n := range []struct {
		f    Flags
		name string
	}{{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagRST, "RST"}, {FlagPSH, "PSH"}, {FlagACK, "ACK"}} {
		if f&n.f != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Timing of the packets a step becomes. Steps of a conversation never start
// before the last segment of the step before them.
const (
	segmentGap   = time.Microsecond       // between the segments of one write
	midAckDelay  = 30 * time.Microsecond  // the receiver's ACK of every second segment
	endAckDelay  = 200 * time.Microsecond // the receiver's ACK of the end of a write or of a FIN
	defaultMSS   = 1448
	initWindow   = 64240 // Linux's SYN window
	synAckWindow = 65160 // Linux's SYN+ACK window
	window       = 502   // Linux's usual scaled window (wscale 7: about 64 KiB)
	windowScale  = 7
	tsOptionLen  = 12
)

// Packet is one TCP segment of a conversation, before link, IP and TCP headers
// are added. Payload aliases the Step's Bytes.
type Packet struct {
	Time    time.Time
	Side    Side // the sender
	Flags   Flags
	Seq     uint32
	Ack     uint32
	Window  uint16
	MSS     uint16 // nonzero on SYN and SYN+ACK: the MSS option advertised (with SACK-permitted and window scale)
	TSval   uint32 // TCP timestamps option (RFC 7323); zero leaves the option out
	TSecr   uint32
	Payload []byte
	// Copy marks a second capture of the side's previous packet (see Mirror):
	// the writer gives it that packet's IPv4 identification instead of the next one.
	Copy bool
}

// end is the sequence number just after the packet.
func (p *Packet) end() uint32 {
	n := p.Seq + uint32(len(p.Payload))
	if p.Flags&(FlagSYN|FlagFIN) != 0 {
		n++
	}
	return n
}

// PacketsOf turns a conversation into its TCP segments, in time order, as a
// Linux stack sends them:
//
//   - SYN and SYN+ACK carry MSS (mss+12), SACK-permitted, timestamps and window
//     scale options; a repeated SYN step is a retransmission with the same ISN.
//   - Data is cut at mss bytes (0 means 1448), 1µs apart, with PSH on the last
//     segment of each write.
//   - The receiver ACKs every second segment of a write (30µs later) and the end
//     of each write or FIN (200µs later), unless its next step is an ACK or it
//     sends anything first: its own segment then carries the acknowledgement.
//   - Sequence and acknowledgement numbers follow from the ISNs; every segment
//     but a reset has the timestamps option (1 ms clock).
//   - A RST from a side that never sent SYN (a refused connection) has sequence
//     number 0 and acknowledges the SYN.
//
// Steps are taken in order of At (stable); a step never starts before the last
// segment of the step before it. Data steps with no bytes are skipped.
// Payloads alias the steps' Bytes.
func PacketsOf(c Conversation, mss int) []Packet {
	pz := newPacketizer(&c, mss)
	var out []Packet
	for {
		p, ok := pz.next()
		if !ok {
			return out
		}
		out = append(out, p)
	}
}

// endState is the TCP state of one end while a conversation is cut into packets.
type endState struct {
	isn      uint32
	nxt      uint32 // next sequence number to send
	rcv      uint32 // next sequence number expected from the peer
	synSent  bool
	ackValid bool // it has heard from the peer, so its ACK flag is set
	tsBase   uint32
	tsPeer   uint32
}

// packetizer produces a conversation's packets lazily, in time order, so that
// a long conversation never has more than a write's worth of packets in memory.
type packetizer struct {
	c       *Conversation
	steps   []Step
	mss     int
	i       int // next step
	cursor  time.Time
	ends    [2]endState
	pending []pending // a min-heap by (Time, order)
	seq     uint64
}

// pending is a packet cut but not yet returned.
type pending struct {
	Packet
	order uint64 // creation order, to keep equal times stable
	auto  bool   // an automatic ACK, superseded by a later segment of the same side
}

func newPacketizer(c *Conversation, mss int) *packetizer {
	if mss <= 0 {
		mss = defaultMSS
	}
	steps := c.Steps
	if !sort.SliceIsSorted(steps, func(i, j int) bool { return steps[i].At < steps[j].At }) {
		steps = append([]Step(nil), steps...)
		sort.SliceStable(steps, func(i, j int) bool { return steps[i].At < steps[j].At })
	}
	pz := &packetizer{c: c, steps: steps, mss: mss, cursor: c.Start}
	pz.ends[Client] = endState{isn: c.ClientISN, nxt: c.ClientISN, tsBase: tsBase(c.ClientISN)}
	pz.ends[Server] = endState{isn: c.ServerISN, nxt: c.ServerISN, tsBase: tsBase(c.ServerISN)}
	return pz
}

// tsBase derives a nonzero timestamp clock origin from an ISN.
func tsBase(isn uint32) uint32 {
	x := isn*2654435761 + 0x9e3779b9
	return x>>1 | 1
}

// next returns the next packet in time order.
func (pz *packetizer) next() (Packet, bool) {
	for pz.i < len(pz.steps) && (len(pz.pending) == 0 || !pz.c.Start.Add(pz.steps[pz.i].At).After(pz.pending[0].Time)) {
		pz.step()
	}
	if len(pz.pending) == 0 {
		return Packet{}, false
	}
	return pz.pop(), true
}

// peekTime is the time of the packet next would return.
func (pz *packetizer) peekTime() (time.Time, bool) {
	for pz.i < len(pz.steps) && (len(pz.pending) == 0 || !pz.c.Start.Add(pz.steps[pz.i].At).After(pz.pending[0].Time)) {
		pz.step()
	}
	if len(pz.pending) == 0 {
		return time.Time{}, false
	}
	return pz.pending[0].Time, true
}

func (pz *packetizer) less(i, j int) bool {
	a, b := &pz.pending[i], &pz.pending[j]
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.order < b.order
}

func (pz *packetizer) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !pz.less(i, parent) {
			break
		}
		pz.pending[i], pz.pending[parent] = pz.pending[parent], pz.pending[i]
		i = parent
	}
}

func (pz *packetizer) down(i int) {
	n := len(pz.pending)
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && pz.less(l, m) {
			m = l
		}
		if r < n && pz.less(r, m) {
			m = r
		}
		if m == i {
			return
		}
		pz.pending[i], pz.pending[m] = pz.pending[m], pz.pending[i]
		i = m
	}
}

func (pz *packetizer) push(p Packet, auto bool) {
	pz.pending = append(pz.pending, pending{p, pz.seq, auto})
	pz.seq++
	pz.up(len(pz.pending) - 1)
}

func (pz *packetizer) pop() Packet {
	p := pz.pending[0].Packet
	last := len(pz.pending) - 1
	pz.pending[0] = pz.pending[last]
	pz.pending[last] = pending{}
	pz.pending = pz.pending[:last]
	pz.down(0)
	return p
}

// supersede drops side s's automatic ACKs due at or after t: the segment s
// sends at t carries the acknowledgement.
func (pz *packetizer) supersede(s Side, t time.Time) {
	kept := pz.pending[:0]
	for _, p := range pz.pending {
		if !(p.auto && p.Side == s && !p.Time.Before(t)) {
			kept = append(kept, p)
		}
	}
	if len(kept) == len(pz.pending) {
		return
	}
	clear(pz.pending[len(kept):])
	pz.pending = kept
	for i := len(kept)/2 - 1; i >= 0; i-- {
		pz.down(i)
	}
}

// tsval is side s's timestamp clock at t: one tick per millisecond.
func (pz *packetizer) tsval(s Side, t time.Time) uint32 {
	return pz.ends[s].tsBase + uint32(t.Sub(pz.c.Start)/time.Millisecond)
}

// segment builds a packet from side s carrying the current acknowledgement state.
func (pz *packetizer) segment(s Side, t time.Time, flags Flags, seq uint32, payload []byte) Packet {
	e := &pz.ends[s]
	p := Packet{Time: t, Side: s, Flags: flags, Seq: seq, Window: window, Payload: payload}
	if e.ackValid {
		p.Flags |= FlagACK
		p.Ack = e.rcv
	}
	p.TSval = pz.tsval(s, t)
	p.TSecr = e.tsPeer
	pz.ends[1-s].tsPeer = p.TSval
	return p
}

// autoAck queues the receiver r's ACK of ack at t, unless r's next scripted
// step is an ACK or comes no later than t (its own segment then carries the ACK).
func (pz *packetizer) autoAck(r Side, t time.Time, ack uint32, endOfWrite bool) {
	if endOfWrite {
		for _, st := range pz.steps[pz.i:] {
			if st.Side&1 != r {
				continue
			}
			if st.Kind == ACK || !pz.c.Start.Add(st.At).After(t) {
				return
			}
			break
		}
	}
	e := &pz.ends[r]
	p := Packet{Time: t, Side: r, Flags: FlagACK, Seq: e.nxt, Ack: ack, Window: window, TSval: pz.tsval(r, t), TSecr: e.tsPeer}
	pz.push(p, true)
}

// step turns the next step into packets.
func (pz *packetizer) step() {
	st := pz.steps[pz.i]
	pz.i++
	s := st.Side & 1
	r := 1 - s
	e, peer := &pz.ends[s], &pz.ends[r]
	t := pz.c.Start.Add(st.At)
	if t.Before(pz.cursor) {
		t = pz.cursor
	}
	pz.supersede(s, t)
	switch st.Kind {
	case SYN, SYNACK:
		flags := FlagSYN
		p := Packet{Time: t, Side: s, Flags: flags, Seq: e.isn, Window: initWindow, MSS: uint16(pz.mss + tsOptionLen)}
		if st.Kind == SYNACK || e.ackValid {
			p.Flags |= FlagACK
			p.Ack = e.rcv
			p.Window = synAckWindow
		}
		p.TSval = pz.tsval(s, t)
		p.TSecr = e.tsPeer
		peer.tsPeer = p.TSval
		e.nxt = e.isn + 1
		e.synSent = true
		peer.rcv = e.isn + 1
		peer.ackValid = true
		pz.push(p, false)
	case ACK:
		pz.push(pz.segment(s, t, 0, e.nxt, nil), false)
	case Data:
		b := st.Bytes
		if len(b) == 0 {
			return
		}
		k := 0
		for {
			n := min(len(b), pz.mss)
			seg := b[:n]
			b = b[n:]
			var flags Flags
			if len(b) == 0 {
				flags = FlagPSH
			}
			p := pz.segment(s, t, flags, e.nxt, seg)
			e.nxt += uint32(n)
			peer.rcv = e.nxt
			pz.push(p, false)
			k++
			if len(b) > 0 && k%2 == 0 {
				pz.autoAck(r, t.Add(midAckDelay), e.nxt, false)
			}
			if len(b) == 0 {
				break
			}
			t = t.Add(segmentGap)
		}
		pz.cursor = t
		pz.autoAck(r, t.Add(endAckDelay), e.nxt, true)
		return
	case FIN:
		p := pz.segment(s, t, FlagFIN, e.nxt, nil)
		e.nxt++
		peer.rcv = e.nxt
		pz.push(p, false)
		pz.cursor = t
		pz.autoAck(r, t.Add(endAckDelay), e.nxt, true)
		return
	case RST:
		p := Packet{Time: t, Side: s, Flags: FlagRST, Seq: e.nxt}
		if !e.synSent {
			p.Seq = 0
		}
		if e.ackValid {
			p.Flags |= FlagACK
			p.Ack = e.rcv
		}
		pz.push(p, false)
	}
	pz.cursor = t
}
