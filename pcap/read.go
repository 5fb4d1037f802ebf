package pcap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"regexp"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// Defaults for Options.
const (
	// DefaultPort is the port tracked when Options.Ports is empty: sip-tls.
	DefaultPort = 5061
	// DefaultMaxConns is the number of connections tracked at once: more
	// than a CUCM node has open (a large subscriber registers about 10,000
	// phones), at about 2 KB each without buffered bytes.
	DefaultMaxConns = 50000
	// DefaultMaxBuffer is the number of bytes held per direction.
	DefaultMaxBuffer = 256 << 10
	// DefaultLinger is how long a closed connection is still tracked after
	// its last packet, for the packets in flight when it closed.
	DefaultLinger = 3 * time.Second
	// DefaultQuietTime is how long the 4-tuple of an ended closed
	// connection is remembered after its last packet, so that its late
	// packets are counted rather than taken for a new connection.
	DefaultQuietTime = 60 * time.Second
)

// ErrOptions is returned when Options.Framer or the Handler is missing.
var ErrOptions = errors.New("pcap: Read needs Options.Framer and a Handler")

const bufSize = 256 << 10

// ReadFile reads the capture file at path; see Read. It opens the file with
// OpenFile, so it refuses a directory, a named pipe, a device or a socket,
// and fills CaptureInfo.Size (shown, never trusted for reading).
func ReadFile(path string, opts Options, h Handler) (*CaptureInfo, error) {
	return readFile(path, func(f io.Reader) (*CaptureInfo, error) { return Read(f, path, opts, h) })
}

// readFile opens the file at path with OpenFile, reads it with read and
// fills CaptureInfo.Size.
func readFile(path string, read func(io.Reader) (*CaptureInfo, error)) (*CaptureInfo, error) {
	f, st, err := OpenFile(path)
	if err != nil {
		return &CaptureInfo{Path: path}, err
	}
	defer f.Close()
	info, err := read(f)
	if info != nil {
		info.Size = st.Size()
	}
	return info, err
}

// Read reads a capture from r, a pcap or pcapng stream, plain or gzip
// compressed, and calls h for what it finds on the tracked TCP connections.
// path only names the input in CaptureInfo and errors.
//
// The returned CaptureInfo is never nil. On a file cut off inside its last
// record (ProblemTruncated) or damaged after some records (ProblemDamaged),
// every connection found so far has been reported, End included, and the
// error is returned with the CaptureInfo.
func Read(r io.Reader, path string, opts Options, h Handler) (*CaptureInfo, error) {
	info := &CaptureInfo{Path: path}
	if opts.Framer == nil || h == nil {
		return info, ErrOptions
	}
	br, kind, stop, err := openStream(r, info, opts.NoPrefetch)
	defer stop()
	if err != nil {
		return info, err
	}
	rd := newReader(info, opts, h)
	rr, err := rd.records(br, kind)
	if err == nil {
		err = rd.readRecords(rr)
	}
	if err == nil && kind == "pcapng" {
		err = rd.linkCheck()
	}
	rd.finish()
	return info, err
}

// openStream looks at the start of r, decompresses it if it is gzip
// compressed, and returns the stream of records and its format ("pcap" or
// "pcapng"), or the error that says it is neither. stop stops the
// goroutine that decompresses ahead, if any; it is always to be called.
func openStream(r io.Reader, info *CaptureInfo, noPrefetch bool) (br *bufio.Reader, kind string, stop func(), err error) {
	path := info.Path
	stop = func() {}
	br = bufio.NewReaderSize(r, bufSize)
	magic, err := br.Peek(4)
	if len(magic) == 0 {
		if err != nil && err != io.EOF {
			return nil, "", stop, &InputError{Path: path, Problem: ProblemIO, Offset: -1, Err: err}
		}
		return nil, "", stop, &InputError{Path: path, Problem: ProblemEmpty, Offset: -1}
	}
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		info.Compressed = true
		zr, err := gzip.NewReader(br)
		if err != nil {
			p := ProblemDamaged
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				p = ProblemTruncated
			}
			return nil, "", stop, &InputError{Path: path, Problem: p, Offset: -1, Err: err}
		}
		zr.Multistream(true)
		var zsrc io.Reader
		zsrc, stop = prefetch(zr, noPrefetch)
		br = bufio.NewReaderSize(zsrc, bufSize)
		magic, err = br.Peek(4)
		if len(magic) == 0 {
			if err != nil && err != io.EOF {
				return nil, "", stop, gzipError(path, err)
			}
			return nil, "", stop, &InputError{Path: path, Problem: ProblemEmpty, Offset: -1}
		}
	}
	switch kind := captureKind(magic); kind {
	case "pcap", "pcapng":
		info.Format = kind
		return br, kind, stop, nil
	default:
		head, _ := br.Peek(4096)
		if len(magic) < 4 && kind == "short" {
			return nil, "", stop, &InputError{Path: path, Problem: ProblemTruncated, Offset: -1}
		}
		if looksLikeScreenText(head) {
			return nil, "", stop, &InputError{Path: path, Problem: ProblemScreenText, Offset: -1}
		}
		return nil, "", stop, &InputError{Path: path, Problem: ProblemNotCapture, Offset: -1}
	}
}

