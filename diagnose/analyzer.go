package diagnose

import (
	"bytes"
	"crypto/rsa"
	"io"
	"sort"
	"strings"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsdecrypt"
	"github.com/siptls/siptls/tlsparse"
)

// Options control an Analyzer.
type Options struct {
	// Ports are the TCP ports to analyse (empty: 5061).
	Ports []uint16
	// AnyPort analyses TLS on every TCP port, found by its record header,
	// also after a plaintext STARTTLS exchange.
	AnyPort bool
	// MaxConns caps the connections tracked at once (0: the pcap default).
	MaxConns int
	// MaxBuffer caps the bytes buffered per direction (0: the pcap default).
	MaxBuffer int
	// Budget bounds the bytes buffered across all connections, by package
	// pcap's reader and by the analyzer's handshake defragmenters (nil: a
	// budget of pcap.DefaultMaxBufferTotal for this analyzer). Analyzers
	// reading captures in parallel may share one.
	Budget *pcap.Budget
	// KeyLog, if set, decrypts the sessions it has secrets for (the NSS
	// key log format, --keylog): their alerts are read in the clear, TLS
	// 1.3 handshakes show their certificates, and a direction with a key
	// stays read to the end so that its last alert still decrypts. It is
	// read, never changed, and may be shared between analyzers.
	KeyLog *tlsdecrypt.KeyLog
	// RSAKeys, if set, decrypt the sessions with an RSA key exchange
	// (TLS_RSA_* suites) whose server certificate is one of theirs
	// (--rsa-key), as KeyLog does.
	RSAKeys []*rsa.PrivateKey
	// DecryptBytes bounds the application data decrypted per direction for
	// the SIP inside (0: DefaultDecryptBytes; negative: none); past it only
	// what may be an alert is opened (see Connection.DecryptStoppedFrame).
	DecryptBytes int
	// SIPMessages caps the SIP messages kept per connection (0: DefaultSIPMessages).
	SIPMessages int
	// MaxEvents caps the timeline kept per connection (0: 64).
	MaxEvents int
	// MaxHandshakeMessage caps one handshake message (0: 1 MiB). It is
	// never more than MaxBuffer (the bytes buffered per direction), so the
	// handshake defragmenter stays within the same cap as the TCP reader.
	MaxHandshakeMessage int
	// Cache, if set, is shared between analyzers (for example one per file
	// in parallel); otherwise the analyzer makes its own.
	Cache *certinfo.Cache
	// Emit, if set, receives each connection as soon as it is decided, and
	// the Analysis keeps none, so memory stays flat however long the capture.
	// Connections come by capture and in ID order, except that at most
	// ReorderWindow finished connections wait for an earlier one that is
	// still open (a SIP trunk's connection may last the whole capture); past
	// that, the lowest waiting ID goes first.
	Emit func(*Connection)
	// ReorderWindow bounds the connections held back for ID order (0: 1024).
	ReorderWindow int
	// NoPrefetch reads each capture in the goroutine that reads it, with
	// no goroutine reading ahead (pcap.Options.NoPrefetch): for a caller
	// that reads several captures at once. It does not apply with Jobs.
	NoPrefetch bool
	// Jobs is how many goroutines analyse each capture, its connections
	// shared out between them by 4-tuple (pcap.ReadSharded), beside the
	// one that reads ahead and the one that called ReadFile or Read, which
	// is given the connections (Emit). 0 or 1: the goroutine that called
	// ReadFile or Read analyses. The results are the same whatever Jobs,
	// unless the capture reaches MaxConns (shared out between the jobs) or
	// the Budget (see pcap.ReadSharded).
	Jobs int
}

// maxOpaque is how many non-TLS bytes a direction may carry (a STARTTLS
// preamble) before the analyzer stops looking for TLS in it.
const maxOpaque = 64 << 10

// An Analyzer reads captures and accumulates an Analysis. It is not safe for
// concurrent use; use one per goroutine with a shared certinfo.Cache.
type Analyzer struct {
	opts    Options
	cache   *certinfo.Cache
	capture int // index of the capture being read
	live    map[*pcap.Conn]*connState
	// the connection of the last call and its state: pcap's calls come in
	// runs for one connection (the events and units of a segment)
	lastConn  *pcap.Conn
	lastState *connState
	result    Analysis
	// waiting holds finished connections, lowest ID first, until the ones
	// before them are emitted; next is the lowest ID not yet emitted.
	waiting waitHeap
	next    uint64
	other   uint64 // connections of this capture set aside as not TLS (--any-port)
	budget  *pcap.Budget
	// what was made of repeated Certificate and CertificateRequest messages
	certMsgs msgCache[certMsg]
	certReqs msgCache[certReqMsg]
	lines    lineCache // timeline lines that repeat
	// msgs holds the handshake messages of the record being read, for
	// every connection in turn (see connState.handshakeRecord).
	msgs []tlsparse.Assembled
	// plain is the plaintext of the record being read, for every
	// connection's Decrypters: kept only while that record is handled
	// (what SIP leaves for the next record is copied).
	plain tlsdecrypt.Buffer
	// zeros stand in for the bodies of records passed over (headOnly)
	zeros [tlsparse.MaxRecordLength]byte
	// the key log the capture being read embeds (nil: none), and what
	// could not be read of it
	embedded    *tlsdecrypt.KeyLog
	keyWarnings []string
	// jobs analyse the connections of a capture shared out by 4-tuple
	// (Options.Jobs), made at the first capture
	jobs []*Analyzer
}

