package pcap

import "time"

// A tomb is what is left of a closed connection once it was ended: enough
// to tell its late packets from a new connection on the same 4-tuple.
type tomb struct {
	key       connKey
	last      time.Time // the last packet seen of the connection, or a late one since
	synISN    uint32
	clientIsA bool
	synSeen   bool
	gone      bool // forgotten before its turn: a new SYN, a newer tomb of its 4-tuple
}

// tombstones remembers ended closed connections by 4-tuple, oldest first.
// A tombstone costs about 150 bytes, where the connection it replaces held
// its whole reassembly and analysis state.
//
// The tombs lie in a ring in the order they were left, and a map finds a
// 4-tuple's place in it. Expiring walks the ring from its oldest end and
// leaves the map alone: a place the walk passed is known forgotten when it
// is looked up, and the map is rebuilt from the ring once most of its
// entries are such places. Neither holds a pointer but the times'
// locations, so each tombstone costs no allocation, and its expiry no
// look-up in a map whose memory has long left the cache.
type tombstones struct {
	at   map[connKey]uint64 // 4-tuple -> place (may be one already forgotten)
	ring []tomb             // ring[i] is place base+i; ring[:head] are forgotten
	base uint64
	head int
	live int // tombs in ring[head:] not gone
}

// find returns the tomb at place p if it is still remembered and is k's.
func (ts *tombstones) find(p uint64, k connKey) *tomb {
	if p < ts.base+uint64(ts.head) || p-ts.base >= uint64(len(ts.ring)) {
		return nil
	}
	t := &ts.ring[p-ts.base]
	if t.gone || t.key != k {
		return nil
	}
	return t
}

// forget marks t gone and drops its 4-tuple from the map.
func (ts *tombstones) forget(t *tomb) {
	t.gone = true
	ts.live--
	delete(ts.at, t.key)
}

// add leaves a tombstone for c, ended. At most max are kept: past that the
// oldest is forgotten first. A tombstone of the same 4-tuple left before
// is forgotten: the newer one stands for it.
func (ts *tombstones) add(c *conn, max int) {
	if ts.at == nil {
		ts.at = make(map[connKey]uint64)
	}
	if p, ok := ts.at[c.key]; ok {
		if t := ts.find(p, c.key); t != nil {
			ts.forget(t)
		}
	}
	if ts.live >= max {
		ts.pop()
	}
	ts.at[c.key] = ts.base + uint64(len(ts.ring))
	ts.ring = append(ts.ring, tomb{key: c.key, last: c.last, synISN: c.synISN, clientIsA: c.clientIsA, synSeen: c.synSeen})
	ts.live++
	ts.tidy()
}

// pop forgets the oldest tombstone.
func (ts *tombstones) pop() {
	for ts.head < len(ts.ring) {
		t := &ts.ring[ts.head]
		ts.head++
		if !t.gone {
			ts.forget(t)
			break
		}
	}
	ts.tidy()
}

// expire forgets the oldest tombstones whose last packet is more than quiet
// before now. It stops at the first one still fresh: one that a late packet
// refreshed keeps the ones behind it a little longer, within max.
func (ts *tombstones) expire(now time.Time, quiet time.Duration) {
	start := ts.head
	for ts.head < len(ts.ring) {
		t := &ts.ring[ts.head]
		if !t.gone {
			if now.Sub(t.last) <= quiet {
				break
			}
			ts.live-- // its map entry is dropped when looked up, or by tidy
		}
		ts.head++
	}
	if ts.head != start {
		ts.tidy()
	}
}

// tidy drops the forgotten front of the ring once it is half of it, and
// rebuilds the map once most of its entries name forgotten places.
func (ts *tombstones) tidy() {
	if ts.head > 64 && ts.head*2 >= len(ts.ring) {
		n := copy(ts.ring, ts.ring[ts.head:])
		clear(ts.ring[n:])
		ts.ring = ts.ring[:n]
		ts.base += uint64(ts.head)
		ts.head = 0
	}
	if len(ts.at) > 2*ts.live+1024 {
		at := make(map[connKey]uint64, ts.live)
		for i := ts.head; i < len(ts.ring); i++ {
			if t := &ts.ring[i]; !t.gone {
				at[t.key] = ts.base + uint64(i)
			}
		}
		ts.at = at
	}
}

// late reports whether a packet on 4-tuple k belongs to an ended closed
// connection: it comes within quiet of the connection's last packet and is
// not a new SYN (a SYN with another ISN, or from the other end, is a new
// connection and removes the tombstone). A late packet refreshes the
// tombstone.
func (ts *tombstones) late(k connKey, srcIsA, syn bool, seq uint32, now time.Time, quiet time.Duration) bool {
	p, ok := ts.at[k]
	if !ok {
		return false
	}
	t := ts.find(p, k)
	if t == nil {
		delete(ts.at, k) // a place expire passed
		return false
	}
	if now.Sub(t.last) > quiet || syn && !(t.synSeen && srcIsA == t.clientIsA && seq == t.synISN) {
		ts.forget(t)
		return false
	}
	t.last = now
	return true
}
