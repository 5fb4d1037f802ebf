package diagnose

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/internal/english"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsparse"
)

// finish turns the state of an ended connection into its Connection.
func (st *connState) finish(stats *pcap.ConnStats) *Connection {
	for _, ds := range st.dirs {
		if ds != nil {
			st.a.budget.Charge(-ds.defrag.Pending())
		}
	}
	c := st.c()
	pc := st.pc
	c.Client, c.Server = pc.Client, pc.Server
	c.ClientISN, c.ServerISN, c.ISNKnown = pc.ClientISN, pc.ServerISN, pc.ISNKnown
	if st.swapped {
		c.Client, c.Server = c.Server, c.Client
		c.ClientISN, c.ServerISN = c.ServerISN, c.ClientISN
		c.ISNKnown = c.ISNKnown && pc.ServerISN != 0
	}
	c.RolesGuessed = pc.Roles != pcap.RoleFromSYN && !st.clientHello.seen()
	if stats != nil {
		c.EndFrame, c.End = stats.LastFrame, stats.LastTime
		c.Node = st.nodeEvidence(stats)
		for d := pcap.ClientToServer; d <= pcap.ServerToClient; d++ {
			s := st.side(d)
			c.Stats[s] = DirStats{
				Packets:         stats.Packets[d],
				Bytes:           stats.Bytes[d],
				Records:         st.dir(d).records,
				AppDataRecords:  st.dir(d).appRecords,
				AppDataBytes:    st.dir(d).appBytes,
				Retransmissions: stats.Retransmits[d],
				Gaps:            stats.Gaps[d],
				CutSegments:     stats.CutSegments[d],
			}
		}
	}
	for i := range c.Certificates {
		c.Certificates[i].SentBy = st.side(pcap.Dir(c.Certificates[i].SentBy))
	}
	for i := range c.PartialCertificates {
		c.PartialCertificates[i].SentBy = st.side(pcap.Dir(c.PartialCertificates[i].SentBy))
	}
	for i := range c.CertificatesLost {
		c.CertificatesLost[i] = st.side(pcap.Dir(c.CertificatesLost[i]))
	}
	for i := range c.SIP {
		c.SIP[i].From = st.side(pcap.Dir(c.SIP[i].From))
	}
	c.Events = make([]Event, len(st.events))
	for i, e := range st.events {
		c.Events[i] = Event{Frame: e.frame, Time: e.time(), From: st.side(e.dir), Kind: e.kind, What: e.what}
	}
	// Bytes held behind a hole reach the analyzer after later frames of
	// the other direction: the timeline is in frame order.
	slices.SortStableFunc(c.Events, func(x, y Event) int { return cmp.Compare(x.Frame, y.Frame) })
	if st.clientMax != 0 {
		c.ClientMaxVersion = st.clientMax.String()
	}
	c.SNI = st.sni
	c.EmptyClientCertificate = st.emptyCert.seen()
	st.decide()
	if st.capped || stats != nil && (stats.CapHit || stats.Evicted) {
		st.capHit(stats)
	}
	st.sipVerdict()
	if f, ok := staleCopyHint(c); ok {
		st.finding(f.Code, f.Frame, "%s", f.Detail)
	}
	c.Findings = st.findings // after decide, which adds warning_alert
	return c
}

// capHit turns a verdict that a buffering cap may have cut short into
// incomplete/cap_hit, keeping what was seen before in the summary. An ok
// verdict stands (its evidence was complete), as do truncated (the
// snaplen is the first thing to fix), refused (a SYN and its RST are
// complete) and not_tls.
func (st *connState) capHit(stats *pcap.ConnStats) {
	c := st.c()
	switch c.Verdict {
	case VerdictFailed, VerdictIncomplete, VerdictNoAnswer:
	default:
		return
	}
	var cap string
	if stats != nil && stats.Evicted {
		n := st.a.opts.MaxConns
		if n <= 0 {
			n = pcap.DefaultMaxConns
		}
		cap = fmt.Sprintf("The connection was still open, last active in frame %d, when it was ended early because %d connections were open at once (--max-conns %d); its later packets are counted, not analysed", c.EndFrame, n, n)
	} else if st.budgetHit || stats != nil && stats.BudgetHit {
		cap = fmt.Sprintf("The bytes buffered across all connections reached their budget (--max-buffer-total %d)", st.a.budget.Max())
	} else {
		n := st.a.opts.MaxBuffer
		if n <= 0 {
			n = pcap.DefaultMaxBuffer
		}
		cap = fmt.Sprintf("The buffer cap (--max-buffer %d bytes per direction) was hit", n)
		for _, f := range st.findings {
			if f.Code == FindingCapHit {
				cap += fmt.Sprintf(" in frame %d", f.Frame)
				break
			}
		}
	}
	before, label := c.Summary, " What was seen before: "
	if stats != nil && stats.Evicted && len(c.Events) > 0 {
		// The verdict's sentence would speak of the capture's end, which
		// this is not: say what was seen last instead.
		e := c.Events[len(c.Events)-1]
		before, label = fmt.Sprintf("%s from the %s in frame %d.", e.What, e.From, e.Frame), " What was seen last: "
	}
	c.Verdict, c.Reason, c.AbortedBy = VerdictIncomplete, ReasonCapHit, Neither
	c.Summary = cap + ", so the analysis of this connection is cut short and its outcome is not judged."
	if before != "" {
		c.Summary += label + before
	}
}

// names for sentences.
func (st *connState) who(s Side) string {
	c := st.c()
	addr := c.Client.String()
	if s == Server {
		addr = c.Server.String()
	}
	if cn := st.leafCN(s); cn != "" {
		return fmt.Sprintf("%s (%s %s)", cn, s, addr)
	}
	return fmt.Sprintf("the %s %s", s, addr)
}

