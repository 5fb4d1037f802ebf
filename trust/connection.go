package trust

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
)

// ExpectName is one --expect-name flag: the X.509 Subject Name of a SIP
// Trunk Security Profile, for every peer (Peer "") or for one peer IP.
type ExpectName struct {
	Peer  string
	Names []string
}

// SideTrust is the verdict of one trust folder on the chain one side of a
// connection presented.
type SideTrust struct {
	// SentBy is the side that presented the chain ("client" or "server" in JSON).
	SentBy diagnose.Side `json:"sent_by"`
	// Store is the trust folder that judged it, as given on the command line.
	Store string `json:"store"`
	// Node is the address whose CallManager-trust the folder is ("" when the
	// capture node could not be told).
	Node string `json:"node"`
	// NodeUnknown is set when the capture node could not be told: the
	// capture node's folder then judges the chains of both ends, each as if
	// the end that received it were the capture node.
	NodeUnknown bool `json:"node_unknown"`
	// Judgement is the folder's verdict.
	Judgement *Judgement `json:"judgement"`
}

// NameCheck compares the peer's leaf certificate with the X.509 Subject
// Name expected by the SIP Trunk Security Profile.
type NameCheck struct {
	// SentBy is the side whose certificate was checked.
	SentBy diagnose.Side `json:"sent_by"`
	// Expected are the names given with --expect-name.
	Expected []string `json:"expected"`
	// Matched is the expected name that matched the CN or a DNS SAN, "" if none.
	Matched string `json:"matched"`
	// OK reports whether one matched.
	OK bool `json:"ok"`
	// Sentence explains the result.
	Sentence string `json:"sentence"`
}

// ConnectionTrust is everything the trust folders and the expected names say
// about one connection.
type ConnectionTrust struct {
	// Sides holds a verdict per presented chain that a folder could judge.
	Sides []SideTrust `json:"sides"`
	// NameCheck is nil when no --expect-name applies.
	NameCheck *NameCheck `json:"name_check"`
	// CertificateRequestAudit is nil when the server sent no CertificateRequest.
	CertificateRequestAudit *Audit `json:"certificate_request_audit"`
	// Sentence joins this evidence with the connection's verdict (it is
	// appended to the connection's summary); "" when there is nothing to add.
	Sentence string `json:"sentence"`
}

// For returns the verdict on the chain a side presented, or nil.
func (t *ConnectionTrust) For(sentBy diagnose.Side) *SideTrust {
	if t == nil {
		return nil
	}
	for i := range t.Sides {
		if t.Sides[i].SentBy == sentBy {
			return &t.Sides[i]
		}
	}
	return nil
}

// A Judge applies trust folders and expected names to connections.
type Judge struct {
	stores []*Store
	expect []ExpectName
	today  time.Time
}

// NewJudge returns a Judge. A store whose Node is "" is the capture node's
// trust folder. today (not time.Now, so tests can fix it) adds validity
// today and the expires_soon warning; it may be zero.
func NewJudge(stores []*Store, expect []ExpectName, today time.Time) *Judge {
	return &Judge{stores: stores, expect: expect, today: today}
}

// storeFor returns the store that judges what receiver receives, given the
// capture node (invalid when unknown: then the capture node's folder judges
// what either end receives, and nodeUnknown is set).
func (j *Judge) storeFor(receiver, node netip.Addr) (s *Store, nodeUnknown bool) {
	for _, s := range j.stores {
		if s.Node == "" {
			continue
		}
		if a, err := netip.ParseAddr(s.Node); err == nil && a == receiver {
			return s, false
		}
	}
	if captureNode := j.captureStore(); captureNode != nil {
		if !node.IsValid() {
			return captureNode, true
		}
		if node == receiver {
			return captureNode, false
		}
	}
	return nil, false
}

// captureStore returns the capture node's folder (the last --trust), or nil.
func (j *Judge) captureStore() *Store {
	var captureNode *Store
	for _, s := range j.stores {
		if s.Node == "" {
			captureNode = s
		}
	}
	return captureNode
}