// NewAnalyzer returns an Analyzer with the given options.
func NewAnalyzer(opts Options) *Analyzer {
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = 64
	}
	if opts.ReorderWindow <= 0 {
		opts.ReorderWindow = 1024
	}
	c := opts.Cache
	if c == nil {
		c = certinfo.NewCache(4096)
	}
	b := opts.Budget
	if b == nil {
		b = pcap.NewBudget(0)
	}
	return &Analyzer{opts: opts, cache: c, budget: b, live: make(map[*pcap.Conn]*connState)}
}

// Framer cuts a direction of a TCP connection into TLS records. A direction
// may also start with an SSLv2-format ClientHello (and its answer with an
// SSLv2 SERVER-HELLO), which it frames too; other bytes whose first has the
// high bit set are not taken for SSLv2 records, as random bytes would be.
// Bytes that do not start with a record header are returned as an opaque
// unit reaching up to the next plausible TLS handshake record header, so
// that TLS after a plaintext STARTTLS exchange is still found. The Analyzer
// frames an SSL 2.0 session's later records (CLIENT-MASTER-KEY and the
// encrypted ones, with 2- or 3-byte headers) once its hellos were seen.
func Framer(b []byte) int {
	if n := tlsparse.RecordLen(b); n != -1 {
		return n
	}
	if len(b) > 0 && b[0]&0x80 != 0 {
		switch {
		case len(b) < 5, len(b) < 13 && b[2] == tlsparse.SSLv2MsgServerHello:
			return 0
		case tlsparse.IsSSLv2ClientHello(b) || tlsparse.IsSSLv2ServerHello(b):
			return tlsparse.SSLv2RecordLen(b)
		}
	}
	// Not at a record boundary: skip to the next handshake record header.
	for i := 1; i+5 <= len(b); i++ {
		if b[i] == 0x16 && b[i+1] == 3 && tlsparse.RecordLen(b[i:]) > 0 {
			return -i
		}
	}
	if len(b) < 5 {
		return 0
	}
	return -(len(b) - 4)
}

// connFramer is the Framer of one direction of a connection: Framer, until
// an SSL 2.0 SERVER-HELLO made it an SSL 2.0 session, whose records have 2-
// or 3-byte headers.
func (a *Analyzer) connFramer(c *pcap.Conn, d pcap.Dir) pcap.Framer {
	st := a.state(c)
	return func(b []byte) int {
		if st.version == tlsparse.VersionSSL20 {
			return tlsparse.SSLv2RecordLen(b)
		}
		return Framer(b)
	}
}

// maxMessage is the cap on one handshake message: MaxHandshakeMessage,
// at most MaxBuffer.
func (a *Analyzer) maxMessage() int {
	n := a.opts.MaxHandshakeMessage
	if n <= 0 {
		n = tlsparse.DefaultMaxHandshake
	}
	b := a.opts.MaxBuffer
	if b <= 0 {
		b = pcap.DefaultMaxBuffer
	}
	return min(n, b)
}

// ReadFile analyses one capture file. Results found before an input error are
// kept; the error is also recorded in the Analysis.
func (a *Analyzer) ReadFile(path string) error {
	return a.read(path,
		func(opts pcap.Options) (*pcap.CaptureInfo, error) { return pcap.ReadFile(path, opts, a) },
		func(shards []pcap.Shard[*Connection]) (*pcap.CaptureInfo, error) {
			return pcap.ReadFileSharded(path, shards, a.placeShard)
		})
}

// Read analyses a capture read from r; name identifies it in the results.
func (a *Analyzer) Read(r io.Reader, name string) error {
	return a.read(name,
		func(opts pcap.Options) (*pcap.CaptureInfo, error) { return pcap.Read(r, name, opts, a) },
		func(shards []pcap.Shard[*Connection]) (*pcap.CaptureInfo, error) {
			return pcap.ReadSharded(r, name, shards, a.placeShard)
		})
}

