package pcap

import (
	"encoding/binary"
	"time"
)

// This file collects, per packet and without allocating, the evidence of
// which end of a connection is the host the capture was taken on: the IP
// TTL (hop limit) of each direction, the TCP checksums of its first whole
// segments, and how fast each end reacts to the other (ConnStats.TTL,
// Checksum*, Reaction*). Package diagnose weighs them; nothing here decides.

// MaxChecksumChecks is how many segments of each direction have their TCP
// checksum verified: the first ones that are whole (not cut by the snap
// length) and at most MaxChecksumIPLen bytes long.
const MaxChecksumChecks = 4

// MaxChecksumIPLen is the largest IP packet whose TCP checksum is verified.
// A receiving host's GRO merges segments into one larger packet that keeps
// the first segment's checksum, so a merged packet looks wrong in the
// receiver's own capture although every segment was right on the wire.
const MaxChecksumIPLen = 1500

// reactState follows one direction of a connection for ConnStats.Reaction.
type reactState struct {
	lastEnd  uint32 // sequence number after the direction's latest new segment
	lastTime int64  // capture time of that segment (Unix ns)
	last     bool   // lastEnd holds a new segment that no packet acknowledged yet
	lastSYN  bool   // that segment is a SYN or SYN-ACK
	highEnd  uint32 // highest sequence number after a segment of this direction
	high     bool
	ackMax   uint32 // highest acknowledgment number this direction sent
	acked    bool
}

// evidence records the TTL, the TCP checksum and the reaction time of one
// packet of direction d of c: the segment s decoded from data, missing
// bytes of which the snap length cut.
func (rd *reader) evidence(c *conn, d Dir, data []byte, s *segment, missing int, t time.Time) {
	st := &c.st
	if st.Packets[d] == 1 {
		st.TTL[d] = s.ttl
	} else if s.ttl != st.TTL[d] {
		st.TTLChanged[d] = true
	}

	if st.ChecksumChecked[d] < MaxChecksumChecks && missing == 0 && s.ipEnd <= len(data) &&
		s.ipEnd-s.tcpStart >= 20 && s.ipEnd-s.ipStart <= MaxChecksumIPLen && !s.ip6Jumbo {
		st.ChecksumChecked[d]++
		if !tcpChecksumOK(data[s.ipStart:], data[s.tcpStart:s.ipEnd], s.v6) {
			st.ChecksumBad[d]++
		}
	}

	var seqLen uint32
	if s.syn {
		seqLen++
	}
	if s.fin {
		seqLen++
	}
	seqLen += uint32(s.payEnd - s.payStart + missing)
	c.react(d, s.seq, s.ack, s.ackFlag, s.syn, seqLen, t.UnixNano())
}

// react updates ConnStats.Reaction with a packet of direction d. A packet
// reacts to the other direction's latest new segment when it is the first
// to acknowledge it: it cannot have been sent before that segment reached
// its sender, wherever the capture was taken. Retransmissions are not
// reacted to (an acknowledgment may answer the first copy), and segments
// that an earlier acknowledgment already covered (reordered in the capture)
// are not either. A reaction to a SYN (the SYN-ACK) or to a SYN-ACK (the
// client's ACK) is also the direction's HandshakeReaction.
func (c *conn) react(d Dir, seq, ack uint32, hasAck, syn bool, seqLen uint32, t int64) {
	r, o := &c.reacts[d], &c.reacts[1-d]
	if hasAck {
		if o.last && seqLE(o.lastEnd, ack) && (!r.acked || seqLT(r.ackMax, o.lastEnd)) {
			if dt := time.Duration(t - o.lastTime); dt >= 0 {
				st := &c.st
				if st.Reactions[d] == 0 || dt < st.Reaction[d] {
					st.Reaction[d] = dt
				}
				st.Reactions[d]++
				if o.lastSYN && !st.HandshakeReacted[d] {
					st.HandshakeReaction[d], st.HandshakeReacted[d] = dt, true
				}
			}
			o.last = false
		}
		if !r.acked || seqLT(r.ackMax, ack) {
			r.ackMax, r.acked = ack, true
		}
	}
	if seqLen == 0 {
		return
	}
	end := seq + seqLen
	if !r.high || seqLT(r.highEnd, end) {
		r.highEnd, r.high = end, true
		r.lastEnd, r.lastTime, r.last, r.lastSYN = end, t, true, syn
	} else {
		r.last = false
	}
}

// seqLT reports whether sequence number a comes before b (RFC 9293 serial arithmetic).
func seqLT(a, b uint32) bool { return int32(a-b) < 0 }

// seqLE reports whether a comes before b or is b.
func seqLE(a, b uint32) bool { return int32(a-b) <= 0 }

// tcpChecksumOK verifies the TCP checksum of seg (header and payload) with
// the pseudo-header taken from the IP header at the start of ip.
func tcpChecksumOK(ip, seg []byte, v6 bool) bool {
	var s uint64
	if v6 {
		s = onesSum(ip[8:40], 0) // source and destination addresses
		s += uint64(len(seg)) + 6
	} else {
		s = onesSum(ip[12:20], 0)
		s += uint64(len(seg)) + 6
	}
	s = onesSum(seg, s)
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return s == 0xffff
}

// onesSum adds b as big-endian 16-bit words to s (RFC 1071); the caller folds.
func onesSum(b []byte, s uint64) uint64 {
	for len(b) >= 8 {
		s += uint64(binary.BigEndian.Uint16(b)) + uint64(binary.BigEndian.Uint16(b[2:])) +
			uint64(binary.BigEndian.Uint16(b[4:])) + uint64(binary.BigEndian.Uint16(b[6:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}
