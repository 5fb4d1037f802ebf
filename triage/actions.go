package triage

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/english"
	"github.com/siptls/siptls/internal/sanitize"
	"github.com/siptls/siptls/tlsparse"
	"github.com/siptls/siptls/trust"
)

// ActionCode names the kind of a remedy (JSON "code" of actions[]). Its
// values are a contract with users' scripts, like the verdict words.
type ActionCode string

// The kinds of remedies. Each comes from facts of the connections it
// explains: the verdict and reason, the alert and who sent it, whose
// certificate was rejected, and the trust folder's verdict on it.
const (
	// ActionUploadCertificate: a node rejected a self-signed certificate
	// (an alert about it, or a reset or close right after it) and no trust
	// folder says more: upload it as CallManager-trust on that node.
	ActionUploadCertificate ActionCode = "upload_certificate"
	// ActionUploadCA: as ActionUploadCertificate for a CA-signed
	// certificate: upload its issuing CA (named in the sentence).
	ActionUploadCA ActionCode = "upload_ca"
	// ActionUploadIntermediate: the rejecting node's trust folder holds a
	// higher CA but not the intermediate the chain needs (trust status
	// missing_intermediate).
	ActionUploadIntermediate ActionCode = "upload_intermediate"
	// ActionReplaceStaleCopy: the rejecting node's trust folder holds
	// another certificate of the same subject (trust status stale_copy):
	// replace that file with the certificate presented now.
	ActionReplaceStaleCopy ActionCode = "replace_stale_copy"
	// ActionCheckTrustStore: the rejecting node's trust folder trusts the
	// certificate it rejected (trust status exact_match or chains_to): the
	// folder is not the node's current CallManager-trust, or the node was
	// not restarted after the upload.
	ActionCheckTrustStore ActionCode = "check_trust_store"
	// ActionReissueEKU: the rejected certificate's extended key usage lacks
	// the role it was presented in (clientAuth or serverAuth).
	ActionReissueEKU ActionCode = "reissue_certificate"
	// ActionRenewCertificate: the rejected certificate was expired or not
	// yet valid at the capture time, or the peer said certificate_expired.
	ActionRenewCertificate ActionCode = "renew_certificate"
	// ActionFixSubjectName: the handshake finished and the node closed at
	// once, and the peer's certificate matches none of the --expect-name
	// names.
	ActionFixSubjectName ActionCode = "fix_subject_name"
	// ActionCheckSubjectName: the handshake finished and the node closed at
	// once (closed_after_handshake) and no --expect-name tells more: check
	// the trunk's X.509 Subject Name against the peer's certificate.
	ActionCheckSubjectName ActionCode = "check_subject_name"
	// ActionCheckHiddenCertificate: as ActionCheckSubjectName in TLS 1.3,
	// whose encrypted certificates and alert the capture cannot show.
	ActionCheckHiddenCertificate ActionCode = "check_hidden_certificate"
	// ActionClientCertificate: the client sent no certificate although the
	// server asked for one (empty_client_certificate).
	ActionClientCertificate ActionCode = "provide_client_certificate"
	// ActionAlignCiphers: handshake_failure right after the ClientHello: no
	// cipher suite in common.
	ActionAlignCiphers ActionCode = "align_cipher_suites"
	// ActionAlignVersions: protocol_version: no TLS version in common.
	ActionAlignVersions ActionCode = "align_tls_versions"
	// ActionFixListener: the SYN was answered by a RST (refused).
	ActionFixListener ActionCode = "fix_listener"
	// ActionCheckPath: the SYN was never answered (no_answer).
	ActionCheckPath ActionCode = "check_path"
	// ActionFixTransport: the connection carried bytes that are not TLS
	// (not_tls).
	ActionFixTransport ActionCode = "fix_transport"
	// ActionCaptureAgain: the capture cannot tell how connections ended
	// (incomplete, truncated): the sentence says what is missing and how
	// to capture it (size all, start earlier, capture longer).
	ActionCaptureAgain ActionCode = "capture_again"
	// ActionRaiseLimits: a --max-buffer, --max-buffer-total or --max-conns
	// cap cut the analysis short (incomplete/cap_hit).
	ActionRaiseLimits ActionCode = "raise_limits"
	// ActionInvestigate: a failure siptls names but knows no remedy for
	// (an alert such as internal_error or decrypt_error, a close during the
	// handshake that does not follow a certificate): the sentence names it
	// and the connections' verdicts are the evidence.
	ActionInvestigate ActionCode = "investigate"
)