// readShards reads a capture with read, its connections shared out between
// a's jobs (Options.Jobs), and takes in what the jobs counted.
func (a *Analyzer) readShards(read func([]pcap.Shard[*Connection]) (*pcap.CaptureInfo, error)) (*pcap.CaptureInfo, error) {
	if a.jobs == nil {
		opts := a.opts
		opts.Jobs, opts.Emit, opts.Cache, opts.Budget = 0, nil, a.cache, a.budget
		a.jobs = make([]*Analyzer, min(a.opts.Jobs, pcap.MaxShards))
		for i := range a.jobs {
			a.jobs[i] = NewAnalyzer(opts)
		}
	}
	shards := make([]pcap.Shard[*Connection], len(a.jobs))
	for i, j := range a.jobs {
		j.capture, j.other = a.capture, 0
		j.embedded, j.keyWarnings = nil, nil
		shards[i] = pcap.Shard[*Connection]{Options: j.pcapOptions(), Handler: job{j}}
	}
	info, err := read(shards)
	for _, j := range a.jobs {
		a.other += j.other
	}
	// every job read the capture's embedded key log, if any
	a.keyWarnings = a.jobs[0].keyWarnings
	return info, err
}

// A job is the handler of one shard of a capture (Options.Jobs).
type job struct{ *Analyzer }

// End implements pcap.ShardHandler: it returns the connection's record,
// which placeShard numbers and places.
func (j job) End(c *pcap.Conn, st *pcap.ConnStats) *Connection { return j.end(c, st) }

// placeShard places the record of a connection a job ended (nil: set
// aside), with its ID in the capture.
func (a *Analyzer) placeShard(id uint64, conn *Connection) {
	if conn != nil {
		conn.ID = id
	}
	a.place(id, conn)
}

// read analyses one capture with read, or with sharded when Options.Jobs
// asks for more than one job.
func (a *Analyzer) read(name string, read func(pcap.Options) (*pcap.CaptureInfo, error),
	sharded func([]pcap.Shard[*Connection]) (*pcap.CaptureInfo, error)) error {
	a.capture = len(a.result.Captures)
	a.next = 1
	a.other = 0
	a.embedded, a.keyWarnings = nil, nil
	var info *pcap.CaptureInfo
	var err error
	if a.opts.Jobs > 1 {
		info, err = a.readShards(sharded)
	} else {
		info, err = read(a.pcapOptions())
	}
	a.flush()
	if info == nil {
		info = &pcap.CaptureInfo{Path: name}
	}
	info.Warnings = append(info.Warnings, a.keyWarnings...)
	info.OtherConns = a.other
	a.result.Captures = append(a.result.Captures, info)
	if err != nil {
		a.result.Errors = append(a.result.Errors, err)
	}
	return err
}

func (a *Analyzer) pcapOptions() pcap.Options {
	return pcap.Options{
		Ports:      a.opts.Ports,
		AnyPort:    a.opts.AnyPort,
		Framer:     Framer,
		ConnFramer: a.connFramer,
		SyncFramer: tlsparse.RecordLen,
		MaxConns:   a.opts.MaxConns,
		MaxBuffer:  a.opts.MaxBuffer,
		Budget:     a.budget,
		TLSKeys:    a.embeddedKeys,
		HeadOnly:   a.headOnly,
		Passed:     a.passed,
		PassAgain:  passAgain,
		NoPrefetch: a.opts.NoPrefetch,
		// with keys the analysis reads every byte up to its bound and
		// is the slower goroutine; without, most bytes are passed over
		ChecksumAhead: a.opts.KeyLog != nil || len(a.opts.RSAKeys) > 0,
	}
}

// embeddedKeys adds the key log a capture embeds (pcapng Decryption
// Secrets Block) to the capture's own key log, which is used beside
// Options.KeyLog. Lines it cannot read become a warning of the capture.
func (a *Analyzer) embeddedKeys(log []byte) {
	if a.embedded == nil {
		a.embedded = &tlsdecrypt.KeyLog{}
	}
	if err := a.embedded.Read(bytes.NewReader(log), "the capture's embedded key log"); err != nil {
		a.keyWarnings = append(a.keyWarnings, strings.Split(err.Error(), "\n")...)
	}
}

// decrypting reports whether there is anything to decrypt with: a key
// log, one embedded in the capture being read, or RSA keys.
func (a *Analyzer) decrypting() bool {
	return a.opts.KeyLog != nil || a.embedded != nil || len(a.opts.RSAKeys) > 0
}

