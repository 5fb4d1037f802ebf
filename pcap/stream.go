package pcap

import (
	"bytes"
	"hash/crc32"
	"slices"
	"sort"
	"time"
)

// frameInfo is the frame number and capture time of a packet.
type frameInfo struct {
	frame uint64
	t     time.Time
}

// mark records which frame carried the byte at a stream offset, and the
// packet that brought it in order (the same one, unless it was held).
type mark struct {
	off   uint64
	frame uint64
	fed   frameInfo
}

// heldSeg is an out-of-order piece of a direction: bytes, or a known gap
// (bytes cut by the snaplen) when data is nil and gap > 0.
type heldSeg struct {
	off   uint64
	data  []byte
	gap   uint64
	frame uint64
	t     time.Time
}

func (e *heldSeg) end() uint64 { return e.off + uint64(len(e.data)) + e.gap }

// half is one direction of a connection.
type half struct {
	framer   Framer   // Options.ConnFramer's, or Options.Framer
	state    dirState // where the direction is in its life
	next     uint32   // next expected sequence number (when state.known())
	off      uint64   // stream offset of next (when state.known())
	afterGap bool     // the next unit delivered is the first after a gap
	fin      finState // whether a FIN was seen, and passed
	finOff   uint64   // stream offset of the FIN (unless fin is noFIN)

	// The buffers, made when the direction first carries a byte and freed
	// when it is released: a connection that never carries data (a SYN
	// flood) does not pay for them.
	*bufs

	// acked is the stream offset up to which the peer has acknowledged this
	// direction (valid when ackKnown). Bytes below it that the capture does
	// not have were sent: a hole there is the capture's loss, not a segment
	// still on its way.
	acked    uint64
	ackKnown bool
	ackFrame frameInfo

	// recent are the last segments delivered in order, to tell a
	// retransmission from a conflicting copy of the same bytes.
	recent [2]segSum
}

// dirState is where a direction is in its life. A direction starts
// unknown, becomes inSync at its SYN (or resyncing when its first segment
// is not one: it began before the capture), goes from inSync to resyncing
// when a gap hides a unit boundary and back when syncPend finds one, and
// ends stopped when the Handler or the Budget says so; a stopped direction
// only counts its bytes.
type dirState uint8

const (
	unknown   dirState = iota // no sequence number yet: next and off are not valid
	inSync                    // units are cut where the Framer says
	resyncing                 // after a gap: the next unit must start at a segment start the Framer accepts
	stopped                   // Data returned false, or the Budget was exceeded
)

// known reports whether the direction's next and off are valid.
func (s dirState) known() bool { return s != unknown }

// resyncing reports whether the direction looks for a unit boundary.
func (s dirState) resyncing() bool { return s == resyncing }

// stopped reports whether the direction's bytes are only counted.
func (s dirState) stopped() bool { return s == stopped }

// finState is what a direction knows of its FIN.
type finState uint8

const (
	noFIN     finState = iota // no FIN seen
	finAhead                  // a FIN was seen at finOff, not reached yet
	finPassed                 // the FIN's sequence number was consumed
)

// bufs is what a direction buffers: the unit being filled, bytes the Framer
// has not decided on, held out-of-order pieces, and after a stop the ranges
// seen beyond the next expected byte.
type bufs struct {
	unit      []byte // the unit being filled, nil if none
	unitNeed  int
	unitOff   uint64
	unitFirst uint64
	unitHoles []Range // ranges of unit the capture does not have (zero-filled)

	pend    []byte // bytes the Framer has not decided on yet
	pendOff uint64
	marks   []mark // segment starts within pend

	skip uint64 // bytes still to skip of a unit larger than MaxBuffer

	held      []heldSeg // sorted by off, not overlapping
	heldBytes int       // data bytes held, plus heldOverhead per piece

	seen []span // after a stop: byte ranges seen beyond off, sorted, not overlapping

	syncSkipped uint64 // bytes skipped so far while looking for a unit boundary

	passed Passed // units passed over whole, not yet told (Options.Passed)
	// Options.PassAgain's prev: the head of the unit HeadOnly last passed
	// over whole, while no unit or event was given since (passing).
	passHead    [8]byte
	passHeadLen uint8
	passing     bool
}

// segSum identifies the bytes of a delivered segment: where, how many, a
// checksum, and the frame that carried them.
type segSum struct {
	off   uint64
	n     uint32
	sum   uint32
	frame uint64
}

// remember records a segment of n bytes whose CRC-32 is sum, delivered in
// order.
func (h *half) remember(off uint64, n int, sum uint32, frame uint64) {
	h.recent[1] = h.recent[0]
	h.recent[0] = segSum{off: off, n: uint32(n), sum: sum, frame: frame}
}

