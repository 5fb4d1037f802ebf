package triage

import (
	"container/heap"
	"fmt"
	"github.com/siptls/siptls/internal/english"
	"math"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/sanitize"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/trust"
)

// Triage is the view model of `siptls triage`: many captures merged, the same
// connection seen in several captures counted once. Its JSON form follows the
// siptls/v1 schema (docs/json-schema.md, "Triage").
type Triage struct {
	Schema  string `json:"schema"`
	Version string `json:"siptls_version"`
	// Actions are the distinct remedies, the most connections explained
	// first (see Action).
	Actions      []Action            `json:"actions"`
	Patterns     []string            `json:"patterns"`
	Captures     []Capture           `json:"captures"`
	Connections  []TriageConnection  `json:"connections"`
	Detail       DetailInfo          `json:"connection_detail"`
	Destinations []TriageDestination `json:"destinations"`
	Pairs        []Pair              `json:"pairs"`
	Certificates []InventoryCert     `json:"certificates"`
	Duplicates   Duplicates          `json:"duplicates"`
	// Omitted says what the caps left out of the tables.
	Omitted TriageOmitted `json:"omitted"`
	// TrustStores are the --trust and --trust-for folders ([] without them).
	TrustStores []TrustStore `json:"trust_stores"`
	Notes       []string     `json:"notes"`
	Summary     Summary      `json:"summary"`
}

// TriageConnection is a connection kept in full, with the captures that saw it.
type TriageConnection struct {
	Connection
	// SeenIn lists the indexes (into captures) of every capture that saw this
	// connection; the first is the one whose view is shown.
	SeenIn []int `json:"seen_in"`
}

// DetailInfo says which connections are listed in full.
type DetailInfo struct {
	// FailedKept and OKKept count the connections listed in "connections".
	FailedKept int `json:"failed_kept"`
	OKKept     int `json:"ok_kept"`
	// MaxFailed and MaxOK are the caps: every problem connection is listed up
	// to MaxFailed, and a sample of at most MaxOK ok ones.
	MaxFailed int `json:"max_failed"`
	MaxOK     int `json:"max_ok"`
	// FailedOmitted counts problem connections beyond the cap (counted in the
	// tables, not listed).
	FailedOmitted int `json:"failed_omitted"`
}

// TriageDestination is one server ip:port over every capture.
type TriageDestination struct {
	Server  string   `json:"server"`
	Names   []string `json:"names"`
	Clients []string `json:"clients"`
	// ClientsMore counts the client addresses beyond the MaxListed listed
	// (among the pairs kept).
	ClientsMore int `json:"clients_more"`
	Counts
	// Certificates are the distinct leaf certificates the server presented,
	// in the order first seen: the first MaxListed met.
	Certificates []PresentedCert `json:"certificates"`
	// CertificatesMore counts the connections on which the server presented
	// a leaf certificate not listed (beyond MaxListed distinct ones).
	CertificatesMore int `json:"certificates_more"`
	// CertificateChanged is set when the server presented more than one leaf
	// certificate (for example one regenerated mid-incident).
	CertificateChanged bool `json:"certificate_changed"`
}

// PresentedCert is one leaf certificate presented by a destination.
type PresentedCert struct {
	SHA256      string `json:"sha256"`
	Serial      string `json:"serial"`
	CommonName  string `json:"common_name"`
	FirstSeen   Time   `json:"first_seen"`
	LastSeen    Time   `json:"last_seen"`
	Connections int    `json:"connections"`
	OK          int    `json:"ok"`
	Failed      int    `json:"failed"`
}

// Pair is one client address talking to one server ip:port.
type Pair struct {
	Client string   `json:"client"`
	Server string   `json:"server"`
	Names  []string `json:"names"`
	Counts
}

// InventoryCert is one distinct certificate over every capture.
type InventoryCert struct {
	SHA256 string `json:"sha256"`
	// CertSummary's validity is at the first time the certificate was seen.
	CertSummary
	FirstSeen   Time        `json:"first_seen"`
	LastSeen    Time        `json:"last_seen"`
	Connections int         `json:"connections"`
	PresentedBy []Presenter `json:"presented_by"`
	// PresentedByMore counts the presentations (connections) by endpoints
	// not listed: each certificate lists its first MaxListed presenters met.
	PresentedByMore int `json:"presented_by_more"`
	// SameSubject lists the SHA-256 of other certificates with the same
	// subject: a stale copy may be in play. At most MaxListed, the lowest
	// first; SameSubjectMore counts the others.
	SameSubject     []string `json:"same_subject"`
	SameSubjectMore int      `json:"same_subject_more"`
	// Trust lists the trust folders' verdicts on it as a leaf (with --trust).
	Trust      []InventoryTrust `json:"trust"`
	ParseError string           `json:"parse_error,omitempty"`
}