// lookupKeys returns the secrets of the session with ClientHello random
// r: from Options.KeyLog, or else from the capture's embedded key log.
func (a *Analyzer) lookupKeys(r []byte) (*tlsdecrypt.Secrets, bool) {
	if s, ok := a.opts.KeyLog.Lookup(r); ok {
		return s, true
	}
	return a.embedded.Lookup(r)
}

// Result returns the analysis so far, connections sorted by capture and ID.
func (a *Analyzer) Result() *Analysis {
	sort.SliceStable(a.result.Connections, func(i, j int) bool {
		ci, cj := a.result.Connections[i], a.result.Connections[j]
		if ci.Capture != cj.Capture {
			return ci.Capture < cj.Capture
		}
		return ci.ID < cj.ID
	})
	return &a.result
}

func (a *Analyzer) state(c *pcap.Conn) *connState {
	if c == a.lastConn {
		return a.lastState
	}
	st := a.live[c]
	if st == nil {
		st = newConnState(a, c)
		a.live[c] = st
	}
	a.lastConn, a.lastState = c, st
	return st
}

// tracked returns the state of c, or nil when none was made.
func (a *Analyzer) tracked(c *pcap.Conn) *connState {
	if c == a.lastConn {
		return a.lastState
	}
	return a.live[c]
}

// Event implements pcap.Handler.
func (a *Analyzer) Event(ev *pcap.Event) { a.state(ev.Conn).tcpEvent(ev) }

// Data implements pcap.Handler.
func (a *Analyzer) Data(d *pcap.Data) bool { return a.state(d.Conn).data(d) }

// End implements pcap.Handler.
func (a *Analyzer) End(c *pcap.Conn, stats *pcap.ConnStats) {
	a.place(c.ID, a.end(c, stats))
}

// end finishes connection c and returns its record, or nil when it is
// set aside (other traffic found only because of --any-port: counted,
// not judged).
func (a *Analyzer) end(c *pcap.Conn, stats *pcap.ConnStats) *Connection {
	st := a.state(c)
	delete(a.live, c)
	a.lastConn, a.lastState = nil, nil
	conn := st.finish(stats)
	if a.opts.AnyPort && !a.watched(c) && !st.looksTLS() {
		a.other++
		return nil
	}
	return conn
}

// place keeps or emits the record of the connection with the given ID, in
// ID order within Options.ReorderWindow (a nil conn keeps the place of a
// connection set aside).
func (a *Analyzer) place(id uint64, conn *Connection) {
	if a.opts.Emit == nil {
		if conn != nil {
			a.result.Connections = append(a.result.Connections, conn)
		}
		return
	}
	a.waiting.push(waiter{id, conn})
	for {
		if len(a.waiting) > 0 && a.waiting[0].id == a.next {
			a.next++
			a.emitLowest()
			continue
		}
		if len(a.waiting) <= a.opts.ReorderWindow {
			return
		}
		// The window is full: let the lowest waiting connection go first.
		a.emitLowest()
	}
}

// emitLowest emits the waiting connection with the lowest ID.
func (a *Analyzer) emitLowest() {
	if w := a.waiting.pop().conn; w != nil {
		a.opts.Emit(w)
	}
}

// watched reports whether an end of c is on a port given in Options.Ports
// (5061 when none is given).
func (a *Analyzer) watched(c *pcap.Conn) bool {
	ports := a.opts.Ports
	if len(ports) == 0 {
		ports = []uint16{pcap.DefaultPort}
	}
	for _, p := range ports {
		if c.Client.Port() == p || c.Server.Port() == p {
			return true
		}
	}
	return false
}

// flush emits every waiting connection in ID order (end of a capture).
func (a *Analyzer) flush() {
	for len(a.waiting) > 0 {
		a.emitLowest()
	}
}

// A waiter is a finished connection waiting for its turn to be emitted.
type waiter struct {
	id   uint64
	conn *Connection // nil: set aside, not emitted
}

// waitHeap is a binary min-heap of waiters by ID: finding the lowest costs
// nothing and adding or removing one costs O(log n), where a map cost a
// scan of every waiting connection per emit.
type waitHeap []waiter

func (h *waitHeap) push(w waiter) {
	*h = append(*h, w)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent].id <= s[i].id {
			break
		}
		s[parent], s[i] = s[i], s[parent]
		i = parent
	}
}

// pop removes and returns the waiter with the lowest ID; h is not empty.
func (h *waitHeap) pop() waiter {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = waiter{}
	s = s[:last]
	for i := 0; ; {
		low, l, r := i, 2*i+1, 2*i+2
		if l < len(s) && s[l].id < s[low].id {
			low = l
		}
		if r < len(s) && s[r].id < s[low].id {
			low = r
		}
		if low == i {
			break
		}
		s[i], s[low] = s[low], s[i]
		i = low
	}
	*h = s
	return top
}