// ActionCodes returns every remedy kind.
func ActionCodes() []ActionCode {
	return []ActionCode{ActionUploadCertificate, ActionUploadCA, ActionUploadIntermediate, ActionReplaceStaleCopy, ActionCheckTrustStore, ActionReissueEKU,
		ActionRenewCertificate, ActionFixSubjectName, ActionCheckSubjectName, ActionCheckHiddenCertificate, ActionClientCertificate,
		ActionAlignCiphers, ActionAlignVersions, ActionFixListener, ActionCheckPath, ActionFixTransport, ActionCaptureAgain,
		ActionRaiseLimits, ActionInvestigate}
}

// Action is one distinct remedy, with the connections it explains. The
// report opens with them, most connections first.
type Action struct {
	// Code is the kind of remedy.
	Code ActionCode `json:"code"`
	// Sentence says what to do, naming the node, the certificate (CN and
	// serial), the trust file, the capture.
	Sentence string `json:"sentence"`
	// Node is the address of the node to act on: the one that must trust,
	// renew or re-issue a certificate, or change a setting; for
	// capture_again and raise_limits the capture node ("" when unknown).
	Node string `json:"node"`
	// Certificate is the SHA-256 of the certificate concerned ("" when
	// none).
	Certificate string `json:"certificate"`
	// Verdict is the verdict of the connections it explains.
	Verdict diagnose.Verdict `json:"verdict"`
	// Connections counts the connections it explains (a connection seen in
	// several captures once).
	Connections int `json:"connections"`
	// Evidence lists the first MaxActionEvidence of them (by capture and
	// connection ID), each with the frame that shows the problem.
	Evidence []ActionEvidence `json:"evidence"`
}

// ActionEvidence is one connection an Action explains.
type ActionEvidence struct {
	// Capture is the index into captures, File its path.
	Capture int    `json:"capture"`
	File    string `json:"file"`
	// Connection is the connection's ID within the capture.
	Connection uint64 `json:"connection"`
	// Frame shows the problem: the alert, else the reset or close of the
	// side that ended the connection, else the first note (a cut packet, a
	// gap), else the connection's first frame.
	Frame uint64 `json:"frame"`
}

// MaxActionEvidence is how many connections an Action lists as evidence.
const MaxActionEvidence = 5

// DefaultMaxActions caps the distinct remedies kept: a capture where every
// connection presents another rejected certificate would otherwise make one
// per connection. Connections with a remedy beyond it are not counted in
// the actions; triage says how many in a note.
const DefaultMaxActions = 1000

// remedy is one distinct remedy: every fact its sentence uses, so that two
// connections with the same remedy have the same sentence and two with
// different ones different sentences. It is a map key.
type remedy struct {
	code    ActionCode
	verdict diagnose.Verdict
	reason  diagnose.Reason // capture_again, investigate: what happened
	node    netip.Addr      // the node to act on (capture_again: invalid)
	peer    endpoint        // the other end
	cert    string          // SHA-256 of the certificate concerned
	name    string          // its CN=… (or subject), serial …
	file    string          // the trust file to replace, or that trusts it
	ca      string          // the CA to upload
	detail  string          // a fact of the kind: the EKU missing, the validity, the versions, the names expected, the alert
	capture int             // capture_again, raise_limits: the capture; else -1
}

