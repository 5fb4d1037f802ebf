package pcap

import (
	"github.com/gopacket/gopacket"
)

// tcpPacket handles a decoded TCP segment (the decoder's layers are set).
func (rd *reader) tcpPacket(data []byte, ci *gopacket.CaptureInfo, v6 bool) {
	tcp := &rd.dec.tcp.TCP
	sp, dp := uint16(tcp.SrcPort), uint16(tcp.DstPort)
	if !rd.opts.AnyPort && !rd.isWatched(sp) && !rd.isWatched(dp) {
		rd.info.OtherPackets++
		return
	}
	rd.info.TCPPackets++
	src, dst, ipEnd := rd.addresses(data, v6)
	payload := tcp.Payload
	missing := 0
	if ci.CaptureLength < ci.Length {
		base := cap(data)
		want := ipEnd - (base - cap(payload))
		if want > len(payload) {
			missing = min(want-len(payload), ci.Length-ci.CaptureLength)
		}
	}
	fi := frameInfo{rd.frame, ci.Timestamp}
	k, srcIsA := makeKey(src, dst, sp, dp)
	c := rd.connFor(k, srcIsA, fi)
	if c == nil {
		return
	}
	d := dirOf(c, srcIsA)
	h := &c.half[d]
	st := &c.st
	st.Packets[d]++
	rd.evidence(c, d, data, v6, ipEnd, missing, fi.t)
	st.LastFrame, st.LastTime = fi.frame, fi.t
	c.last = fi.t
	if c.closed {
		rd.closedList(c).pushBack(c)
	} else {
		rd.open.pushBack(c)
	}
	if missing > 0 {
		st.CutSegments[d]++
		rd.event(c, EventCut, d, fi, tcp.Seq, len(payload), uint64(missing), "")
	}
	seq := rd.synFlags(c, d, fi)
	if tcp.RST {
		if !c.rstSeen[d] {
			c.rstSeen[d] = true
			rd.event(c, EventRST, d, fi, tcp.Seq, len(payload), 0, "")
		}
		rd.close(c)
		return
	}
	if !h.state.known() {
		// the direction began before the capture: find the first unit boundary
		h.start(seq)
		h.state, h.afterGap = resyncing, true
	}
	if tcp.ACK && !tcp.SYN && d == ClientToServer && c.synAck && !c.hsAck && tcp.Ack == c.synAckISN+1 {
		c.hsAck = true
		rd.event(c, EventHandshakeACK, d, fi, tcp.Seq, len(payload), 0, "")
	}
	before := h.buffered()
	rd.data(c, d, seq, payload, missing, tcp.FIN, fi)
	if rd.opts.Budget.Charge(h.buffered() - before) {
		rd.overBudget(c, d, fi)
	}
	if h.bufs != nil && h.idle() {
		// Most segments leave nothing behind: keep no buffers, and give
		// them to the next segment that needs some.
		rd.freeBufs.put(h.bufs)
		h.bufs = nil
	}
	if tcp.FIN && !c.finSeen[d] {
		c.finSeen[d] = true
		rd.event(c, EventFIN, d, fi, tcp.Seq, len(payload), 0, "")
		if c.finSeen[1-d] {
			rd.close(c)
		}
	}
	// An ACK from the server before its SYN-ACK belongs to something else
	// (a stale connection): it says nothing about what the client sent.
	if tcp.ACK && !(c.synSeen && !c.synAck) {
		rd.ackHint(c, 1-d, tcp.Ack, fi)
	}
}

// addresses returns the segment's source and destination as 16-byte
// (IPv4-mapped) addresses, and the offset in data where its IP packet ends.
func (rd *reader) addresses(data []byte, v6 bool) (src, dst [16]byte, ipEnd int) {
	dec := rd.dec
	base := cap(data)
	if v6 {
		copy(src[:], dec.ip6.SrcIP)
		copy(dst[:], dec.ip6.DstIP)
		ipStart := base - cap(dec.ip6.Contents)
		if dec.ip6.Length == 0 {
			ipEnd = len(data)
		} else {
			ipEnd = ipStart + 40 + int(dec.ip6.Length)
		}
		return src, dst, ipEnd
	}
	src[10], src[11], dst[10], dst[11] = 0xff, 0xff, 0xff, 0xff
	copy(src[12:], dec.ip4.SrcIP)
	copy(dst[12:], dec.ip4.DstIP)
	ipEnd = base - cap(dec.ip4.Contents) + int(dec.ip4.Length)
	return src, dst, ipEnd
}

// connFor returns the connection of the current segment on 4-tuple k,
// ending the one there when a new SYN reuses it and starting one when
// there is none, or nil when the segment belongs to a connection that
// MaxConns ended early.
func (rd *reader) connFor(k connKey, srcIsA bool, fi frameInfo) *conn {
	tcp := &rd.dec.tcp.TCP
	c := rd.conns[k]
	syn := tcp.SYN && !tcp.ACK
	synAck := tcp.SYN && tcp.ACK
	if c != nil && syn {
		client := srcIsA == c.clientIsA
		if !(c.synSeen && client && tcp.Seq == c.synISN) {
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
	if rd.tombs.late(k, srcIsA, syn, tcp.Seq, rd.now, rd.opts.QuietTime) {
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
		switch wa, wb := rd.isWatched(k.ap), rd.isWatched(k.bp); {
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
		rd.event(c, EventMidstream, dirOf(c, srcIsA), fi, tcp.Seq, len(tcp.Payload), 0, "")
	}
	return c
}

// synFlags handles the SYN or SYN-ACK flag of the current segment of
// direction d, and returns the sequence number of its first payload byte.
func (rd *reader) synFlags(c *conn, d Dir, fi frameInfo) uint32 {
	tcp := &rd.dec.tcp.TCP
	h := &c.half[d]
	st := &c.st
	payload := tcp.Payload
	seq := tcp.Seq
	switch {
	case tcp.SYN && !tcp.ACK:
		if c.synSeen {
			rd.event(c, EventSYNRetransmit, d, fi, tcp.Seq, len(payload), 0, "")
		} else {
			c.synSeen, c.synISN = true, tcp.Seq
			c.c.ClientISN, c.c.ISNKnown = tcp.Seq, true
			h.start(tcp.Seq + 1)
			rd.event(c, EventSYN, d, fi, tcp.Seq, len(payload), 0, "")
		}
		seq++
	case tcp.SYN && tcp.ACK:
		if c.synAck && tcp.Seq == c.synAckISN {
			st.Retransmits[d]++
			rd.event(c, EventRetransmission, d, fi, tcp.Seq, len(payload), 0, "")
		} else if !c.synAck {
			c.synAck, c.synAckISN = true, tcp.Seq
			c.c.ServerISN = tcp.Seq
			if !c.c.ISNKnown {
				c.c.ClientISN, c.c.ISNKnown = tcp.Ack-1, true
			}
			// A stray segment from the server before its SYN-ACK (a stale
			// ACK of an earlier connection, answered by the client's RST)
			// does not fix where the server's bytes start: the SYN-ACK does.
			if !h.state.known() || h.untouched() {
				h.start(tcp.Seq + 1)
			}
			if o := &c.half[1-d]; !o.state.known() {
				o.start(tcp.Ack)
			}
			rd.event(c, EventSYNACK, d, fi, tcp.Seq, len(payload), 0, "")
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
