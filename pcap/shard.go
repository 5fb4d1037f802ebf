package pcap

import (
	"cmp"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"sync"
)

// MaxShards is the most shards ReadSharded shares a capture out between.
const MaxShards = 64

// ErrShards is returned by ReadSharded when it is given no shard or more
// than MaxShards, a shard without a Framer or a Handler, or no emit function.
var ErrShards = errors.New("pcap: ReadSharded needs 1 to 64 shards, each with Options.Framer and a Handler, and an emit function")

// A ShardHandler is the Handler of one shard of ReadSharded. Its End
// returns what the connection came to; ReadSharded gives it to its emit
// function, in the order Read would have called End.
type ShardHandler[R any] interface {
	// Event reports a TCP-level event, as Handler.Event.
	Event(ev *Event)
	// Data delivers the next unit of one direction, as Handler.Data.
	Data(d *Data) bool
	// End is called once per connection when it is finished, as
	// Handler.End, and returns what is handed to emit.
	End(c *Conn, st *ConnStats) R
}

// A Shard is one of ReadSharded's workers: the Options of its reader and
// its Handler. The shards' Options differ in their callbacks only (a
// Handler's own ConnFramer, HeadOnly, Passed, TLSKeys); what the reading
// shares (Ports, AnyPort, NoPrefetch, ChecksumAhead) is the first shard's.
type Shard[R any] struct {
	Options Options
	Handler ShardHandler[R]
}

// ReadFileSharded reads the capture file at path as ReadSharded does,
// having opened it as ReadFile does.
func ReadFileSharded[R any](path string, shards []Shard[R], emit func(id uint64, r R)) (*CaptureInfo, error) {
	return readFile(path, func(f io.Reader) (*CaptureInfo, error) { return ReadSharded(f, path, shards, emit) })
}

// ReadSharded reads a capture as Read does, its tracked connections shared
// out between the shards by 4-tuple (both directions of a connection go to
// one shard), so that the reassembly and analysis of one capture use as
// many cores as there are shards (at most MaxShards). One goroutine reads
// and decodes the records ahead, as Read does, and hands every batch of
// them to each shard; each shard's reader and Handler run on a goroutine
// of their own and handle their own connections' segments. Every shard
// reads the time of every record, so a connection ends at the same frame
// as with Read.
//
// A shard's Handler sees its connections as a Handler of Read would, but
// for Conn.ID, which numbers the connection within its shard. What its End
// returns is given to emit on the goroutine that called ReadSharded, with
// the connection's ID in the capture (as Read numbers it), in the order in
// which Read would have called End. So what emit builds is what a Handler
// of Read would, with two exceptions: Options.MaxConns is shared out
// between the shards, and a shared Budget is reached by whichever shard
// grows first; captures that reach either may end or cut other
// connections than Read would (both are warned about). The CaptureInfo is
// Read's: the shards' counts of connections and segments are added up.
func ReadSharded[R any](in io.Reader, path string, shards []Shard[R], emit func(id uint64, r R)) (*CaptureInfo, error) {
	info := &CaptureInfo{Path: path}
	n := len(shards)
	if n == 0 || n > MaxShards || emit == nil {
		return info, ErrShards
	}
	for _, s := range shards {
		if s.Options.Framer == nil || s.Handler == nil {
			return info, ErrShards
		}
	}
	first := shards[0].Options
	br, kind, stop, err := openStream(in, info, first.NoPrefetch)
	defer stop()
	if err != nil {
		return info, err
	}
	maxConns := first.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	budget := first.Budget
	if budget == nil {
		budget = NewBudget(0) // one for the capture, as Read's
	}
	rds := make([]*reader, n)
	sinks := make([]*shardSink[R], n)
	for i, s := range shards {
		opts := s.Options
		opts.MaxConns = (maxConns + n - 1) / n
		if opts.Budget == nil {
			opts.Budget = budget
		}
		shInfo := info // the first shard's counts every record; the others' only their connections
		if i > 0 {
			shInfo = &CaptureInfo{Path: path}
		}
		sinks[i] = &shardSink[R]{h: s.Handler}
		rds[i] = newReader(shInfo, opts, sinks[i])
		rds[i].sh = &sharding{index: i, maxConns: maxConns}
		sinks[i].rd = rds[i]
	}
	rr, err := rds[0].records(br, kind)
	if err != nil {
		return info, err
	}
	src := rds[0].source(rr)
	src.shards = n
	nexts, stopAhead := readAheadShared(src, first.batchRecords, n)
	defer stopAhead()

	outs := make([]chan shardMsg[R], n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		outs[i] = make(chan shardMsg[R], aheadBatches+2*n)
		wg.Go(func() {
			defer close(outs[i])
			rd, sink := rds[i], sinks[i]
			send := func() { outs[i] <- sink.take() }
			err := rd.consume(nexts[i], send)
			if err == nil && kind == "pcapng" {
				err = rd.linkCheck()
			}
			rd.finish()
			send()
			errs[i] = err
		})
	}
	mergeShards(outs, emit)
	wg.Wait()
	for _, rd := range rds[1:] {
		mergeInfo(info, rd.info)
	}
	return info, errs[0]
}