// remedyOf returns the remedy of a connection and the frame that shows
// its problem; ok is false for an ok connection.
func remedyOf(c *diagnose.Connection, t *trust.ConnectionTrust) (r remedy, frame uint64, ok bool) {
	r = remedy{verdict: c.Verdict, capture: -1}
	frame = evidenceFrame(c)
	switch c.Verdict {
	case diagnose.VerdictOK, "":
		return r, 0, false
	case diagnose.VerdictTruncated, diagnose.VerdictIncomplete:
		r.code, r.reason, r.capture = ActionCaptureAgain, c.Reason, c.Capture
		if c.Reason == diagnose.ReasonCapHit {
			r.code = ActionRaiseLimits
		}
	case diagnose.VerdictRefused:
		r.code, r.node, r.peer = ActionFixListener, c.Server.Addr(), endpoint(c.Server)
	case diagnose.VerdictNoAnswer:
		r.code, r.node, r.peer = ActionCheckPath, c.Server.Addr(), endpoint(c.Server)
	case diagnose.VerdictNotTLS:
		r.code, r.node, r.peer = ActionFixTransport, c.Server.Addr(), endpoint(c.Server)
	default:
		failedRemedy(c, t, &r)
	}
	return r, frame, true
}

// failedRemedy fills the remedy of a failed connection.
func failedRemedy(c *diagnose.Connection, t *trust.ConnectionTrust, r *remedy) {
	alert := ""
	if a := c.Alert; a != nil && (!a.Encrypted || a.Decrypted) {
		alert = a.Name
	}
	switch {
	case c.Reason == diagnose.ReasonEmptyClientCertificate:
		r.code, r.node, r.peer = ActionClientCertificate, c.Client.Addr(), endpoint(c.Server)
	case alert == "handshake_failure" && c.Alert.After != nil && !c.Alert.After.SSLv2 && c.Alert.After.Type == tlsparse.TypeClientHello:
		r.code, r.node, r.peer = ActionAlignCiphers, c.Addr(c.Alert.SentBy), addrOnly(c.Addr(c.Alert.SentBy.Peer()))
	case alert == "protocol_version":
		r.code, r.node, r.peer = ActionAlignVersions, c.Addr(c.Alert.SentBy), addrOnly(c.Addr(c.Alert.SentBy.Peer()))
		r.detail = c.ClientMaxVersion
	case certAlert(alert) && c.Leaf(c.Alert.SentBy.Peer()) != nil:
		certRemedy(c, t, c.Alert.SentBy.Peer(), alert, r)
	case (c.Reason == diagnose.ReasonResetDuringHandshake || c.Reason == diagnose.ReasonClosedDuringHandshake) && closedAfterCertificate(c):
		certRemedy(c, t, c.AbortedBy.Peer(), "", r)
	case c.Reason == diagnose.ReasonClosedAfterHandshake && c.AbortedBy != diagnose.Neither:
		nameRemedy(c, t, r)
	default:
		investigate(c, alert, r)
	}
}

// investigate fills the remedy of a failure siptls knows no remedy for.
func investigate(c *diagnose.Connection, alert string, r *remedy) {
	// The sentence names the alert, else the reason: the key holds only
	// what the sentence names.
	r.code, r.reason, r.detail = ActionInvestigate, c.Reason, alert
	if alert != "" {
		r.reason = ""
	}
	by := c.AbortedBy
	if c.Alert != nil {
		by = c.Alert.SentBy
	}
	if by == diagnose.Neither {
		by = diagnose.Server
	}
	r.node, r.peer = c.Addr(by), addrOnly(c.Addr(by.Peer()))
}

// certAlert reports whether a readable alert rejects a certificate for
// trust (the alerts alertMeaning advises an upload for) or its validity.
func certAlert(name string) bool {
	switch name {
	case "unknown_ca", "bad_certificate", "certificate_unknown", "certificate_expired", "unsupported_certificate":
		return true
	}
	return false
}