// SameSubjectCount counts the other certificates with the same subject,
// listed or not.
func (c InventoryCert) SameSubjectCount() int { return len(c.SameSubject) + c.SameSubjectMore }

// Presenter is an endpoint that presented a certificate.
type Presenter struct {
	Endpoint    string `json:"endpoint"` // ip:port for a server, ip for a client
	As          string `json:"as"`       // "server" or "client"
	Index       int    `json:"index"`    // position in the chain: 0 is the leaf
	Connections int    `json:"connections"`
}

// Duplicates tells how many connections were seen in more than one capture.
type Duplicates struct {
	// Connections counts the distinct connections seen in two or more captures.
	Connections int `json:"connections"`
	// Views counts the extra views merged into them.
	Views int `json:"views"`
	// ByISN and ByTime count the matches made by initial sequence number and
	// by start time (no SYN captured).
	ByISN  int `json:"by_isn"`
	ByTime int `json:"by_time"`
	// ClockOffsets are the clock differences found between captures.
	ClockOffsets []ClockOffset `json:"clock_offsets"`
}

// ClockOffset is how far capture B's clock is ahead of capture A's, from the
// connections both saw.
type ClockOffset struct {
	A           int     `json:"a"`
	B           int     `json:"b"`
	Seconds     float64 `json:"seconds"`
	Connections int     `json:"connections"`
}

// TriageOmitted says what the caps of a Merger left out (JSON "omitted").
type TriageOmitted struct {
	// Unmatched counts the connections beyond MaxMatched: counted in the
	// tables without being matched with the other captures' views.
	Unmatched int `json:"unmatched"`
	// Destinations and Pairs count the distinct connections counted in the
	// summary but not in a row of destinations (beyond MaxDestinations) or
	// pairs (beyond MaxPairs).
	Destinations int `json:"destinations"`
	Pairs        int `json:"pairs"`
	// Certificates counts the certificates presented on connections whose
	// certificate is not in the inventory (beyond MaxCertificates distinct
	// ones, or beyond the first 8 of a connection).
	Certificates int `json:"certificates"`
	// Limits are the caps.
	Limits TriageLimits `json:"limits"`
}

// TriageLimits are the caps of a Merger.
type TriageLimits struct {
	MaxMatched      int `json:"max_matched"`
	MaxDestinations int `json:"max_destinations"`
	MaxPairs        int `json:"max_pairs"`
	MaxCertificates int `json:"max_certificates"`
	MaxListed       int `json:"max_listed"`
}

// The default caps of a Merger (README, "Speed and memory").
const (
	DefaultMaxMatched      = 100_000
	DefaultMaxDestinations = 2_000
	DefaultMaxPairs        = 10_000
	DefaultMaxCertificates = 10_000
	DefaultMaxListed       = 20
)

// TriageOptions control a Merger.
type TriageOptions struct {
	// MaxFailed caps the problem connections kept in full (0: 200).
	MaxFailed int
	// MaxOK caps the sample of ok connections kept in full (0: 10).
	MaxOK int
	// Window is how close the start times of two views of a connection
	// without a captured SYN must be (0: 2 s).
	Window time.Duration
	// SkewNote is the clock difference between captures worth a note (0: 1 s).
	SkewNote time.Duration
	// MaxMatched caps the connection summaries kept to match the views of
	// one connection in several captures (0: DefaultMaxMatched). Beyond it,
	// the connections that started last are counted at once, unmatched.
	MaxMatched int
	// MaxDestinations, MaxPairs and MaxCertificates cap the rows of the
	// tables; connections beyond them are counted in the summary and in
	// Omitted (0: the defaults). The first rows met are kept.
	MaxDestinations, MaxPairs, MaxCertificates int
	// MaxListed caps the items listed in one row: a destination's clients
	// and leaf certificates, a certificate's presenters and other
	// certificates with its subject (0: DefaultMaxListed).
	MaxListed int
	// NodesGiven promises that the caller gives every capture's node with
	// SetCaptureNode (as analyze and triage do, from the NodeBuffer their
	// certificates were judged with), so that the Merger does not decide
	// it a second time. A capture with no decision given then has the
	// node of a capture without connections.
	NodesGiven bool
	// MaxActions caps the distinct remedies kept (0: DefaultMaxActions).
	MaxActions int
}

