package capgen

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/netip"
	"time"
)

// BenchConfig describes a benchmark capture: a CUCM node's capture of SIP over
// mutual TLS with its trunk destinations and phones.
type BenchConfig struct {
	Size     int64         // approximate file size in bytes (the generator stops adding connections once its estimate reaches it)
	Seed     uint64        // the same seed and options give the same file
	Start    time.Time     // first connection; zero: 2026-11-02 09:00 UTC
	Duration time.Duration // span over which connections start; zero: 15 minutes per 200 MB (at least 15), so that about 800 connections are open at a time (trunk shape; see Rate)
	Options  Options       // file format and framing; the zero value is pcap over Ethernet (Local is set to the node)
	Shape    Shape         // kind of traffic; the zero value is ShapeTrunk
	Rate     float64       // new connections per second, overriding Duration; zero: from Duration for ShapeTrunk, DefaultDenseRate for ShapeDense unless Duration is set
	// KeyLog, if set, makes every connection a real crypto/tls session of its
	// own (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, new RSA keys each
	// run) carrying real SIP messages of the same sizes, and receives the
	// clients' key log (NSS format, one CLIENT_RANDOM line a session), for
	// timing siptls --keylog. The file then differs from run to run in its
	// TLS bytes (crypto/tls draws its randoms from the system), not in its
	// connections, times, sizes or outcomes.
	KeyLog io.Writer
}

// BenchStats counts what WriteBench wrote.
type BenchStats struct {
	Connections int   // TCP connections
	Trunk       int   // to the trunk destinations (the node is the client)
	Phone       int   // from phones (the node is the server)
	Failed      int   // Alerted + Reset + Refused
	Alerted     int   // the server answered the node's Certificate with an alert
	Reset       int   // the server reset the connection after the node's Certificate
	Refused     int   // SYN answered by RST
	Packets     int   // packet records
	Bytes       int64 // file size
	Sessions    int   // real TLS sessions run (BenchConfig.KeyLog)

	Span    time.Duration // from the first connection's start to the last one's
	MaxOpen int           // most connections open at once (from SYN to the last packet)
}

// benchNode is the capture node's address in benchmark captures.
var benchNode = netip.MustParseAddr("10.10.1.11")

// benchModel generates the benchmark's conversations in order of start time.
type benchModel struct {
	rng     *rand.Rand
	ts      []transcript
	byPeer  map[int][]int // transcript indexes by peer
	records [][]byte      // records[n] is an application data record of n bytes (300..1400)
	closeN  []byte        // an encrypted close_notify alert record
	start   time.Time
	spacing time.Duration
	i       int // connections made so far (the dense shape fails every denseFailEvery-th)
	mss     int
	// With BenchConfig.KeyLog: the live sessions, the current connection's
	// (nil when its handshake failed), the SIP transactions so far and
	// the first error.
	live  *liveNet
	cur   *liveSession
	calls int
	err   error
}

// Application data record sizes (TLS 1.2 AES-GCM records carrying one SIP message).
const (
	minRecord = 300
	maxRecord = 1400
)

func newBenchModel(cfg BenchConfig, ts []transcript) *benchModel {
	m := &benchModel{
		rng:    rand.New(rand.NewPCG(cfg.Seed, 0x5eed_cafe_f00d_d00d)),
		ts:     ts,
		byPeer: map[int][]int{},
		start:  cfg.Start,
		mss:    cfg.Options.MSS,
	}
	if m.mss == 0 {
		m.mss = defaultMSS
	}
	if m.start.IsZero() {
		m.start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	}
	for i, t := range ts {
		m.byPeer[t.Peer] = append(m.byPeer[t.Peer], i)
	}
	var seed [32]byte
	for i := range 4 {
		v := cfg.Seed + uint64(i)*0x9e3779b97f4a7c15
		for j := range 8 {
			seed[i*8+j] = byte(v >> (8 * j))
		}
	}
	pool := make([]byte, 1<<16)
	rand.NewChaCha8(seed).Read(pool)
	m.records = make([][]byte, maxRecord+1)
	for n := minRecord; n <= maxRecord; n++ {
		off := (n * 7919) % (len(pool) - maxRecord)
		r := make([]byte, 5, n)
		r[0], r[1], r[2], r[3], r[4] = 23, 3, 3, byte((n-5)>>8), byte(n-5)
		m.records[n] = append(r, pool[off:off+n-5]...)
	}
	m.closeN = append([]byte{21, 3, 3, 0, 26}, pool[:26]...)
	return m
}

