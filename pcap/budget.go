package pcap

import (
	"sync/atomic"
)

// DefaultMaxBufferTotal is the byte budget of a Budget whose Max is 0.
const DefaultMaxBufferTotal = 32 << 20

// Budget bounds the bytes buffered for all the connections of one or more
// captures read at once, beside the per-direction cap MaxBuffer: without
// it, MaxConns connections each holding MaxBuffer bytes could use
// gigabytes. Read charges it with what the reader holds (incomplete units,
// undecided bytes, out-of-order pieces), and a Handler may charge it with
// what it buffers itself (package diagnose: handshake messages spanning
// records). When a charge takes it over Max, the direction that grew stops
// being buffered (it is only counted from then on) and its connection
// reports a cap hit. A Budget is safe for concurrent use, so parallel
// readers can share one.
type Budget struct {
	max  int64
	used atomic.Int64
	hits atomic.Int64
}

// NewBudget returns a Budget of max bytes (DefaultMaxBufferTotal when max
// is 0 or less).
func NewBudget(max int) *Budget {
	if max <= 0 {
		max = DefaultMaxBufferTotal
	}
	return &Budget{max: int64(max)}
}

// Max returns the budget in bytes.
func (b *Budget) Max() int { return int(b.max) }

// Charge adds n bytes (n < 0 gives them back) and reports whether the
// budget is now exceeded by a growth (n > 0).
func (b *Budget) Charge(n int) bool {
	if n == 0 {
		return false
	}
	used := b.used.Add(int64(n))
	return n > 0 && used > b.max
}

// Hit counts one direction stopped because the budget was exceeded.
func (b *Budget) Hit() { b.hits.Add(1) }

// Hits returns how many directions the budget stopped.
func (b *Budget) Hits() int { return int(b.hits.Load()) }

// Used returns the bytes charged now.
func (b *Budget) Used() int { return int(b.used.Load()) }
