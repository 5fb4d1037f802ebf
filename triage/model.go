package triage

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/trust"
)

// Schema is the value of the top-level "schema" field of the JSON output.
const Schema = "siptls/v1"

// Report is the view model shared by every output format. Its JSON form is
// documented field by field in docs/json-schema.md.
type Report struct {
	Schema  string `json:"schema"`
	Version string `json:"siptls_version"`
	// Actions are the distinct remedies, the most connections explained
	// first (see Action).
	Actions      []Action      `json:"actions"`
	Captures     []Capture     `json:"captures"`
	Connections  []Connection  `json:"connections"`
	Destinations []Destination `json:"destinations"`
	TrustStores  []TrustStore  `json:"trust_stores"`
	Summary      Summary       `json:"summary"`
}

// Capture describes one input file.
type Capture struct {
	File       string   `json:"file"`
	Size       int64    `json:"size"`
	Format     string   `json:"format"`
	Compressed bool     `json:"compressed"`
	LinkTypes  []string `json:"link_types"`
	Snaplen    uint32   `json:"snaplen"`
	Packets    uint64   `json:"packets"`
	CutPackets uint64   `json:"cut_packets"`
	First      *Time    `json:"first"`
	Last       *Time    `json:"last"`
	Node       string   `json:"node"`
	// CaptureNode is Node again, under the name the evidence goes with.
	CaptureNode         string               `json:"capture_node"`
	CaptureNodeEvidence *CaptureNodeEvidence `json:"capture_node_evidence"`
	TCPPackets          uint64               `json:"tcp_packets"`
	OtherPackets        uint64               `json:"other_packets"`
	Undecodable         uint64               `json:"undecodable_packets"`
	Connections         int                  `json:"connections"`
	ConnsEvicted        uint64               `json:"connections_evicted"`
	EvictedPkts         uint64               `json:"evicted_packets"`
	LatePkts            uint64               `json:"late_packets"`
	OtherConns          uint64               `json:"other_connections"`
	Warnings            []string             `json:"warnings"`
	Error               string               `json:"error,omitempty"`
}

// Connection is one TCP connection and its verdict.
type Connection struct {
	Capture                 int                  `json:"capture"`
	ID                      uint64               `json:"id"`
	Client                  string               `json:"client"`
	Server                  string               `json:"server"`
	RolesGuessed            bool                 `json:"roles_guessed"`
	Start                   Time                 `json:"start"`
	End                     Time                 `json:"end"`
	StartFrame              uint64               `json:"start_frame"`
	EndFrame                uint64               `json:"end_frame"`
	Verdict                 diagnose.Verdict     `json:"verdict"`
	Reason                  diagnose.Reason      `json:"reason"`
	Summary                 string               `json:"summary"`
	AbortedBy               diagnose.Side        `json:"aborted_by"`
	Alert                   *Alert               `json:"alert"`
	TLSVersion              string               `json:"tls_version"`
	ClientMaxVersion        string               `json:"client_max_version"`
	CipherSuite             string               `json:"cipher_suite"`
	SNI                     string               `json:"sni"`
	ALPN                    string               `json:"alpn"`
	Resumed                 bool                 `json:"resumed"`
	HandshakeComplete       bool                 `json:"handshake_complete"`
	HandshakeFrame          uint64               `json:"handshake_frame"`
	CertificateRequest      *CertificateRequest  `json:"certificate_request"`
	EmptyClientCertificate  bool                 `json:"empty_client_certificate"`
	CertificatesHidden      bool                 `json:"certificates_hidden"`
	Decrypted               bool                 `json:"decrypted"`
	SIPMessages             []SIPMessage         `json:"sip_messages"`
	SIPMessagesDropped      int                  `json:"sip_messages_dropped"`
	SIPSummary              string               `json:"sip_summary"`
	DecryptStoppedFrame     uint64               `json:"decrypt_stopped_frame"`
	Certificates            []Certificate        `json:"certificates"`
	PartialCertificates     []PartialCertificate `json:"partial_certificates"`
	CertificatesLost        []string             `json:"certificates_lost"`
	CertificatesDropped     int                  `json:"certificates_dropped"`
	HelloRetryRequest       bool                 `json:"hello_retry_request"`
	NameCheck               *trust.NameCheck     `json:"name_check"`
	CertificateRequestAudit *trust.Audit         `json:"certificate_request_audit"`
	Events                  []Event              `json:"events"`
	EventsDropped           int                  `json:"events_dropped"`
	Findings                []Finding            `json:"findings"`
	Stats                   ConnStats            `json:"stats"`
	clientAddr, serverAddr  netip.AddrPort
}

