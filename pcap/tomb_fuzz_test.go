package pcap

import (
	"testing"
	"time"
)

// FuzzTombstones runs the same operations on tombstones and on refTombs,
// the map-and-queue implementation it replaced (below), with one mend: a
// queue entry stands only for its own tombstone. It stood for whatever
// tombstone its 4-tuple had, so that a newer one of the same 4-tuple could
// be popped before older ones, or keep older ones past their time. Every
// late packet must be told the same, and the same number of tombstones
// kept. As in the reader, a tombstone is left only for a 4-tuple that has
// none (a new connection on a 4-tuple first asks late, which removes the
// old tombstone or takes the packet for a late one).
func FuzzTombstones(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 2, 200, 1, 2, 0, 3, 2, 250, 2, 250, 1, 1})
	f.Add([]byte{0, 1, 0, 1, 0, 1, 0, 2, 0, 3, 0, 4, 2, 10, 1, 4, 2, 255, 2, 255, 1, 3})
	// A 4-tuple's tombstone removed by a new SYN, left again, then one
	// popped for max: the unmended refTombs popped the newer one.
	f.Add([]byte("1000180$000110"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		var got tombstones
		var want refTombs
		now := t0
		const quiet = 60 * time.Second
		max := 4
		if len(ops) > 0 {
			max = 1 + int(ops[0]%8)
		}
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i]%4, ops[i+1]
			k := connKey{ap: uint16(arg % 8)}
			switch op {
			case 0: // a connection on k ends after its close
				if _, ok := want.byKey[k]; ok {
					continue
				}
				c := &conn{key: k, last: now, clientIsA: arg&8 != 0, synSeen: arg&16 != 0, synISN: uint32(arg >> 5)}
				got.add(c, max)
				want.add(c, max)
			case 1: // a packet on k with no connection
				syn, srcIsA, seq := arg&8 != 0, arg&16 != 0, uint32(arg>>5)
				g := got.late(k, srcIsA, syn, seq, now, quiet)
				w := want.late(k, srcIsA, syn, seq, now, quiet)
				if g != w {
					t.Fatalf("op %d: late(%v) = %v, want %v", i/2, k.ap, g, w)
				}
			case 2: // time passes, and the reader sweeps
				now = now.Add(time.Duration(arg) * time.Second / 2)
				got.expire(now, quiet)
				want.expire(now, quiet)
			case 3: // time passes without a sweep
				now = now.Add(time.Duration(arg) * time.Second / 4)
			}
			if got.live != len(want.byKey) {
				t.Fatalf("op %d: %d tombstones kept, want %d", i/2, got.live, len(want.byKey))
			}
		}
	})
}

type refTomb struct {
	last      time.Time // the last packet seen of the connection, or a late one since
	clientIsA bool
	synSeen   bool
	synISN    uint32
}

// refTombs remembers ended closed connections by 4-tuple, oldest first.
// A tombstone costs about 100 bytes, where the connection it replaces held
// its whole reassembly and analysis state.
type refTombs struct {
	byKey map[connKey]*refTomb
	queue []refQueued // in the order they were added; may hold keys already gone
	head  int         // first live entry of queue
}

// refQueued is a tombstone's place in the queue, with the time of its last
// packet when it was added: a late packet may only make that later, so a
// head still fresh by it needs no look-up to be known fresh.
type refQueued struct {
	key   connKey
	added time.Time
	t     *refTomb // the tombstone the entry stands for (see FuzzTombstones)
}

// add leaves a tombstone for c, ended. At most max are kept: past that the
// oldest is forgotten first.
func (ts *refTombs) add(c *conn, max int) {
	if ts.byKey == nil {
		ts.byKey = make(map[connKey]*refTomb)
	}
	if len(ts.byKey) >= max {
		ts.pop()
	}
	t := &refTomb{last: c.last, clientIsA: c.clientIsA, synSeen: c.synSeen, synISN: c.synISN}
	ts.byKey[c.key] = t
	ts.queue = append(ts.queue, refQueued{c.key, c.last, t})
}

// pop forgets the oldest tombstone.
func (ts *refTombs) pop() {
	for ts.head < len(ts.queue) {
		k, own := ts.queue[ts.head].key, ts.queue[ts.head].t
		ts.queue[ts.head] = refQueued{}
		ts.head++
		if t, ok := ts.byKey[k]; ok && t == own {
			delete(ts.byKey, k)
			break
		}
	}
	ts.compact()
}

// expire forgets the oldest refTombs whose last packet is more than quiet
// before now. It stops at the first one still fresh: one that a late packet
// refreshed keeps the ones behind it a little longer, within max.
func (ts *refTombs) expire(now time.Time, quiet time.Duration) {
	for ts.head < len(ts.queue) {
		q := ts.queue[ts.head]
		if now.Sub(q.added) <= quiet {
			return // fresh without a look-up: its last packet is no older than this
		}
		k := q.key
		t, ok := ts.byKey[k]
		ok = ok && t == q.t
		if ok && now.Sub(t.last) <= quiet {
			return
		}
		ts.queue[ts.head] = refQueued{}
		ts.head++
		if ok {
			delete(ts.byKey, k)
		}
		ts.compact()
	}
}

// compact drops the consumed front of the queue once it is half of it.
func (ts *refTombs) compact() {
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
func (ts *refTombs) late(k connKey, srcIsA, syn bool, seq uint32, now time.Time, quiet time.Duration) bool {
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