// A Merger collects connections from many captures, possibly from several
// goroutines at once, and makes the Triage. What it keeps per connection is a
// fixed-size summary, for at most MaxMatched connections (those that
// started first; the rest are counted at once, unmatched);
// full detail only for a capped number of connections; and tables capped by
// TriageOptions. The result depends only on the connections added, not on
// their order, unless a table cap is hit (the first rows met are kept).
type Merger struct {
	opts     TriageOptions
	mu       sync.Mutex
	strs     *strTable
	sums     sumHeap // the MaxMatched lowest keys, for matching
	base     *tables // the connections beyond them, counted unmatched
	omitted  TriageOmitted
	certs    map[string]int32 // SHA-256 -> index in infos
	infos    []invCert
	problems detailSet // connections not ok
	ok       detailSet
	// trust holds the distinct trust verdicts on each leaf (by index in infos).
	trust map[int32][]InventoryTrust
	// nodes decides each capture's node (node.go).
	nodes *captureNodes
	// actions are the distinct remedies; actionsOmitted counts the
	// connections whose remedy was beyond their cap.
	actions        *actionTable
	actionsOmitted int
}

// InventoryTrust is one trust folder's verdict on a certificate, as the leaf
// of a presented chain.
type InventoryTrust struct {
	Store  string       `json:"store"`
	Node   string       `json:"node"`
	Status trust.Status `json:"status"`
	File   string       `json:"file"`
	Detail string       `json:"detail"`
}

// connSum is what a Merger keeps of every connection: a fixed-size summary
// without pointers (TestConnSumSize measures it). Strings are codes of the
// Merger's strTable.
type connSum struct {
	id             uint64
	start          int64 // Unix nanoseconds (noTime: none)
	startFrame     uint64
	endFrame       uint64
	client, server addrPort
	capture        int32
	isn            uint32
	clientPackets  uint32 // the SYNs of a no_answer connection
	call           uint16 // the final response to the first INVITE, decrypted (0: none)
	verdict        uint16 // diagnose.Verdict
	reason         uint16 // diagnose.Reason
	alert          uint16 // the alert's name ("unknown_ca"); 0: none
	alertBy        diagnose.Side
	isnKnown       bool
	ncerts         uint8
	certTag        [maxSumCerts]uint8 // side<<7 | index in the chain
	certs          [maxSumCerts]int32 // index in the Merger's certificates
	action         int32              // index+1 in the Merger's remedies (0: none)
	actionFrame    uint32             // the frame that shows the problem, from startFrame on
}

// maxSumCerts is how many certificates of a connection count in the
// inventory: a mutual TLS handshake carries two chains of two or three.
const maxSumCerts = 8

// noTime stands for a zero start time.
const noTime = math.MinInt64

// addrPort is a netip.AddrPort in 20 bytes without a pointer (no zone: a
// capture has none).
type addrPort struct {
	ip   [16]byte
	port uint16
	v4   bool
}

func newAddrPort(a netip.AddrPort) addrPort {
	return addrPort{ip: a.Addr().As16(), port: a.Port(), v4: a.Addr().Is4()}
}

func (a addrPort) addrPort() netip.AddrPort {
	ip := netip.AddrFrom16(a.ip)
	if a.v4 {
		ip = ip.Unmap()
	}
	return netip.AddrPortFrom(ip, a.port)
}

// certRef is one certificate of a connection.
type certRef struct {
	cert  int32
	side  diagnose.Side
	index uint8
}

// strTable gives the few distinct strings of the summaries (verdicts,
// reasons, alert names) small codes; code 0 is "".
type strTable struct {
	codes map[string]uint16
	strs  []string
}

func (t *strTable) code(s string) uint16 {
	if s == "" {
		return 0
	}
	if c, ok := t.codes[s]; ok {
		return c
	}
	if t.codes == nil {
		t.codes, t.strs = map[string]uint16{}, []string{""}
	}
	if len(t.strs) > math.MaxUint16 {
		return 0 // cannot happen: alert names are at most 256
	}
	c := uint16(len(t.strs))
	t.codes[s] = c
	t.strs = append(t.strs, s)
	return c
}