// closedAfterCertificate reports whether the side that ended c during the
// handshake did so right after the peer's certificate: the peer presented
// a leaf, and the closer sent no handshake record between it and its RST
// or FIN (what the failure table calls a reset right after the
// certificate arrives).
func closedAfterCertificate(c *diagnose.Connection) bool {
	closer := c.AbortedBy
	leaf := c.Leaf(closer.Peer())
	if closer == diagnose.Neither || leaf == nil {
		return false
	}
	for _, e := range c.Events {
		if e.Frame <= leaf.Frame || e.From != closer {
			continue
		}
		switch e.Kind {
		case diagnose.EventRST, diagnose.EventFIN:
			return true
		case diagnose.EventTLS, diagnose.EventAlert:
			return false
		}
	}
	return false
}

// certRemedy fills the remedy for the certificate that side rejected
// presented and that its peer rejected (with alert, "" for a reset or a
// close): a re-issue when its key usage forbids the role, a renewal when
// it was out of its validity period, else what the rejecting node's trust
// folder says, else an upload.
func certRemedy(c *diagnose.Connection, t *trust.ConnectionTrust, rejected diagnose.Side, alert string, r *remedy) {
	leaf := c.Leaf(rejected)
	info := leaf.Info
	r.cert, r.name = info.SHA256, certWords(info)
	rejecter := c.Addr(rejected.Peer())
	if need := missingEKU(info, rejected); need != "" {
		r.code, r.node, r.peer, r.detail = ActionReissueEKU, c.Addr(rejected), addrOnly(rejecter), need
		return
	}
	if alert == "unsupported_certificate" {
		// Its type or usage, and not the extended key usage: no remedy known.
		r.cert, r.name = "", ""
		investigate(c, alert, r)
		return
	}
	if v, _ := info.ValidAt(leaf.Time); v.OutOfPeriod() || alert == "certificate_expired" {
		r.code, r.node, r.peer = ActionRenewCertificate, c.Addr(rejected), addrOnly(rejecter)
		switch v {
		case certinfo.Expired:
			r.detail = "expired on " + info.NotAfter.UTC().Format(time.DateOnly)
		case certinfo.NotYetValid:
			r.detail = "is valid only from " + info.NotBefore.UTC().Format(time.DateOnly)
		default:
			r.detail = "the peer called expired although it was valid at the capture time"
		}
		return
	}
	r.node = rejecter
	if st := t.For(rejected); st != nil && !st.NodeUnknown && st.Judgement != nil {
		j := st.Judgement
		switch j.Status {
		case trust.StatusStaleCopy:
			r.code, r.file, r.peer = ActionReplaceStaleCopy, j.File, addrOnly(c.Addr(rejected))
			return
		case trust.StatusMissingIntermediate:
			r.code, r.ca, r.peer = ActionUploadIntermediate, j.Missing, addrOnly(c.Addr(rejected))
			return
		case trust.StatusExactMatch, trust.StatusChainsTo:
			r.code, r.file, r.detail = ActionCheckTrustStore, j.File, st.Store
			return
		case trust.StatusUntrusted:
			if !info.SelfSigned && j.Missing != "" {
				r.code, r.ca = ActionUploadCA, j.Missing
				return
			}
		}
	}
	if info.SelfSigned {
		r.code = ActionUploadCertificate
		return
	}
	r.code, r.ca = ActionUploadCA, info.Issuer
}

// missingEKU returns the extended key usage a certificate presented by
// role lacks ("clientAuth", "serverAuth"), or "" (none listed means any).
func missingEKU(info *certinfo.Info, role diagnose.Side) string {
	if len(info.ExtKeyUsage) == 0 {
		return ""
	}
	need := "clientAuth"
	if role == diagnose.Server {
		need = "serverAuth"
	}
	if slices.Contains(info.ExtKeyUsage, need) || slices.Contains(info.ExtKeyUsage, "anyExtendedKeyUsage") {
		return ""
	}
	return need
}