func (st *connState) leafCN(s Side) string {
	for _, cert := range st.c().Certificates {
		if cert.SentBy == s && cert.Index == 0 && cert.Info != nil {
			return cert.Info.SubjectCN
		}
	}
	return ""
}

func (st *connState) ds(s Side) *dirState { return st.dir(st.dirOf(s)) }

// decide sets Verdict, Reason, Summary, AbortedBy and Alert.
func (st *connState) decide() {
	c := st.c()
	c.AbortedBy = Neither
	handshakeSeen := st.clientHello.seen() || st.serverHello.seen()

	// TCP-level outcomes before any TLS byte.
	if st.syn.seen() && !st.synack.seen() && !handshakeSeen {
		st.decideNoSYNACK()
		return
	}

	// Cut packets: never judge from cut data.
	if cut := st.firstCut(); cut.seen() {
		st.decideTruncated(cut)
		return
	}

	// A session open before the capture: without its handshake nothing
	// that happens later (an encrypted alert, a close) can be judged.
	if !handshakeSeen && !st.syn.seen() && !st.synack.seen() {
		st.decideMidstream()
		return
	}

	if st.alertDecides() {
		st.noteGap()
		return
	}

	if !handshakeSeen {
		st.decideNoHandshake()
		return
	}

	if st.tls13 {
		st.decideTLS13()
		return
	}

	if st.version == tlsparse.VersionSSL20 && st.decideSSLv2() {
		return
	}

	if st.handshakeComplete() {
		st.decideComplete()
		return
	}
	st.decideDuringHandshake()
}

// decideNoSYNACK judges a connection whose SYN got no SYN-ACK and that
// carried no hello: refused when the server answered with a RST, no answer
// when the SYN was sent again or the capture went on for three seconds
// after it, and otherwise incomplete, as the capture ended too soon to tell.
func (st *connState) decideNoSYNACK() {
	c := st.c()
	srvRST := st.rst[st.dirOf(Server)]
	switch {
	case srvRST.seen():
		c.Verdict, c.Reason, c.AbortedBy = VerdictRefused, ReasonSYNReset, Server
		c.Summary = fmt.Sprintf("The SYN in frame %d was answered by a RST in frame %d: nothing listens on %s (wrong incoming port on the SIP Trunk Security Profile, or the trunk was not reset after the change).",
			st.syn.frame, srvRST.frame, c.Server)
	case st.synCount > 1 || c.End.Sub(st.syn.time()) >= 3e9:
		c.Verdict, c.Reason = VerdictNoAnswer, ReasonSYNUnanswered
		c.Summary = fmt.Sprintf("%s sent %s to %s from frame %d on, and nothing came back: a firewall or routing problem on the path (or the destination is down).",
			c.Client, english.Plural(st.synCount, "SYN", "SYNs"), c.Server, st.syn.frame)
	default:
		c.Verdict, c.Reason = VerdictIncomplete, ReasonCaptureEnded
		c.Summary = fmt.Sprintf("The capture ended right after the SYN in frame %d; it cannot show whether %s answered.", st.syn.frame, c.Server)
	}
}

// decideTruncated judges a connection some of whose packets the snap
// length cut (cut is the first): truncated, whatever else was seen, since
// nothing is judged from cut data. An alert is small enough to survive the
// cut, so a fatal one in the clear is still kept and named as evidence.
func (st *connState) decideTruncated(cut mark) {
	c := st.c()
	decided := st.alertDecides()
	alert := c.Alert
	c.Verdict, c.Reason, c.AbortedBy = VerdictTruncated, ReasonSnaplen, Neither
	c.Summary = fmt.Sprintf("Packets of this connection were cut by the capture's snap length (first in frame %d), so the handshake and the certificates cannot be read.", cut.frame)
	if decided && alert != nil && !alert.Encrypted {
		c.AbortedBy = alert.SentBy
		c.Summary += fmt.Sprintf(" The %s sent fatal %s in frame %d, which survived the cut.", alert.SentBy, alert.Name, alert.Frame)
	} else {
		c.Alert = nil
	}
	c.Summary += " Capture again with the full packet size: utils network capture eth0 file NAME count 100000 size all port 5061."
}

// decideComplete judges a TLS ≤ 1.2 handshake that both sides finished.
// A side that closed before the peer's Finished arrived closed during the
// handshake, whatever followed, and the handshake does not count as
// complete; otherwise what happened after the handshake decides.
func (st *connState) decideComplete() {
	c := st.c()
	if r := st.firstClose(); r.seen && r.mark.frame < c.HandshakeFrame {
		c.HandshakeComplete, c.HandshakeFrame = false, 0
		st.decideDuringHandshake()
		return
	}
	st.decideAfterHandshake()
	st.noteGap()
}

// decideSSLv2 judges an SSL 2.0 session: after SERVER-HELLO everything but
// CLIENT-MASTER-KEY is encrypted, so a session whose two ends each sent
// more records than the rest of the handshake needs (the client its
// CLIENT-MASTER-KEY and CLIENT-FINISHED, the server SERVER-VERIFY and
// SERVER-FINISHED) carried application data. It reports whether it decided.
func (st *connState) decideSSLv2() bool {
	c := st.c()
	cli, srv := st.ds(Client), st.ds(Server)
	if cli.sslv2After < 3 || srv.sslv2After < 3 {
		return false
	}
	c.Verdict, c.Reason = VerdictOK, ReasonApplicationData
	c.Summary = fmt.Sprintf("The SSL 2.0 handshake went on past the SERVER-HELLO in frame %d: the client then sent %d messages (from frame %d) and the server %d (from frame %d), more than the rest of the handshake takes, so application data flowed both ways (SSL 2.0 encrypts its Finished messages: the frame that completed the handshake is not visible). SSL 2.0 is broken and obsolete; no CUCM release uses it.",
		st.serverHello.frame, cli.sslv2After, cli.sslv2First.frame, srv.sslv2After, srv.sslv2First.frame)
	return true
}

