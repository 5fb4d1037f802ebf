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