// sharding is what a reader that reads one shard keeps of it.
type sharding struct {
	index    int
	maxConns int      // Options.MaxConns of the whole capture, for its warning
	created  []uint64 // the first frames of the connections started since the last batch
}

// endPhase says what ended a connection: with the frame being read and the
// connection's last frame, it gives the order in which Read ends
// connections (sweep, then the packet, then the end of the capture).
type endPhase uint8

const (
	endLinger endPhase = iota // a closed connection quiet for Linger (sweep)
	endQuiet                  // a connection refused before any byte, quiet for QuietTime (sweep)
	endPacket                 // the packet being read: its 4-tuple reused by a new SYN, or MaxConns reached
	endEOF                    // the end of the capture
)

// A shardEnd is a connection a shard ended, and what its Handler made of it.
type shardEnd[R any] struct {
	frame uint64 // the frame being read when it ended
	phase endPhase
	// order places it among those ended at the same frame and phase: its
	// last frame, or at endEOF its ID in the capture (set when merged)
	order uint64
	local uint64 // Conn.ID within the shard
	shard int
	r     R
}

// A shardMsg is what a shard found in one batch of records.
type shardMsg[R any] struct {
	created []uint64 // first frames of the connections it started, in order
	ends    []shardEnd[R]
}

// shardSink is the Handler of a shard's reader: it passes the calls on to
// the shard's Handler and keeps what End returns, in the order ended.
type shardSink[R any] struct {
	rd   *reader
	h    ShardHandler[R]
	ends []shardEnd[R]
}

func (s *shardSink[R]) Event(ev *Event)   { s.h.Event(ev) }
func (s *shardSink[R]) Data(d *Data) bool { return s.h.Data(d) }
func (s *shardSink[R]) End(c *Conn, st *ConnStats) {
	e := shardEnd[R]{frame: s.rd.frame, phase: s.rd.endPhase, order: st.LastFrame, local: c.ID}
	e.r = s.h.End(c, st)
	s.ends = append(s.ends, e)
}

// take returns what the shard found since the last call.
func (s *shardSink[R]) take() shardMsg[R] {
	m := shardMsg[R]{created: s.rd.sh.created, ends: s.ends}
	s.rd.sh.created, s.ends = nil, nil
	return m
}