// decideMidstream judges a connection whose SYN and handshake were not
// captured: incomplete, with what was seen.
func (st *connState) decideMidstream() {
	c := st.c()
	cli, srv := st.ds(Client), st.ds(Server)
	c.Verdict, c.Reason = VerdictIncomplete, ReasonMidstream
	var b strings.Builder
	fmt.Fprintf(&b, "The capture started after this connection's TLS handshake (first frame %d)", c.StartFrame)
	switch {
	case cli.appData.seen() && srv.appData.seen():
		b.WriteString(": application data flowed both ways, so the handshake had succeeded")
	case cli.appData.seen() || srv.appData.seen():
		side := Client
		if srv.appData.seen() {
			side = Server
		}
		fmt.Fprintf(&b, ": application data from the %s only", side)
	case cli.records == 0 && srv.records == 0:
		b.WriteString(": no TLS record was seen")
	default:
		b.WriteString(": no application data was seen")
	}
	if ra := st.alert; ra != nil {
		switch {
		case ra.closeNotify:
			fmt.Fprintf(&b, "; the %s sent an encrypted alert in frame %d (most likely close_notify, the normal end of a session)", st.side(ra.dir), ra.mark.frame)
		case ra.encrypted:
			fmt.Fprintf(&b, "; the %s sent an encrypted alert in frame %d (its level and description are encrypted)", st.side(ra.dir), ra.mark.frame)
		default:
			fmt.Fprintf(&b, "; the %s sent alert %s in frame %d", st.side(ra.dir), ra.name, ra.mark.frame)
		}
	}
	if r := st.firstClose(); r.seen {
		fmt.Fprintf(&b, "; the %s %s the connection in frame %d", r.side, r.verb(), r.mark.frame)
	} else {
		b.WriteString("; it was still open when the capture ended")
	}
	b.WriteString(". Without the handshake its certificates and outcome cannot be judged: start the capture before the call, or reset the trunk, to see them.")
	c.Summary = b.String()
}

func (st *connState) firstCut() mark {
	a, b := st.dir(0).cut, st.dir(1).cut
	if !a.seen() || (b.seen() && b.frame < a.frame) {
		return b
	}
	return a
}

func (st *connState) firstGap() mark {
	a, b := st.dir(0).gap, st.dir(1).gap
	if !a.seen() || (b.seen() && b.frame < a.frame) {
		return b
	}
	return a
}

// handshakeComplete reports whether a TLS ≤ 1.2 handshake (full or resumed)
// finished: both sides sent ChangeCipherSpec and an encrypted Finished.
func (st *connState) handshakeComplete() bool {
	if st.tls13 {
		return st.tls13Done()
	}
	cli, srv := st.ds(Client), st.ds(Server)
	done := cli.ccs.seen() && srv.ccs.seen() && (cli.finished.seen() || cli.appData.seen()) && (srv.finished.seen() || srv.appData.seen())
	if done {
		m := cli.finished
		if srv.finished.frame > m.frame {
			m = srv.finished
		}
		st.hsDone = m
		st.c().HandshakeComplete, st.c().HandshakeFrame = true, m.frame
		st.c().Resumed = !st.hasCertificateFrom(Server) && srv.ccs.frame < cli.ccs.frame
	}
	return done
}

func (st *connState) hasCertificateFrom(s Side) bool {
	for _, cert := range st.c().Certificates {
		if cert.SentBy == s {
			return true
		}
	}
	return st.ds(s).certMsg.seen()
}