// exp returns an exponentially distributed duration with the given mean.
func (m *benchModel) exp(mean time.Duration) time.Duration {
	return time.Duration(m.rng.ExpFloat64() * float64(mean))
}

// between returns a uniformly distributed duration in [lo, hi).
func (m *benchModel) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(m.rng.Int64N(int64(hi-lo)))
}

func (m *benchModel) record(lo, hi int) []byte {
	return m.records[lo+m.rng.IntN(hi-lo+1)]
}

// transcript returns the handshake of a new connection that replays m.ts[ti]:
// that transcript, or with BenchConfig.KeyLog a live session's with the
// same peer, which becomes m.cur.
func (m *benchModel) transcript(ti int) transcript {
	tr := m.ts[ti]
	m.cur = nil
	if m.live == nil || m.err != nil {
		return tr
	}
	live, s, err := m.live.session(tr.Peer)
	if err != nil {
		m.err = err
		return tr
	}
	m.cur = s
	return live
}

// sipRecord returns the record of message ms, the k-th of a transaction
// whose first is first: a record of random bytes of a size in ms's range,
// or with a live session the real record of a SIP message of that size.
func (m *benchModel) sipRecord(ms, first sipMsg) []byte {
	if m.cur == nil {
		return m.record(ms.lo, ms.hi)
	}
	n := ms.lo + m.rng.IntN(ms.hi-ms.lo+1) // the draw of record
	callID := fmt.Sprintf("%08x-%06x@10.10.1.11", uint32(m.calls)*2654435761, m.calls)
	b, err := m.cur.write(ms.side, benchSIP(ms.what, first.what, n, callID, 100+m.calls%900, "7001@10.10.1.11", "8001@peer.example.net"))
	if err != nil && m.err == nil {
		m.err = err
	}
	return b
}

// outcome is how a benchmark connection ends.
type outcome uint8

const (
	closed  outcome = iota // handshake, SIP, close_notify and FINs
	alerted                // fatal alert after the client's Certificate
	reset                  // RST after the client's Certificate
	refused                // SYN answered by RST
)

// shapeNet is the addressing of one bench shape.
type shapeNet struct {
	trunk    func(d int) netip.Addr // trunk destination d
	trunkRTT time.Duration          // round trip to destination 0; each further one adds as much
	deadDst  int                    // the destination where nothing listens
	phone    func(p int) netip.Addr // phone host p
	hosts    int                    // phone hosts to draw from
	phones   int                    // distinct phone certificates
}

// trunkNet is the addressing of the trunk shape.
var trunkNet = shapeNet{
	trunk:    func(d int) netip.Addr { return netip.AddrFrom4([4]byte{10, 20, byte(d / 4), byte(21 + d)}) },
	trunkRTT: 700 * time.Microsecond,
	deadDst:  benchDeadDst,
	phone:    func(p int) netip.Addr { return netip.AddrFrom4([4]byte{10, 30, byte(p / 250), byte(1 + p%250)}) },
	hosts:    2000,
	phones:   benchPhones,
}

// dial sets the endpoints of c, whose client uses port, and picks its
// transcript and round trip: the node calls trunk destination d when d >= 0,
// otherwise a phone drawn from n calls the node. It reports false for n's dead
// destination, after setting c's steps to a SYN answered by an RST.
func (m *benchModel) dial(c *Conversation, port uint16, d int, n shapeNet) (rtt time.Duration, ti int, ok bool) {
	if d >= 0 {
		c.Client = netip.AddrPortFrom(benchNode, port)
		c.Server = netip.AddrPortFrom(n.trunk(d), 5061)
		rtt = time.Duration(1+d) * n.trunkRTT
		if d == n.deadDst {
			c.Steps = []Step{{0, Client, SYN, nil}, {rtt, Server, RST, nil}}
			return rtt, 0, false
		}
		return rtt, m.byPeer[d][m.rng.IntN(len(m.byPeer[d]))], true
	}
	p := m.rng.IntN(n.hosts)
	c.Client = netip.AddrPortFrom(n.phone(p), port)
	c.Server = netip.AddrPortFrom(benchNode, 5061)
	rtt = time.Duration(300+m.rng.IntN(1500)) * time.Microsecond
	peer := -1 - p%n.phones
	return rtt, m.byPeer[peer][m.rng.IntN(len(m.byPeer[peer]))], true
}