func (t *strTable) str(c uint16) string {
	if int(c) >= len(t.strs) {
		return ""
	}
	return t.strs[c]
}

// NewMerger returns an empty Merger.
func NewMerger(o TriageOptions) *Merger {
	if o.MaxFailed <= 0 {
		o.MaxFailed = 200
	}
	if o.MaxOK <= 0 {
		o.MaxOK = 10
	}
	if o.Window <= 0 {
		o.Window = 2 * time.Second
	}
	if o.SkewNote <= 0 {
		o.SkewNote = time.Second
	}
	defaultInt(&o.MaxMatched, DefaultMaxMatched)
	defaultInt(&o.MaxDestinations, DefaultMaxDestinations)
	defaultInt(&o.MaxPairs, DefaultMaxPairs)
	defaultInt(&o.MaxCertificates, DefaultMaxCertificates)
	defaultInt(&o.MaxListed, DefaultMaxListed)
	m := &Merger{opts: o, strs: &strTable{}, certs: map[string]int32{}, problems: detailSet{max: o.MaxFailed}, ok: detailSet{max: o.MaxOK}, nodes: newCaptureNodes(),
		actions: newActionTable(o.MaxActions)}
	m.nodes.callerDecides = o.NodesGiven
	m.base = newTables(&m.opts, m.strs)
	m.omitted.Limits = TriageLimits{MaxMatched: o.MaxMatched, MaxDestinations: o.MaxDestinations, MaxPairs: o.MaxPairs,
		MaxCertificates: o.MaxCertificates, MaxListed: o.MaxListed}
	return m
}

func defaultInt(v *int, d int) {
	if *v <= 0 {
		*v = d
	}
}

// Add records one connection; c.Capture must be the index of its capture in
// the list later given to Triage. Add is safe for concurrent use.
func (m *Merger) Add(c *diagnose.Connection) { m.AddJudged(c, nil) }

// AddJudged is Add with what the trust folders say about the connection
// (t may be nil).
func (m *Merger) AddJudged(c *diagnose.Connection, t *trust.ConnectionTrust) {
	s := connSum{capture: int32(c.Capture), id: c.ID, client: newAddrPort(c.Client), server: newAddrPort(c.Server), isn: c.ClientISN, isnKnown: c.ISNKnown,
		start: noTime, startFrame: c.StartFrame, endFrame: c.EndFrame,
		clientPackets: uint32(min(c.Stats[diagnose.Client].Packets, math.MaxUint32)), call: uint16(diagnose.CallOutcome(c.SIP))}
	if !c.Start.IsZero() {
		s.start = c.Start.UnixNano()
	}
	var detail *Connection
	m.mu.Lock()
	defer m.mu.Unlock()
	s.verdict, s.reason = m.strs.code(string(c.Verdict)), m.strs.code(string(c.Reason))
	if c.Alert != nil {
		s.alertBy, s.alert = c.Alert.SentBy, m.strs.code(c.Alert.Name)
	}
	for _, cert := range c.Certificates {
		if cert.Info == nil {
			continue
		}
		idx, ok := m.certs[cert.Info.SHA256]
		if !ok && len(m.infos) >= m.opts.MaxCertificates || int(s.ncerts) == maxSumCerts {
			m.omitted.Certificates++
			continue
		}
		if !ok {
			idx = int32(len(m.infos))
			m.certs[cert.Info.SHA256] = idx
			m.infos = append(m.infos, newInvCert(cert.Info))
		}
		s.certs[s.ncerts] = idx
		s.certTag[s.ncerts] = uint8(cert.SentBy)<<7 | uint8(min(cert.Index, 127))
		s.ncerts++
		if st := t.For(cert.SentBy); st != nil && cert.Index == 0 {
			m.addTrust(idx, InventoryTrust{Store: st.Store, Node: st.Node, Status: st.Judgement.Status, File: st.Judgement.File, Detail: st.Judgement.Detail})
		}
	}
	var frame uint64
	var omitted bool
	s.action, frame, omitted = m.actions.add(c, t)
	s.actionFrame = frameOffset(frame, c.StartFrame)
	if omitted {
		m.actionsOmitted++
	}
	m.match(s)
	m.nodes.add(c)
	set := &m.ok
	if c.Verdict != diagnose.VerdictOK {
		set = &m.problems
	}
	k := connKey{c.Capture, c.ID}
	if set.wants(k) {
		v := BuildJudgedConnection(c, t)
		detail = &v
		set.add(k, detail)
	}
}

