package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// HTMLMeta is what the HTML report says about its own making: values that do
// not come from the analysis.
type HTMLMeta struct {
	// Version is the siptls version that wrote the report.
	Version string
	// Generated is when the report was written (injected: fixed in tests).
	Generated time.Time
	// CaptureSHA256 holds the lowercase hex SHA-256 of each capture file, by
	// index into Triage.Captures ("" or missing when it is not known).
	CaptureSHA256 []string
}

// MaxHTMLPairs caps the client and destination pairs listed in the HTML
// report (pairs with a call failure first): a capture with thousands of clients
// would otherwise make the page too large to attach. The JSON output lists
// every pair.
const MaxHTMLPairs = 200

// MaxHTMLSANs caps the subject alternative names listed on a certificate
// card (DNS names first, then IP addresses); the card counts the others
// and the JSON output lists every one. Some certificates carry thousands.
const MaxHTMLSANs = 20

// MaxLadderEvents caps the events drawn in one connection's ladder diagram;
// the connection's event table still lists every event kept.
const MaxLadderEvents = 60

//go:embed templates/report.html.tmpl templates/report.css templates/actions.html.tmpl
var htmlFiles embed.FS

// htmlTemplate is parsed once. The CSS is a constant file of the repository
// and goes in through the "css" template, never through data.
var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"u":       Sanitize,
	"ureason": func(r diagnose.Reason) string { return Sanitize(string(r)) },
	"ts":      htmlTime,
	"tsp":     htmlTimePtr,
	"bytes":   humanSize,
	"join":    func(s []string) string { return Sanitize(strings.Join(s, ", ")) },
	"short":   shortHash,
	"verdict": verdictClass,
	"trust":   trustClass,
	"other":   otherOutcomes,
	"otherc":  otherClass,
	"count":   thousands,
}).ParseFS(htmlFiles, "templates/report.html.tmpl", "templates/report.css", "templates/actions.html.tmpl"))

// WriteHTML writes the triage view t as one self-contained HTML page: the
// remedies ("What to do, first"), a header describing each capture, a verdict banner with the pattern
// sentences, the destination and pair tables, then each connection kept in
// full (those not ok, up to the Merger's cap, and a sample of ok ones)
// with a ladder diagram as inline SVG, its verdict and evidence, and each
// certificate as a card with its PEM; last the certificate inventory and the
// trust folders. The page has no script and loads nothing: CSS is inline and
// every string from a capture or a certificate is escaped by html/template
// and passed through Sanitize, so that terminal escapes and bidirectional
// overrides show as visible escapes.
func WriteHTML(w io.Writer, t *triage.Triage, meta HTMLMeta) error {
	return htmlTemplate.Execute(w, buildHTMLPage(t, meta))
}

// htmlPage is the data of the template.
type htmlPage struct {
	T         *triage.Triage
	Version   string
	Generated string
	Captures  []htmlCapture
	// Conns are the connections not ok kept in full, then the sample of ok
	// ones, each in capture and ID order; certificate cards go to the first
	// showing in that order.
	Conns  []htmlConn
	OKFrom int // index in Conns of the first ok connection
	// Headline is the verdict banner's title (and the page's): the
	// connections counted by verdict, each named as itself ("12
	// connections: 7 ok, 4 failed, 1 no_answer"), or "All N connections
	// succeeded".
	Headline string
	// Banner is the banner's class: bad when a call failed, warn when the
	// capture cannot tell how some connections ended (and none failed) or
	// holds none, ok when every connection is ok.
	Banner string
	// Problems are the first connections not ok, whose sentences the verdict
	// banner shows when triage found no pattern to tell (few connections).
	Problems   []htmlConn
	CutBanner  bool
	CertAnchor map[string]bool // SHA-256 of certificates with a card
	// Pairs are the pairs listed: those with a failure first, at most
	// MaxHTMLPairs; PairsOmitted counts the others.
	Pairs        []triage.Pair
	PairsOmitted int
	// PairsOmittedFailed counts the omitted pairs that had a failure.
	PairsOmittedFailed int
	// Actions are the remedies the page opens with (html_actions.go).
	Actions htmlActions
}

