package pcap

import "time"

// A tomb is what is left of a closed connection once it was ended: enough
// to tell its late packets from a new connection on the same 4-tuple.
type tomb struct {
	last      time.Time // the last packet seen of the connection, or a late one since
	clientIsA bool
	synSeen   bool
	synISN    uint32
}

// tombstones remembers ended closed connections by 4-tuple, oldest first.
// A tombstone costs about 100 bytes, where the connection it replaces held
// its whole reassembly and analysis state.
type tombstones struct {
	byKey map[connKey]*tomb
	queue []queued // in the order they were added; may hold keys already gone
	head  int      // first live entry of queue
}

// queued is a tombstone's place in the queue, with the time of its last
// packet when it was added: a late packet may only make that later, so a
// head still fresh by it needs no look-up to be known fresh.
type queued struct {
	key   connKey
	added time.Time
}

// add leaves a tombstone for c, ended. At most max are kept: past that the
// oldest is forgotten first.
func (ts *tombstones) add(c *conn, max int) {
	if ts.byKey == nil {
		ts.byKey = make(map[connKey]*tomb)
	}
	if len(ts.byKey) >= max {
		ts.pop()
	}
	ts.byKey[c.key] = &tomb{last: c.last, clientIsA: c.clientIsA, synSeen: c.synSeen, synISN: c.synISN}
	ts.queue = append(ts.queue, queued{c.key, c.last})
}

// pop forgets the oldest tombstone.
func (ts *tombstones) pop() {
	for ts.head < len(ts.queue) {
		k := ts.queue[ts.head].key
		ts.queue[ts.head] = queued{}
		ts.head++
		if _, ok := ts.byKey[k]; ok {
			delete(ts.byKey, k)
			break
		}
	}
	ts.compact()
}

// expire forgets the oldest tombstones whose last packet is more than quiet
// before now. It stops at the first one still fresh: one that a late packet
// refreshed keeps the ones behind it a little longer, within max.
func (ts *tombstones) expire(now time.Time, quiet time.Duration) {
	for ts.head < len(ts.queue) {
		q := ts.queue[ts.head]
		if now.Sub(q.added) <= quiet {
			return // fresh without a look-up: its last packet is no older than this
		}
		k := q.key
		t, ok := ts.byKey[k]
		if ok && now.Sub(t.last) <= quiet {
			return
		}
		ts.queue[ts.head] = queued{}
		ts.head++
		if ok {
			delete(ts.byKey, k)
		}
		ts.compact()
	}
}

// compact drops the consumed front of the queue once it is half of it.
func (ts *tombstones) compact() {
	if ts.head > 64 && ts.head*2 >= len(ts.queue) {
		n := copy(ts.queue, ts.queue[ts.head:])
		ts.queue = ts.queue[:n]
		ts.head = 0
	}
}

// late reports whether a packet on 4-tuple k belongs to an ended closed
// connection: it comes within quiet of the connection's last packet and is
// not a new SYN (a SYN with another ISN, or from the other end, is a new
// connection and removes the tombstone). A late packet refreshes the
// tombstone.
func (ts *tombstones) late(k connKey, srcIsA, syn bool, seq uint32, now time.Time, quiet time.Duration) bool {
	t, ok := ts.byKey[k]
	if !ok {
		return false
	}
	if now.Sub(t.last) > quiet || syn && !(t.synSeen && srcIsA == t.clientIsA && seq == t.synISN) {
		delete(ts.byKey, k)
		return false
	}
	t.last = now
	return true
}