// match keeps s for matching when it is among the MaxMatched connections
// that started first (then by capture and ID), and counts the connection it
// displaces (or s itself) unmatched. Keeping the first by start time keeps
// the views of one connection in several captures together.
func (m *Merger) match(s connSum) {
	switch {
	case len(m.sums) < m.opts.MaxMatched:
		heap.Push(&m.sums, s)
		return
	case s.earlier(&m.sums[0]):
		s, m.sums[0] = m.sums[0], s
		heap.Fix(&m.sums, 0)
	}
	m.omitted.Unmatched++
	m.base.fold(&s, m.infos)
}

// earlier orders summaries by start time, then capture and ID.
func (s *connSum) earlier(o *connSum) bool {
	if s.start != o.start {
		return s.start < o.start
	}
	return s.key().less(o.key())
}

// sumHeap is a max-heap of summaries (earlier).
type sumHeap []connSum

func (h sumHeap) Len() int           { return len(h) }
func (h sumHeap) Less(i, j int) bool { return h[j].earlier(&h[i]) }
func (h sumHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sumHeap) Push(x any)        { *h = append(*h, x.(connSum)) }
func (h *sumHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// SetCaptureNode gives the decision on a capture's node, as its connections
// were judged with it. Without it, the Merger asks diagnose.NodeFinder with
// the connections' packet evidence alone. It is safe for concurrent use.
func (m *Merger) SetCaptureNode(capture int, n diagnose.CaptureNode) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nodes.given[capture] = n
	delete(m.nodes.finders, capture) // its own guess is no longer needed
}

// addTrust records a verdict on a certificate once.
func (m *Merger) addTrust(idx int32, v InventoryTrust) {
	if m.trust == nil {
		m.trust = map[int32][]InventoryTrust{}
	}
	for _, have := range m.trust[idx] {
		if have == v {
			return
		}
	}
	m.trust[idx] = append(m.trust[idx], v)
}

func (s *connSum) key() connKey { return connKey{int(s.capture), s.id} }

// connKey orders connections: by capture, then ID.
type connKey struct {
	capture int
	id      uint64
}

func (k connKey) less(o connKey) bool {
	if k.capture != o.capture {
		return k.capture < o.capture
	}
	return k.id < o.id
}

// detailSet keeps the max connections with the lowest keys.
type detailSet struct {
	max   int
	items map[connKey]*Connection
	worst connKey // highest key held, valid when full
	seen  int
}

func (d *detailSet) wants(k connKey) bool {
	d.seen++
	return len(d.items) < d.max || k.less(d.worst)
}

func (d *detailSet) add(k connKey, c *Connection) {
	if d.items == nil {
		d.items = map[connKey]*Connection{}
	}
	d.items[k] = c
	if len(d.items) > d.max {
		delete(d.items, d.worst)
	}
	if len(d.items) == d.max {
		first := true
		for key := range d.items {
			if first || d.worst.less(key) {
				d.worst, first = key, false
			}
		}
	}
}

func (d *detailSet) omitted() int {
	if d.seen > d.max {
		return d.seen - d.max
	}
	return 0
}

// view is one distinct connection: its first view and every capture that saw it.
type view struct {
	s       *connSum
	seenIn  []int
	starts  []time.Time
	byTime  bool
	dupView bool
}