// conn builds one conversation starting at start and reports its kind.
func (m *benchModel) conn(start time.Time) (c Conversation, trunk bool, out outcome) {
	c = Conversation{Start: start, ClientISN: m.rng.Uint32(), ServerISN: m.rng.Uint32()}
	port := uint16(32768 + m.rng.IntN(28232))
	trunk = m.rng.IntN(100) < 55
	d := -1
	if trunk {
		d = m.rng.IntN(benchTrunks)
	}
	rtt, ti, ok := m.dial(&c, port, d, trunkNet)
	if !ok {
		return c, true, refused
	}
	tr := m.transcript(ti)
	steps, at, ended := m.handshake(tr, rtt, trunkDst(c) == benchRSTDst)
	if ended != closed {
		c.Steps = steps
		return c, trunk, ended
	}
	// SIP over the established connection: calls and keepalives for a few minutes.
	life := m.between(time.Minute, 6*time.Minute)
	for {
		at += m.exp(8 * time.Second)
		if at >= life {
			break
		}
		steps = m.transaction(steps, &at, rtt, trunk)
	}
	at += m.between(time.Second, 5*time.Second)
	c.Steps = m.closeNotify(steps, at, rtt)
	return c, trunk, closed
}

// handshake returns the steps of a connection's TCP handshake and of the
// replay of tr's TLS writes, the time of the last, and how the connection
// ended: reset (with resetAfterCertificate the server resets it before the
// fourth write, the client's Certificate flight), alerted (tr failed: its
// alert is followed by FINs) or closed (the handshake finished; the caller
// goes on).
func (m *benchModel) handshake(tr transcript, rtt time.Duration, resetAfterCertificate bool) ([]Step, time.Duration, outcome) {
	steps := make([]Step, 0, 64)
	at := time.Duration(0)
	steps = append(steps, Step{at, Client, SYN, nil})
	at += rtt
	steps = append(steps, Step{at, Server, SYNACK, nil})
	at += 40 * time.Microsecond
	steps = append(steps, Step{at, Client, ACK, nil})
	last := Client
	for k, w := range tr.Writes {
		if resetAfterCertificate && k == 3 {
			return append(steps, Step{at + rtt/2 + time.Millisecond, Server, RST, nil}), at, reset
		}
		if w.Side != last {
			at += rtt + m.between(200*time.Microsecond, 3*time.Millisecond)
		} else {
			at += 60 * time.Microsecond
		}
		last = w.Side
		steps = append(steps, Step{at, w.Side, Data, w.Bytes})
	}
	if tr.Failed {
		at += 300 * time.Microsecond
		steps = append(steps, Step{at, last, FIN, nil})
		at += rtt + time.Millisecond
		return append(steps, Step{at, 1 - last, FIN, nil}, Step{at + rtt, last, ACK, nil}), at, alerted
	}
	return steps, at, closed
}

// closeNotify appends the end of a healthy connection at: the client's
// close_notify and FIN, then the server's, then the client's last ACK.
func (m *benchModel) closeNotify(steps []Step, at, rtt time.Duration) []Step {
	cn, sn := m.closeN, m.closeN
	if m.cur != nil {
		var err, err2 error
		cn, err = m.cur.closeNotify(Client)
		sn, err2 = m.cur.closeNotify(Server)
		if err = errors.Join(err, err2); err != nil && m.err == nil {
			m.err = err
		}
		m.cur = nil
	}
	steps = append(steps, Step{at, Client, Data, cn}, Step{at + 50*time.Microsecond, Client, FIN, nil})
	at += rtt + time.Millisecond
	return append(steps, Step{at, Server, Data, sn}, Step{at + 50*time.Microsecond, Server, FIN, nil}, Step{at + rtt, Client, ACK, nil})
}