// Alert is the alert that decided a connection's verdict.
type Alert struct {
	Level       *uint8        `json:"level"`
	Code        *uint8        `json:"code"`
	Name        string        `json:"name"`
	SentBy      diagnose.Side `json:"sent_by"`
	Frame       uint64        `json:"frame"`
	Time        Time          `json:"time"`
	Encrypted   bool          `json:"encrypted"`
	Decrypted   bool          `json:"decrypted"`
	After       string        `json:"after"`
	AfterFrame  uint64        `json:"after_frame"`
	Description string        `json:"description"`
}

// CertificateRequest is the server's request for a client certificate.
type CertificateRequest struct {
	Frame                  uint64   `json:"frame"`
	CertificateTypes       []string `json:"certificate_types"`
	SignatureAlgorithms    []string `json:"signature_algorithms"`
	CertificateAuthorities []string `json:"certificate_authorities"`
	Length                 int      `json:"length"`
	Unreadable             int      `json:"unreadable_names"`
}

// PartialCertificate is a certificate the capture lost bytes of: its place
// in the chain, the byte ranges of its DER that are missing, and the names
// and serial as far as the bytes before the first hole show them.
type PartialCertificate struct {
	SentBy  diagnose.Side `json:"sent_by"`
	Index   int           `json:"index"`
	Frame   uint64        `json:"frame"`
	Length  int           `json:"length"`
	Missing []ByteRange   `json:"missing"`
	Subject string        `json:"subject"`
	Issuer  string        `json:"issuer"`
	Serial  string        `json:"serial"`
}

