package capgen

import "time"

// Mangle changes a conversation's packets before they are written, to model
// what a real capture shows: reordering, retransmissions, packets the capture
// missed. It may reorder, drop, add or change packets; the writer writes them
// in the order returned. The helpers keep timestamps in nondecreasing order, so
// that conversations stay merged by time. Indexes out of range make a helper do
// nothing.
type Mangle func([]Packet) []Packet

// Chain applies ms in order.
func Chain(ms ...Mangle) Mangle {
	return func(p []Packet) []Packet {
		for _, m := range ms {
			if m != nil {
				p = m(p)
			}
		}
		return p
	}
}

// Swap exchanges packets i and j but keeps the timestamps in place, so the
// later packet appears first on the wire (Wireshark: out of order).
func Swap(i, j int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || j < 0 || i >= len(p) || j >= len(p) || i == j {
			return p
		}
		ti, tj := p[i].Time, p[j].Time
		p[i], p[j] = p[j], p[i]
		p[i].Time, p[j].Time = ti, tj
		return p
	}
}

// retransmitDelay is how long after the original a duplicated last packet is sent.
const retransmitDelay = 200 * time.Millisecond

// Duplicate sends packet i again right after it, halfway to packet i+1 (or
// 200 ms later when i is the last packet): a retransmission.
func Duplicate(i int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || i >= len(p) {
			return p
		}
		d := p[i]
		if i+1 < len(p) {
			d.Time = p[i].Time.Add(p[i+1].Time.Sub(p[i].Time) / 2)
		} else {
			d.Time = p[i].Time.Add(retransmitDelay)
		}
		out := make([]Packet, 0, len(p)+1)
		out = append(out, p[:i+1]...)
		out = append(out, d)
		return append(out, p[i+1:]...)
	}
}

// Drop removes packet i: the capture missed it, but the peer still
// acknowledges it (Wireshark: previous segment not captured, ACKed unseen segment).
func Drop(i int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || i >= len(p) {
			return p
		}
		return append(p[:i:i], p[i+1:]...)
	}
}

// Overlap re-sends the last n bytes of packet i joined to the payload of the
// next packet from the same side that carries data (usually i+1), whose
// sequence number moves back by n. n is capped at packet i's payload length.
func Overlap(i, n int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || i >= len(p) || n <= 0 {
			return p
		}
		n = min(n, len(p[i].Payload))
		if n == 0 {
			return p
		}
		for j := i + 1; j < len(p); j++ {
			if p[j].Side != p[i].Side || len(p[j].Payload) == 0 {
				continue
			}
			b := make([]byte, 0, n+len(p[j].Payload))
			b = append(b, p[i].Payload[len(p[i].Payload)-n:]...)
			p[j].Payload = append(b, p[j].Payload...)
			p[j].Seq -= uint32(n)
			break
		}
		return p
	}
}

// Truncate drops every packet later than after past the first packet: the
// capture ended.
func Truncate(after time.Duration) Mangle {
	return func(p []Packet) []Packet {
		if len(p) == 0 {
			return p
		}
		end := p[0].Time.Add(after)
		for k := range p {
			if p[k].Time.After(end) {
				return p[:k]
			}
		}
		return p
	}
}

// StartAt drops the packets before i: the capture started mid-stream.
func StartAt(i int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || i > len(p) {
			return p
		}
		return p[i:]
	}
}

// copyDelay is how long after the packet it follows a moved or added packet
// lands (Delay, Mirror, Retransmit), unless the next packet comes sooner.
const copyDelay = time.Microsecond

// slotAfter is the time of a packet placed right after p[j]: copyDelay later,
// but never later than p[j+1], so that times stay nondecreasing.
func slotAfter(p []Packet, j int) time.Time {
	t := p[j].Time.Add(copyDelay)
	if j+1 < len(p) && p[j+1].Time.Before(t) {
		t = p[j+1].Time
	}
	return t
}

// insertAfter returns p with q inserted after index j.
func insertAfter(p []Packet, j int, q Packet) []Packet {
	out := make([]Packet, 0, len(p)+1)
	out = append(out, p[:j+1]...)
	out = append(out, q)
	return append(out, p[j+1:]...)
}

// Delay moves packet i to just after packet j (i < j): copyDelay (1 µs) after
// packet j, never later than the packet that follows it. The packets between
// keep their places and times. It is how captures on VMware guests and
// multi-queue NICs show a segment that the stacks handled in order: later, and
// possibly after the peer's ACK that covers it. What Wireshark (tshark 4.0)
// then flags depends on j:
//
//   - j before the peer's ACK of packet i: the sender's next segment
//     "Previous segment not captured" (tcp.analysis.lost_segment), packet i
//     "Out-Of-Order" (tcp.analysis.out_of_order);
//   - j at or after that ACK: the next segment "Previous segment not
//     captured", the ACK "ACKed unseen segment" (tcp.analysis.ack_lost_segment)
//     and packet i "Spurious Retransmission" (tcp.analysis.retransmission and
//     tcp.analysis.spurious_retransmission), because its bytes were already
//     acknowledged; it is not called out of order.
//
// Either way tshark reassembles the stream across the late segment only with
// the preference tcp.reassemble_out_of_order:TRUE.
func Delay(i, j int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || j >= len(p) || i >= j {
			return p
		}
		d := p[i]
		d.Time = slotAfter(p, j)
		copy(p[i:j], p[i+1:j+1])
		p[j] = d
		return p
	}
}

// Mirror adds a second, identical capture of packet i copyDelay (1 µs) after
// it, never later than packet i+1: what a span port that sees a packet twice,
// or a capture of two interfaces, shows. The copy has the same sequence and
// acknowledgement numbers, the same TCP timestamps and the same IPv4
// identification (Packet.Copy); only the capture time differs. Wireshark
// (tshark 4.0) flags the copy "Retransmission" (tcp.analysis.retransmission),
// as it does any repeated sequence range.
func Mirror(i int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || i >= len(p) {
			return p
		}
		d := p[i]
		d.Time = slotAfter(p, i)
		d.Copy = true
		return insertAfter(p, i, d)
	}
}

// Retransmit sends packet i's segment again just after packet j (i < j), as
// its sender would then: the same sequence number, flags and payload, but the
// acknowledgement of everything the peer sent up to packet j, the TCP
// timestamp of that moment (one tick per millisecond since packet i) and the
// echo of the peer's latest one. The copy is not marked Packet.Copy: it takes
// the next IPv4 identification. Placed after the peer's ACK of the segment it
// is a spurious retransmission (tshark 4.0: "Spurious Retransmission",
// tcp.analysis.retransmission and tcp.analysis.spurious_retransmission); when
// the sender's own ACK with the same numbers follows, that ACK is also flagged
// "Dup ACK".
func Retransmit(i, j int) Mangle {
	return func(p []Packet) []Packet {
		if i < 0 || j >= len(p) || i >= j {
			return p
		}
		d := p[i]
		d.Copy = false
		d.Time = slotAfter(p, j)
		d.TSval = p[i].TSval + uint32(d.Time.Sub(p[i].Time)/time.Millisecond)
		for k := 0; k <= j; k++ {
			q := &p[k]
			if q.Side == d.Side {
				continue
			}
			if end := q.end(); int32(end-d.Ack) > 0 || d.Flags&FlagACK == 0 {
				d.Ack = end
				d.Flags |= FlagACK
			}
			if q.TSval != 0 {
				d.TSecr = q.TSval
			}
		}
		return insertAfter(p, j, d)
	}
}