// alertDecides handles a fatal alert in the handshake. It reports whether it set the verdict.
func (st *connState) alertDecides() bool {
	ra := st.alert
	if ra == nil {
		return false
	}
	c := st.c()
	sender := st.side(ra.dir)
	receiver := sender.Peer()
	al := st.alertOf(ra)
	// What the alert answers: the last handshake message of the other side.
	rd := st.ds(receiver)
	after, afterMark := rd.lastMsg, rd.lastMsgMark
	if isCertAlert(ra.code) && rd.certMsg.seen() && !ra.encrypted {
		after, afterMark = Message{Type: tlsparse.TypeCertificate}, rd.certMsg
	}
	after.Side = receiver
	if afterMark.seen() {
		al.After = &after
		al.AfterFrame = afterMark.frame
	}
	al.Description = alertMeaning(ra, al.After, st.emptyCert.seen(), st.leaf(receiver), c.Addr(sender).String(), st.clientMax)
	if sender == Client && (ra.name == "bad_certificate" || ra.name == "certificate_unknown") {
		if m := sniMismatch(st.sni, st.leaf(receiver)); m != "" {
			al.Description += " " + m
		}
	}
	c.Alert = al

	if ra.encrypted {
		if ra.closeNotify || st.handshakeComplete() {
			// After application data an encrypted alert is almost always
			// close_notify, and after the handshake it is one way of
			// closing among others: decideAfterHandshake weighs it as a
			// close. Neither decides by itself.
			c.Alert = nil
			return false
		}
		// An encrypted alert during the handshake (after CCS): the Finished check failed or the peer gave up.
		c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, ReasonFatalAlert, sender
		c.Summary = fmt.Sprintf("%s sent an encrypted alert in frame %d after ChangeCipherSpec, before the handshake finished; its description is encrypted and not visible.", capitalize(st.who(sender)), ra.mark.frame)
		return true
	}
	if ra.level != 2 {
		// Warnings do not end a handshake; close_notify is judged as a close.
		c.Alert = nil
		if ra.code == 0 {
			return false
		}
		st.finding(FindingWarningAlert, ra.mark.frame, "%s sent warning %s", sender, ra.name)
		return false
	}
	c.Verdict, c.AbortedBy = VerdictFailed, sender
	c.Reason = ReasonFatalAlert
	if st.emptyCert.seen() && st.dirOf(Client) == st.emptyCertDir() && sender == Server {
		c.Reason = ReasonEmptyClientCertificate
		c.Summary = fmt.Sprintf("%s asked for a client certificate (CertificateRequest in frame %d), the client sent none (empty Certificate in frame %d), and %s ended the handshake with fatal %s in frame %d. The client has no certificate to present for this trunk: on CUCM check the CallManager certificate of the client node and the trunk's security profile.",
			capitalize(st.who(Server)), st.certReq.frame, st.emptyCert.frame, st.who(Server), ra.name, ra.mark.frame)
		return true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s sent fatal %s in frame %d", capitalize(st.who(sender)), ra.name, ra.mark.frame)
	if al.After != nil {
		fmt.Fprintf(&b, " right after the %s's %s in frame %d", receiver, after.Name(), afterMark.frame)
	}
	b.WriteString(": ")
	b.WriteString(al.Description)
	if isCertAlert(ra.code) {
		b.WriteString(ekuNote(st.leaf(receiver), receiver))
	}
	c.Summary = b.String()
	return true
}

// alertOf turns a raw alert into the Alert of the verdict's evidence.
func (st *connState) alertOf(ra *rawAlert) *Alert {
	sender := st.side(ra.dir)
	al := &Alert{Level: ra.level, Code: ra.code, Name: ra.name, SentBy: sender, Frame: ra.mark.frame, Time: ra.mark.time(), Encrypted: ra.encrypted || ra.decrypted, Decrypted: ra.decrypted}
	if ra.encrypted {
		al.Description = "the alert is encrypted: its level and description are not visible"
		if ra.closeNotify {
			al.Description += " (after application data it is most likely close_notify)"
		}
	}
	return al
}

// ekuNote points out a leaf certificate whose extended key usage forbids the
// role it was presented in: a client certificate needs clientAuth ("TLS Web
// Client Authentication"), a server certificate serverAuth.
func ekuNote(leaf *certinfo.Info, role Side) string {
	if leaf == nil || len(leaf.ExtKeyUsage) == 0 {
		return ""
	}
	need, label := "clientAuth", "TLS Web Client Authentication"
	if role == Server {
		need, label = "serverAuth", "TLS Web Server Authentication"
	}
	for _, eku := range leaf.ExtKeyUsage {
		if eku == need || eku == "anyExtendedKeyUsage" {
			return ""
		}
	}
	return fmt.Sprintf(" Note: the %s's certificate CN=%s has extended key usage %s but not %s (%s), which alone makes a peer reject it; re-issue it with both serverAuth and clientAuth.",
		role, leaf.SubjectCN, strings.Join(leaf.ExtKeyUsage, ", "), need, label)
}

func (st *connState) emptyCertDir() pcap.Dir {
	for d := range pcap.Dir(2) {
		if st.dir(d).certMsg == st.emptyCert {
			return pcap.Dir(d)
		}
	}
	return pcap.ClientToServer
}

func isCertAlert(code tlsparse.AlertDescription) bool {
	switch code {
	case 42, 43, 44, 45, 46, 48, 116: // bad_certificate … unknown_ca, certificate_required
		return true
	}
	return false
}

// leaf returns the leaf certificate a side presented, or nil.
func (st *connState) leaf(s Side) *certinfo.Info {
	for _, cert := range st.c().Certificates {
		if cert.SentBy == s && cert.Index == 0 {
			return cert.Info
		}
	}
	return nil
}

// uploadAdvice says what to upload as CallManager-trust on node so that it
// trusts leaf: the certificate itself when self-signed, else its issuing CA.
func uploadAdvice(leaf *certinfo.Info, node string) string {
	if leaf == nil {
		return fmt.Sprintf("upload the peer's certificate (self-signed) or its issuing CA (CA-signed) as CallManager-trust on %s", node)
	}
	if leaf.SelfSigned {
		return fmt.Sprintf("upload that self-signed certificate (CN=%s, serial %s) as CallManager-trust on %s, replacing any older copy", leaf.SubjectCN, leaf.Serial, node)
	}
	return fmt.Sprintf("upload its issuing CA (%s) and any intermediate as CallManager-trust on %s", leaf.Issuer, node)
}

// alertMeaning explains an alert in CUCM terms. leaf is the certificate the
// alert's receiver presented (nil if none), node the address of the alert's sender.
func alertMeaning(ra *rawAlert, after *Message, emptyCert bool, leaf *certinfo.Info, node string, offered tlsparse.Version) string {
	switch ra.name {
	case "unknown_ca":
		return "it does not trust that certificate's issuer: " + uploadAdvice(leaf, node) + "."
	case "bad_certificate":
		return "it rejected that certificate (typically not trusted, a stale copy in CallManager-trust, or a bad signature): " + uploadAdvice(leaf, node) + "."
	case "unsupported_certificate":
		return "it rejected the certificate's type or usage; a CA-signed CallManager certificate without the TLS Web Client Authentication EKU is the usual cause. Re-issue it with both serverAuth and clientAuth."
	case "certificate_expired":
		return "it considers that certificate expired (or not yet valid) at the time of the capture. Renew the certificate and check the clocks (NTP) on both nodes."
	case "certificate_revoked":
		return "it considers that certificate revoked."
	case "certificate_unknown":
		return "it rejected that certificate for an unspecified reason, most often because it is not trusted: " + uploadAdvice(leaf, node) + "."
	case "certificate_required":
		return "it requires a client certificate and got none."
	case "handshake_failure":
		switch {
		case emptyCert:
			return "the client sent no certificate although one was required."
		case after != nil && !after.SSLv2 && after.Type == tlsparse.TypeClientHello:
			return "no cipher suite or TLS version in common with the ClientHello (for example CUBE with strict-cipher allowing only TLS_RSA_WITH_AES_128_CBC_SHA). Align the TLS cipher and version settings of both ends."
		}
		return "the handshake could not agree on security parameters."
	case "protocol_version":
		if offered != 0 {
			return fmt.Sprintf("it does not accept the TLS version offered: the client offered up to %s, and the server needs another (a TLS version floor such as minimum TLS 1.2). Align the TLS version settings of both ends.", offered)
		}
		return "it does not accept the TLS version offered (a TLS version floor such as minimum TLS 1.2). Align the TLS version settings of both ends."
	case "insufficient_security":
		return "the cipher suites offered are weaker than its policy allows."
	case "decrypt_error":
		return "a signature or Finished check failed (a key that does not match its certificate, or a damaged handshake)."
	case "illegal_parameter", "decode_error", "unexpected_message":
		return "it found a malformed or unexpected handshake message."
	case "access_denied":
		return "its policy denies this peer."
	case "internal_error":
		return "it hit an internal error (often a missing or unusable private key or certificate on that node)."
	case "unrecognized_name":
		return "it does not recognise the server name (SNI) asked for."
	case "no_application_protocol":
		return "no application protocol (ALPN) in common."
	}
	return fmt.Sprintf("alert %s (%d) ended the handshake.", ra.name, ra.code)
}

// sniMismatch notes, for a client's rejection of the server's certificate
// leaf, that the certificate does not carry the name the client asked for
// (SNI) as its CN or a DNS SAN (a "*." SAN covering one label): a client
// that checks host names rejects it for that alone, whatever its trust.
// It returns "" when there is no SNI, no certificate, or the certificate
// carries the name. It is a note beside the trust advice, not instead of
// it: a client that does not check host names rejects for trust only.
func sniMismatch(sni string, leaf *certinfo.Info) string {
	sni = strings.TrimSuffix(strings.ToLower(sni), ".")
	if sni == "" || leaf == nil {
		return ""
	}
	names := leaf.Names()
	for _, n := range names {
		if n == sni {
			return ""
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			if _, parent, found := strings.Cut(sni, "."); found && parent == rest {
				return ""
			}
		}
	}
	return fmt.Sprintf("The certificate names %s, not %s, the server name the client asked for (SNI): a client that checks host names rejects it for that alone; then point the trunk's destination at a name the certificate carries, or re-issue the certificate with %s as a SAN.",
		strings.Join(names, ", "), sni, sni)
}

func (st *connState) decideNoHandshake() {
	c := st.c()
	cli, srv := st.ds(Client), st.ds(Server)
	switch {
	case cli.opaque > 0 || srv.opaque > 0:
		// Records framed among bytes that are not TLS (SSLv2-format ones
		// above all: any byte with the high bit set starts one) do not
		// make the connection TLS; a hello would (see looksTLS).
		if !st.looksTLS() {
			c.Verdict, c.Reason = VerdictNotTLS, ReasonNotTLS
			// Reading stops after maxOpaque bytes; the counts go on.
			n := max(cli.opaque+srv.opaque, c.Stats[0].Bytes+c.Stats[1].Bytes)
			c.Summary = fmt.Sprintf("The connection carried %d bytes that are not TLS records: the peer speaks another protocol on %s (for example SIP over plain TCP on a TLS port, or a transport mismatch in the SIP Trunk Security Profile).",
				n, c.Server)
			return
		}
	}
	if gap := st.firstGap(); gap.seen() {
		c.Verdict, c.Reason = VerdictIncomplete, ReasonGap
		c.Summary = fmt.Sprintf("Bytes are missing from the capture from frame %d on, so the start of the TLS handshake is not visible.", gap.frame)
		return
	}
	if st.midstream || (!st.syn.seen() && (cli.records > 0 || srv.records > 0)) {
		c.Verdict, c.Reason = VerdictIncomplete, ReasonMidstream
		flow := "no application data"
		if cli.appData.seen() && srv.appData.seen() {
			flow = "application data flowed both ways, so the handshake had succeeded"
		} else if cli.appData.seen() || srv.appData.seen() {
			flow = "application data flowed one way"
		}
		c.Summary = fmt.Sprintf("The capture started after this connection's TLS handshake (first frame %d): %s. Start the capture before the call, or reset the trunk, to see the handshake and the certificates.", c.StartFrame, flow)
		return
	}
	if r := st.firstClose(); r.seen {
		c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, r.duringHandshake(), r.side
		c.Summary = fmt.Sprintf("%s %s the TCP connection in frame %d before any TLS byte was sent.", capitalize(st.who(r.side)), r.verb(), r.mark.frame)
		return
	}
	c.Verdict, c.Reason = VerdictIncomplete, ReasonCaptureEnded
	c.Summary = "The TCP connection opened but the capture ended before any TLS byte was sent."
}

// closeInfo is the first FIN or RST of a connection.
type closeInfo struct {
	seen bool
	rst  bool
	side Side
	mark mark
}

// duringHandshake is the reason code for this close during the handshake.
func (r closeInfo) duringHandshake() Reason {
	if r.rst {
		return ReasonResetDuringHandshake
	}
	return ReasonClosedDuringHandshake
}

func (r closeInfo) verb() string {
	if r.rst {
		return "reset"
	}
	return "closed"
}

func (st *connState) firstClose() closeInfo {
	var r closeInfo
	for d := range pcap.Dir(2) {
		for _, x := range []struct {
			m   mark
			rst bool
		}{{st.rst[d], true}, {st.fin[d], false}} {
			if x.m.seen() && (!r.seen || x.m.frame < r.mark.frame) {
				r = closeInfo{seen: true, rst: x.rst, side: st.side(pcap.Dir(d)), mark: x.m}
			}
		}
	}
	return r
}

func (st *connState) decideDuringHandshake() {
	c := st.c()
	if gap := st.firstGap(); gap.seen() {
		c.Verdict, c.Reason = VerdictIncomplete, ReasonGap
		c.Summary = fmt.Sprintf("Bytes are missing from the capture from frame %d on (lost by the capture, not necessarily on the wire), so the rest of the handshake cannot be read.", gap.frame)
		return
	}
	if len(st.findings) > 0 && st.findings[0].Code == FindingMalformedHandshake {
		f := st.findings[0]
		c.Summary = fmt.Sprintf("A handshake message in frame %d could not be parsed (%s).", f.Frame, f.Detail)
		r := st.firstClose()
		if !r.seen {
			// A peer would reject it, but the capture does not show that
			// it did: no alert, reset or close.
			c.Verdict, c.Reason = VerdictIncomplete, ReasonCaptureEnded
			c.Summary += " The capture ended before the peer's reaction (an alert or a close) was visible."
			return
		}
		c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, ReasonMalformed, r.side
		c.Summary += fmt.Sprintf(" %s %s the connection in frame %d.", capitalize(st.who(r.side)), r.verb(), r.mark.frame)
		return
	}
	if r := st.firstClose(); r.seen {
		c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, r.duringHandshake(), r.side
		other := r.side.Peer()
		od := st.ds(other)
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s the TCP connection in frame %d during the handshake", capitalize(st.who(r.side)), r.verb(), r.mark.frame)
		// What the close answers: the peer's last message before it, or,
		// when the closer spoke last, nothing: it stopped waiting.
		theirs, okTheirs := od.before(r.mark.frame)
		mine, okMine := st.ds(r.side).before(r.mark.frame)
		switch {
		case okTheirs && (!okMine || theirs.m.frame >= mine.m.frame):
			// the peer's certificate came in its last flight before the close
			certFlight := od.certMsg.seen() && od.certMsg.frame <= theirs.m.frame && (!okMine || od.certMsg.frame > mine.m.frame)
			if certFlight && theirs.name != "Certificate" {
				fmt.Fprintf(&b, ", right after the %s's flight that carried its Certificate (frame %d) and ended with its %s (frame %d), without sending an alert", other, od.certMsg.frame, theirs.name, theirs.m.frame)
			} else {
				fmt.Fprintf(&b, ", right after the %s's %s in frame %d, without sending an alert", other, theirs.name, theirs.m.frame)
			}
			if certFlight {
				fmt.Fprintf(&b, ". A %s right after the %s's certificate usually means the %s does not trust it: compare it with what is uploaded as CallManager-trust on %s", map[bool]string{true: "reset", false: "close"}[r.rst], other, r.side, c.Addr(r.side))
			}
		case okMine:
			fmt.Fprintf(&b, ", %s after its own %s in frame %d, while it waited for the %s's answer, without sending an alert", roundDuration(r.mark.time().Sub(mine.m.time())), mine.name, mine.m.frame, other)
		default:
			b.WriteString(", without sending an alert")
		}
		b.WriteString(".")
		c.Summary = b.String()
		return
	}
	c.Verdict, c.Reason = VerdictIncomplete, ReasonCaptureEnded
	last := st.lastMessage()
	c.Summary = fmt.Sprintf("The capture ended during the handshake (last message: %s); it cannot show how it ended.", last)
}

// Addr returns the address of side s of c.
func (c *Connection) Addr(s Side) netip.Addr {
	if s == Server {
		return c.Server.Addr()
	}
	return c.Client.Addr()
}

// Leaf returns the leaf certificate side s presented on c, read, or nil.
func (c *Connection) Leaf(s Side) *Certificate {
	for i := range c.Certificates {
		if cert := &c.Certificates[i]; cert.SentBy == s && cert.Index == 0 && cert.Info != nil {
			return cert
		}
	}
	return nil
}

func (st *connState) lastMessage() string {
	var best mark
	desc := "none"
	for d := range pcap.Dir(2) {
		ds := st.dir(d)
		if ds.lastMsgMark.frame > best.frame {
			best = ds.lastMsgMark
			desc = fmt.Sprintf("the %s's %s in frame %d", st.side(pcap.Dir(d)), ds.lastMsg.Name(), best.frame)
		}
	}
	return desc
}

func (st *connState) decideAfterHandshake() {
	c := st.c()
	cli, srv := st.ds(Client), st.ds(Server)
	if cli.appData.seen() && srv.appData.seen() {
		c.Verdict, c.Reason = VerdictOK, ReasonApplicationData
		c.Summary = fmt.Sprintf("The %s handshake finished in frame %d and application data flowed both ways (from frame %d).", c.TLSVersion, c.HandshakeFrame, minFrame(cli.appData, srv.appData))
		return
	}
	cl := st.closeAfterHandshake()
	if !cl.seen {
		c.Verdict, c.Reason = VerdictIncomplete, ReasonCaptureEnded
		c.Summary = fmt.Sprintf("The handshake finished in frame %d, but the capture ended before application data flowed both ways.", c.HandshakeFrame)
		return
	}
	// What the close answers: the end of the handshake, or the first
	// application data, which the other side never answered.
	ref, refWhat := st.hsDone, fmt.Sprintf("the handshake finished in frame %d", c.HandshakeFrame)
	var dataFrom Side
	data := cli.appData.seen() || srv.appData.seen()
	if data {
		dataFrom = Client
		if srv.appData.seen() {
			dataFrom = Server
		}
		ref = st.ds(dataFrom).appData
		refWhat = fmt.Sprintf("the %s handshake finished in frame %d and the %s sent application data in frame %d, which the %s never answered", c.TLSVersion, c.HandshakeFrame, dataFrom, ref.frame, dataFrom.Peer())
	} else {
		refWhat = fmt.Sprintf("the %s handshake finished in frame %d and no application data followed", c.TLSVersion, c.HandshakeFrame)
	}
	after := cl.mark.time().Sub(ref.time())
	how := cl.describe(st, "the "+cl.side.String())
	switch {
	case data && cl.side == dataFrom:
		// The side that sent the last data closed: nothing was refused.
		c.Verdict, c.Reason = VerdictOK, ReasonApplicationData
		c.Summary = fmt.Sprintf("The %s handshake finished in frame %d; the %s sent application data (from frame %d), then closed the connection itself in frame %d, %s later, with no application data from the %s. Closing after one's own data is not a rejection.",
			c.TLSVersion, c.HandshakeFrame, dataFrom, ref.frame, cl.mark.frame, roundDuration(after), dataFrom.Peer())
	case after > PromptClose:
		c.Verdict, c.Reason = VerdictOK, ReasonIdleClose
		c.Summary = fmt.Sprintf("%s; the connection stayed idle for %s, then %s. An idle close is not a rejection: the TLS handshake itself succeeded.",
			capitalizeFirst(refWhat), roundDuration(after), how)
	case st.certReq.seen():
		c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, ReasonClosedAfterHandshake, cl.side
		if cl.alert != nil {
			c.Alert = st.alertOf(cl.alert)
		}
		peer := cl.side.Peer()
		c.Summary = fmt.Sprintf("%s (the server asked for the client's certificate in frame %d); %s later %s before any application data came back: it accepted TLS but refused the peer. On CUCM this is typical of an X.509 Subject Name in the SIP Trunk Security Profile that matches neither the CN nor a SAN of the %s's certificate.",
			capitalizeFirst(refWhat), st.certReq.frame, roundDuration(after), cl.describe(st, st.who(cl.side)), peer)
	case data:
		c.Verdict, c.Reason = VerdictOK, ReasonApplicationData
		c.Summary = fmt.Sprintf("%s; %s later %s. The server asked for no client certificate, so this is not the X.509 Subject Name check of a CUCM trunk: the TLS session itself worked.",
			capitalizeFirst(refWhat), roundDuration(after), how)
	default:
		c.Verdict, c.Reason = VerdictOK, ReasonClosedWithoutData
		c.Summary = fmt.Sprintf("%s; %s later %s. The server asked for no client certificate, so this is not the X.509 Subject Name check of a CUCM trunk; a probe or a health check closes like this.",
			capitalizeFirst(refWhat), roundDuration(after), how)
	}
}

// closeEvent is the first sign after the handshake that a side ended the
// connection: an encrypted alert, a FIN or a RST.
type closeEvent struct {
	closeInfo
	alert *rawAlert // the encrypted alert that came first, if any
}

// describe says what the closer, named who, did, e.g. "the server sent an
// encrypted alert in frame 12 and closed the connection in frame 13".
func (cl closeEvent) describe(st *connState, who string) string {
	if cl.alert != nil {
		what := "an encrypted alert"
		if cl.alert.decrypted {
			what = cl.alert.name + " (decrypted)"
		}
		s := fmt.Sprintf("%s sent %s in frame %d", who, what, cl.alert.mark.frame)
		if r := st.firstClose(); r.seen && r.side == cl.side {
			if r.mark.frame == cl.alert.mark.frame {
				return fmt.Sprintf("%s sent %s and %s the connection in frame %d", who, what, r.verb(), r.mark.frame)
			}
			s += fmt.Sprintf(" and %s the connection in frame %d", r.verb(), r.mark.frame)
		}
		return s
	}
	return fmt.Sprintf("%s %s the connection in frame %d", who, cl.verb(), cl.mark.frame)
}

// closeAfterHandshake returns the first encrypted alert, FIN or RST.
func (st *connState) closeAfterHandshake() closeEvent {
	cl := closeEvent{closeInfo: st.firstClose()}
	if ra := st.alert; ra != nil && (ra.encrypted || ra.decrypted && ra.code == 0) && (!cl.seen || ra.mark.frame <= cl.mark.frame) {
		cl = closeEvent{closeInfo: closeInfo{seen: true, side: st.side(ra.dir), mark: ra.mark}, alert: ra}
	}
	return cl
}

// roundDuration prints d the way a person reads it: "61 s", "12 ms", "85 µs".
func roundDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	case d >= time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%d ms", int(d.Round(time.Millisecond)/time.Millisecond))
	case d > 0:
		return fmt.Sprintf("%d µs", int(d/time.Microsecond))
	}
	return "0 s"
}

