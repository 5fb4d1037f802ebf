package pcap

import (
	"bufio"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"sync/atomic"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// Sizes of a batch of records read ahead, and how many batches there are.
const (
	// aheadBatches: one being filled, one waiting, one being handled
	aheadBatches = 3
	batchRecords = 512
	// batchBytes is about how many bytes of records a batch keeps: it
	// takes records until they reach it. Its arena has batchSlack more,
	// for the record that crosses it (see keep).
	batchBytes = 2 * MaxRecord
	batchSlack = 64 << 10
)

// A decodedRecord is one capture record, read and decoded ahead of the analysis.
type decodedRecord struct {
	ci   gopacket.CaptureInfo
	kind recordKind
	lt   int // the link type of the packet's interface
	// data holds the record's bytes when the analysis reads them (a TCP
	// segment on a tracked port, or a key log); for any other record it
	// is nil, and only counted.
	data []byte
	res  decodeResult
	seg  segment // when res is decTCP4 or decTCP6
	// longCap: the record declared a captured length larger than the
	// packet's, and was read as Wireshark reads it
	longCap bool
	// ifaces are the pcapng interfaces described since the last packet of
	// the section, the first of a new section's included
	ifaces []ngInterface
	// shard is the shard of a tracked TCP segment's connection (ReadSharded)
	shard uint8
}

// recordKind says what a record is.
type recordKind uint8

const (
	recPacket recordKind = iota // a packet
	recOther                    // a frame that holds no packet (pcapng custom and journal blocks)
	recKeys                     // a TLS key log (pcapng Decryption Secrets Block): data holds it
)

// A batch is a run of records and, when reading stopped after them, why.
type batch struct {
	recs  []decodedRecord
	arena []byte // the bytes of recs' data
	// end is set when no record follows recs; problem and err then say
	// why (a nil err is the clean end of the capture).
	end     bool
	problem Problem
	// refs counts the shards that have yet to handle the batch (ReadSharded)
	refs atomic.Int32
	err  error
	off  int64 // where in the stream the record that ended reading begins
	// endLongCap: the record that failed declared a captured length larger
	// than the packet's (warned about, as for a record read whole)
	endLongCap bool
}

// newBatch returns an empty batch of room for n records (0: batchRecords).
func newBatch(n int) *batch {
	if n <= 0 {
		n = batchRecords
	}
	return &batch{recs: make([]decodedRecord, 0, n), arena: make([]byte, 0, batchBytes+batchSlack)}
}

// full reports whether b takes no more records: its slots are used, or its
// records' bytes reached batchBytes.
func (b *batch) full() bool {
	return len(b.recs) == cap(b.recs) || len(b.arena) >= batchBytes
}

// keep copies data into the batch's arena and returns the copy. A record
// larger than the room left makes append move the arena to a larger array:
// the copies kept before stay in the old one, which lives as long as they
// do, and the batch keeps the larger one.
func (b *batch) keep(data []byte) []byte {
	n := len(b.arena)
	b.arena = append(b.arena, data...)
	return b.arena[n:len(b.arena):len(b.arena)]
}

// A recordReader reads a capture's records one by one.
type recordReader interface {
	// read reads the next record into r (its kind, link type, capture
	// information) and returns its bytes, valid until the next call. At
	// the end of the stream it returns the problem that ended it, if any,
	// and the error (io.EOF, and no problem, at a clean end).
	read(r *decodedRecord) (data []byte, problem Problem, err error)
	// offset is where in the stream the record read last begins.
	offset() int64
}

// source reads the records of a capture in batches and decodes them.
type source struct {
	rr      recordReader
	dec     *decoder
	watched *portSet // the reader's, never written while reading
	anyPort bool
	sums    bool // Options.ChecksumAhead
	shards  int  // ReadSharded's shards (0: Read)
}

// tracked reports whether seg is on a tracked port (either end).
func (s *source) tracked(seg *segment) bool {
	return s.anyPort || s.watched.has(seg.sp) || s.watched.has(seg.dp)
}

// fill empties b and reads records into it until it is full or reading
// stops (b.end).
func (s *source) fill(b *batch) {
	b.recs, b.arena, b.end, b.problem, b.err, b.endLongCap, b.off = b.recs[:0], b.arena[:0], false, 0, nil, false, 0
	for !b.full() {
		n := len(b.recs)
		// read into the batch's next slot: a record of the stack's would
		// escape through the interface, one allocation per record
		b.recs = b.recs[:n+1]
		r := &b.recs[n]
		*r = decodedRecord{}
		data, problem, err := s.rr.read(r)
		if err != nil {
			b.recs = b.recs[:n]
			b.end, b.problem, b.err, b.endLongCap, b.off = true, problem, err, r.longCap, s.rr.offset()
			return
		}
		if r.kind == recKeys {
			r.data = data // a copy of its own
		} else if r.ci.CaptureLength > 0 && linkSupported(r.lt) {
			r.res = s.dec.decode(r.lt, data, &r.seg)
		}
		if r.res == decTCP4 || r.res == decTCP6 {
			if !s.tracked(&r.seg) {
				// counted with the packets not analysed; its bytes are not kept
				r.res = decOther
				continue
			}
			if s.sums {
				r.seg.sum, r.seg.summed = crc32.ChecksumIEEE(r.seg.payload(data)), true
			}
			if s.shards > 1 {
				r.shard = shardOf(&r.seg, s.shards)
			}
			r.data = b.keep(data)
		}
	}
}

// pcapRecords reads the records of a classic pcap stream.
type pcapRecords struct {
	pr    *pcapgo.Reader
	br    *bufio.Reader // the stream under pr
	lt    int
	spare []byte
	off   int64 // of the record read last
	next  int64 // of the record after it
}

func (s *pcapRecords) offset() int64 { return s.off }

// read implements recordReader.
func (s *pcapRecords) read(r *decodedRecord) ([]byte, Problem, error) {
	r.lt = s.lt
	s.off = s.next
	// pcapgo takes a file that ends right after a record header for a
	// clean end: a whole header ahead means a record is cut off.
	h, _ := s.br.Peek(16)
	header := len(h) == 16
	data, c, err := s.pr.ZeroCopyReadPacketData()
	if err != nil && err != io.EOF && c.CaptureLength > c.Length && c.CaptureLength <= MaxRecord {
		// Wireshark reads records whose captured length exceeds the
		// original length; pcapgo refuses them after reading only the
		// record header, from br (NewReader uses br itself, as it is a
		// large enough bufio.Reader), so the data is read here.
		if cap(s.spare) < c.CaptureLength {
			s.spare = make([]byte, c.CaptureLength)
		}
		data = s.spare[:c.CaptureLength]
		if _, err = io.ReadFull(s.br, data); err != nil {
			err = io.ErrUnexpectedEOF
		}
		c.Length = c.CaptureLength
		r.longCap = true
	}
	r.ci = c
	switch {
	case err == nil:
	case err == io.EOF && header:
		return nil, ProblemTruncated, io.ErrUnexpectedEOF
	case c.CaptureLength > MaxRecord && !errors.Is(err, io.ErrUnexpectedEOF):
		return nil, ProblemDamaged, &recordError{c.CaptureLength}
	default:
		return nil, problemOf(err), err
	}
	s.next += 16 + int64(c.CaptureLength)
	return data, 0, nil
}

// problemOf says what a reader's error at the end of a stream means: none
// for io.EOF (a clean end), a cut-off record for io.ErrUnexpectedEOF, and
// else damage.
func problemOf(err error) Problem {
	switch {
	case err == io.EOF:
		return 0
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ProblemTruncated
	}
	return ProblemDamaged
}

// readAhead returns the function that gives src's batches one after the
// other, each valid until the next call, and the function that stops
// reading. The batches, of room for n records each (0: batchRecords), are
// filled by a goroutine of its own, which reads the stream, splits it into
// records and decodes them on one core while the analysis handles the batch
// before on the other; with inline (the reader's Options.NoPrefetch), they
// are filled by the caller.
func readAhead(src *source, n int, inline bool) (next func() *batch, stop func()) {
	if inline {
		b := newBatch(n)
		return func() *batch { src.fill(b); return b }, func() {}
	}
	nexts, stop := readAheadShared(src, n, 1)
	return nexts[0], stop
}

// ngRecords reads the records of a pcapng stream.
type ngRecords struct {
	nr *ngReader
	// the section, and how many of its interfaces were given with a
	// packet already
	section, nIf int
}

func (s *ngRecords) offset() int64 { return s.nr.start }

// read implements recordReader.
func (s *ngRecords) read(r *decodedRecord) ([]byte, Problem, error) {
	kind, data, ci, lt, err := s.nr.next()
	if err != nil {
		return nil, problemOf(err), err
	}
	r.ci, r.lt = ci, lt
	switch kind {
	case ngTLSKeys:
		r.kind = recKeys
		return data, 0, nil
	case ngOtherFrame:
		r.kind = recOther
		return nil, 0, nil
	}
	nr := s.nr
	if nr.sections != s.section {
		s.section, s.nIf = nr.sections, 0
	}
	if s.nIf < len(nr.ifaces) {
		r.ifaces = slices.Clone(nr.ifaces[s.nIf:])
		s.nIf = len(nr.ifaces)
	}
	return data, 0, nil
}