// mergeShards takes the shards' messages batch by batch (each shard sends
// one per batch, and one at the end), numbers their connections in the
// order of their first frames, and emits their ends in Read's order.
func mergeShards[R any](outs []chan shardMsg[R], emit func(id uint64, r R)) {
	n := len(outs)
	ids := make([]map[uint64]uint64, n) // per shard: Conn.ID within it -> ID in the capture
	started := make([]uint64, n)        // connections each shard started
	for i := range ids {
		ids[i] = make(map[uint64]uint64)
	}
	var next uint64 // the last ID given
	msgs := make([]shardMsg[R], n)
	heads := make([]int, n)
	var ends []shardEnd[R]
	for {
		open := false
		for i, ch := range outs {
			m, ok := <-ch
			msgs[i] = m
			open = open || ok
		}
		if !open {
			return
		}
		// number the connections started in this batch, in frame order
		clear(heads)
		for {
			best := -1
			for i := range msgs {
				if heads[i] < len(msgs[i].created) && (best < 0 || msgs[i].created[heads[i]] < msgs[best].created[heads[best]]) {
					best = i
				}
			}
			if best < 0 {
				break
			}
			heads[best]++
			started[best]++
			next++
			ids[best][started[best]] = next
		}
		ends = ends[:0]
		for i := range msgs {
			for _, e := range msgs[i].ends {
				e.shard = i
				if e.phase == endEOF {
					e.order = ids[i][e.local]
				}
				ends = append(ends, e)
			}
		}
		slices.SortStableFunc(ends, func(x, y shardEnd[R]) int {
			return cmp.Or(cmp.Compare(x.frame, y.frame), cmp.Compare(x.phase, y.phase), cmp.Compare(x.order, y.order))
		})
		for i := range ends {
			e := &ends[i]
			id := ids[e.shard][e.local]
			delete(ids[e.shard], e.local)
			emit(id, e.r)
			*e = shardEnd[R]{}
		}
	}
}

// mergeInfo adds what shard s counted of its connections to info, the
// first shard's, which counted every record as well.
func mergeInfo(info, s *CaptureInfo) {
	info.TCPPackets += s.TCPPackets
	info.Conns += s.Conns
	info.ConnsEvicted += s.ConnsEvicted
	info.EvictedPackets += s.EvictedPackets
	info.LatePackets += s.LatePackets
	for _, w := range s.Warnings {
		if !slices.Contains(info.Warnings, w) {
			info.Warnings = append(info.Warnings, w)
		}
	}
}

// shardOf returns the shard of segment s's connection, one of n: the same
// for both directions, and the same in every run.
func shardOf(s *segment, n int) uint8 {
	h := endHash(s.src, s.sp) + endHash(s.dst, s.dp)
	return uint8((h >> 32) * uint64(n) >> 32)
}

// endHash mixes one end of a connection (splitmix64's finaliser).
func endHash(a [16]byte, p uint16) uint64 {
	x := binary.LittleEndian.Uint64(a[:8])*0x9e3779b97f4a7c15 ^ binary.LittleEndian.Uint64(a[8:]) ^ uint64(p)<<48
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// readAheadShared is readAhead for n consumers: each gets every batch,
// from a next function of its own, and the batch is filled again once
// all of them have moved past it. Each consumer past the first adds two
// batches, so that one may run ahead of the others.
func readAheadShared(src *source, records, n int) (nexts []func() *batch, stop func()) {
	total := aheadBatches + 2*(n-1)
	free := make(chan *batch, total)
	fulls := make([]chan *batch, n)
	for i := range fulls {
		fulls[i] = make(chan *batch, total)
	}
	quit := make(chan struct{})
	for range total {
		free <- newBatch(records)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			var b *batch
			select {
			case b = <-free:
			case <-quit:
				return
			}
			src.fill(b)
			b.refs.Store(int32(n))
			for _, ch := range fulls {
				ch <- b // never blocks: there are total batches
			}
			if b.end {
				return
			}
		}
	})
	nexts = make([]func() *batch, n)
	for i := range n {
		var cur *batch
		nexts[i] = func() *batch {
			if cur != nil && cur.refs.Add(-1) == 0 {
				free <- cur
			}
			cur = <-fulls[i]
			return cur
		}
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			close(quit)
			wg.Wait()
		})
	}
	return nexts, stop
}