func gzipError(path string, err error) error {
	p := ProblemDamaged
	if errors.Is(err, io.ErrUnexpectedEOF) {
		p = ProblemTruncated
	}
	return &InputError{Path: path, Problem: p, Offset: -1, Err: err}
}

// captureKind names the format announced by the first bytes.
func captureKind(m []byte) string {
	if len(m) < 4 {
		// A file shorter than a magic number is only "short" if its bytes
		// are a prefix of one.
		for _, full := range [][]byte{
			{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
			{0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, {0x0a, 0x0d, 0x0d, 0x0a},
		} {
			if bytes.HasPrefix(full, m) {
				return "short"
			}
		}
		return ""
	}
	switch string(m[:4]) {
	case "\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d":
		return "pcap"
	case "\x0a\x0d\x0d\x0a":
		return "pcapng"
	}
	return ""
}

// looksLikeScreenText reports whether b looks like the text CUCM's
// `utils network capture` prints on the screen: tcpdump lines with times,
// addresses and ports, and no binary bytes.
func looksLikeScreenText(b []byte) bool {
	if len(b) == 0 || bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	printable := 0
	for _, c := range b {
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' {
			printable++
		}
	}
	if printable*100 < len(b)*95 {
		return false
	}
	if bytes.Contains(b, []byte("Executing command with options")) {
		return true
	}
	line := regexp.MustCompile(`(?m)^\s*(\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}:\d{2}(\.\d+)?\s+(IP6?\s+)?\S+\s+>\s+\S+`)
	return line.Match(b)
}

// reader is the state of one Read call.
type reader struct {
	info    *CaptureInfo
	opts    Options
	h       Handler
	watched portSet
	frame   uint64
	off     int64 // where the record that ended reading begins (InputError.Offset)

	conns   map[connKey]*conn
	open    connList
	closed  connList // closed after an exchange (ended after Linger)
	refused connList // closed before both ends sent a byte (ended after QuietTime)
	// now is the capture's time: the latest timestamp read so far. A
	// packet stamped before one read earlier (captures merged from several
	// interfaces, a clock stepped back) does not take it back, so that a
	// connection's quiet time counts from the same instant whichever other
	// packets were read (see ReadSharded).
	now     time.Time
	frags   uint64
	evicted bool
	// recently evicted open connections: their later packets are counted
	// (CaptureInfo.EvictedPackets), not taken for new connections
	evictedKeys map[connKey]struct{}
	evictedRing []connKey
	evictedNext int
	tombs       tombstones   // closed connections ended after Linger, for QuietTime
	unitOut     Data         // what Handler.Data is given, reused
	unitSkipped int          // Data.BodySkipped of the unit being delivered
	units       unitPool     // the buffers of delivered units that spanned segments
	freeBufs    bufsPool     // the bufs of ended connections
	evOut       Event        // what Handler.Event is given, reused
	links       map[int]bool // link types seen, for LinkTypes
	badLink     map[int]bool // unsupported link types seen (pcapng)
	goodPkt     bool         // a packet of a supported link type was seen
	lenWarned   bool         // warned about a captured length above the original length
	// sh is set when the reader reads one shard of a capture (ReadSharded)
	sh *sharding
	// endPhase says what ends the connections ended now (ReadSharded
	// orders the shards' ends by it)
	endPhase endPhase
}

func newReader(info *CaptureInfo, opts Options, h Handler) *reader {
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.QuietTime <= 0 {
		opts.QuietTime = DefaultQuietTime
	}
	if opts.Linger <= 0 {
		opts.Linger = DefaultLinger
	}
	opts.Linger = min(opts.Linger, opts.QuietTime)
	if opts.MaxBuffer <= 0 {
		opts.MaxBuffer = DefaultMaxBuffer
	}
	if opts.Budget == nil {
		opts.Budget = NewBudget(0)
	}
	rd := &reader{info: info, opts: opts, h: h, conns: make(map[connKey]*conn),
		links: make(map[int]bool), badLink: make(map[int]bool), endPhase: endPacket}
	ports := opts.Ports
	if len(ports) == 0 {
		ports = []uint16{DefaultPort}
	}
	for _, p := range ports {
		rd.watched.add(p)
	}
	return rd
}

// A portSet is a set of TCP ports, one bit each.
type portSet [1024]uint64

func (ps *portSet) add(p uint16)      { ps[p>>6] |= 1 << (p & 63) }
func (ps *portSet) has(p uint16) bool { return ps[p>>6]&(1<<(p&63)) != 0 }

func (rd *reader) addLink(lt int) {
	if rd.links[lt] {
		return
	}
	rd.links[lt] = true
	rd.info.LinkTypes = append(rd.info.LinkTypes, linkTypeName(lt))
}

func (rd *reader) warn(s string) { rd.info.Warnings = append(rd.info.Warnings, s) }

func (rd *reader) inputErr(p Problem, err error) *InputError {
	return &InputError{Path: rd.info.Path, Problem: p, Frame: rd.frame + 1, Offset: rd.off, Err: err}
}

// records returns the reader of the records of br, a stream in format
// kind, having read a pcap file's header (and warned of what it says).
func (rd *reader) records(br *bufio.Reader, kind string) (recordReader, error) {
	if kind == "pcapng" {
		return &ngRecords{nr: newNgReader(br)}, nil
	}
	return rd.pcapRecords(br)
}

// pcapRecords reads the header of a classic pcap stream and returns the
// reader of its records.
func (rd *reader) pcapRecords(br *bufio.Reader) (recordReader, error) {
	pr, err := pcapgo.NewReader(br)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, &InputError{Path: rd.info.Path, Problem: ProblemTruncated, Offset: -1, Err: err}
		}
		return nil, &InputError{Path: rd.info.Path, Problem: ProblemDamaged, Offset: 0, Err: err}
	}
	rd.info.Nanosecond = pr.Resolution() == gopacket.TimestampResolutionNanosecond
	rd.info.Snaplen = pr.Snaplen()
	if pr.Snaplen() > MaxRecord || pr.Snaplen() == 0 {
		// pcapgo accepts records up to the declared snaplen; a damaged or
		// hostile header must not make it read gigabytes into one record.
		pr.SetSnaplen(MaxRecord)
	}
	lt := int(pr.LinkType())
	rd.addLink(lt)
	if !linkSupported(lt) {
		return nil, &InputError{Path: rd.info.Path, Problem: ProblemLinkType, Offset: 20, LinkType: lt}
	}
	return &pcapRecords{pr: pr, br: br, lt: lt, next: 24}, nil
}