// nameRemedy fills the remedy of a connection closed right after a
// finished handshake: the node accepted TLS but refused the peer.
func nameRemedy(c *diagnose.Connection, t *trust.ConnectionTrust, r *remedy) {
	closer := c.AbortedBy
	peer := closer.Peer()
	r.node, r.peer = c.Addr(closer), addrOnly(c.Addr(peer))
	leaf := c.Leaf(peer)
	switch {
	case leaf == nil && c.CertificatesHidden:
		r.code = ActionCheckHiddenCertificate
		return
	case leaf == nil:
		r.code = ActionCheckSubjectName
		return
	}
	r.cert, r.name = leaf.Info.SHA256, certWords(leaf.Info)
	var nc *trust.NameCheck
	if t != nil && t.NameCheck != nil && t.NameCheck.SentBy == peer {
		nc = t.NameCheck
	}
	switch {
	case nc != nil && !nc.OK:
		r.code, r.detail = ActionFixSubjectName, strings.Join(nc.Expected, ", ")
	case nc != nil:
		// The names match: the capture does not show why it closed.
		r.code, r.reason = ActionInvestigate, c.Reason
		r.cert, r.name = "", ""
	default:
		r.code = ActionCheckSubjectName
	}
}

// certWords names a certificate in a remedy: "CN=name (serial 5026…)".
func certWords(i *certinfo.Info) string {
	name := i.Subject
	if i.SubjectCN != "" {
		name = "CN=" + i.SubjectCN
	}
	if name == "" {
		name = "the certificate with SHA-256 " + ShortHex(i.SHA256)
	}
	if i.Serial != "" {
		name += " (serial " + ShortHex(i.Serial) + ")"
	}
	return sanitize.String(name)
}

// evidenceFrame is the frame that shows a connection's problem: the
// alert, else the RST or FIN of the side that ended it, else its first
// note (a cut packet, a gap), else its first frame.
func evidenceFrame(c *diagnose.Connection) uint64 {
	if c.Alert != nil && c.Alert.Frame != 0 {
		return c.Alert.Frame
	}
	if c.AbortedBy != diagnose.Neither {
		for _, e := range c.Events {
			if e.From == c.AbortedBy && (e.Kind == diagnose.EventRST || e.Kind == diagnose.EventFIN) {
				return e.Frame
			}
		}
	}
	if c.Verdict == diagnose.VerdictTruncated || c.Verdict == diagnose.VerdictIncomplete {
		for _, e := range c.Events {
			if e.Kind == diagnose.EventNote {
				return e.Frame
			}
		}
	}
	return c.StartFrame
}

// actionTable gives distinct remedies small indexes, up to a cap, and
// remembers a name for each node they name (the lowest CN its leaf
// certificates carried, so that the name does not depend on the order
// connections came in).
type actionTable struct {
	max     int
	index   map[remedy]int32
	remedys []remedy
	names   map[netip.Addr]string
}

func newActionTable(max int) *actionTable {
	if max <= 0 {
		max = DefaultMaxActions
	}
	return &actionTable{max: max, index: map[remedy]int32{}, names: map[netip.Addr]string{}}
}

// add returns the index+1 of c's remedy (0: none, or beyond the cap, then
// omitted is set) and the frame that shows its problem.
func (at *actionTable) add(c *diagnose.Connection, t *trust.ConnectionTrust) (idx int32, frame uint64, omitted bool) {
	r, frame, ok := remedyOf(c, t)
	if !ok {
		return 0, 0, false
	}
	i, ok := at.index[r]
	if !ok {
		if len(at.remedys) >= at.max {
			return 0, 0, true
		}
		i = int32(len(at.remedys))
		at.index[r] = i
		at.remedys = append(at.remedys, r)
	}
	// Names only for the addresses the remedy names, so that the names
	// stay as few as the remedies.
	peer := r.peer.Addr()
	for _, s := range []diagnose.Side{diagnose.Client, diagnose.Server} {
		if leaf := c.Leaf(s); leaf != nil && leaf.Info.SubjectCN != "" {
			ip := c.Addr(s)
			if ip != r.node && ip != peer {
				continue
			}
			if have, ok := at.names[ip]; !ok || leaf.Info.SubjectCN < have {
				at.names[ip] = leaf.Info.SubjectCN
			}
		}
	}
	return i + 1, frame, false
}