// conflict returns the frame of a delivered segment with exactly the offset
// and length of b, whose CRC-32 is sum, but other bytes, or 0.
func (h *half) conflict(off uint64, b []byte, sum func() uint32) uint64 {
	for _, r := range h.recent {
		if r.frame != 0 && r.off == off && r.n == uint32(len(b)) && r.sum != sum() {
			return r.frame
		}
	}
	return 0
}

// payloadSum returns the CRC-32 of payload, the whole payload of segment s
// when whole: the one worked out ahead if there is one.
func payloadSum(s *segment, payload []byte, whole bool) uint32 {
	if whole && s.summed {
		return s.sum
	}
	return crc32.ChecksumIEEE(payload)
}

// span is a range [s, e) of stream offsets.
type span struct{ s, e uint64 }

// maxSeen caps the ranges a stopped direction remembers; beyond it, counts
// of out-of-order bytes are approximate.
const maxSeen = 64

// countOnly records that [o, end) was seen by a stopped direction and
// returns how many of its bytes are new.
func (h *half) countOnly(o, end uint64) uint64 {
	if end <= h.off {
		return 0
	}
	o = max(o, h.off)
	n := end - o
	if o == h.off && len(h.seen) == 0 {
		// in order, nothing seen beyond: the usual case
		h.advanceNoFin(n)
		h.finCheck()
		return n
	}
	// subtract what the remembered ranges cover, and merge
	merged := span{o, end}
	out := h.seen[:0]
	var keep []span
	for _, x := range h.seen {
		if x.e < merged.s || x.s > merged.e {
			keep = append(keep, x)
			continue
		}
		if c := min(x.e, end) - max(x.s, o); min(x.e, end) > max(x.s, o) {
			n -= c
		}
		merged = span{min(merged.s, x.s), max(merged.e, x.e)}
	}
	out = append(out, keep...)
	i := 0
	for i < len(out) && out[i].s < merged.s {
		i++
	}
	h.seen = slices.Insert(out, i, merged)
	// advance over ranges that now touch off
	k := 0
	for k < len(h.seen) && h.seen[k].s <= h.off {
		if h.seen[k].e > h.off {
			h.advanceNoFin(h.seen[k].e - h.off)
		}
		k++
	}
	h.seen = h.seen[:copy(h.seen, h.seen[k:])]
	h.finCheck()
	if len(h.seen) > maxSeen {
		h.seen = h.seen[:copy(h.seen, h.seen[len(h.seen)-maxSeen:])]
	}
	return n
}

// start makes the direction known with its next sequence number.
// untouched reports whether no payload byte of this direction has been
// delivered, held or buffered yet.
func (h *half) untouched() bool {
	return h.off == 0 && !h.state.stopped() && (h.bufs == nil || h.unit == nil && len(h.pend) == 0 && len(h.held) == 0 && h.skip == 0)
}

// idle reports whether the direction's buffers hold nothing, so that they
// can be given back until the next byte needs them.
func (h *half) idle() bool {
	b := h.bufs
	return b.unit == nil && len(b.pend) == 0 && len(b.held) == 0 && b.skip == 0 && len(b.seen) == 0 && b.syncSkipped == 0 && b.passed.Units == 0 && !h.state.resyncing()
}

// ensure makes the direction's buffers.
func (rd *reader) ensure(h *half) {
	if h.bufs == nil {
		h.bufs = rd.freeBufs.get()
	}
}

// bufsPool keeps the bufs of ended connections for new ones: on a
// capture of short connections each would cost an allocation otherwise.
type bufsPool struct{ free []*bufs }

// maxPooledBufs bounds a bufsPool.
const maxPooledBufs = 256

// get returns empty bufs.
func (p *bufsPool) get() *bufs {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		return b
	}
	return &bufs{}
}

// put gives back b, released, keeping its small pend and marks arrays.
func (p *bufsPool) put(b *bufs) {
	if len(p.free) >= maxPooledBufs {
		return
	}
	pend, marks := b.pend[:0], b.marks[:0]
	if cap(pend) > 4<<10 {
		pend = nil
	}
	if cap(marks) > 64 {
		marks = nil
	}
	*b = bufs{pend: pend, marks: marks}
	p.free = append(p.free, b)
}

func (h *half) start(next uint32) {
	h.state = inSync
	h.next = next
	h.off = 0
	h.afterGap = false
}

// advance moves the next expected byte n bytes on, past a FIN if it is reached.
func (h *half) advance(n uint64) {
	h.off += n
	h.next += uint32(n)
	if h.atFIN() {
		h.fin = finPassed
		h.off++
		h.next++
	}
}

// frameAt returns the frame that carried pend's byte at offset o.
func (h *half) frameAt(o uint64) uint64 {
	f := uint64(0)
	for _, m := range h.marks {
		if m.off > o {
			break
		}
		f = m.frame
	}
	return f
}