// readRecords hands the records rr reads to the analysis, read and decoded
// ahead unless Options.NoPrefetch, and returns the error that ended
// reading (nil at a clean end).
func (rd *reader) readRecords(rr recordReader) error {
	next, stop := readAhead(rd.source(rr), rd.opts.batchRecords, rd.opts.NoPrefetch)
	defer stop()
	return rd.consume(next, nil)
}

// source returns the source of rr's records for this reader's options.
func (rd *reader) source(rr recordReader) *source {
	return &source{rr: rr, dec: newDecoder(), watched: &rd.watched, anyPort: rd.opts.AnyPort, sums: rd.opts.ChecksumAhead}
}

// consume handles the records of the batches next gives, calling done
// (when not nil) after each batch, and returns the error that ended
// reading (nil at a clean end).
func (rd *reader) consume(next func() *batch, done func()) error {
	for {
		b := next()
		for i := range b.recs {
			rd.record(&b.recs[i])
		}
		if done != nil {
			done()
		}
		if b.end {
			rd.off = b.off
			if b.endLongCap {
				rd.warnLongCap()
			}
			if b.problem == 0 {
				return nil
			}
			return rd.inputErr(b.problem, b.err)
		}
	}
}

// record handles one record.
func (rd *reader) record(r *decodedRecord) {
	switch r.kind {
	case recKeys:
		// secrets, not a frame: handed over to decrypt with
		if rd.opts.TLSKeys != nil {
			rd.opts.TLSKeys(r.data)
		}
		return
	case recOther:
		rd.frame++
		rd.info.Packets = rd.frame
		rd.info.OtherPackets++
		return
	}
	if r.longCap {
		rd.warnLongCap()
	}
	for i := range r.ifaces {
		ifc := &r.ifaces[i]
		rd.addLink(ifc.linkType)
		if ifc.snaplen > rd.info.Snaplen {
			rd.info.Snaplen = ifc.snaplen
		}
	}
	res := r.res
	if rd.sh != nil && (res == decTCP4 || res == decTCP6) && int(r.shard) != rd.sh.index {
		res = decElsewhere
	}
	rd.decoded(r.lt, r.data, &r.ci, res, &r.seg)
}

