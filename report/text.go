package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/english"
	"github.com/siptls/siptls/internal/textwrap"
	"github.com/siptls/siptls/triage"
)

// TextOptions control WriteText.
type TextOptions struct {
	// Color adds ANSI colours to verdict words (only for a terminal).
	Color bool
	// Verbose adds each connection's timeline and every certificate of a chain.
	Verbose bool
	// OnlyProblems lists only connections whose verdict is not ok.
	OnlyProblems bool
	// MultiCapture numbers connections as capture/id (several input files).
	MultiCapture bool
	// Width is the terminal's width in columns: the sentences (verdicts,
	// trust details, checks, findings, warnings) are wrapped to it, their
	// lines after the first indented under the start of the sentence. 0
	// means no wrapping (a file or a pipe).
	Width int
}

const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// WriteText writes the report for a person: one block per connection, then
// the capture facts, the per-destination summary, the totals and the
// remedies, as the streaming Writer does.
func WriteText(w io.Writer, r *triage.Report, o TextOptions) error {
	ew := &errWriter{w: w}
	o.MultiCapture = o.MultiCapture || len(r.Captures) > 1
	shown := 0
	for i := range r.Connections {
		c := &r.Connections[i]
		if o.OnlyProblems && c.Verdict == diagnose.VerdictOK {
			continue
		}
		shown++
		writeConnectionText(ew, c, o)
	}
	writeActionsText(ew, r.Actions, o.MultiCapture, false, o.Width)
	writeFooterText(ew, r.Captures, r.Destinations, r.Summary, len(r.Connections), shown, o)
	return ew.err
}