// actionAgg counts the connections of one remedy.
type actionAgg struct {
	n        int
	evidence []ActionEvidence // the lowest keys, at most MaxActionEvidence
}

// add counts one connection.
func (a *actionAgg) add(e ActionEvidence) {
	a.n++
	i, _ := slices.BinarySearchFunc(a.evidence, e, compareEvidence)
	if i >= MaxActionEvidence {
		return
	}
	a.evidence = slices.Insert(a.evidence, i, e)
	if len(a.evidence) > MaxActionEvidence {
		a.evidence = a.evidence[:MaxActionEvidence]
	}
}

func compareEvidence(a, b ActionEvidence) int {
	return cmp.Or(cmp.Compare(a.Capture, b.Capture), cmp.Compare(a.Connection, b.Connection))
}

// actionCounts are the connections counted per remedy (by index+1).
type actionCounts map[int32]*actionAgg

// count adds one connection of remedy idx (0: none).
func (ac actionCounts) count(idx int32, e ActionEvidence) {
	if idx == 0 {
		return
	}
	a := ac[idx]
	if a == nil {
		a = &actionAgg{}
		ac[idx] = a
	}
	a.add(e)
}

func (ac actionCounts) clone() actionCounts {
	c := make(actionCounts, len(ac))
	for k, v := range ac {
		c[k] = &actionAgg{n: v.n, evidence: slices.Clone(v.evidence)}
	}
	return c
}