// fedAt returns the packet that brought pend's byte at offset o in order:
// the frame and time at which a unit ending there was complete, even when
// it is delivered later (a resynchronisation waits for the unit after it).
func (h *half) fedAt(o uint64, fi frameInfo) frameInfo {
	for i := len(h.marks) - 1; i >= 0; i-- {
		if h.marks[i].off <= o {
			if h.marks[i].fed.frame != 0 {
				return h.marks[i].fed
			}
			break
		}
	}
	return fi
}

// consumePend drops the first k bytes of pend. pend may have been emptied
// meanwhile (the Handler stopped the direction while a unit was delivered:
// found by FuzzAnalyze); then there is nothing left to drop.
func (h *half) consumePend(k int) {
	k = min(k, len(h.pend))
	n := copy(h.pend, h.pend[k:])
	h.pend = h.pend[:n]
	h.pendOff += uint64(k)
	if n == 0 {
		h.marks = h.marks[:0]
		return
	}
	// keep the last mark at or before pendOff and all after it
	i := 0
	for i+1 < len(h.marks) && h.marks[i+1].off <= h.pendOff {
		i++
	}
	if i > 0 {
		h.marks = h.marks[:copy(h.marks, h.marks[i:])]
	}
}

// buffered is the number of bytes the direction holds.
func (h *half) buffered() int {
	if h.bufs == nil {
		return 0
	}
	return len(h.unit) + len(h.pend) + h.heldBytes
}

// dropPartial discards the incomplete unit and undecided bytes, returning how many.
func (h *half) dropPartial() int {
	n := len(h.unit) + len(h.pend)
	h.unit, h.unitHoles = nil, nil
	h.pend = h.pend[:0]
	h.marks = h.marks[:0]
	h.skip = 0
	return n
}

// release frees the buffers of a finished or stopped direction.
func (h *half) release() {
	if h.bufs == nil {
		return
	}
	h.unit, h.unitHoles, h.pend, h.marks, h.held = nil, nil, nil, nil, nil
	h.heldBytes = 0
}

// heldOverhead is what a held piece costs beyond its data bytes, counted
// toward MaxBuffer so that many tiny (or empty, snaplen-cut) pieces are
// bounded as well as a few large ones.
const heldOverhead = 64

// hold inserts an out-of-order piece: data at off followed by gap missing
// bytes. Bytes already held win (first bytes win, as in Wireshark). It returns
// how many new data bytes were held and, when an overlap had different
// content, the offset where and the frame whose copy is kept (0: none).
func (h *half) hold(off uint64, data []byte, gap uint64, fi frameInfo) (int, uint64, uint64) {
	var diffAt, kept uint64
	added := 0
	add := func(o uint64, b []byte, g uint64) {
		e := heldSeg{off: o, gap: g, frame: fi.frame, t: fi.t}
		if len(b) > 0 {
			e.data = bytes.Clone(b)
			added += len(b)
		}
		h.heldBytes += len(b) + heldOverhead
		i, _ := slices.BinarySearchFunc(h.held, o, func(x heldSeg, t uint64) int {
			switch {
			case x.off < t:
				return -1
			case x.off > t:
				return 1
			}
			return 0
		})
		h.held = slices.Insert(h.held, i, e)
	}
	// piece covers [s, s+len(b)+g) where the first len(b) bytes are data.
	piece := func(s, e uint64) {
		dEnd := off + uint64(len(data))
		if s < dEnd {
			de := min(e, dEnd)
			add(s, data[s-off:de-off], 0)
			s = de
		}
		if s < e {
			add(s, nil, e-s)
		}
	}
	cur, end := off, off+uint64(len(data))+gap
	// collect the covering entries first: add changes h.held
	var gaps [8]span
	free := gaps[:0]
	// the pieces end in order too: start at the first one ending after cur
	first := sort.Search(len(h.held), func(i int) bool { return h.held[i].end() > cur })
	for i := first; i < len(h.held); i++ {
		x := &h.held[i]
		if x.end() <= cur {
			continue
		}
		if x.off >= end {
			break
		}
		if x.off > cur {
			free = append(free, span{cur, x.off})
		}
		// compare the overlapping data bytes
		s, e := max(cur, x.off), min(end, x.end())
		dEnd := off + uint64(len(data))
		xdEnd := x.off + uint64(len(x.data))
		cs, ce := s, min(e, dEnd, xdEnd)
		if cs < ce && kept == 0 && !bytes.Equal(data[cs-off:ce-off], x.data[cs-x.off:ce-x.off]) {
			a, b := data[cs-off:ce-off], x.data[cs-x.off:ce-x.off]
			i := 0
			for a[i] == b[i] {
				i++
			}
			diffAt, kept = cs+uint64(i), x.frame
		}
		cur = max(cur, x.end())
	}
	if cur < end {
		free = append(free, span{cur, end})
	}
	for _, f := range free {
		piece(f.s, f.e)
	}
	return added, diffAt, kept
}