func writeFooterText(w io.Writer, caps []triage.Capture, dests []triage.Destination, sum triage.Summary, total, shown int, o TextOptions) {
	if total == 0 && noneRead(caps) {
		return // every input failed: its error, on standard error, is all there is to say
	}
	if total == 0 {
		fmt.Fprintf(w, "No TLS connection found on the watched ports.\n")
	} else if shown == 0 {
		fmt.Fprintf(w, "Every connection is ok.\n")
	}
	fmt.Fprintln(w)
	for i := range caps {
		writeCaptureText(w, i, &caps[i], len(caps) > 1, o.Width)
	}
	if len(dests) > 0 {
		fmt.Fprintf(w, "\nDestinations (server ip:port):\n")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, d := range dests {
			names := Sanitize(strings.Join(d.Names, ", "))
			if names == "" {
				names = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", d.Server, names, destinationCounts(&d, o.Color))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\n%s\n", summaryLine(sum, o.Color))
}

func writeCaptureText(w io.Writer, i int, c *triage.Capture, many bool, width int) {
	var b strings.Builder
	if many {
		fmt.Fprintf(&b, "[%d] ", i)
	}
	fmt.Fprintf(&b, "%s: ", Sanitize(c.File))
	if c.Format != "" {
		format := c.Format
		if c.Compressed {
			format += ", gzip"
		}
		fmt.Fprintf(&b, "%s (%s), %d packets", format, strings.Join(c.LinkTypes, ", "), c.Packets)
		if c.Snaplen > 0 {
			fmt.Fprintf(&b, ", snaplen %d", c.Snaplen)
		}
		if c.First != nil && c.Last != nil {
			first, last := c.First.UTC(), c.Last.UTC()
			lastFormat := "15:04:05.000000"
			if first.Format(time.DateOnly) != last.Format(time.DateOnly) {
				lastFormat = "2006-01-02 15:04:05.000000" // the capture spans days
			}
			fmt.Fprintf(&b, ", %s to %s UTC", first.Format("2006-01-02 15:04:05.000000"), last.Format(lastFormat))
		}
		writeNodeText(&b, c)
		fmt.Fprintf(&b, ", %s", english.Plural(c.Connections, "connection", "connections"))
		if c.OtherPackets > 0 {
			fmt.Fprintf(&b, " (%d other packets not analysed)", c.OtherPackets)
		}
		if c.EvictedPkts > 0 {
			fmt.Fprintf(&b, ", %d later packets of connections ended early by --max-conns (not analysed)", c.EvictedPkts)
		}
		if c.LatePkts > 0 {
			fmt.Fprintf(&b, ", %d late packets of connections already closed (retransmissions, last ACKs; not analysed)", c.LatePkts)
		}
		if c.OtherConns > 0 {
			fmt.Fprintf(&b, ", %s that are not TLS (counted, not analysed)", english.Plural(int(c.OtherConns), "other TCP connection", "other TCP connections"))
		}
	}
	textwrap.WriteLine(w, width, "", "  ", b.String())
	if c.CutPackets > 0 {
		textwrap.WriteLine(w, width, "  ", "  ", fmt.Sprintf("warning: %d of %d packets were cut by the snap length (%d bytes): certificates cannot be read. On CUCM capture with: utils network capture eth0 file NAME count 100000 size all port 5061", c.CutPackets, c.Packets, c.Snaplen))
	}
	for _, warn := range c.Warnings {
		textwrap.WriteLine(w, width, "  ", "  ", "warning: "+Sanitize(warn))
	}
	if c.Error != "" {
		textwrap.WriteLine(w, width, "  ", "  ", "error: "+Sanitize(c.Error))
	}
}

func colorVerdict(v diagnose.Verdict, color bool) string {
	if !color {
		return string(v)
	}
	switch v {
	case diagnose.VerdictOK:
		return ansiGreen + string(v) + ansiReset
	case diagnose.VerdictFailed, diagnose.VerdictRefused, diagnose.VerdictNoAnswer:
		return ansiBold + ansiRed + string(v) + ansiReset
	}
	return ansiYellow + string(v) + ansiReset
}

func writeConnectionText(w io.Writer, c *triage.Connection, o TextOptions) {
	id := fmt.Sprintf("#%d", c.ID)
	if o.MultiCapture {
		id = fmt.Sprintf("#%d/%d", c.Capture, c.ID)
	}
	fmt.Fprintf(w, "%s %s -> %s  %s (%s)", id, c.Client, c.Server, colorVerdict(c.Verdict, o.Color), c.Reason)
	if c.TLSVersion != "" {
		fmt.Fprintf(w, "  %s %s", c.TLSVersion, c.CipherSuite)
	}
	fmt.Fprintf(w, "  frames %d-%d\n", c.StartFrame, c.EndFrame)
	para := func(indent, text string) { textwrap.WriteLine(w, o.Width, indent, indent, text) }
	para("   ", Sanitize(c.Summary))
	if c.RolesGuessed {
		para("   ", "note: no SYN or ClientHello was captured, so which end is the client is a guess.")
	}
	if c.CertificatesHidden {
		fmt.Fprintf(w, "   certificates: not visible (TLS 1.3 encrypts them)\n")
	}
	for _, cert := range c.Certificates {
		if cert.Index > 0 && !o.Verbose {
			continue
		}
		head, facts, _ := strings.Cut(certificateLine(&cert), "\n")
		para("   ", head)
		if facts != "" {
			para("      ", strings.TrimLeft(facts, " "))
		}
		if t := cert.Trust; t != nil && t.NodeUnknown {
			para("      ", fmt.Sprintf("trust (%s, if the %s is the capture node): %s: %s", Sanitize(t.Store), cert.SentBy.Peer(), t.Status, Sanitize(t.Detail)))
		} else if t != nil {
			para("      ", fmt.Sprintf("trust (%s): %s: %s", Sanitize(t.Store), t.Status, Sanitize(t.Detail)))
		}
		for _, ch := range cert.Checks {
			para("      ", fmt.Sprintf("check %s (%s): %s", ch.Code, ch.Severity, Sanitize(ch.Sentence)))
		}
	}
	for _, p := range c.PartialCertificates {
		para("   ", partialLine(&p))
	}
	if c.CertificatesDropped > 0 {
		para("   ", fmt.Sprintf("%d more certificates were sent on this connection and not kept (at most 64 are)", c.CertificatesDropped))
	}
	for _, side := range c.CertificatesLost {
		para("   ", fmt.Sprintf("%s certificates: a certificate length was not captured, so the certificates after it cannot be told apart", side))
	}
	if nc := c.NameCheck; nc != nil {
		para("   ", "X.509 Subject Name: "+Sanitize(nc.Sentence))
	}
	if a := c.CertificateRequestAudit; a != nil {
		for _, ch := range a.Checks {
			para("   ", fmt.Sprintf("CertificateRequest %s (%s): %s", ch.Code, ch.Severity, Sanitize(ch.Sentence)))
		}
	}
	if chain := chainNote(c.Certificates); chain != "" && !o.Verbose {
		para("   ", chain)
	}
	if c.EmptyClientCertificate {
		fmt.Fprintf(w, "   client certificate: none (empty Certificate message)\n")
	}
	if cr := c.CertificateRequest; cr != nil && o.Verbose {
		fmt.Fprintf(w, "   CertificateRequest in frame %d: %s (%d bytes)\n", cr.Frame, english.Plural(len(cr.CertificateAuthorities), "CA name", "CA names"), cr.Length)
		for _, ca := range cr.CertificateAuthorities {
			fmt.Fprintf(w, "     %s\n", Sanitize(ca))
		}
	}
	if len(c.SIPMessages) > 0 && o.Verbose {
		fmt.Fprintf(w, "   SIP (decrypted): %s\n", Sanitize(c.SIPSummary))
		for _, m := range c.SIPMessages {
			fmt.Fprintf(w, "     frame %-4d %s  %-6s  %s  (CSeq %s, Call-ID %s)\n", m.Frame, m.Time.UTC().Format("15:04:05.000000"), m.From, Sanitize(m.StartLine), Sanitize(m.CSeq), Sanitize(m.CallID))
		}
	}
	for _, f := range c.Findings {
		para("   ", fmt.Sprintf("finding %s (frame %d): %s", f.Code, f.Frame, Sanitize(f.Detail)))
	}
	if o.Verbose {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, e := range c.Events {
			fmt.Fprintf(tw, "     frame %d\t%s\t%s\t%s\n", e.Frame, e.Time.UTC().Format("15:04:05.000000"), e.From, Sanitize(e.What))
		}
		tw.Flush()
		if c.EventsDropped > 0 {
			fmt.Fprintf(w, "     (%d more events not kept)\n", c.EventsDropped)
		}
	}
	fmt.Fprintln(w)
}

// writeTrustStoresText lists the trust folders and the files they skipped.
func writeTrustStoresText(w io.Writer, stores []triage.TrustStore) {
	if len(stores) == 0 {
		return
	}
	fmt.Fprintf(w, "\nTrust folders:\n")
	for _, s := range stores {
		node := s.Node
		if node == "" {
			node = "the capture node"
		}
		fmt.Fprintf(w, "  %s (CallManager-trust of %s): %s", Sanitize(s.Path), node, english.Plural(s.Certificates, "certificate", "certificates"))
		if s.Duplicates > 0 {
			fmt.Fprintf(w, ", %s", english.Plural(s.Duplicates, "duplicate", "duplicates"))
		}
		fmt.Fprintln(w)
		for _, sk := range s.Skipped {
			part := ""
			if sk.Part != "" {
				part = " " + sk.Part
			}
			fmt.Fprintf(w, "    skipped %s%s: %s\n", Sanitize(sk.File), Sanitize(part), Sanitize(sk.Reason))
		}
	}
}

// partialLine describes a certificate the capture lost bytes of.
func partialLine(p *triage.PartialCertificate) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s certificate ", p.SentBy)
	if p.Index == 0 {
		b.WriteString("(leaf)")
	} else {
		fmt.Fprintf(&b, "chain[%d]", p.Index)
	}
	missing := 0
	for _, r := range p.Missing {
		missing += r.End - r.Start
	}
	fmt.Fprintf(&b, ": partly missing from the capture (frame %d): %d of its %d bytes, from byte %d", p.Frame, missing, p.Length, p.Missing[0].Start)
	var known []string
	if p.Subject != "" {
		known = append(known, Sanitize(p.Subject))
	}
	if p.Serial != "" {
		known = append(known, "serial "+p.Serial)
	}
	if p.Issuer != "" {
		known = append(known, "issuer "+Sanitize(p.Issuer))
	}
	if len(known) > 0 {
		fmt.Fprintf(&b, "; the bytes before the hole show %s", strings.Join(known, ", "))
	}
	return b.String()
}

func certificateLine(c *triage.Certificate) string {
	role := c.SentBy.String() + " certificate"
	if c.Index > 0 {
		role = fmt.Sprintf("%s chain[%d]", c.SentBy, c.Index)
	}
	if c.Subject == "" && c.ParseError != "" {
		return fmt.Sprintf("%s: unreadable (%s), sha256 %s (frame %d)", role, Sanitize(c.ParseError), c.SHA256, c.Frame)
	}
	name := c.Subject
	if c.CommonName != "" {
		name = "CN=" + c.CommonName
	}
	s := fmt.Sprintf("%s: %s (frame %d)\n      serial %s", role, Sanitize(name), c.Frame, c.Serial)
	if c.SelfSigned {
		s += ", self-signed"
	} else {
		s += ", issuer " + Sanitize(c.Issuer)
	}
	s += fmt.Sprintf(", valid %s to %s", day(c.NotBefore), day(c.NotAfter))
	if c.ValidityAtCapture != "" && c.ValidityAtCapture != "valid" {
		s += " (" + c.ValidityAtCapture + " at capture time)"
	}
	if len(c.DNSNames) > 0 {
		s += ", SAN " + Sanitize(strings.Join(firstN(c.DNSNames, maxSANs), " "))
		if len(c.DNSNames) > maxSANs {
			s += fmt.Sprintf(" and %d more (JSON lists them all)", len(c.DNSNames)-maxSANs)
		}
	}
	if len(c.ExtKeyUsage) > 0 {
		s += ", EKU " + strings.Join(c.ExtKeyUsage, " ")
	}
	return s
}

// maxSANs is how many DNS names a certificate line shows; some certificates
// carry thousands.
const maxSANs = 8

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func chainNote(certs []triage.Certificate) string {
	extra := map[diagnose.Side]int{}
	for _, c := range certs {
		if c.Index > 0 {
			extra[c.SentBy]++
		}
	}
	if len(extra) == 0 {
		return ""
	}
	var parts []string
	for _, side := range []diagnose.Side{diagnose.Server, diagnose.Client} {
		if n := extra[side]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s sent %s", side, english.Plural(n, "more chain certificate", "more chain certificates")))
		}
	}
	return "(" + strings.Join(parts, "; ") + "; -v shows them)"
}