// Triage merges everything added so far. captures are the inputs by index;
// errs the input problems; notes are added to the result's notes (for
// example files skipped).
func (m *Merger) Triage(captures []*pcap.CaptureInfo, errs []error, notes []string, version string) *Triage {
	m.mu.Lock()
	defer m.mu.Unlock()
	sums := make([]*connSum, len(m.sums))
	for i := range m.sums {
		sums[i] = &m.sums[i]
	}
	sort.Slice(sums, func(i, j int) bool {
		return sums[i].key().less(sums[j].key())
	})
	t := &Triage{Schema: Schema, Version: version, Actions: []Action{}, Patterns: []string{}, Connections: []TriageConnection{},
		Destinations: []TriageDestination{}, Pairs: []Pair{}, Certificates: []InventoryCert{}, TrustStores: []TrustStore{}, Notes: append([]string{}, notes...),
		Summary: newSummary()}
	t.Duplicates.ClockOffsets = []ClockOffset{}

	// Per-capture facts count every view.
	t.Captures = []Capture{}
	for i, ci := range captures {
		c := buildCapture(ci, m.nodes.conns[i], errs)
		ApplyNode(&c, m.nodes.decide(i))
		t.Captures = append(t.Captures, c)
	}

	views, dupOf := m.dedup(sums, t)
	m.offsets(views, t, captures)

	// Detail: connections kept in full whose view is the first one.
	seen := map[connKey]*view{}
	for _, v := range views {
		seen[v.s.key()] = v
	}
	for _, set := range []*detailSet{&m.problems, &m.ok} {
		keys := make([]connKey, 0, len(set.items))
		for k := range set.items {
			if _, dup := dupOf[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
		for _, k := range keys {
			tc := TriageConnection{Connection: *set.items[k], SeenIn: []int{k.capture}}
			if v := seen[k]; v != nil { // else counted unmatched
				tc.SeenIn = v.seenIn
			}
			t.Connections = append(t.Connections, tc)
			if tc.Verdict == diagnose.VerdictOK {
				t.Detail.OKKept++
			} else {
				t.Detail.FailedKept++
			}
		}
	}
	sort.SliceStable(t.Connections, func(i, j int) bool {
		return connKey{t.Connections[i].Capture, t.Connections[i].ID}.less(connKey{t.Connections[j].Capture, t.Connections[j].ID})
	})
	t.Detail.MaxFailed, t.Detail.MaxOK = m.opts.MaxFailed, m.opts.MaxOK
	t.Detail.FailedOmitted = m.problems.omitted()
	if t.Detail.FailedOmitted > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("only the first %d problem connections are listed in full (%d more are counted in the tables): raise --max-detail to see more", m.opts.MaxFailed, t.Detail.FailedOmitted))
	}

	tb := m.base.clone()
	for _, v := range views {
		tb.fold(v.s, m.infos)
	}
	tb.finish(t, m.infos, m.trust)
	t.Actions = m.actions.actions(tb.actions, t.Captures)
	t.Omitted = m.omitted
	t.Omitted.Destinations, t.Omitted.Pairs = tb.destsOmitted, tb.pairsOmitted
	m.omittedNotes(t, len(captures))
	t.Patterns = patterns(t)
	return t
}

// omittedNotes says in t.Notes what the caps left out. With one capture
// nothing needs matching: the unmatched connections are only counted.
func (m *Merger) omittedNotes(t *Triage, captures int) {
	o, l := &t.Omitted, &t.Omitted.Limits
	if o.Unmatched > 0 && captures > 1 {
		t.Notes = append(t.Notes, fmt.Sprintf("only the first %d connections were matched across captures; %d more were counted without matching, so one seen in two captures is counted twice (raise triage's --max-matched to match more)",
			l.MaxMatched, o.Unmatched))
	}
	if o.Destinations > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("the destinations table lists the first %d destinations met; %s to others are counted only in the summary",
			l.MaxDestinations, english.Plural(o.Destinations, "connection", "connections")))
	}
	if o.Pairs > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("the pairs table lists the first %d client and destination pairs met; %s of other pairs are counted only in the destinations and the summary",
			l.MaxPairs, english.Plural(o.Pairs, "connection", "connections")))
	}
	if m.actionsOmitted > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("the remedies list the first %d distinct ones met; %s with other remedies are not counted in them",
			m.actions.max, english.Plural(m.actionsOmitted, "connection", "connections")))
	}
	if o.Certificates > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("the certificate inventory lists the first %d distinct certificates met (and at most %d of a connection); %d more presented are not listed",
			l.MaxCertificates, maxSumCerts, o.Certificates))
	}
}

