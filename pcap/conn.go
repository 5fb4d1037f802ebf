package pcap

import (
	"net/netip"
	"slices"
	"time"
)

// connKey is a 4-tuple in canonical order: (a, ap) sorts before (b, bp).
// IPv4 addresses are stored IPv4-mapped.
type connKey struct {
	a, b   [16]byte
	ap, bp uint16
}

// makeKey returns the canonical key of a packet's 4-tuple and whether the
// packet's source is end a.
func makeKey(src, dst [16]byte, sp, dp uint16) (connKey, bool) {
	c := compare16(src, dst)
	if c < 0 || c == 0 && sp <= dp {
		return connKey{a: src, b: dst, ap: sp, bp: dp}, true
	}
	return connKey{a: dst, b: src, ap: dp, bp: sp}, false
}

func compare16(x, y [16]byte) int {
	for i := range x {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// conn is the reader's state of one tracked connection.
type conn struct {
	c         Conn
	st        ConnStats
	key       connKey
	clientIsA bool // the client is end a of key
	half      [2]half
	synISN    uint32
	synAckISN uint32
	synSeen   bool
	synAck    bool
	hsAck     bool
	finSeen   [2]bool
	rstSeen   [2]bool
	closed    bool
	ended     bool
	passing   bool          // a direction passed units over whole (bufs.passed, bufs.passing) since the Handler was last given anything
	reacts    [2]reactState // for ConnStats.Reaction (evidence.go)
	last      time.Time     // the capture's time (reader.now) at its last packet
	// list links
	prev, next *conn
	list       *connList
}

// connList is an intrusive doubly linked list, least recently active first.
type connList struct {
	head, tail *conn
	n          int
}

func (l *connList) remove(c *conn) {
	if c.list != l {
		return
	}
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		l.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	c.prev, c.next, c.list = nil, nil, nil
	l.n--
}

func (l *connList) pushBack(c *conn) {
	if c.list != nil {
		c.list.remove(c)
	}
	c.list = l
	c.prev = l.tail
	c.next = nil
	if l.tail != nil {
		l.tail.next = c
	} else {
		l.head = c
	}
	l.tail = c
	l.n++
}

func addrPort(a [16]byte, p uint16) netip.AddrPort {
	ad := netip.AddrFrom16(a)
	return netip.AddrPortFrom(ad.Unmap(), p)
}

// newConn starts tracking a connection. clientIsA says which end is the client.
func (rd *reader) newConn(k connKey, clientIsA bool, roles RoleSource, ci frameInfo) *conn {
	if len(rd.conns) >= rd.opts.MaxConns {
		rd.evict()
	}
	rd.info.Conns++
	if rd.sh != nil {
		rd.sh.created = append(rd.sh.created, ci.frame)
	}
	c := &conn{key: k, clientIsA: clientIsA}
	c.c.ID = rd.info.Conns
	if clientIsA {
		c.c.Client, c.c.Server = addrPort(k.a, k.ap), addrPort(k.b, k.bp)
	} else {
		c.c.Client, c.c.Server = addrPort(k.b, k.bp), addrPort(k.a, k.ap)
	}
	c.c.Roles = roles
	c.c.FirstFrame = ci.frame
	c.c.FirstTime = ci.t
	delete(rd.evictedKeys, k) // a new connection on the 4-tuple of an evicted one
	c.last = rd.now
	rd.conns[k] = c
	rd.open.pushBack(c)
	for d := range c.half {
		c.half[d].framer = rd.opts.Framer
		if rd.opts.ConnFramer != nil {
			if f := rd.opts.ConnFramer(&c.c, Dir(d)); f != nil {
				c.half[d].framer = f
			}
		}
	}
	return c
}

// evict ends the least recently active connection.
func (rd *reader) evict() {
	v := rd.open.head
	for _, l := range []*connList{&rd.closed, &rd.refused} {
		if h := l.head; h != nil && (v == nil || h.last.Before(v.last)) {
			v = h
		}
	}
	if v == nil {
		return
	}
	rd.info.ConnsEvicted++
	if !rd.evicted {
		rd.evicted = true
		max := rd.opts.MaxConns
		if rd.sh != nil {
			max = rd.sh.maxConns
		}
		rd.warn("more than " + itoa(max) + " connections were open at once; the least recently active were ended early")
	}
	if !v.closed {
		v.st.Evicted = true
		rd.rememberEvicted(v.key)
	}
	rd.endConn(v, frameInfo{frame: v.st.LastFrame, t: v.st.LastTime}, true)
}

// maxEvictedKeys bounds the evicted connections remembered so that their
// later packets are counted, not taken for new connections: the last this
// many, whatever MaxConns (about 100 bytes each, 6.5 MB at most). With a
// small MaxConns most evicted connections are still sending, so the ring
// must not be as small as the table it guards.
const maxEvictedKeys = 65536

// rememberEvicted records the 4-tuple of an open connection ended early, in
// a ring of at most maxEvictedKeys 4-tuples.
func (rd *reader) rememberEvicted(k connKey) {
	if rd.evictedKeys == nil {
		rd.evictedKeys = make(map[connKey]struct{})
	}
	if len(rd.evictedRing) < maxEvictedKeys {
		rd.evictedRing = append(rd.evictedRing, k)
		rd.evictedKeys[k] = struct{}{}
		return
	}
	if old := rd.evictedRing[rd.evictedNext]; old != (connKey{}) {
		delete(rd.evictedKeys, old)
	}
	rd.evictedKeys[k] = struct{}{}
	rd.evictedRing[rd.evictedNext] = k
	rd.evictedNext = (rd.evictedNext + 1) % len(rd.evictedRing)
}

// sweep ends the closed connections that have been quiet long enough (see
// closedList), and forgets the tombstones quiet for Options.QuietTime.
func (rd *reader) sweep() {
	rd.endPhase = endLinger
	for c := rd.closed.head; c != nil && rd.now.Sub(c.last) > rd.opts.Linger; c = rd.closed.head {
		rd.endConn(c, frameInfo{frame: c.st.LastFrame, t: c.st.LastTime}, true)
		rd.tombs.add(c, rd.opts.MaxConns)
	}
	rd.endPhase = endQuiet
	for c := rd.refused.head; c != nil && rd.now.Sub(c.last) > rd.opts.QuietTime; c = rd.refused.head {
		rd.endConn(c, frameInfo{frame: c.st.LastFrame, t: c.st.LastTime}, true)
	}
	rd.endPhase = endPacket
	rd.tombs.expire(rd.now, rd.opts.QuietTime)
}

// closedList is the list closed connection c waits in, least recently
// active first: closed once both ends sent bytes, as a closed exchange is
// over and is ended after Linger; refused otherwise, kept for QuietTime,
// because an attempt refused or reset before any byte may be followed by
// its own retransmitted SYN (a stack that retries the same ISN), which
// belongs to it.
func (rd *reader) closedList(c *conn) *connList {
	if c.exchanged() {
		return &rd.closed
	}
	return &rd.refused
}

// exchanged reports whether both ends of c sent payload bytes.
func (c *conn) exchanged() bool { return c.st.Bytes[0] > 0 && c.st.Bytes[1] > 0 }

// endConn flushes a connection, calls End and forgets it.
func (rd *reader) endConn(c *conn, fi frameInfo, drop bool) {
	if c.ended {
		return
	}
	c.ended = true
	// what the budget was charged with for this connection, given back below
	charged := c.half[0].buffered() + c.half[1].buffered()
	for d := range c.half {
		rd.flush(c, Dir(d), fi)
	}
	rd.opts.Budget.Charge(-charged)
	rd.tellPassed(c)
	for d := range c.half {
		h := &c.half[d]
		if h.bufs != nil {
			c.st.Pending[d] = uint64(len(h.unit) + len(h.pend))
			h.release()
			rd.freeBufs.put(h.bufs)
			h.bufs = nil
		}
	}
	if c.list != nil {
		c.list.remove(c)
	}
	if drop && rd.conns[c.key] == c {
		delete(rd.conns, c.key)
	}
	rd.h.End(&c.c, &c.st)
	// An ended connection frames nothing more: let go of the Framers,
	// which may hold what the Handler keeps of it (the analyzer's whole
	// state of the connection), while c itself is still referenced.
	c.half[0].framer, c.half[1].framer = nil, nil
}

// finish ends all remaining connections in Conn.ID order and writes the
// end-of-file warnings.
func (rd *reader) finish() {
	rest := make([]*conn, 0, len(rd.conns))
	for _, c := range rd.conns {
		rest = append(rest, c)
	}
	slices.SortFunc(rest, func(x, y *conn) int {
		switch {
		case x.c.ID < y.c.ID:
			return -1
		case x.c.ID > y.c.ID:
			return 1
		}
		return 0
	})
	rd.endPhase = endEOF
	// Each connection is let go of as soon as it is ended: at the end of
	// a flood 50,000 may be left, and holding them all until the last
	// is ended costs their state twice over.
	for i, c := range rest {
		rest[i] = nil
		rd.endConn(c, frameInfo{frame: c.st.LastFrame, t: c.st.LastTime}, true)
	}
	if rd.frags > 0 {
		rd.info.Warnings = append(rd.info.Warnings, itoa(int(rd.frags))+" IP fragments were counted but not reassembled")
	}
	if n := rd.info.EmptyRecords; n == 1 {
		rd.warn("1 record holds no captured byte (captured length 0): it is counted as a frame, not analysed")
	} else if n > 1 {
		rd.warn(itoa(int(n)) + " records hold no captured byte (captured length 0): they are counted as frames, not analysed")
	}
}