func day(t *triage.Time) string {
	if t == nil {
		return "?"
	}
	return t.UTC().Format(time.DateOnly)
}

func destinationCounts(d *triage.Destination, color bool) string {
	parts := verdictCounts(d.Verdicts, d.VerdictReasons, color, nil)
	s := fmt.Sprintf("%s: %s", english.Plural(d.Attempts, "attempt", "attempts"), strings.Join(parts, ", "))
	if len(d.Alerts) > 0 {
		keys := slices.SortedFunc(maps.Keys(d.Alerts), func(a, b triage.AlertKey) int { return strings.Compare(a.String(), b.String()) })
		var al []string
		for _, k := range keys {
			al = append(al, fmt.Sprintf("%s x%d", k, d.Alerts[k]))
		}
		s += " (alerts: " + strings.Join(al, ", ") + ")"
	}
	if d.SIPCalls > 0 {
		s += " (decrypted calls: " + sipFinals(d.SIPFinalResponses) + ")"
	}
	return s
}

// sipFinals writes final responses by code: "200 x5, 503 x2".
func sipFinals(byCode map[int]int) string {
	var out []string
	for _, code := range slices.Sorted(maps.Keys(byCode)) {
		out = append(out, fmt.Sprintf("%d x%d", code, byCode[code]))
	}
	return strings.Join(out, ", ")
}

// summaryLine counts the connections by verdict, each named as itself:
// "12 connections: 7 ok, 4 failed, 1 no_answer", "2 connections: 2
// incomplete (midstream)".
func summaryLine(sum triage.Summary, color bool) string {
	parts := verdictCounts(sum.Verdicts, sum.VerdictReasons, color, nil)
	s := english.Plural(sum.Connections, "connection", "connections")
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// noneRead reports whether no capture yielded a single packet: every one
// is an error (not a capture, empty, a directory ...).
func noneRead(caps []triage.Capture) bool {
	for _, c := range caps {
		if c.Error == "" || c.Packets > 0 {
			return false
		}
	}
	return true
}

// errWriter remembers the first write error so that rendering code can write
// freely and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, nil
}