// trunkDst returns the trunk destination index of c, or -1 for a phone.
func trunkDst(c Conversation) int {
	a := c.Server.Addr().As4()
	if a[0] != 10 || a[1] != 20 {
		return -1
	}
	return int(a[3]) - 21
}

// transaction appends one SIP exchange: a call setup or teardown, a REGISTER
// refresh, or an OPTIONS keepalive, each message one record.
func (m *benchModel) transaction(steps []Step, at *time.Duration, rtt time.Duration, trunk bool) []Step {
	a, b := Client, Server
	if trunk && m.rng.IntN(2) == 0 {
		a, b = Server, Client
	}
	var msgs []sipMsg
	switch r := m.rng.IntN(10); {
	case r < 4: // INVITE, 100 Trying, 180 Ringing, 200 OK, ACK
		msgs = []sipMsg{{a, 900, 1400, "INVITE"}, {b, 300, 420, "100 Trying"}, {b, 500, 800, "180 Ringing"}, {b, 900, 1300, "200 OK"}, {a, 350, 500, "ACK"}}
	case r < 7: // BYE, 200 OK
		msgs = []sipMsg{{a, 450, 650, "BYE"}, {b, 380, 520, "200 OK"}}
	case r < 9 && !trunk: // REGISTER, 200 OK
		msgs = []sipMsg{{a, 700, 1000, "REGISTER"}, {b, 500, 700, "200 OK"}}
	default: // OPTIONS, 200 OK
		msgs = []sipMsg{{a, 480, 620, "OPTIONS"}, {b, 400, 560, "200 OK"}}
	}
	return m.exchange(steps, at, rtt, msgs)
}

// sipMsg is one SIP message of an exchange: who sends it, the range of its
// record's size, and what it is (a method, or a response's status), for
// live sessions.
type sipMsg struct {
	side   Side
	lo, hi int
	what   string
}

// exchange appends the records of msgs from *at on: a turn of the other
// side waits a round trip and its processing, a second message of the
// same side (180 after 100) a little longer.
func (m *benchModel) exchange(steps []Step, at *time.Duration, rtt time.Duration, msgs []sipMsg) []Step {
	prev := msgs[0].side
	for k, ms := range msgs {
		if k > 0 {
			if ms.side != prev {
				*at += rtt + m.between(time.Millisecond, 20*time.Millisecond)
			} else {
				*at += m.between(5*time.Millisecond, 800*time.Millisecond)
			}
		}
		prev = ms.side
		steps = append(steps, Step{*at, ms.side, Data, m.sipRecord(ms, msgs[0])})
	}
	if m.cur != nil {
		m.calls++
	}
	return steps
}