// dedup groups the views of one connection. Two views match when they have
// the same 4-tuple and come from different captures, and either both carry
// the client's ISN and it is the same, or one does not and their start times
// are within the window.
func (m *Merger) dedup(sums []*connSum, t *Triage) ([]*view, map[connKey]bool) {
	type tuple struct{ c, s addrPort }
	byTuple := make(map[tuple][]*view, len(sums))
	views := make([]*view, 0, len(sums))
	store := make([]view, len(sums))
	dupOf := map[connKey]bool{}
	for _, s := range sums {
		tp := tuple{s.client, s.server}
		var match *view
		byTime := false
		for _, v := range byTuple[tp] {
			if containsInt(v.seenIn, int(s.capture)) {
				continue
			}
			if v.s.isnKnown && s.isnKnown {
				if v.s.isn == s.isn {
					match = v
					break
				}
				continue
			}
			if d := s.startTime().Sub(v.s.startTime()); d <= m.opts.Window && d >= -m.opts.Window {
				match, byTime = v, true
				break
			}
		}
		if match == nil {
			v := &store[len(views)]
			*v = view{s: s, seenIn: []int{int(s.capture)}, starts: []time.Time{s.startTime()}}
			byTuple[tp] = append(byTuple[tp], v)
			views = append(views, v)
			continue
		}
		if len(match.seenIn) == 1 {
			t.Duplicates.Connections++
		}
		match.seenIn = append(match.seenIn, int(s.capture))
		match.starts = append(match.starts, s.startTime())
		t.Duplicates.Views++
		if byTime {
			t.Duplicates.ByTime++
		} else {
			t.Duplicates.ByISN++
		}
		dupOf[s.key()] = true
	}
	return views, dupOf
}

// offsets estimates the clock difference between captures that saw the same
// connections and notes those beyond SkewNote.
func (m *Merger) offsets(views []*view, t *Triage, captures []*pcap.CaptureInfo) {
	type pair struct{ a, b int }
	sum := map[pair]time.Duration{}
	n := map[pair]int{}
	for _, v := range views {
		for i := 1; i < len(v.seenIn); i++ {
			p := pair{v.seenIn[0], v.seenIn[i]}
			sum[p] += v.starts[i].Sub(v.starts[0])
			n[p]++
		}
	}
	keys := make([]pair, 0, len(n))
	for p := range n {
		keys = append(keys, p)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].a != keys[j].a {
			return keys[i].a < keys[j].a
		}
		return keys[i].b < keys[j].b
	})
	for _, p := range keys {
		avg := sum[p] / time.Duration(n[p])
		avg = avg.Round(time.Millisecond)
		t.Duplicates.ClockOffsets = append(t.Duplicates.ClockOffsets, ClockOffset{A: p.a, B: p.b, Seconds: avg.Seconds(), Connections: n[p]})
		if avg >= m.opts.SkewNote || avg <= -m.opts.SkewNote {
			dir := "ahead of"
			if avg < 0 {
				dir, avg = "behind", -avg
			}
			t.Notes = append(t.Notes, fmt.Sprintf("the clocks disagree: %s is %s %s %s (from %s seen in both); times are shown as each capture has them",
				captureName(captures, p.b), avg, dir, captureName(captures, p.a), english.Plural(n[p], "connection", "connections")))
		}
	}
}

func captureName(captures []*pcap.CaptureInfo, i int) string {
	if i >= 0 && i < len(captures) && captures[i] != nil {
		return sanitize.String(captures[i].Path)
	}
	return fmt.Sprintf("capture %d", i)
}

func seenBefore(refs []certRef, cert int32) bool {
	for _, r := range refs {
		if r.cert == cert {
			return true
		}
	}
	return false
}

func containsInt(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// outcome is what Counts needs of the connection.
func (s *connSum) outcome(strs *strTable) outcome {
	o := outcome{verdict: diagnose.Verdict(strs.str(s.verdict)), reason: diagnose.Reason(strs.str(s.reason)), start: s.startTime(), syns: int(s.clientPackets), call: int(s.call)}
	if s.alert != 0 {
		o.alert = AlertKey{s.alertBy, strs.str(s.alert)}
	}
	return o
}

func (s *connSum) startTime() time.Time {
	if s.start == noTime {
		return time.Time{}
	}
	return time.Unix(0, s.start).UTC()
}

// refs returns the connection's certificates.
func (s *connSum) refs() (refs [maxSumCerts]certRef, n int) {
	for i := range int(s.ncerts) {
		refs[i] = certRef{cert: s.certs[i], side: diagnose.Side(s.certTag[i] >> 7), index: s.certTag[i] & 127}
	}
	return refs, int(s.ncerts)
}