// NeedsNode reports whether the Judge has the capture node's folder, which
// can only tell what the capture node received when the capture node is
// known (otherwise it judges the chains of both ends).
func (j *Judge) NeedsNode() bool {
	for _, s := range j.stores {
		if s.Node == "" {
			return true
		}
	}
	return false
}

// Connection judges the chains presented on c. node is the capture node
// (the zero Addr when it could not be told: then the capture node's folder
// judges the chains of both ends, each as if its receiver were the capture
// node, and SideTrust.NodeUnknown says so).
func (j *Judge) Connection(c *diagnose.Connection, node netip.Addr) *ConnectionTrust {
	t := &ConnectionTrust{Sides: []SideTrust{}}
	chains, at, lost := presented(c)
	for _, sender := range []diagnose.Side{diagnose.Server, diagnose.Client} {
		chain := chains[sender]
		if len(chain) == 0 {
			continue
		}
		receiver := c.Client.Addr()
		if sender == diagnose.Client {
			receiver = c.Server.Addr()
		}
		s, nodeUnknown := j.storeFor(receiver, node)
		if s == nil {
			continue
		}
		judged := s.JudgeWith(chain, JudgeOptions{At: at[sender], Today: j.today, Role: sender})
		if l, ok := lost[sender]; ok && (judged.Status == StatusMissingIntermediate || judged.Status == StatusUntrusted) {
			pos := "a certificate after the last whole one"
			if l > 0 {
				pos = fmt.Sprintf("certificate %d of the chain", l+1)
			}
			judged.Detail = fmt.Sprintf("The capture lost part of the %s's chain (%s), so it cannot tell whether the folder trusts it: without the lost bytes the folder would judge it %s (%s)", sender, pos, judged.Status, judged.Detail)
			judged.Status = StatusCaptureIncomplete
		}
		nodeName := s.Node
		if nodeName == "" && node.IsValid() {
			nodeName = node.String()
		}
		t.Sides = append(t.Sides, SideTrust{SentBy: sender, Store: s.Path, Node: nodeName, NodeUnknown: nodeUnknown, Judgement: judged})
	}
	t.NameCheck = j.nameCheck(c, chains, node)
	if cr := c.CertificateRequest; cr != nil {
		audit := AuditCertificateRequest(cr.CertificateAuthorities, cr.Length, chains[diagnose.Client])
		t.CertificateRequestAudit = &audit
	}
	t.Sentence = joinEvidence(c, t)
	return t
}

// presented returns the chain each side presented on c (leaf first, as
// sent, up to the first certificate the capture lost bytes of), the capture
// time of the packet that carried it, and for a side whose chain lost
// certificates the position of the first one lost (-1: somewhere after the
// last whole one).
func presented(c *diagnose.Connection) (chains map[diagnose.Side][]*certinfo.Info, at map[diagnose.Side]time.Time, lost map[diagnose.Side]int) {
	chains = map[diagnose.Side][]*certinfo.Info{}
	at = map[diagnose.Side]time.Time{}
	// A chain is what the capture showed of it from the leaf on, up to the
	// first certificate it lost bytes of (lost says which position).
	lost = map[diagnose.Side]int{}
	for _, p := range c.PartialCertificates {
		if l, ok := lost[p.SentBy]; !ok || p.Index < l {
			lost[p.SentBy] = p.Index
		}
	}
	for _, s := range c.CertificatesLost {
		if _, ok := lost[s]; !ok {
			lost[s] = -1 // somewhere after the last whole one
		}
	}
	for _, cert := range c.Certificates {
		if cert.Info == nil || cert.Index != len(chains[cert.SentBy]) {
			continue
		}
		chains[cert.SentBy] = append(chains[cert.SentBy], cert.Info)
		if at[cert.SentBy].IsZero() {
			at[cert.SentBy] = cert.Time
		}
	}
	return chains, at, lost
}