// estimate is the approximate number of file bytes c becomes: payload plus
// about 82 bytes of headers per packet (record, Ethernet, IPv4, TCP with
// timestamps), counting the receiver's ACKs.
func estimate(c *Conversation, mss int) int64 {
	const perPacket = 82
	var n int64
	for _, s := range c.Steps {
		if s.Kind != Data {
			n += perPacket
			continue
		}
		segs := (len(s.Bytes) + mss - 1) / mss
		n += int64(len(s.Bytes)) + int64(segs+1+segs/2)*perPacket
	}
	return n
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// WriteBench writes a large, realistic capture taken on a CUCM node
// (10.10.1.11): thousands of interleaved mutual-TLS connections on port 5061,
// to 16 trunk destinations (the node is the client) and from phones (the node
// is the server). Each replays one of the embedded handshakes recorded from
// crypto/tls (TLS 1.2, RSA 2048 certificates, about 1.1 KB each way) on its own
// 4-tuple, ISNs and times, then carries SIP-sized application data records
// (300 to 1400 bytes of random ciphertext) for minutes, then closes. Three
// destinations fail: 10.20.3.34 answers the node's Certificate with an alert,
// 10.20.3.35 resets the connection after it, 10.20.3.36 refuses the SYN.
//
// That is the default shape, ShapeTrunk. ShapeDense replays other recorded
// handshakes, with 4-certificate chains each way, on short connections with a
// few SIP records each (see ShapeDense and BenchConfig.Rate).
//
// The output is streamed: memory stays flat whatever cfg.Size.
func WriteBench(out io.Writer, cfg BenchConfig) (BenchStats, error) {
	if cfg.Size <= 0 {
		return BenchStats{}, &OptionError{"Size", fmt.Sprintf("%d is not positive", cfg.Size)}
	}
	if cfg.Rate < 0 || math.IsNaN(cfg.Rate) || math.IsInf(cfg.Rate, 0) {
		return BenchStats{}, &OptionError{"Rate", fmt.Sprintf("%v is not a rate", cfg.Rate)}
	}
	load, conn := loadTranscripts, (*benchModel).conn
	switch cfg.Shape {
	case ShapeTrunk:
	case ShapeDense:
		load, conn = loadDenseTranscripts, (*benchModel).denseConn
		if cfg.Rate == 0 && cfg.Duration <= 0 {
			cfg.Rate = DefaultDenseRate
		}
	default:
		return BenchStats{}, &OptionError{"Shape", fmt.Sprintf("%v is not a shape", cfg.Shape)}
	}
	ts, err := load()
	if err != nil {
		return BenchStats{}, err
	}
	if cfg.Duration <= 0 {
		cfg.Duration = time.Duration(float64(15*time.Minute) * max(1, float64(cfg.Size)/200e6))
	}
	cfg.Options.Local = benchNode
	cw := &countingWriter{w: out}
	w, err := NewWriter(cw, cfg.Options)
	if err != nil {
		return BenchStats{}, err
	}
	m := newBenchModel(cfg, ts)
	if cfg.KeyLog != nil {
		if m.live, err = newLiveNet(cfg.Shape, m.start, cfg.KeyLog); err != nil {
			return BenchStats{}, err
		}
	}

	if cfg.Rate > 0 {
		m.spacing = time.Duration(math.Max(1, float64(time.Second)/cfg.Rate))
	} else {
		// Space connection starts so that the planned size spans cfg.Duration:
		// estimate the mean connection from a sample drawn from a separate generator.
		sample := newBenchModel(BenchConfig{Seed: cfg.Seed ^ 0xabcdef, Options: cfg.Options}, ts)
		var sum int64
		const samples = 256
		for range samples {
			c, _, _ := conn(sample, m.start)
			sum += estimate(&c, m.mss)
		}
		n := max(1, float64(cfg.Size)/(float64(sum)/samples))
		m.spacing = time.Duration(math.Max(1, float64(cfg.Duration)/n))
	}

	var st BenchStats
	var planned int64
	var open endHeap
	at := m.start
	err = w.WriteStream(func() (Conversation, bool) {
		if planned >= cfg.Size || m.err != nil {
			return Conversation{}, false
		}
		c, trunk, out := conn(m, at)
		if m.err != nil {
			return Conversation{}, false
		}
		st.Span = at.Sub(m.start)
		at = at.Add(m.exp(m.spacing))
		st.MaxOpen = max(st.MaxOpen, open.add(c.Start, c.Start.Add(c.Steps[len(c.Steps)-1].At)))
		planned += estimate(&c, m.mss)
		st.Connections++
		if trunk {
			st.Trunk++
		} else {
			st.Phone++
		}
		switch out {
		case alerted:
			st.Alerted++
		case reset:
			st.Reset++
		case refused:
			st.Refused++
		}
		st.Failed = st.Alerted + st.Reset + st.Refused
		return c, true
	})
	st.Packets = w.Packets()
	st.Bytes = cw.n
	if m.live != nil {
		st.Sessions = m.live.sessions
	}
	return st, errors.Join(err, m.err)
}

// endHeap is a min-heap of the end times of the connections open so far.
type endHeap []time.Time

// add drops the connections that ended before start, adds one that ends at
// end, and returns how many are open.
func (h *endHeap) add(start, end time.Time) int {
	for len(*h) > 0 && (*h)[0].Before(start) {
		old := *h
		n := len(old) - 1
		old[0] = old[n]
		*h = old[:n]
		for i := 0; ; {
			l, s := 2*i+1, i
			if l < n && old[l].Before(old[s]) {
				s = l
			}
			if l+1 < n && old[l+1].Before(old[s]) {
				s = l + 1
			}
			if s == i {
				break
			}
			old[i], old[s] = old[s], old[i]
			i = s
		}
	}
	*h = append(*h, end)
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if !(*h)[i].Before((*h)[p]) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
	return len(*h)
}