// ByteRange is a byte range [start, end).
type ByteRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Certificate is one certificate presented on a connection.
type Certificate struct {
	SentBy diagnose.Side `json:"sent_by"`
	Index  int           `json:"index"`
	Frame  uint64        `json:"frame"`
	CertSummary
	DNSNames           []string `json:"dns_names"`
	IPAddresses        []string `json:"ip_addresses"`
	KeyUsage           []string `json:"key_usage"`
	ExtKeyUsage        []string `json:"ext_key_usage"`
	IsCA               bool     `json:"is_ca"`
	SelfSigned         bool     `json:"self_signed"`
	KeyType            string   `json:"key_type"`
	KeyBits            int      `json:"key_bits"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	SHA256             string   `json:"sha256"`
	SHA1               string   `json:"sha1"`
	ParseError         string   `json:"parse_error,omitempty"`
	// Trust is the trust folder's verdict on the chain this leaf heads
	// (null for chain certificates and when no folder judged it).
	Trust *CertTrust `json:"trust"`
	// Checks are the role, key, signature and validity findings on the chain.
	Checks []trust.Check `json:"checks"`
	view   CertView
}

// View is the certificate view this entry was filled from (its Info is nil
// when the bytes were not available); the HTML writer takes its PEM.
func (c *Certificate) View() CertView { return c.view }

// CertTrust is a trust folder's verdict on a presented chain.
type CertTrust struct {
	Status  trust.Status `json:"status"`
	File    string       `json:"file"`
	Files   []string     `json:"files"`
	Detail  string       `json:"detail"`
	Missing string       `json:"missing,omitempty"`
	Store   string       `json:"store"`
	Node    string       `json:"node"`
	// NodeUnknown: the capture node could not be told, and the capture
	// node's folder judged this chain as if its receiver were the node.
	NodeUnknown bool `json:"node_unknown"`
	// VerifyError is crypto/x509's verdict at the capture time, as a stable
	// code, when verification failed; null when it succeeded.
	VerifyError *VerifyError `json:"verify_error"`
}

// VerifyError is a crypto/x509 verification error mapped to a stable code.
type VerifyError struct {
	// Code is unknown_authority, expired (also not yet valid), incompatible_usage,
	// hostname_mismatch, not_authorized_to_sign, too_many_intermediates,
	// name_constraints, signature or other.
	Code string `json:"code"`
	// Message is crypto/x509's own message.
	Message string `json:"message"`
}

// verifyError maps err (a *trust.VerifyError wrapping crypto/x509's error)
// to a stable code with errors.As, or returns nil.
func verifyError(err error) *VerifyError {
	if err == nil {
		return nil
	}
	v := &VerifyError{Code: "other", Message: err.Error()}
	var (
		ua  x509.UnknownAuthorityError
		ci  x509.CertificateInvalidError
		he  x509.HostnameError
		ise x509.InsecureAlgorithmError
	)
	switch {
	case errors.As(err, &ua):
		v.Code = "unknown_authority"
	case errors.As(err, &he):
		v.Code = "hostname_mismatch"
	case errors.As(err, &ise):
		v.Code = "signature"
	case errors.As(err, &ci):
		switch ci.Reason {
		case x509.Expired:
			v.Code = "expired"
		case x509.IncompatibleUsage:
			v.Code = "incompatible_usage"
		case x509.NotAuthorizedToSign:
			v.Code = "not_authorized_to_sign"
		case x509.TooManyIntermediates:
			v.Code = "too_many_intermediates"
		case x509.CANotAuthorizedForThisName, x509.CANotAuthorizedForExtKeyUsage:
			v.Code = "name_constraints"
		}
	case errors.Is(err, x509.ErrUnsupportedAlgorithm):
		v.Code = "signature"
	}
	return v
}

// TrustStore describes a loaded trust folder.
type TrustStore struct {
	Path         string        `json:"path"`
	Node         string        `json:"node"`
	Certificates int           `json:"certificates"`
	Skipped      []SkippedFile `json:"skipped"`
	Duplicates   int           `json:"duplicates"`
}

// SkippedFile is a file (or part of one) of a trust folder that held no certificate.
type SkippedFile struct {
	File   string `json:"file"`
	Part   string `json:"part,omitempty"`
	Reason string `json:"reason"`
}

// TrustStores describes loaded trust folders for the report.
func TrustStores(stores []*trust.Store) []TrustStore {
	out := []TrustStore{}
	for _, s := range stores {
		ts := TrustStore{Path: s.Path, Node: s.Node, Certificates: len(s.Certs), Skipped: []SkippedFile{}, Duplicates: len(s.Duplicates)}
		for _, sk := range s.Skipped {
			ts.Skipped = append(ts.Skipped, SkippedFile{File: sk.File, Part: sk.Part, Reason: sk.Reason})
		}
		out = append(out, ts)
	}
	return out
}

// Event is one line of a connection's timeline.
type Event struct {
	Frame uint64             `json:"frame"`
	Time  Time               `json:"time"`
	From  diagnose.Side      `json:"from"`
	Kind  diagnose.EventKind `json:"-"` // what the HTML colours by
	What  string             `json:"what"`
}

// SIPMessage is a SIP message read from the decrypted application data
// (--keylog); bodies are not kept.
type SIPMessage struct {
	Frame     uint64        `json:"frame"`
	Time      Time          `json:"time"`
	From      diagnose.Side `json:"from"`
	StartLine string        `json:"start_line"`
	CallID    string        `json:"call_id"`
	CSeq      string        `json:"cseq"`
	Status    int           `json:"status"`
}

// Finding is a noteworthy fact about a connection that is not its verdict.
type Finding struct {
	Code   diagnose.FindingCode `json:"code"`
	Frame  uint64               `json:"frame"`
	Detail string               `json:"detail"`
}

// ConnStats counts what each side sent.
type ConnStats struct {
	Client DirStats `json:"client"`
	Server DirStats `json:"server"`
}

// DirStats counts what one side sent.
type DirStats struct {
	Packets         uint64 `json:"packets"`
	Bytes           uint64 `json:"bytes"`
	Records         uint64 `json:"tls_records"`
	AppDataRecords  uint64 `json:"application_data_records"`
	Retransmissions uint64 `json:"retransmissions"`
	Gaps            uint64 `json:"gaps"`
	CutSegments     uint64 `json:"cut_segments"`
}

// Destination groups the connections to one server ip:port.
type Destination struct {
	Server string   `json:"server"`
	Names  []string `json:"names"`
	Counts
}

// Counts are the outcome counts of a destination or a pair.
//
// Failed counts the failed verdict only. CallFailures, FirstFailure and
// LastFailure count the connections over which a call could not have been set
// up: failed, refused and no_answer (nothing listens, or the path drops the
// SYN), and not_tls (a transport mismatch). Incomplete and truncated
// connections are neither: the capture cannot tell how they ended, so they
// are counted by verdict and reason only.
type Counts struct {
	Attempts int `json:"attempts"`
	OK       int `json:"ok"`
	Failed   int `json:"failed"`
	// CallFailures counts the connections whose verdict is a call failure
	// (see CallFailure).
	CallFailures int `json:"call_failures"`
	// SYNsUnanswered counts the SYNs (retransmissions included) sent on the
	// no_answer connections.
	SYNsUnanswered int                      `json:"syns_unanswered"`
	Verdicts       map[diagnose.Verdict]int `json:"verdicts"`
	Reasons        map[diagnose.Reason]int  `json:"reasons"`
	// VerdictReasons counts reasons per verdict: {"incomplete": {"midstream": 2}}.
	VerdictReasons VerdictReasons   `json:"verdict_reasons"`
	Alerts         map[AlertKey]int `json:"alerts"`
	FirstFailure   *Time            `json:"first_failure"`
	LastFailure    *Time            `json:"last_failure"`
	// SIPCalls counts the connections whose decrypted SIP (--keylog,
	// --rsa-key) shows a final response to an INVITE, and
	// SIPFinalResponses those responses by code: {"200": 5, "503": 2}.
	SIPCalls          int         `json:"sip_calls"`
	SIPFinalResponses map[int]int `json:"sip_final_responses"`
	// failedAlerts counts the alerts of failed connections only: the words
	// that explain failures; undecidedAlerts those of incomplete and
	// truncated connections (an alert that survived a snap length cut).
	failedAlerts, undecidedAlerts map[AlertKey]int
}

// AlertKey counts alerts by the side that sent them and their name
// ("unknown_ca"; "encrypted_alert" when unreadable). In JSON and text it is
// written "server unknown_ca".
type AlertKey struct {
	SentBy diagnose.Side
	Name   string
}

// String returns the side and the name: "server unknown_ca".
func (k AlertKey) String() string { return k.SentBy.String() + " " + k.Name }

// MarshalText returns String: an AlertKey is a JSON object key.
func (k AlertKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads what MarshalText writes, for readers of the JSON.
func (k *AlertKey) UnmarshalText(b []byte) error {
	for _, side := range []diagnose.Side{diagnose.Client, diagnose.Server} {
		if name, ok := strings.CutPrefix(string(b), side.String()+" "); ok && name != "" {
			*k = AlertKey{side, name}
			return nil
		}
	}
	return fmt.Errorf("report: alert key %q is not \"<side> <name>\"", b)
}

// encrypted reports whether the alert could not be read.
func (k AlertKey) encrypted() bool { return k.Name == "encrypted_alert" }

// outcome is what Counts needs of one connection.
type outcome struct {
	verdict diagnose.Verdict
	reason  diagnose.Reason
	alert   AlertKey // Name "" when no alert decided the verdict
	start   time.Time
	syns    int // packets the client sent: the SYNs of a no_answer connection
	call    int // the final response to the connection's first INVITE, if decrypted (0: none)
}

// count adds one connection's outcome.
func (c *Counts) count(o outcome) {
	if c.Verdicts == nil {
		c.SIPFinalResponses = map[int]int{}
		c.Verdicts, c.Reasons, c.Alerts = map[diagnose.Verdict]int{}, map[diagnose.Reason]int{}, map[AlertKey]int{}
		c.VerdictReasons, c.failedAlerts, c.undecidedAlerts = VerdictReasons{}, map[AlertKey]int{}, map[AlertKey]int{}
	}
	c.Attempts++
	if o.call != 0 {
		c.SIPCalls++
		c.SIPFinalResponses[o.call]++
	}
	c.Verdicts[o.verdict]++
	c.Reasons[o.reason]++
	c.VerdictReasons.count(o.verdict, o.reason)
	if o.alert.Name != "" {
		c.Alerts[o.alert]++
		if undecided(o.verdict) {
			c.undecidedAlerts[o.alert]++
		}
	}
	switch o.verdict {
	case diagnose.VerdictOK:
		c.OK++
	case diagnose.VerdictFailed:
		c.Failed++
		if o.alert.Name != "" {
			c.failedAlerts[o.alert]++
		}
	case diagnose.VerdictNoAnswer:
		c.SYNsUnanswered += o.syns
	}
	if !CallFailure(o.verdict) {
		return
	}
	c.CallFailures++
	if c.FirstFailure == nil || o.start.Before(c.FirstFailure.Time) {
		c.FirstFailure = &Time{o.start}
	}
	if c.LastFailure == nil || o.start.After(c.LastFailure.Time) {
		c.LastFailure = &Time{o.start}
	}
}

// Summary counts connections by verdict over all captures.
type Summary struct {
	Connections int                      `json:"connections"`
	Verdicts    map[diagnose.Verdict]int `json:"verdicts"`
	// VerdictReasons counts reasons per verdict: {"incomplete": {"midstream": 2}}.
	VerdictReasons VerdictReasons `json:"verdict_reasons"`
	Problems       int            `json:"problems"`
}

// Time is a timestamp rendered as RFC 3339 with nanoseconds in UTC. A year
// beyond 9999 or before 0, which only a damaged capture timestamp gives, is
// written with all its digits (11533-07-05T19:23:00.21Z) rather than refused.
type Time struct{ time.Time }

// AppendText implements encoding.TextAppender: it appends the time as
// MarshalText writes it.
func (t Time) AppendText(b []byte) ([]byte, error) {
	return t.UTC().AppendFormat(b, time.RFC3339Nano), nil
}

// MarshalText implements encoding.TextMarshaler.
func (t Time) MarshalText() ([]byte, error) { return t.AppendText(nil) }

// AppendJSON appends the time as a JSON string, as MarshalJSON writes it.
func (t Time) AppendJSON(b []byte) ([]byte, error) {
	b, _ = t.AppendText(append(b, '"'))
	return append(b, '"'), nil
}

// MarshalJSON implements json.Marshaler: the text of MarshalText, quoted
// (the text never needs escaping). Time defines it so as not to take
// time.Time's, which keeps the time's zone and fails on a year beyond 9999:
// a capture with one damaged timestamp made the whole JSON report fail.
func (t Time) MarshalJSON() ([]byte, error) { return t.AppendJSON(make([]byte, 0, 40)) }

func timePtr(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	return &Time{t}
}

// Build makes the view model of a whole analysis held in memory.
func Build(a *diagnose.Analysis, version string) *Report {
	r := &Report{Schema: Schema, Version: version, Connections: []Connection{}, TrustStores: []TrustStore{}}
	agg := NewAggregator()
	for _, c := range a.Connections {
		v := buildConnection(c)
		agg.Add(&v, c)
		r.Connections = append(r.Connections, v)
	}
	r.Captures, r.Destinations, r.Summary = agg.Finish(a.Captures, a.Errors)
	r.Actions = agg.Actions(r.Captures)
	return r
}

// Aggregator keeps what the report needs once connections have been
// written: per-destination counts, each capture's node, and the summary.
// Its size grows with destinations and addresses, not connections.
type Aggregator struct {
	dests     map[netip.AddrPort]*Destination
	destNames map[netip.AddrPort]map[string]bool
	nodes     *captureNodes
	summary   Summary
	// actions are the distinct remedies and counts their connections.
	actions *actionTable
	counts  actionCounts
}

// NewAggregator returns an empty Aggregator.
func NewAggregator() *Aggregator {
	return &Aggregator{
		dests:     map[netip.AddrPort]*Destination{},
		destNames: map[netip.AddrPort]map[string]bool{},
		nodes:     newCaptureNodes(),
		summary:   newSummary(),
		actions:   newActionTable(0),
		counts:    actionCounts{},
	}
}

// SetCaptureNode gives the decision on a capture's node that its
// certificates were judged with; Finish then reports it instead of asking a
// NodeFinder.
func (g *Aggregator) SetCaptureNode(capture int, n diagnose.CaptureNode) {
	g.nodes.given[capture] = n
}

// NodesGiven promises that the caller gives every capture's node with
// SetCaptureNode before Finish, so that the Aggregator does not decide it a
// second time (see TriageOptions.NodesGiven). Call it before Add.
func (g *Aggregator) NodesGiven() { g.nodes.callerDecides = true }

// Add counts c, the view of dc.
func (g *Aggregator) Add(c *Connection, dc *diagnose.Connection) { g.AddJudged(c, dc, nil) }

// AddJudged counts c, the view of dc judged with t (which may be nil),
// and the remedy of dc.
func (g *Aggregator) AddJudged(c *Connection, dc *diagnose.Connection, t *trust.ConnectionTrust) {
	if dc != nil {
		idx, frame, _ := g.actions.add(dc, t)
		g.counts.count(idx, ActionEvidence{Capture: dc.Capture, Connection: dc.ID, Frame: frame})
	}
	g.summary.count(c.Verdict, c.Reason)
	g.nodes.add(dc)

	d := g.dests[c.serverAddr]
	if d == nil {
		d = &Destination{Server: c.Server, Names: []string{}}
		g.dests[c.serverAddr] = d
		g.destNames[c.serverAddr] = map[string]bool{}
	}
	var alert AlertKey
	if c.Alert != nil {
		alert = AlertKey{c.Alert.SentBy, c.Alert.Name}
	}
	d.count(outcome{verdict: c.Verdict, reason: c.Reason, alert: alert, start: c.Start.Time, syns: int(c.Stats.Client.Packets), call: callOf(dc)})
	for _, cert := range c.Certificates {
		if cert.SentBy == diagnose.Server && cert.Index == 0 && cert.CommonName != "" && !g.destNames[c.serverAddr][cert.CommonName] {
			g.destNames[c.serverAddr][cert.CommonName] = true
			d.Names = append(d.Names, cert.CommonName)
		}
	}
}

// Finish returns the captures, destinations (sorted by address) and summary.
func (g *Aggregator) Finish(infos []*pcap.CaptureInfo, errs []error) ([]Capture, []Destination, Summary) {
	captures := []Capture{}
	for i, ci := range infos {
		c := buildCapture(ci, g.nodes.conns[i], errs)
		ApplyNode(&c, g.nodes.decide(i))
		captures = append(captures, c)
	}
	keys := make([]netip.AddrPort, 0, len(g.dests))
	for k := range g.dests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Compare(keys[j]) < 0 })
	dests := make([]Destination, 0, len(keys))
	for _, k := range keys {
		dests = append(dests, *g.dests[k])
	}
	return captures, dests, g.summary
}

// Actions returns the distinct remedies of the connections added, ranked
// (see Action), with captures as Finish returned them.
func (g *Aggregator) Actions(captures []Capture) []Action {
	return g.actions.actions(g.counts, captures)
}

func buildCapture(ci *pcap.CaptureInfo, conns int, errs []error) Capture {
	c := Capture{
		File: ci.Path, Size: ci.Size, Format: ci.Format, Compressed: ci.Compressed,
		LinkTypes: nonNil(ci.LinkTypes), Snaplen: ci.Snaplen, Packets: ci.Packets, CutPackets: ci.CutPackets,
		First: timePtr(ci.First), Last: timePtr(ci.Last), TCPPackets: ci.TCPPackets, OtherPackets: ci.OtherPackets,
		Undecodable: ci.Undecodable, Connections: conns, ConnsEvicted: ci.ConnsEvicted, EvictedPkts: ci.EvictedPackets, LatePkts: ci.LatePackets, OtherConns: ci.OtherConns, Warnings: nonNil(ci.Warnings),
	}
	for _, err := range errs {
		if ie, ok := errors.AsType[*pcap.InputError](err); ok && ie.Path == ci.Path {
			c.Error = err.Error()
		}
	}
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// BuildJudgedConnection is buildConnection plus what the trust folders and
// the expected names say (t may be nil).
func BuildJudgedConnection(c *diagnose.Connection, t *trust.ConnectionTrust) Connection {
	v := buildConnection(c)
	judge(&v, t)
	return v
}

// A ViewBuilder makes the views of connections one after the other, as
// BuildJudgedConnection does, in the memory of the view before it: a view
// is valid until the next Build. A writer that forgets each view once it
// is written uses one rather than new lists for every connection.
type ViewBuilder struct{ v Connection }

// Build returns the view of c judged with t (which may be nil).
func (b *ViewBuilder) Build(c *diagnose.Connection, t *trust.ConnectionTrust) *Connection {
	buildConnectionInto(&b.v, c)
	judge(&b.v, t)
	return &b.v
}

// judge adds to v what the trust folders and the expected names say (t may
// be nil).
func judge(v *Connection, t *trust.ConnectionTrust) {
	if t == nil {
		return
	}
	for i := range v.Certificates {
		cert := &v.Certificates[i]
		st := t.For(cert.SentBy)
		if cert.Index != 0 || st == nil {
			continue
		}
		j := st.Judgement
		cert.Trust = &CertTrust{Status: j.Status, File: j.File, Files: nonNil(j.Files), Detail: j.Detail, Missing: j.Missing, Store: st.Store, Node: st.Node,
			NodeUnknown: st.NodeUnknown, VerifyError: verifyError(j.Err)}
		cert.Checks = j.Checks
	}
	v.NameCheck = t.NameCheck
	v.CertificateRequestAudit = t.CertificateRequestAudit
	if t.For(diagnose.Client) != nil {
		// The server's trust folder judged the client's chain: its
		// verdict replaces the guess from the CertificateRequest's names.
		v.Findings = slices.DeleteFunc(v.Findings, func(f Finding) bool { return f.Code == diagnose.FindingStaleCopyLikely })
	}
	if t.Sentence != "" {
		v.Summary += " " + t.Sentence
	}
}

func buildConnection(c *diagnose.Connection) Connection {
	var v Connection
	buildConnectionInto(&v, c)
	return v
}

// scratch returns s emptied when it has room for n, else a new slice of
// room for n; never nil (JSON [] for none).
func scratch[T any](s []T, n int) []T {
	if s == nil || cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

// buildConnectionInto makes v the view of c, in the lists v had.
func buildConnectionInto(v *Connection, c *diagnose.Connection) {
	*v = Connection{
		Capture: c.Capture, ID: c.ID, Client: c.Client.String(), Server: c.Server.String(), RolesGuessed: c.RolesGuessed,
		Start: Time{c.Start}, End: Time{c.End}, StartFrame: c.StartFrame, EndFrame: c.EndFrame,
		Verdict: c.Verdict, Reason: c.Reason, Summary: c.Summary, AbortedBy: c.AbortedBy,
		TLSVersion: c.TLSVersion, ClientMaxVersion: c.ClientMaxVersion, CipherSuite: c.CipherSuite, SNI: c.SNI, ALPN: c.ALPN,
		Resumed: c.Resumed, HandshakeComplete: c.HandshakeComplete, HandshakeFrame: c.HandshakeFrame,
		EmptyClientCertificate: c.EmptyClientCertificate, CertificatesHidden: c.CertificatesHidden, Decrypted: c.Decrypted,
		// the lists are allocated at their size (never nil: JSON [] for none)
		Certificates: scratch(v.Certificates, len(c.Certificates)), Events: scratch(v.Events, len(c.Events)),
		Findings: scratch(v.Findings, len(c.Findings)), EventsDropped: c.EventsDropped,
		SIPMessages: scratch(v.SIPMessages, len(c.SIP)), SIPMessagesDropped: c.SIPDropped, SIPSummary: c.SIPSummary,
		DecryptStoppedFrame: c.DecryptStoppedFrame,
		serverAddr:          c.Server,
	}
	if al := c.Alert; al != nil {
		v.Alert = &Alert{Name: al.Name, SentBy: al.SentBy, Frame: al.Frame, Time: Time{al.Time}, Encrypted: al.Encrypted, Decrypted: al.Decrypted,
			After: al.After.String(), AfterFrame: al.AfterFrame, Description: al.Description}
		if !al.Encrypted || al.Decrypted {
			level, code := uint8(al.Level), uint8(al.Code)
			v.Alert.Level, v.Alert.Code = &level, &code
		}
	}
	if cr := c.CertificateRequest; cr != nil {
		v.CertificateRequest = &CertificateRequest{Frame: cr.Frame, CertificateTypes: nonNil(cr.CertificateTypes),
			SignatureAlgorithms: nonNil(cr.SignatureAlgorithms), CertificateAuthorities: nonNil(cr.CertificateAuthorities),
			Length: cr.Length, Unreadable: cr.Unreadable}
	}
	for _, cert := range c.Certificates {
		v.Certificates = append(v.Certificates, buildCertificate(cert))
	}
	v.PartialCertificates, v.CertificatesLost = []PartialCertificate{}, []string{}
	for _, p := range c.PartialCertificates {
		pc := PartialCertificate{SentBy: p.SentBy, Index: p.Index, Frame: p.Frame, Length: p.Length, Missing: []ByteRange{},
			Subject: p.Subject, Issuer: p.Issuer, Serial: p.Serial}
		for _, r := range p.Missing {
			pc.Missing = append(pc.Missing, ByteRange(r))
		}
		v.PartialCertificates = append(v.PartialCertificates, pc)
	}
	for _, s := range c.CertificatesLost {
		v.CertificatesLost = append(v.CertificatesLost, s.String())
	}
	v.HelloRetryRequest = c.HelloRetryRequest
	v.CertificatesDropped = c.CertificatesDropped
	for _, e := range c.Events {
		v.Events = append(v.Events, Event{Frame: e.Frame, Time: Time{e.Time}, From: e.From, Kind: e.Kind, What: e.What})
	}
	for _, f := range c.Findings {
		v.Findings = append(v.Findings, Finding(f))
	}
	for _, m := range c.SIP {
		v.SIPMessages = append(v.SIPMessages, SIPMessage{Frame: m.Frame, Time: Time{m.Time}, From: m.From, StartLine: m.StartLine,
			CallID: m.CallID, CSeq: m.CSeq, Status: m.Status})
	}
	v.Stats = ConnStats{Client: dirStats(c.Stats[diagnose.Client]), Server: dirStats(c.Stats[diagnose.Server])}
}

func dirStats(s diagnose.DirStats) DirStats {
	return DirStats{Packets: s.Packets, Bytes: s.Bytes, Records: s.Records, AppDataRecords: s.AppDataRecords,
		Retransmissions: s.Retransmissions, Gaps: s.Gaps, CutSegments: s.CutSegments}
}

func buildCertificate(c diagnose.Certificate) Certificate {
	cv := NewCertView(c.Info, c.Time)
	i := cv.Info
	v := Certificate{SentBy: c.SentBy, Index: c.Index, Frame: c.Frame, CertSummary: cv.Summary(), view: cv,
		DNSNames: []string{}, IPAddresses: []string{}, KeyUsage: []string{}, ExtKeyUsage: []string{}, Checks: []trust.Check{}}
	if i == nil {
		return v
	}
	v.DNSNames, v.IPAddresses = nonNil(i.DNSNames), nonNil(i.IPAddresses)
	v.KeyUsage, v.ExtKeyUsage = nonNil(i.KeyUsage), nonNil(i.ExtKeyUsage)
	v.IsCA, v.SelfSigned, v.KeyType, v.KeyBits = i.IsCA, i.SelfSigned, i.KeyType, i.KeyBits
	v.SignatureAlgorithm, v.SHA256, v.SHA1, v.ParseError = i.SignatureAlgorithm, i.SHA256, i.SHA1, i.ParseError
	return v
}

// callOf is the final response to dc's first INVITE, when its SIP was
// decrypted (0: none, or dc is nil).
func callOf(dc *diagnose.Connection) int {
	if dc == nil {
		return 0
	}
	return diagnose.CallOutcome(dc.SIP)
}