// actions returns the remedies counted, ranked: those that explain call
// failures first, then those for connections the capture cannot judge;
// within each, the most connections first, then by code, node, certificate
// and sentence, so that the order is stable.
func (at *actionTable) actions(ac actionCounts, captures []Capture) []Action {
	out := []Action{}
	for idx, agg := range ac {
		r := at.remedys[idx-1]
		a := Action{Code: r.code, Sentence: at.sentence(r, captures), Certificate: r.cert, Verdict: r.verdict, Connections: agg.n,
			Evidence: slices.Clone(agg.evidence)}
		if r.node.IsValid() {
			a.Node = r.node.String()
		} else if r.capture >= 0 && r.capture < len(captures) {
			a.Node = captures[r.capture].CaptureNode
		}
		for i := range a.Evidence {
			if e := &a.Evidence[i]; e.Capture >= 0 && e.Capture < len(captures) {
				e.File = captures[e.Capture].File
			}
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Action) int {
		return cmp.Or(
			-cmp.Compare(boolInt(CallFailure(a.Verdict)), boolInt(CallFailure(b.Verdict))),
			-cmp.Compare(a.Connections, b.Connections),
			cmp.Compare(a.Code, b.Code), cmp.Compare(a.Node, b.Node), cmp.Compare(a.Certificate, b.Certificate),
			cmp.Compare(a.Sentence, b.Sentence))
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// node names the node at addr in a sentence: "10.20.1.22
// (cucm8-sub1.clus2.lab)" when a certificate named it.
func (at *actionTable) node(addr netip.Addr) string {
	if name := at.names[addr]; name != "" {
		return addr.String() + " (" + sanitize.String(name) + ")"
	}
	return addr.String()
}

// endpoint is a remedy's peer: an address and a port, or an address alone
// (port 0).
type endpoint netip.AddrPort

// addrOnly is the endpoint of an address alone.
func addrOnly(a netip.Addr) endpoint { return endpoint(netip.AddrPortFrom(a, 0)) }

// Addr returns the address.
func (e endpoint) Addr() netip.Addr { return netip.AddrPort(e).Addr() }

// String returns "ip:port", or the address alone.
func (e endpoint) String() string {
	if ap := netip.AddrPort(e); ap.Port() != 0 {
		return ap.String()
	}
	return e.Addr().String()
}

// peerNode names a remedy's peer with the name of its certificate, when it
// presented one.
func (at *actionTable) peerNode(e endpoint) string {
	if name := at.names[e.Addr()]; name != "" {
		return e.String() + " (" + sanitize.String(name) + ")"
	}
	return e.String()
}

// fullSizeCommand is the CUCM command that captures whole packets.
const fullSizeCommand = "utils network capture eth0 file NAME count 100000 size all port 5061"

// sentence says what to do.
func (at *actionTable) sentence(r remedy, captures []Capture) string {
	node, peer := at.node(r.node), at.peerNode(r.peer)
	s := sanitize.String
	switch r.code {
	case ActionUploadCertificate:
		return fmt.Sprintf("Upload %s, self-signed, as CallManager-trust on %s.", r.name, node)
	case ActionUploadCA:
		return fmt.Sprintf("Upload the CA %s, which issued %s, and any intermediate as CallManager-trust on %s.", s(r.ca), r.name, node)
	case ActionUploadIntermediate:
		return fmt.Sprintf("Upload the intermediate CA %s as CallManager-trust on %s, whose trust folder holds only a higher CA, or have %s send it with %s.", s(r.ca), node, r.peer, r.name)
	case ActionReplaceStaleCopy:
		return fmt.Sprintf("Replace %s in the CallManager-trust of %s with the certificate %s presents now, %s: that file is an older certificate of the same name.", s(r.file), node, peer, r.name)
	case ActionCheckTrustStore:
		return fmt.Sprintf("Check that %s is the current CallManager-trust of %s: its file %s trusts %s, yet %s rejected it; restart the Cisco CallManager service on %s if the certificate was uploaded since.", s(r.detail), node, s(r.file), r.name, r.node, r.node)
	case ActionReissueEKU:
		return fmt.Sprintf("Re-issue the certificate of %s, %s, with both serverAuth and clientAuth: it lacks %s, so %s rejects it.", node, r.name, r.detail, r.peer)
	case ActionRenewCertificate:
		return fmt.Sprintf("Renew the certificate of %s, %s, which %s, and check that the clocks of %s and %s are right (NTP).", node, r.name, r.detail, r.node, r.peer)
	case ActionFixSubjectName:
		return fmt.Sprintf("Set the X.509 Subject Name of the SIP Trunk Security Profile on %s to a name of the certificate %s presents, %s, or re-issue that certificate with one of the names expected now: %s.", node, r.peer, r.name, s(r.detail))
	case ActionCheckSubjectName:
		what := "the certificate " + peer + " presents"
		if r.name != "" {
			what = "the certificate " + r.peer.String() + " presents, " + r.name
		}
		return fmt.Sprintf("Check the X.509 Subject Name of the SIP Trunk Security Profile on %s: it must match the CN or a SAN of %s; %s accepted TLS, then closed at once.", node, what, r.node)
	case ActionCheckHiddenCertificate:
		return fmt.Sprintf("Check that %s trusts the certificate of %s (CallManager-trust) and that it matches the X.509 Subject Name of the trunk: TLS 1.3 hides the certificates, so the capture cannot tell which (a key log, --keylog, shows them).", node, peer)
	case ActionClientCertificate:
		return fmt.Sprintf("Give %s a certificate to present to %s: it sent none when asked (check its CallManager certificate and the trunk's SIP Trunk Security Profile).", node, peer)
	case ActionAlignCiphers:
		return fmt.Sprintf("Align the TLS cipher suites of %s and %s: %s found none in common with the ClientHello (CUBE's strict-cipher allows only TLS_RSA_WITH_AES_128_CBC_SHA).", node, peer, r.node)
	case ActionAlignVersions:
		offered := ""
		if r.detail != "" {
			offered = ", which was offered up to " + r.detail
		}
		return fmt.Sprintf("Align the TLS versions of %s and %s: %s refused the version of the ClientHello%s.", node, peer, r.node, offered)
	case ActionFixListener:
		return fmt.Sprintf("Make %s listen for SIP over TLS: its SYNs were answered by a RST (check the incoming port of the SIP Trunk Security Profile, and reset the trunk after a change).", peer)
	case ActionCheckPath:
		return fmt.Sprintf("Check the firewalls and routing to %s: its SYNs were never answered (or the destination is down).", peer)
	case ActionFixTransport:
		return fmt.Sprintf("Set the transport to TLS on both ends of the trunk to %s: the connection carried another protocol (a transport mismatch in the SIP Trunk Security Profile).", peer)
	case ActionRaiseLimits:
		return fmt.Sprintf("Run siptls again on %s with higher limits (--max-buffer, --max-buffer-total, --max-conns): they cut the analysis of these connections short.", captureWords(captures, r.capture))
	case ActionCaptureAgain:
		return captureAgain(r, captures)
	}
	if r.detail != "" {
		return fmt.Sprintf("Look into the %s alert %s sent to %s: siptls knows no remedy for it; the connections' verdicts say what the capture shows.", s(r.detail), node, r.peer)
	}
	return fmt.Sprintf("Look into why %s ended its connections with %s (%s): siptls knows no remedy for it; the connections' verdicts say what the capture shows.", node, r.peer, r.reason)
}

// captureAgain says how to capture what capture r.capture is missing.
func captureAgain(r remedy, captures []Capture) string {
	file := captureWords(captures, r.capture)
	switch r.reason {
	case diagnose.ReasonSnaplen:
		snap := ""
		if r.capture >= 0 && r.capture < len(captures) && captures[r.capture].Snaplen > 0 {
			snap = fmt.Sprintf(" at %d bytes", captures[r.capture].Snaplen)
		}
		return fmt.Sprintf("Capture again with `size all` (%s): %s cut packets%s, so handshakes and certificates cannot be read.", fullSizeCommand, file, snap)
	case diagnose.ReasonMidstream:
		return fmt.Sprintf("Capture again from before the calls, or reset the trunk while capturing: %s started after these connections' handshakes, so their certificates and outcome cannot be judged.", file)
	case diagnose.ReasonGap:
		return fmt.Sprintf("Capture again: %s lost packets of these connections (the capture dropped them, not necessarily the network), so their outcome cannot be read.", file)
	case diagnose.ReasonTLS13Hidden:
		return fmt.Sprintf("Capture for longer, or with a key log (--keylog): %s ended before these TLS 1.3 connections showed their outcome.", file)
	}
	return fmt.Sprintf("Capture for longer: %s ended before these connections showed their outcome.", file)
}

// captureWords names capture i in a sentence.
func captureWords(captures []Capture, i int) string {
	if i >= 0 && i < len(captures) {
		return sanitize.String(captures[i].File)
	}
	return fmt.Sprintf("capture %d", i)
}

// ActionWords is the part of an action's line after its sentence: "explains
// 3 failed connections, e.g. frame 43" (with "[1] frame 43" when several
// captures are listed).
func ActionWords(a *Action, manyCaptures bool) string {
	s := ActionCountWords(a)
	if len(a.Evidence) > 0 {
		e := a.Evidence[0]
		if manyCaptures {
			s += fmt.Sprintf(", e.g. [%d] frame %d", e.Capture, e.Frame)
		} else {
			s += fmt.Sprintf(", e.g. frame %d", e.Frame)
		}
	}
	return s
}

// ActionCountWords counts the connections an action explains: "explains 3
// failed connections", "concerns 1 incomplete connection".
func ActionCountWords(a *Action) string {
	verb, adj := "explains", string(a.Verdict)
	switch a.Verdict {
	case diagnose.VerdictNoAnswer:
		adj = "unanswered"
	case diagnose.VerdictNotTLS:
		adj = "non-TLS"
	case diagnose.VerdictIncomplete, diagnose.VerdictTruncated:
		verb = "concerns"
	}
	return verb + " " + english.Plural(a.Connections, adj+" connection", adj+" connections")
}

// frameOffset packs the evidence frame of a connection as its distance
// from the connection's first frame (0 when it does not fit).
func frameOffset(frame, start uint64) uint32 {
	if frame < start || frame-start > math.MaxUint32 {
		return 0
	}
	return uint32(frame - start)
}