// data handles the payload of one segment of direction d, s: seq is the
// sequence number of its first payload byte, missing the bytes the snaplen cut.
func (rd *reader) data(c *conn, d Dir, seq uint32, payload []byte, s *segment, missing int, fin bool, fi frameInfo) {
	h := &c.half[d]
	st := &c.st
	if len(payload) > 0 || missing > 0 {
		rd.ensure(h)
	}
	o := int64(h.off) + int64(int32(seq-h.next))
	end := o + int64(len(payload)) + int64(missing)
	if fin && h.fin == noFIN && end >= 0 {
		h.fin = finAhead
		h.finOff = uint64(end)
	}
	if len(payload) == 0 && missing == 0 {
		if h.atFIN() {
			h.advance(0)
		}
		return
	}
	cur := int64(h.off)
	if end <= cur {
		if len(payload) > 0 {
			st.Retransmits[d]++
			rd.event(c, EventRetransmission, d, fi, seq, len(payload), 0, "")
			if o >= 0 && missing == 0 {
				if kept := h.conflict(uint64(o), payload, func() uint32 { return payloadSum(s, payload, true) }); kept != 0 {
					rd.overlapEvent(c, d, fi, seq, len(payload), uint64(o), kept)
				}
			}
		}
		return
	}
	whole := true
	if o < cur { // partly old: keep the new bytes
		whole = false
		k := cur - o
		if k >= int64(len(payload)) {
			missing -= int(k - int64(len(payload)))
			payload = nil
		} else {
			payload = payload[k:]
		}
		o = cur
	}
	if h.state.stopped() {
		n := h.countOnly(uint64(o), uint64(end))
		st.Bytes[d] += n
		st.Undelivered[d] += n
		return
	}
	if o > cur || len(h.held) > 0 {
		if o > cur {
			st.OutOfOrder[d]++
			rd.event(c, EventOutOfOrder, d, fi, seq, len(payload), 0, "")
		}
		n, diffAt, kept := h.hold(uint64(o), payload, uint64(missing), fi)
		st.Bytes[d] += uint64(n)
		if kept != 0 {
			rd.overlapEvent(c, d, fi, seq, len(payload), diffAt, kept)
		}
		rd.drain(c, d, fi)
		rd.checkCap(c, d, fi)
		return
	}
	st.Bytes[d] += uint64(len(payload))
	start := h.off
	h.advanceNoFin(uint64(len(payload)))
	h.remember(start, len(payload), payloadSum(s, payload, whole), fi.frame)
	rd.feed(c, d, payload, start, fi.frame, fi)
	h.finCheck()
	if missing > 0 {
		rd.gap(c, d, uint64(missing), fi, "")
	}
	rd.checkCap(c, d, fi)
}

// advanceNoFin moves on without consuming a FIN; finCheck does that later.
func (h *half) advanceNoFin(n uint64) {
	h.off += n
	h.next += uint32(n)
}

// finCheck consumes the FIN if the direction has reached it.
func (h *half) finCheck() {
	if h.atFIN() {
		h.advance(0)
	}
}

// atFIN reports whether the next expected byte is the FIN's.
func (h *half) atFIN() bool { return h.fin == finAhead && h.off == h.finOff }

// drain delivers held pieces that are now in order.
func (rd *reader) drain(c *conn, d Dir, fi frameInfo) {
	h := &c.half[d]
	for len(h.held) > 0 && !h.state.stopped() {
		e := h.held[0]
		if e.off > h.off {
			break
		}
		h.held[0] = heldSeg{}
		h.held = h.held[1:]
		h.heldBytes -= len(e.data) + heldOverhead
		if e.end() <= h.off {
			continue
		}
		cf := fi
		if e.frame > cf.frame {
			cf = frameInfo{e.frame, e.t}
		}
		if e.data == nil {
			rd.gap(c, d, e.end()-h.off, cf, "")
			continue
		}
		b := e.data[h.off-e.off:]
		start := h.off
		h.advanceNoFin(uint64(len(b)))
		h.remember(start, len(b), crc32.ChecksumIEEE(b), e.frame)
		rd.feed(c, d, b, start, e.frame, cf)
		h.finCheck()
		if e.gap > 0 {
			rd.gap(c, d, e.gap, cf, "")
		}
	}
	if len(h.held) == 0 {
		h.held = h.held[:0:0]
	}
	if h.state.stopped() {
		rd.stopHeld(c, d)
	}
}

// gap reports n bytes of direction d that the capture does not have and
// moves past them.
func (rd *reader) gap(c *conn, d Dir, n uint64, fi frameInfo, detail string) {
	h := &c.half[d]
	c.st.Gaps[d]++
	rd.event(c, EventGap, d, fi, h.next, 0, n, detail)
	rd.lose(c, d, n, fi)
}