// warnLongCap warns, once, of records whose captured length is larger than
// the packet's.
func (rd *reader) warnLongCap() {
	if !rd.lenWarned {
		rd.lenWarned = true
		rd.warn("some records declare a captured length larger than the packet's length")
	}
}

// recordError describes a record whose captured length is implausible.
type recordError struct{ n int }

func (e *recordError) Error() string {
	return "the record claims " + itoa(e.n) + " captured bytes, more than any packet (" + itoa(MaxRecord) + ")"
}

func itoa(n int) string {
	var b [24]byte
	i := len(b)
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// linkCheck fails a pcapng file none of whose packets could be decoded
// because of their link types.
func (rd *reader) linkCheck() error {
	if rd.goodPkt || len(rd.badLink) == 0 {
		return nil
	}
	lt := -1
	for l := range rd.badLink {
		if lt < 0 || l < lt {
			lt = l
		}
	}
	return &InputError{Path: rd.info.Path, Problem: ProblemLinkType, Offset: -1, LinkType: lt}
}

// decoded handles one packet record of link type lt, decoded as res; seg
// describes it when it is a TCP segment. data may be nil when the record is
// not a TCP segment on a tracked port (see source.tracked).
func (rd *reader) decoded(lt int, data []byte, ci *gopacket.CaptureInfo, res decodeResult, seg *segment) {
	rd.frame++
	info := rd.info
	info.Packets = rd.frame
	if ci.CaptureLength == 0 {
		// not a snaplen cut: the record holds nothing to decode
		info.EmptyRecords++
		info.OtherPackets++
		return
	}
	if ci.CaptureLength < ci.Length {
		info.CutPackets++
	}
	t := ci.Timestamp
	if !t.IsZero() {
		if info.First.IsZero() || t.Before(info.First) {
			info.First = t
		}
		if t.After(info.Last) {
			info.Last = t
		}
		if t.After(rd.now) {
			rd.now = t
		}
	}
	if !linkSupported(lt) {
		if !rd.badLink[lt] {
			rd.badLink[lt] = true
			rd.warn("packets with link type " + linkTypeName(lt) + " (" + itoa(lt) + ") were not decoded")
		}
		info.OtherPackets++
		return
	}
	rd.goodPkt = true
	rd.sweep()
	switch res {
	case decTCP4, decTCP6:
		rd.tcpPacket(data, ci, seg)
	case decElsewhere:
		// another shard's: it counts it
	case decFragment:
		rd.frags++
		info.OtherPackets++
	case decBad:
		info.Undecodable++
	default:
		info.OtherPackets++
	}
}
