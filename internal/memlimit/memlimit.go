// Package memlimit keeps the Go runtime's soft memory limit low while the
// live heap is small and raises it as the live heap grows.
//
// With the runtime's defaults the heap may grow to twice what is live before
// the garbage collector runs (GOGC=100), and memory freed by a collection is
// returned to the system only slowly, so a program's peak RSS is two to three
// times its live heap. A soft memory limit (runtime/debug.SetMemoryLimit)
// makes the collector run earlier and return freed memory at once, but a
// fixed one is a trap: when the live heap comes near it, the collector runs
// again and again (up to half the CPU) and the program slows by ten times.
//
// A Governor therefore moves the limit after every collection, to the
// memory in use plus room for garbage in proportion to the live heap
// (Policy.Limit), never below a floor and never above a ceiling: a run
// whose live heap is small stays within the floor, and a larger one gets
// room in proportion to it, so that the collector's share of the CPU stays
// bounded up to the ceiling. With Policy.LimitOnly the limit alone decides
// when to collect.
//
// The Governor learns that a collection ran from a cleanup
// (runtime.AddCleanup) on an object that nothing keeps, made again each
// time; it reads the live heap from runtime/metrics.
package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// MiB is a mebibyte, for writing limits.
const MiB = 1 << 20

// A Policy says where the soft memory limit goes for a given heap.
type Policy struct {
	// Floor is the lowest limit, in bytes: the memory a run may take
	// whatever its live heap.
	Floor int64
	// Ceiling is the highest limit, in bytes.
	Ceiling int64
	// Garbage is the room left for garbage between collections, as a
	// fraction of the live heap (1: what GOGC=100 allows). Below 1 the
	// collector runs more often than by default, which costs CPU
	// but keeps the peak lower.
	Garbage float64
	// LimitOnly turns the collector's own pacing off (GOGC=off) while the
	// Governor runs: the heap is collected only when memory reaches the
	// limit, so a small live heap is collected when it reaches the
	// floor, not each time it doubles.
	LimitOnly bool
}

// Limit returns the soft memory limit for a run whose live heap is live
// bytes and whose other runtime memory (stacks, the collector's metadata,
// buffers the runtime keeps) is other bytes: live + other + Garbage×live,
// within [Floor, Ceiling].
func (p Policy) Limit(live, other int64) int64 {
	want := float64(live) + float64(other) + p.Garbage*float64(live)
	if want > math.MaxInt64/2 {
		want = math.MaxInt64 / 2
	}
	return min(max(int64(want), p.Floor), p.Ceiling)
}

// The runtime/metrics read after each collection.
var samples = [...]string{
	"/gc/heap/live:bytes",                 // live heap at the last mark
	"/memory/classes/total:bytes",         // all memory mapped by the runtime
	"/memory/classes/heap/objects:bytes",  // heap objects, live or not yet swept
	"/memory/classes/heap/free:bytes",     // free heap pages, not returned
	"/memory/classes/heap/released:bytes", // free heap pages returned to the system
	"/memory/classes/heap/unused:bytes",   // heap pages' unused room
}

// A Governor sets the runtime's soft memory limit after each garbage
// collection by its Policy. Start one per process; it holds the limit until
// Stop.
type Governor struct {
	mu      sync.Mutex
	policy  Policy
	shares  int // Floor is multiplied by this (SetShares)
	stopped bool
	before  int64 // the limit before Start, restored by Stop
	percent int   // the GC percent before Start (LimitOnly), restored by Stop
	limit   int64 // the limit set last
	s       []metrics.Sample
}

// Start sets the soft memory limit to p's floor and moves it after every
// garbage collection from then on.
func Start(p Policy) *Governor {
	g := &Governor{policy: p, shares: 1, before: debug.SetMemoryLimit(-1)}
	g.s = make([]metrics.Sample, len(samples))
	for i, name := range samples {
		g.s[i].Name = name
	}
	g.mu.Lock()
	g.apply()
	g.mu.Unlock()
	if p.LimitOnly {
		g.percent = debug.SetGCPercent(-1)
	}
	g.arm()
	return g
}

// sentinel is an object that no one keeps: it becomes unreachable at the
// next garbage collection, and its cleanup tells the Governor that one ran.
// It holds a pointer so that it is never batched with other tiny objects.
type sentinel struct{ _ *Governor }

// arm registers the cleanup that runs after the next collection.
func (g *Governor) arm() {
	runtime.AddCleanup(&sentinel{}, func(g *Governor) { g.collected() }, g)
}

// collected moves the limit after a collection and arms the next one.
func (g *Governor) collected() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return
	}
	g.apply()
	g.arm()
}

// apply reads the runtime's memory and sets the limit; g.mu is held.
func (g *Governor) apply() {
	metrics.Read(g.s)
	v := func(i int) int64 {
		if g.s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(g.s[i].Value.Uint64())
	}
	live := v(0)
	// Other memory the runtime holds apart from the heap's own pages.
	other := v(1) - v(2) - v(3) - v(4) - v(5)
	other = max(other, 0)
	p := g.policy
	p.Floor = min(p.Floor*int64(g.shares), p.Ceiling)
	g.limit = p.Limit(live, other)
	debug.SetMemoryLimit(g.limit)
}

// SetShares makes the floor n times the Policy's (at most its ceiling),
// for a run that reads n captures at once, each with its own live heap;
// n < 1 counts as 1. The new floor applies at once. A nil Governor does
// nothing.
func (g *Governor) SetShares(n int) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shares = max(n, 1)
	if !g.stopped {
		g.apply()
	}
}

// Limit returns the soft memory limit the Governor set last.
func (g *Governor) Limit() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.limit
}

// Stop ends the Governor and puts back the limit that was set before Start,
// and the GC percent (Policy.LimitOnly). A nil Governor does nothing.
func (g *Governor) Stop() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.stopped {
		g.stopped = true
		if g.policy.LimitOnly {
			debug.SetGCPercent(g.percent)
		}
		debug.SetMemoryLimit(g.before)
	}
}