// lose moves direction d past n missing bytes. Bytes that fall inside the
// unit being filled stay in it as a zero-filled hole, and the unit is
// delivered with Missing once its remaining bytes arrive, so that a hole
// costs one unit only and framing carries on at the next boundary. A hole
// that reaches past the unit, or one that hides the start of the next unit,
// loses the framing: the reader then resynchronises (see syncPend).
func (rd *reader) lose(c *conn, d Dir, n uint64, fi frameInfo) {
	h := &c.half[d]
	for n > 0 && !h.state.stopped() {
		switch {
		case h.skip > 0:
			k := min(h.skip, n)
			h.skip -= k
			n -= k
			h.advance(k)
		case h.unit != nil:
			k := min(uint64(h.unitNeed-len(h.unit)), n)
			h.unitHoles = append(h.unitHoles, Range{len(h.unit), len(h.unit) + int(k)})
			h.unit = append(h.unit, make([]byte, k)...)
			n -= k
			h.advance(k)
			if len(h.unit) == h.unitNeed {
				u, holes := h.unit, h.unitHoles
				h.unit, h.unitHoles = nil, nil
				rd.deliver(c, d, u, false, h.unitOff, h.unitFirst, fi, holes)
				rd.units.put(u)
			}
		default:
			// The next unit boundary is in the hole: framing is lost.
			c.st.Skipped[d] += uint64(len(h.pend))
			h.pend = h.pend[:0]
			h.marks = h.marks[:0]
			h.advance(n)
			n = 0
			h.state, h.afterGap = resyncing, true
		}
	}
	if n > 0 { // stopped meanwhile
		h.advance(n)
	}
}

// ackHint records that the peer acknowledged direction d up to ack. An
// acknowledgment of bytes the capture does not have ("ACKed unseen
// segment") is not yet a gap: on virtual machines and multi-queue NICs the
// segment often shows up in the capture after the ACK that covers it. It
// tells that the bytes were sent, so that a hole there becomes a gap
// without waiting for the connection's end once the bytes held behind it
// reach MaxBuffer, and so that bytes acknowledged but never captured at the
// end of a direction are reported.
func (rd *reader) ackHint(c *conn, d Dir, ack uint32, fi frameInfo) {
	h := &c.half[d]
	if !h.state.known() {
		return
	}
	delta := int32(ack - h.next)
	if delta <= 0 {
		return
	}
	ackOff := h.off + uint64(delta)
	if h.fin == finAhead && ackOff == h.finOff+1 {
		ackOff = h.finOff
	}
	if !h.ackKnown || ackOff > h.acked {
		h.acked, h.ackKnown, h.ackFrame = ackOff, true, fi
	}
}

// checkCap enforces MaxBuffer on direction d.
func (rd *reader) checkCap(c *conn, d Dir, fi frameInfo) {
	h := &c.half[d]
	max := rd.opts.MaxBuffer
	for !h.state.stopped() && h.buffered() > max {
		if len(h.held) > 0 {
			first := h.held[0].off
			if h.ackKnown && h.acked > h.off {
				// The peer acknowledged the hole: the capture lost it.
				// Waiting longer cannot fill it; it is a gap, not a cap.
				if first > h.off {
					rd.gap(c, d, first-h.off, fi, "acknowledged by the peer but not captured")
				}
			} else {
				c.st.CapHit = true
				rd.event(c, EventCapHit, d, fi, h.next, 0, 0, "MaxBuffer: "+itoa(h.buffered())+" bytes held behind a missing segment")
				if first > h.off {
					rd.gap(c, d, first-h.off, fi, "bytes held behind it reached MaxBuffer")
				}
			}
			rd.drain(c, d, fi)
			if len(h.held) > 0 && h.held[0].off == first {
				// nothing moved: do not loop for ever
				break
			}
			continue
		}
		if h.state.resyncing() && h.unit == nil {
			// Looking for a unit boundary: give up the oldest candidates.
			k := min(h.buffered()-max, len(h.pend))
			c.st.Skipped[d] += uint64(k)
			h.syncSkipped += uint64(k)
			h.consumePend(k)
			rd.syncPend(c, d, fi, false)
			continue
		}
		n := h.dropPartial()
		c.st.Skipped[d] += uint64(n)
		c.st.Gaps[d]++
		c.st.CapHit = true
		rd.event(c, EventCapHit, d, fi, h.next, 0, 0, "MaxBuffer: no unit boundary within "+itoa(n)+" bytes")
		rd.event(c, EventGap, d, fi, h.next, 0, uint64(n), "bytes dropped at MaxBuffer")
		h.state, h.afterGap = resyncing, true
	}
}