// capitalizeFirst makes the first letter of s upper case.
func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (st *connState) decideTLS13() {
	c := st.c()
	c.CertificatesHidden = !st.handshake13Read
	cli, srv := st.ds(Client), st.ds(Server)
	hidden := "TLS 1.3 encrypts the certificates, so they are not visible in the capture"
	if st.handshake13Read {
		hidden = "the key log decrypted the handshake, so its certificates are shown"
	}
	r := st.firstClose()
	if st.tls13Done() {
		c.HandshakeComplete = true
		c.HandshakeFrame = cli.enc13First.frame
		after := r.mark.time().Sub(cli.enc13First.time())
		switch {
		case r.seen && r.side == Server && srv.appRecords == 1 && srv.lastRecLen <= 32 && after <= PromptClose:
			// A server that rejects the client's certificate answers the
			// client's flight with one small encrypted alert and closes.
			c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, ReasonClosedAfterHandshake, Server
			c.Summary = fmt.Sprintf("%s: after the client's encrypted flight (frame %d) the server sent one %d-byte record (the size of an encrypted alert) in frame %d and %s the connection in frame %d. The server most likely rejected the client's certificate; %s.",
				c.TLSVersion, cli.enc13First.frame, srv.lastRecLen, srv.lastRecMark.frame, r.verb(), r.mark.frame, hidden)
			return
		case cli.appData.seen() && srv.appData.seen():
			c.Verdict, c.Reason = VerdictOK, ReasonApplicationData
			c.Summary = fmt.Sprintf("The %s handshake finished (client's encrypted flight in frame %d) and application data flowed both ways; %s.", c.TLSVersion, cli.enc13First.frame, hidden)
			return
		case r.seen && after > PromptClose:
			c.Verdict, c.Reason = VerdictOK, ReasonIdleClose
			c.Summary = fmt.Sprintf("The %s handshake finished (client's encrypted flight in frame %d); the connection stayed idle for %s, then the %s %s it in frame %d. An idle close is not a rejection; %s.",
				c.TLSVersion, cli.enc13First.frame, roundDuration(after), r.side, r.verb(), r.mark.frame, hidden)
			return
		case r.seen:
			c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, ReasonClosedAfterHandshake, r.side
			c.Summary = fmt.Sprintf("The %s handshake finished (client's encrypted flight in frame %d), then %s %s the connection in frame %d, %s later, before application data flowed both ways: it accepted TLS but refused the peer (on CUCM, typically the X.509 Subject Name); the alert, if any, is encrypted. %s.",
				c.TLSVersion, cli.enc13First.frame, st.who(r.side), r.verb(), r.mark.frame, roundDuration(after), capitalize(hidden))
			return
		}
	}
	if r.seen {
		c.Verdict, c.Reason, c.AbortedBy = VerdictFailed, r.duringHandshake(), r.side
		c.Summary = fmt.Sprintf("%s %s the connection in frame %d before the %s handshake finished; the alert, if any, is encrypted. %s.", capitalize(st.who(r.side)), r.verb(), r.mark.frame, c.TLSVersion, capitalize(hidden))
		return
	}
	c.Verdict, c.Reason = VerdictIncomplete, ReasonTLS13Hidden
	c.Summary = fmt.Sprintf("%s was negotiated in frame %d; the capture ended before application data flowed both ways. %s.", c.TLSVersion, st.serverHello.frame, capitalize(hidden))
}