type htmlCapture struct {
	triage.Capture
	Index  int
	SHA256 string
}

type htmlConn struct {
	triage.TriageConnection
	Anchor string
	// Problem is set when the verdict is not ok: the connection is listed
	// first and shown open.
	Problem bool
	// Class is failed for a call failure, undecided when the capture cannot
	// tell, okc when ok.
	Class    string
	SeenIn   []string
	Ladder   ladder
	Certs    []htmlCert
	Duration string
}

type htmlCert struct {
	triage.Certificate
	// Card is set on the first showing of a certificate: the full card with
	// its PEM. Later showings refer to it.
	Card bool
	PEM  string
	// SANs are the names the card lists ("DNS: name", "IP: address"), at
	// most MaxHTMLSANs; SANsMore counts the others.
	SANs     []string
	SANsMore int
}

// ladder is the geometry of one connection's ladder diagram.
type ladder struct {
	Width, Height    int
	ClientX, ServerX int
	// ClientLabel and ServerLabel head the lifelines: the role and the
	// address:port ("client 10.10.1.11:38224"); ClientName and ServerName,
	// under them, the common name (or first DNS SAN) of the leaf
	// certificate each side presented, "" when none was seen.
	ClientLabel, ServerLabel string
	ClientName, ServerName   string
	LaneBottom               int
	Rows                     []ladderRow
	More                     int // events not drawn
}

type ladderRow struct {
	Y, TextY   int
	MetaY      int
	Line       string // SVG path of the arrow's shaft
	X1, X2     int
	LabelX     int
	Head       string // SVG path of the arrow head
	Label      string
	Frame      uint64
	Rel        string // time since the connection's start, "" when unknown
	When       string // Rel, or what is known of the time when Rel is ""
	Title      string
	Class      string
	FromClient bool
}

func buildHTMLPage(t *triage.Triage, meta HTMLMeta) *htmlPage {
	p := &htmlPage{T: t, Version: meta.Version, Generated: htmlTime(triage.Time{Time: meta.Generated}), CertAnchor: map[string]bool{}}
	for i, c := range t.Captures {
		hc := htmlCapture{Capture: c, Index: i}
		if i < len(meta.CaptureSHA256) {
			hc.SHA256 = meta.CaptureSHA256[i]
		}
		if c.CutPackets > 0 {
			p.CutBanner = true
		}
		p.Captures = append(p.Captures, hc)
	}
	p.Headline, p.Banner = htmlHeadline(t.Summary)
	p.Actions = buildHTMLActions(t)
	for _, failed := range []bool{true, false} {
		for _, pr := range t.Pairs {
			if (pr.CallFailures > 0) != failed {
				continue
			}
			if len(p.Pairs) < MaxHTMLPairs {
				p.Pairs = append(p.Pairs, pr)
			} else {
				p.PairsOmitted++
				if failed {
					p.PairsOmittedFailed++
				}
			}
		}
	}
	var order []*triage.TriageConnection
	for i := range t.Connections {
		if t.Connections[i].Verdict != diagnose.VerdictOK {
			order = append(order, &t.Connections[i])
		}
	}
	p.OKFrom = len(order)
	for i := range t.Connections {
		if t.Connections[i].Verdict == diagnose.VerdictOK {
			order = append(order, &t.Connections[i])
		}
	}
	for _, c := range order {
		hc := htmlConn{TriageConnection: *c, Anchor: fmt.Sprintf("c%d-%d", c.Capture, c.ID), Problem: c.Verdict != diagnose.VerdictOK, Class: connClass(c.Verdict)}
		for _, s := range c.SeenIn {
			hc.SeenIn = append(hc.SeenIn, captureFile(t, s))
		}
		if len(hc.SeenIn) == 0 {
			hc.SeenIn = []string{captureFile(t, c.Capture)}
		}
		hc.Duration = sinceStart(c.Start.Time, c.End.Time)
		hc.Ladder = buildLadder(&c.Connection)
		for _, cert := range c.Certificates {
			hcert := htmlCert{Certificate: cert}
			if cert.SHA256 != "" && !p.CertAnchor[cert.SHA256] {
				p.CertAnchor[cert.SHA256] = true
				hcert.Card = true
				hcert.PEM = string(cert.View().PEM())
				hcert.SANs, hcert.SANsMore = cardSANs(cert.DNSNames, cert.IPAddresses)
			}
			hc.Certs = append(hc.Certs, hcert)
		}
		p.Conns = append(p.Conns, hc)
		if len(t.Patterns) == 0 && hc.Problem && len(p.Problems) < 3 {
			p.Problems = append(p.Problems, hc)
		}
	}
	return p
}