// flush delivers what a direction still holds at End: each hole becomes a
// gap, as do bytes the peer acknowledged that were never captured, and a
// resynchronisation still waiting for more bytes decides with what it has.
func (rd *reader) flush(c *conn, d Dir, fi frameInfo) {
	h := &c.half[d]
	if h.bufs == nil {
		if !h.ackKnown || h.acked <= h.off || h.state.stopped() {
			return // nothing was ever buffered, nor acknowledged unseen
		}
		rd.ensure(h)
	}
	for len(h.held) > 0 && !h.state.stopped() {
		e := h.held[0]
		if e.off > h.off {
			rd.gap(c, d, e.off-h.off, frameInfo{e.frame, e.t}, "")
		}
		rd.drain(c, d, frameInfo{})
	}
	if h.state.stopped() {
		return
	}
	if h.ackKnown && h.acked > h.off && (h.fin != finPassed || h.acked > h.finOff) {
		rd.gap(c, d, h.acked-h.off, h.ackFrame, "acknowledged by the peer but not captured")
	}
	if h.state.resyncing() && len(h.pend) > 0 {
		// the units found now were complete when their last byte came in
		rd.syncPend(c, d, h.marks[len(h.marks)-1].fed, true)
	}
}

// overBudget stops buffering direction d, whose growth took the reader's
// Budget over its maximum: what it holds is dropped and counted, later
// bytes are only counted, and the connection reports a cap hit.
func (rd *reader) overBudget(c *conn, d Dir, fi frameInfo) {
	h := &c.half[d]
	if h.state.stopped() || h.bufs == nil {
		return
	}
	n := h.buffered()
	c.st.CapHit, c.st.BudgetHit = true, true
	rd.opts.Budget.Hit()
	rd.event(c, EventCapHit, d, fi, h.next, 0, 0, "MaxBufferTotal: the "+itoa(rd.opts.Budget.Max())+" bytes buffered across all connections were reached; this direction stopped being read")
	h.state = stopped
	c.st.Undelivered[d] += uint64(len(h.unit) + len(h.pend))
	h.unit, h.unitHoles, h.pend, h.marks = nil, nil, nil, nil
	h.skip = 0
	rd.stopHeld(c, d)
	rd.opts.Budget.Charge(-n)
}

// stopHeld counts held bytes of a stopped direction as undelivered.
func (rd *reader) stopHeld(c *conn, d Dir) {
	h := &c.half[d]
	held := h.held
	h.release()
	for _, e := range held {
		if len(e.data) > 0 {
			c.st.Undelivered[d] += h.countOnly(e.off, e.off+uint64(len(e.data)))
		}
	}
}

// feed frames in-order bytes b, whose first byte is at stream offset off
// and was carried by frame segFrame; fi is the packet completing units.
func (rd *reader) feed(c *conn, d Dir, b []byte, off uint64, segFrame uint64, fi frameInfo) {
	h := &c.half[d]
	if h.skip > 0 {
		k := min(h.skip, uint64(len(b)))
		h.skip -= k
		b = b[k:]
		off += k
	}
	for len(b) > 0 {
		if h.state.stopped() {
			c.st.Undelivered[d] += uint64(len(b))
			return
		}
		if h.unit != nil {
			k := min(h.unitNeed-len(h.unit), len(b))
			h.unit = append(h.unit, b[:k]...)
			b, off = b[k:], off+uint64(k)
			if len(h.unit) == h.unitNeed {
				u, holes := h.unit, h.unitHoles
				h.unit, h.unitHoles = nil, nil
				rd.deliver(c, d, u, false, h.unitOff, h.unitFirst, fi, holes)
				rd.units.put(u)
			}
			continue
		}
		if len(h.pend) > 0 || h.state.resyncing() {
			if len(h.pend) == 0 {
				h.pendOff = off
			}
			if len(h.marks) == 0 || h.marks[len(h.marks)-1].frame != segFrame {
				h.marks = append(h.marks, mark{off, segFrame, fi})
			}
			h.pend = append(h.pend, b...)
			if h.state.resyncing() {
				rd.syncPend(c, d, fi, false)
			} else {
				rd.framePend(c, d, fi)
			}
			return
		}
		k, more := rd.frameOne(c, d, b, off, segFrame, fi, false)
		if !more {
			if k == 0 { // the Framer needs more bytes to decide
				h.pend = append(h.pend[:0], b...)
				h.pendOff = off
				h.marks = append(h.marks[:0], mark{off, segFrame, fi})
			}
			return
		}
		b, off = b[k:], off+uint64(k)
	}
}