// nameCheck checks the peer's leaf against --expect-name. The peer is the
// end that is not the capture node; with no capture node, the server.
func (j *Judge) nameCheck(c *diagnose.Connection, chains map[diagnose.Side][]*certinfo.Info, node netip.Addr) *NameCheck {
	if len(j.expect) == 0 {
		return nil
	}
	peer := diagnose.Server
	if node.IsValid() && c.Server.Addr() == node {
		peer = diagnose.Client
	}
	peerAddr := c.Server.Addr()
	if peer == diagnose.Client {
		peerAddr = c.Client.Addr()
	}
	names := j.namesFor(peerAddr)
	if len(names) == 0 || len(chains[peer]) == 0 {
		return nil
	}
	leaf := chains[peer][0]
	matched, ok := MatchNames(leaf, names)
	nc := &NameCheck{SentBy: peer, Expected: names, Matched: matched, OK: ok}
	if ok {
		nc.Sentence = fmt.Sprintf("The %s's certificate matches the expected X.509 Subject Name %q.", peer, matched)
	} else {
		nc.Sentence = fmt.Sprintf("The %s's certificate (CN=%s, DNS names %s) matches none of the expected X.509 Subject Names %s: fix the SIP Trunk Security Profile or the certificate's names.",
			peer, leaf.SubjectCN, orNone(leaf.DNSNames), strings.Join(names, ", "))
	}
	return nc
}

// namesFor returns the expected names of peer: those given for its
// address, else those given for every peer.
func (j *Judge) namesFor(peer netip.Addr) []string {
	var names []string
	for _, e := range j.expect {
		if e.Peer == "" && names == nil {
			names = e.Names
		}
		if a, err := netip.ParseAddr(e.Peer); err == nil && a == peer {
			return e.Names
		}
	}
	return names
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}

// joinEvidence explains a failure with the trust folder's verdict on the
// certificate that was rejected, or says when the folder and the wire
// disagree.
func joinEvidence(c *diagnose.Connection, t *ConnectionTrust) string {
	var parts []string
	// The chain the failure is about: the one presented to the side that
	// gave up (after a certificate alert or a reset after a certificate).
	rejected := diagnose.Neither
	switch {
	case c.Alert != nil && c.Alert.After.IsCertificate():
		rejected = c.Alert.SentBy.Peer()
	case c.Reason == diagnose.ReasonResetDuringHandshake || c.Reason == diagnose.ReasonClosedDuringHandshake:
		rejected = c.AbortedBy.Peer()
	}
	for _, st := range t.Sides {
		j := st.Judgement
		trusted := j.Status == StatusExactMatch || j.Status == StatusChainsTo
		// With the capture node unknown, the folder judged this chain as if
		// its receiver were the capture node: say so.
		receiver := st.SentBy.Peer()
		switch {
		case st.SentBy == rejected && !trusted && st.NodeUnknown:
			parts = append(parts, fmt.Sprintf("If the capture node is the %s (the capture does not tell), the trust folder %s explains it: %s", receiver, st.Store, j.Detail))
		case st.SentBy == rejected && !trusted:
			parts = append(parts, fmt.Sprintf("The trust folder %s explains it: %s", st.Store, j.Detail))
		case st.SentBy == rejected && trusted && st.NodeUnknown:
			parts = append(parts, fmt.Sprintf("If the capture node is the %s (the capture does not tell), its trust folder %s trusts that certificate (%s): the folder may not be its current CallManager-trust, or the node was not restarted after the upload.", receiver, st.Store, j.Status))
		case st.SentBy == rejected && trusted:
			parts = append(parts, fmt.Sprintf("Yet the trust folder %s trusts that certificate (%s): the folder may not be the receiving node's current CallManager-trust, or the node was not restarted after the upload.", st.Store, j.Status))
		case st.NodeUnknown:
			// Which end received an accepted chain is not known: a folder
			// that does not hold the node's own certificate says nothing.
		case c.Verdict == diagnose.VerdictOK && !trusted:
			parts = append(parts, fmt.Sprintf("The handshake succeeded although the trust folder %s does not trust the %s's certificate (%s): the folder may not be the node's current CallManager-trust.", st.Store, st.SentBy, j.Status))
		}
	}
	if t.NameCheck != nil && !t.NameCheck.OK && c.Reason == diagnose.ReasonClosedAfterHandshake {
		parts = append(parts, t.NameCheck.Sentence)
	}
	return strings.Join(parts, " ")
}