// cardSANs returns the first MaxHTMLSANs names of a certificate as its
// card lists them, DNS names then IP addresses, and how many are left out.
func cardSANs(dns, ips []string) (list []string, more int) {
	for _, n := range dns {
		list = append(list, "DNS: "+n)
	}
	for _, a := range ips {
		list = append(list, "IP: "+a)
	}
	if len(list) > MaxHTMLSANs {
		return list[:MaxHTMLSANs], len(list) - MaxHTMLSANs
	}
	return list, 0
}

// thousands writes n (not negative) with a comma between groups of three digits: 9,980.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// htmlHeadline returns the verdict banner's headline and class.
func htmlHeadline(sum triage.Summary) (headline, class string) {
	switch {
	case sum.Connections == 0:
		return "No TLS connection was found", "warn"
	case sum.Problems == 0 && sum.Connections == 1:
		return "The one connection succeeded", "ok"
	case sum.Problems == 0:
		return fmt.Sprintf("All %d connections succeeded", sum.Connections), "ok"
	}
	class = "warn"
	for v, n := range sum.Verdicts {
		if n > 0 && triage.CallFailure(v) {
			class = "bad"
		}
	}
	return summaryLine(sum, false), class
}

// connClass is the CSS class of a connection's details box.
func connClass(v diagnose.Verdict) string {
	switch {
	case v == diagnose.VerdictOK:
		return "okc"
	case triage.CallFailure(v):
		return "failed"
	}
	return "undecided"
}

func captureFile(t *triage.Triage, i int) string {
	if i >= 0 && i < len(t.Captures) {
		return t.Captures[i].File
	}
	return fmt.Sprintf("capture %d", i)
}

// Ladder geometry, in SVG user units.
const (
	ladderWidth   = 760
	ladderClientX = 150
	ladderServerX = 610
	ladderTop     = 62
	ladderStep    = 30
	// ladderLaneText is the most characters a lifeline's label or name
	// shows: wider, it would run into the frame and time columns.
	ladderLaneText = 28
)

// buildLadder lays out a connection's events as arrows between the client
// and server lanes.
func buildLadder(c *triage.Connection) ladder {
	l := ladder{Width: ladderWidth, ClientX: ladderClientX, ServerX: ladderServerX,
		ClientLabel: cutRunes(Sanitize("client "+c.Client), ladderLaneText), ServerLabel: cutRunes(Sanitize("server "+c.Server), ladderLaneText),
		ClientName: cutRunes(Sanitize(leafName(c.Certificates, diagnose.Client)), ladderLaneText),
		ServerName: cutRunes(Sanitize(leafName(c.Certificates, diagnose.Server)), ladderLaneText)}
	events := c.Events
	if len(events) > MaxLadderEvents {
		l.More = len(events) - MaxLadderEvents
		events = events[:MaxLadderEvents]
	}
	y := ladderTop
	for _, e := range events {
		r := ladderRow{Y: y, TextY: y - 6, Frame: e.Frame, Rel: sinceStart(c.Start.Time, e.Time.Time), Title: e.What, Label: ladderLabel(e.What), Class: eventClass(e.Kind)}
		switch {
		case r.Rel != "":
			r.When = r.Rel
		case e.Time.IsZero() || c.Start.IsZero():
			r.When = "time unknown"
		default:
			r.When = htmlTime(e.Time) + ", before the connection's first packet (the capture's clock went back)"
		}
		r.FromClient = e.From != diagnose.Server
		if r.FromClient {
			r.X1, r.X2 = ladderClientX, ladderServerX
		} else {
			r.X1, r.X2 = ladderServerX, ladderClientX
		}
		r.LabelX = (ladderClientX + ladderServerX) / 2
		dir := 1
		if !r.FromClient {
			dir = -1
		}
		r.MetaY = y + 4
		r.Line = fmt.Sprintf("M%d %dH%d", r.X1, y, r.X2)
		r.Head = fmt.Sprintf("M%d %dl%d -5v10z", r.X2, y, -dir*10)
		l.Rows = append(l.Rows, r)
		y += ladderStep
	}
	l.LaneBottom = y - ladderStep/2
	l.Height = y
	return l
}