// frameOne is the one place that acts on a Framer's answer. It frames b,
// the next in-order bytes of direction d at stream offset off, and skips a
// unit larger than MaxBuffer, delivers a whole or an opaque unit, or
// starts filling a unit that b only begins. It returns how many bytes of b
// it used, and false when the rest must wait for more bytes: a unit was
// started with all of b, or the Framer could not decide (0 bytes used).
// For bytes from pend (fromPend), the frames that carried them are looked
// up in its marks; otherwise segFrame carried them all and fi completes
// every unit.
func (rd *reader) frameOne(c *conn, d Dir, b []byte, off, segFrame uint64, fi frameInfo, fromPend bool) (int, bool) {
	h := &c.half[d]
	first := func() uint64 {
		if fromPend {
			return h.frameAt(off)
		}
		return segFrame
	}
	fed := func(k int) frameInfo {
		if fromPend {
			return h.fedAt(off+uint64(k)-1, fi)
		}
		return fi
	}
	n := h.framer(b)
	if n > 0 && n <= rd.opts.MaxBuffer && rd.opts.HeadOnly != nil {
		head := b[:min(n, len(b))]
		again := h.passing && !h.afterGap && rd.opts.PassAgain != nil && rd.opts.PassAgain(h.passHead[:h.passHeadLen], head)
		k := -1
		if !again {
			k = rd.opts.HeadOnly(&c.c, d, head)
		}
		if k < 0 && rd.opts.Passed != nil && !h.afterGap {
			if !again {
				h.passHeadLen = uint8(copy(h.passHead[:], head))
				h.passing, c.passing = true, true
			}
			// Passed over whole: counted, told before what comes next.
			used := min(n, len(b))
			p := &h.passed
			p.Dir, p.Units, p.Bytes, p.Len = d, p.Units+1, p.Bytes+uint64(n), n
			at := fed(used) // as Data.Frame: the frame that gave its last byte read
			p.Frame, p.Time = at.frame, at.t
			h.skip = uint64(n - used)
			return used, true
		}
		if k > 0 && k < n && k <= len(b) {
			// Only the head is wanted: deliver it, pass over the body.
			used := min(n, len(b))
			rd.unitSkipped = n - k
			rd.deliver(c, d, b[:k], false, off, first(), fed(k), nil)
			rd.unitSkipped = 0
			h.skip = uint64(n - used)
			return used, true
		}
	}
	switch {
	case n > rd.opts.MaxBuffer:
		k := min(n, len(b))
		rd.tooLarge(c, d, n, fi)
		h.skip = uint64(n - k)
		return k, true
	case n > 0 && n <= len(b):
		rd.deliver(c, d, b[:n], false, off, first(), fed(n), nil)
		return n, true
	case n > 0:
		h.unit = rd.units.get(len(b), unitCap(n, len(b)))
		copy(h.unit, b)
		h.unitNeed, h.unitOff, h.unitFirst = n, off, first()
		return len(b), false
	case n == 0:
		return 0, false
	default:
		k := opaqueLen(n, len(b))
		rd.deliver(c, d, b[:k], true, off, first(), fed(k), nil)
		return k, true
	}
}

// unitPool keeps the buffers of units that spanned segments once they
// were delivered, for the next such units: the Certificate records of a
// busy trunk are the same few sizes on every handshake, so a unit costs a
// copy and no allocation.
type unitPool struct{ free [][]byte }

// maxPooledUnits bounds a unitPool: 16 buffers of at most 32 KiB each.
const maxPooledUnits = 16

// get returns a buffer of length n and capacity at least c.
func (p *unitPool) get(n, c int) []byte {
	for i := len(p.free) - 1; i >= 0; i-- {
		if b := p.free[i]; cap(b) >= c {
			last := len(p.free) - 1
			p.free[i], p.free[last] = p.free[last], nil
			p.free = p.free[:last]
			return b[:n]
		}
	}
	return make([]byte, n, c)
}

// put gives back b, a unit delivered and no longer used.
func (p *unitPool) put(b []byte) {
	if cap(b) <= unitUpfront && len(p.free) < maxPooledUnits {
		p.free = append(p.free, b[:0])
	}
}

// unitCap is the capacity allocated for a unit of n bytes of which have
// are present: all of it for units up to 32 KiB (every TLS record), so
// they fill without copying; larger ones grow as their bytes arrive, so a
// header announcing a large unit does not reserve memory it never uses.
func unitCap(n, have int) int {
	if n <= unitUpfront {
		return n
	}
	return max(have, unitUpfront)
}

// unitUpfront is the largest unit whose whole size is allocated at once.
const unitUpfront = 32 << 10

// opaqueLen is the length of an opaque unit for a Framer result n < 0 over
// avail bytes.
func opaqueLen(n, avail int) int {
	if -n > 0 && -n < avail {
		return -n
	}
	return avail
}

// tooLarge reports a unit longer than MaxBuffer, which is skipped as a gap.
func (rd *reader) tooLarge(c *conn, d Dir, n int, fi frameInfo) {
	h := &c.half[d]
	c.st.CapHit = true
	c.st.Gaps[d]++
	rd.event(c, EventCapHit, d, fi, h.next, 0, 0, "MaxBuffer: unit of "+itoa(n)+" bytes is larger than the buffer")
	rd.event(c, EventGap, d, fi, h.next, 0, uint64(n), "unit larger than MaxBuffer skipped")
	h.afterGap = true
}