func minFrame(a, b mark) uint64 {
	if a.frame < b.frame {
		return a.frame
	}
	return b.frame
}

// capitalize starts a sentence that begins with "the" with "The"; host names
// are left as they are.
func capitalize(s string) string {
	if rest, ok := strings.CutPrefix(s, "the "); ok {
		return "The " + rest
	}
	return s
}

// noteGap adds to a decided summary that bytes are missing before the
// handshake finished, so some handshake messages are not shown.
func (st *connState) noteGap() {
	c := st.c()
	for d := range pcap.Dir(2) {
		ds := st.dir(d)
		if !ds.gap.seen() || (c.HandshakeComplete && ds.gap.frame > c.HandshakeFrame) {
			continue
		}
		side := st.side(pcap.Dir(d))
		var b strings.Builder
		fmt.Fprintf(&b, " Note: %s sent by the %s %s missing from the capture (from frame %d)", english.Plural(int(ds.gapBytes), "byte", "bytes"), side, map[bool]string{true: "is", false: "are"}[ds.gapBytes == 1], ds.gap.frame)
		if len(ds.partial) > 0 {
			fmt.Fprintf(&b, "; they fall inside its %s", english.JoinAnd(ds.partial))
			if n := st.partialFrom(side); n > 0 {
				fmt.Fprintf(&b, ", so %s only partly visible", english.Plural(n, "certificate is", "certificates are"))
				if st.hasWholeCertificateFrom(side) {
					b.WriteString(" (the others are whole)")
				}
			}
		}
		if st.resync[d].seen() {
			fmt.Fprintf(&b, "; they hid where a TLS record started, and the records were found again in frame %d, so what the %s sent in between is not shown", st.resync[d].frame, side)
		} else if len(ds.partial) == 0 {
			fmt.Fprintf(&b, ", so some of its handshake messages")
			if !st.hasCertificateFrom(side) {
				b.WriteString(", its certificates among them,")
			}
			b.WriteString(" are not shown")
		}
		b.WriteString(".")
		c.Summary += b.String()
	}
}

// hasWholeCertificateFrom reports whether a side presented a certificate
// that the capture shows whole.
func (st *connState) hasWholeCertificateFrom(s Side) bool {
	for _, cert := range st.c().Certificates {
		if cert.SentBy == s {
			return true
		}
	}
	return false
}

// partialFrom counts the certificates of a side that are partly missing.
func (st *connState) partialFrom(s Side) int {
	n := 0
	for _, p := range st.c().PartialCertificates {
		if p.SentBy == s {
			n++
		}
	}
	return n
}