// leafName is the common name of the leaf certificate side presented, or
// its first DNS SAN when it has no common name; "" when none was seen.
func leafName(certs []triage.Certificate, side diagnose.Side) string {
	for _, c := range certs {
		if c.SentBy != side || c.Index != 0 {
			continue
		}
		if c.CommonName != "" {
			return c.CommonName
		}
		if len(c.DNSNames) > 0 {
			return c.DNSNames[0]
		}
	}
	return ""
}

// cutRunes cuts s to at most n characters, the last an ellipsis when cut.
func cutRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// ladderLabel is the short label of an event drawn on its arrow: its text
// up to the first parenthesis, at most 48 characters.
func ladderLabel(what string) string {
	s, _, _ := strings.Cut(what, " (")
	return cutRunes(Sanitize(s), 48)
}

// eventClass colours an event by its kind: alerts (encrypted ones
// included) and resets in red.
func eventClass(k diagnose.EventKind) string {
	switch k {
	case diagnose.EventAlert, diagnose.EventRST:
		return "alert"
	case diagnose.EventFIN:
		return "fin"
	case diagnose.EventTCP:
		return "tcp"
	}
	return "tls"
}

// sinceStart is the time from start to t as the report shows it, "+12.345
// ms", or "" when either time is unknown or t comes before start (the
// capture's clock went back): no figure rather than a false one.
func sinceStart(start, t time.Time) string {
	if start.IsZero() || t.IsZero() || t.Before(start) {
		return ""
	}
	return relTime(t.Sub(start))
}

// relTime is a duration, not negative: "+12.345 ms", "+12.345 s".
func relTime(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("+%.3f s", d.Seconds())
	}
	return fmt.Sprintf("+%.3f ms", float64(d)/float64(time.Millisecond))
}

// htmlTime is a time as the report shows it. A no-break space ties "UTC"
// to the time of day, so that in a narrow table column a time wraps onto
// two lines at most: the date, then the time.
func htmlTime(t triage.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000000\u00a0UTC")
}

func htmlTimePtr(t *triage.Time) string {
	if t == nil {
		return "–"
	}
	return htmlTime(*t)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB (%d bytes)", float64(n)/(1<<30), n)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB (%d bytes)", float64(n)/(1<<10), n)
	}
	return fmt.Sprintf("%d bytes", n)
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// verdictClass is the CSS class of a verdict word.
func verdictClass(v diagnose.Verdict) string {
	switch v {
	case diagnose.VerdictOK:
		return "ok"
	case diagnose.VerdictIncomplete, diagnose.VerdictTruncated, diagnose.VerdictNotTLS:
		return "warn"
	}
	return "bad"
}

// trustClass is the CSS class of a trust status.
func trustClass(s trust.Status) string {
	switch s {
	case trust.StatusExactMatch, trust.StatusChainsTo:
		return "ok"
	case "":
		return "warn"
	}
	return "bad"
}