// syncPend looks for the place where framing resumes in pend, after a gap
// that hid a unit boundary or at the start of a direction that began before
// the capture. A candidate offset is taken only when the SyncFramer accepts
// the unit there and also the unit right after it, or when that unit ends
// exactly where the direction's bytes end (end: no more will come). Bytes
// before the boundary are skipped (ConnStats.Skipped) and EventResync says
// how many. Candidates that need more bytes to be decided keep pend from
// there on; the search never holds more than MaxBuffer bytes.
func (rd *reader) syncPend(c *conn, d Dir, fi frameInfo, end bool) {
	h := &c.half[d]
	p, found := 0, false
	for p < len(h.pend) {
		ok, undecided := rd.confirm(h.pend[p:], end)
		if ok {
			found = true
			break
		}
		if undecided {
			break
		}
		p++
	}
	if p > 0 {
		c.st.Skipped[d] += uint64(p)
		h.syncSkipped += uint64(p)
		h.consumePend(p)
	}
	if !found {
		if end {
			c.st.Skipped[d] += uint64(len(h.pend))
			h.syncSkipped += uint64(len(h.pend))
			h.pend, h.marks = h.pend[:0], h.marks[:0]
		}
		return
	}
	h.state = inSync
	rd.event(c, EventResync, d, frameInfo{h.frameAt(h.pendOff), h.fedAt(h.pendOff, fi).t}, h.next-uint32(len(h.pend)), 0, h.syncSkipped, "")
	h.syncSkipped = 0
	rd.framePend(c, d, fi)
}

// confirm reports whether b starts a unit that the bytes confirm (see
// syncPend), or whether more bytes are needed to tell.
func (rd *reader) confirm(b []byte, end bool) (ok, undecided bool) {
	f := rd.opts.SyncFramer
	if f == nil {
		f = rd.opts.Framer
	}
	n := f(b)
	switch {
	case n < 0:
		return false, false
	case n == 0:
		return false, !end
	case n+1 > rd.opts.MaxBuffer:
		return false, false
	case n > len(b):
		return false, !end
	case n == len(b):
		return end, !end
	}
	switch m := f(b[n:]); {
	case m > 0:
		return true, false
	case m == 0:
		return false, !end
	}
	return false, false
}

// framePend cuts units from pend.
func (rd *reader) framePend(c *conn, d Dir, fi frameInfo) {
	h := &c.half[d]
	for len(h.pend) > 0 && !h.state.stopped() {
		k, more := rd.frameOne(c, d, h.pend, h.pendOff, 0, fi, true)
		if k > 0 {
			h.consumePend(k) // all of it when a unit was started
		}
		if !more {
			return
		}
	}
	if h.state.stopped() && len(h.pend) > 0 {
		c.st.Undelivered[d] += uint64(len(h.pend))
		h.pend = h.pend[:0]
	}
}

// deliver hands one unit to the Handler; missing lists its holes.
func (rd *reader) deliver(c *conn, d Dir, b []byte, opaque bool, off, first uint64, fi frameInfo, missing []Range) {
	rd.tellPassed(c)
	h := &c.half[d]
	ag := h.afterGap
	h.afterGap = false
	rd.unitOut = Data{Conn: &c.c, Dir: d, Bytes: b, Opaque: opaque, Offset: off,
		FirstFrame: first, Frame: fi.frame, Time: fi.t, AfterGap: ag, Missing: missing, BodySkipped: rd.unitSkipped}
	ok := rd.h.Data(&rd.unitOut)
	if !ok {
		h.state = stopped
		c.st.Undelivered[d] += uint64(len(h.unit) + len(h.pend))
		h.unit, h.unitHoles = nil, nil
		h.pend, h.marks = nil, nil
		h.skip = 0
	}
}

// tellPassed tells Options.Passed of the units of c passed over whole since
// it was last told, if any, before anything else of c reaches the Handler;
// from then on HeadOnly is asked again (Options.PassAgain).
func (rd *reader) tellPassed(c *conn) {
	if !c.passing {
		return
	}
	c.passing = false
	for d := range c.half {
		if b := c.half[d].bufs; b != nil {
			b.passing = false
			if b.passed.Units > 0 {
				p := b.passed
				b.passed = Passed{}
				rd.opts.Passed(&c.c, &p)
			}
		}
	}
}

// overlapEvent reports bytes at stream offset off that a segment re-sent
// with other content than the copy frame kept carried.
func (rd *reader) overlapEvent(c *conn, d Dir, fi frameInfo, seq uint32, n int, off, kept uint64) {
	rd.tellPassed(c)
	rd.evOut = Event{Conn: &c.c, Kind: EventOverlap, Dir: d, Frame: fi.frame, Time: fi.t, Seq: seq, Len: n, Offset: off, KeptFrame: kept}
	rd.h.Event(&rd.evOut)
}

// event reports one TCP event.
func (rd *reader) event(c *conn, k EventKind, d Dir, fi frameInfo, seq uint32, n int, gap uint64, detail string) {
	rd.tellPassed(c)
	rd.evOut = Event{Conn: &c.c, Kind: k, Dir: d, Frame: fi.frame, Time: fi.t, Seq: seq, Len: n, GapBytes: gap, Detail: detail}
	rd.h.Event(&rd.evOut)
}
