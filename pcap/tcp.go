package pcap

import (
	"github.com/gopacket/gopacket"
)

// tcpPacket handles the TCP segment s decoded from data, the bytes of the
// current record: a segment on a tracked port (source.tracked counts the
// others with the packets not analysed).
func (rd *reader) tcpPacket(data []byte, ci *gopacket.CaptureInfo, s *segment) {
	rd.info.TCPPackets++
	payload := s.payload(data)
	missing := 0
	if ci.CaptureLength < ci.Length {
		want := s.ipEnd - s.payStart
		if want > len(payload) {
			missing = min(want-len(payload), ci.Length-ci.CaptureLength)
		}
	}
	fi := frameInfo{rd.frame, ci.Timestamp}
	k, srcIsA := makeKey(s.src, s.dst, s.sp, s.dp)
	c := rd.connFor(k, srcIsA, s, fi)
	if c == nil {
		return
	}
	d := dirOf(c, srcIsA)
	h := &c.half[d]
	st := &c.st
	st.Packets[d]++
	rd.evidence(c, d, data, s, missing, fi.t)
	st.LastFrame, st.LastTime = fi.frame, fi.t
	c.last = rd.now
	if c.closed {
		rd.closedList(c).pushBack(c)
	} else {
		rd.open.pushBack(c)
	}
	if missing > 0 {
		st.CutSegments[d]++
		rd.event(c, EventCut, d, fi, s.seq, len(payload), uint64(missing), "")
	}
	seq := rd.synFlags(c, d, s, fi)
	if s.rst {
		if !c.rstSeen[d] {
			c.rstSeen[d] = true
			rd.event(c, EventRST, d, fi, s.seq, len(payload), 0, "")
		}
		rd.close(c)
		return
	}
	if !h.state.known() {
		// the direction began before the capture: find the first unit boundary
		h.start(seq)
		h.state, h.afterGap = resyncing, true
	}
	if s.ackFlag && !s.syn && d == ClientToServer && c.synAck && !c.hsAck && s.ack == c.synAckISN+1 {
		c.hsAck = true
		rd.event(c, EventHandshakeACK, d, fi, s.seq, len(payload), 0, "")
	}
	before := h.buffered()
	rd.data(c, d, seq, payload, s, missing, s.fin, fi)
	if rd.opts.Budget.Charge(h.buffered() - before) {
		rd.overBudget(c, d, fi)
	}
	if h.bufs != nil && h.idle() {
		// Most segments leave nothing behind: keep no buffers, and give
		// them to the next segment that needs some.
		rd.freeBufs.put(h.bufs)
		h.bufs = nil
	}
	if s.fin && !c.finSeen[d] {
		c.finSeen[d] = true
		rd.event(c, EventFIN, d, fi, s.seq, len(payload), 0, "")
		if c.finSeen[1-d] {
			rd.close(c)
		}
	}
	// An ACK from the server before its SYN-ACK belongs to something else
	// (a stale connection): it says nothing about what the client sent.
	if s.ackFlag && !(c.synSeen && !c.synAck) {
		rd.ackHint(c, 1-d, s.ack, fi)
	}
}

// connFor returns the connection of the current segment on 4-tuple k,
// ending the one there when a new SYN reuses it and starting one when
// there is none, or nil when the segment belongs to a connection that
// MaxConns ended early.
func (rd *reader) connFor(k connKey, srcIsA bool, s *segment, fi frameInfo) *conn {
	c := rd.conns[k]
	syn := s.syn && !s.ackFlag
	synAck := s.syn && s.ackFlag
	if c != nil && syn {
		client := srcIsA == c.clientIsA
		if !(c.synSeen && client && s.seq == c.synISN) {
			// a new connection on a reused 4-tuple
			rd.endConn(c, fi, true)
			c = nil
		} else if c.closed {
			// the client tries its SYN again after a reset: the
			// connection is open again, and ends at its next close
			c.closed = false
		}
	}
	if c != nil {
		return c
	}
	if rd.tombs.late(k, srcIsA, syn, s.seq, rd.now, rd.opts.QuietTime) {
		rd.info.LatePackets++
		return nil
	}
	if !syn {
		if _, ok := rd.evictedKeys[k]; ok {
			// the rest of a connection MaxConns ended early (its SYN-ACK
			// too, when the SYN was all it had sent): counted, and not a
			// new attempt; only a SYN starts one on its 4-tuple
			rd.info.EvictedPackets++
			return nil
		}
	}
	switch {
	case syn:
		c = rd.newConn(k, srcIsA, RoleFromSYN, fi)
	case synAck:
		c = rd.newConn(k, !srcIsA, RoleFromSYN, fi)
	default:
		roles := RoleFromPort
		var serverIsA bool
		switch wa, wb := rd.watched.has(k.ap), rd.watched.has(k.bp); {
		case wa && !wb:
			serverIsA = true
		case wb && !wa:
			serverIsA = false
		default:
			roles = RoleGuessed
			if k.ap != k.bp {
				serverIsA = k.ap < k.bp
			} else {
				serverIsA = !srcIsA // the destination is the server
			}
		}
		c = rd.newConn(k, !serverIsA, roles, fi)
	}
	if !syn {
		rd.event(c, EventMidstream, dirOf(c, srcIsA), fi, s.seq, s.payEnd-s.payStart, 0, "")
	}
	return c
}

// synFlags handles the SYN or SYN-ACK flag of the current segment of
// direction d, and returns the sequence number of its first payload byte.
func (rd *reader) synFlags(c *conn, d Dir, s *segment, fi frameInfo) uint32 {
	h := &c.half[d]
	st := &c.st
	n := s.payEnd - s.payStart
	seq := s.seq
	switch {
	case s.syn && !s.ackFlag:
		if c.synSeen {
			rd.event(c, EventSYNRetransmit, d, fi, s.seq, n, 0, "")
		} else {
			c.synSeen, c.synISN = true, s.seq
			c.c.ClientISN, c.c.ISNKnown = s.seq, true
			h.start(s.seq + 1)
			rd.event(c, EventSYN, d, fi, s.seq, n, 0, "")
		}
		seq++
	case s.syn && s.ackFlag:
		if c.synAck && s.seq == c.synAckISN {
			st.Retransmits[d]++
			rd.event(c, EventRetransmission, d, fi, s.seq, n, 0, "")
		} else if !c.synAck {
			c.synAck, c.synAckISN = true, s.seq
			c.c.ServerISN = s.seq
			if !c.c.ISNKnown {
				c.c.ClientISN, c.c.ISNKnown = s.ack-1, true
			}
			// A stray segment from the server before its SYN-ACK (a stale
			// ACK of an earlier connection, answered by the client's RST)
			// does not fix where the server's bytes start: the SYN-ACK does.
			if !h.state.known() || h.untouched() {
				h.start(s.seq + 1)
			}
			if o := &c.half[1-d]; !o.state.known() {
				o.start(s.ack)
			}
			rd.event(c, EventSYNACK, d, fi, s.seq, n, 0, "")
		}
		seq++
	}
	return seq
}

func dirOf(c *conn, srcIsA bool) Dir {
	if srcIsA == c.clientIsA {
		return ClientToServer
	}
	return ServerToClient
}

// close marks a connection closed: it is ended after Linger without packets.
func (rd *reader) close(c *conn) {
	if !c.closed {
		c.closed = true
		rd.closedList(c).pushBack(c)
	}
}
