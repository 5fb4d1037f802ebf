package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/english"
	"github.com/siptls/siptls/internal/textwrap"
	"github.com/siptls/siptls/triage"
)

// WriteTriageText writes t for a person: the remedies, the pattern sentences, the
// per-destination and per-pair tables, the connections not ok (one line each),
// the certificate inventory, the captures and the notes. Of o, only Color
// and Width (the sentences wrap to it) apply.
func WriteTriageText(w io.Writer, t *triage.Triage, o TextOptions) error {
	ew := &errWriter{w: w}
	color := o.Color
	writeActionsText(ew, t.Actions, len(t.Captures) > 1, true, o.Width)
	fmt.Fprintln(ew, "Patterns:")
	for _, p := range t.Patterns {
		textwrap.WriteLine(ew, o.Width, "  * ", "    ", Sanitize(p))
	}

	writeDestinationsText(ew, t.Destinations, color)
	writePairsText(ew, t.Pairs, color)
	writeProblemsText(ew, t, color)
	writeCertificatesText(ew, t.Certificates)
	writeTrustStoresText(ew, t.TrustStores)

	fmt.Fprintln(ew, "\nCaptures:")
	for i := range t.Captures {
		writeCaptureText(ew, i, &t.Captures[i], true, o.Width)
	}
	if t.Duplicates.Connections > 0 {
		fmt.Fprintln(ew)
		textwrap.WriteLine(ew, o.Width, "", "  ", fmt.Sprintf("%s seen in more than one capture, counted once (%d by initial sequence number, %d by start time).",
			english.Plural(t.Duplicates.Connections, "connection", "connections"), t.Duplicates.ByISN, t.Duplicates.ByTime))
	}
	if len(t.Notes) > 0 {
		fmt.Fprintln(ew, "\nNotes:")
		for _, n := range t.Notes {
			textwrap.WriteLine(ew, o.Width, "  * ", "    ", Sanitize(n))
		}
	}
	fmt.Fprintf(ew, "\n%s\n", summaryLine(t.Summary, color))
	return ew.err
}

// writeDestinationsText writes the per-destination table.
func writeDestinationsText(ew io.Writer, dests []triage.TriageDestination, color bool) {
	if len(dests) == 0 {
		return
	}
	tw := newTitledTable(ew, "Destinations (server ip:port):", "  SERVER\tNAMES\tATTEMPTS\tOK\tFAILED\tOTHER\tFAILURES\tFIRST FAILURE\tLAST FAILURE\tLEAF CERTIFICATES")
	for _, d := range dests {
		var certs []string
		for _, c := range d.Certificates {
			certs = append(certs, fmt.Sprintf("%s serial %s", c.SHA256[:min(len(c.SHA256), 12)], triage.ShortHex(c.Serial)))
		}
		if d.CertificatesMore > 0 {
			certs = append(certs, fmt.Sprintf("others on %s", english.Plural(d.CertificatesMore, "connection", "connections")))
		}
		cs := strings.Join(certs, ", ")
		if d.CertificateChanged {
			cs = "CHANGED: " + cs
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Server, orDash(Sanitize(strings.Join(d.Names, ", "))), d.Attempts, d.OK,
			failedCount(d.Failed, color), orDash(otherOutcomes(d.Counts)), failuresCell(&d.Counts), triage.Clock(d.FirstFailure), triage.Clock(d.LastFailure), orDash(cs))
	}
	tw.Flush()
}

// writePairsText writes the per-pair table: the pairs pairsToShow picks, and
// a line counting the others.
func writePairsText(ew io.Writer, pairs []triage.Pair, color bool) {
	if len(pairs) == 0 {
		return
	}
	tw := newTitledTable(ew, "Pairs (client -> server):", "  CLIENT\tSERVER\tNAMES\tATTEMPTS\tOK\tFAILED\tOTHER\tFAILURES\tFIRST FAILURE\tLAST FAILURE")
	shown := pairsToShow(pairs, maxPairLines)
	for _, i := range shown {
		p := pairs[i]
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", p.Client, p.Server, orDash(Sanitize(strings.Join(p.Names, ", "))), p.Attempts, p.OK,
			failedCount(p.Failed, color), orDash(otherOutcomes(p.Counts)), failuresCell(&p.Counts), triage.Clock(p.FirstFailure), triage.Clock(p.LastFailure))
	}
	tw.Flush()
	if n := len(pairs) - len(shown); n > 0 {
		failing := 0
		for _, p := range pairs {
			if p.CallFailures > 0 {
				failing++
			}
		}
		for _, i := range shown {
			if pairs[i].CallFailures > 0 {
				failing--
			}
		}
		what := "all ok"
		if failing > 0 {
			what = fmt.Sprintf("%d of them with failures", failing)
		}
		fmt.Fprintf(ew, "  … and %d more pairs, %s (--format json lists every pair)\n", n, what)
	}
}

// writeProblemsText lists the connections not ok kept in full, one line each.
func writeProblemsText(ew io.Writer, t *triage.Triage, color bool) {
	problems := 0
	for i := range t.Connections {
		if t.Connections[i].Verdict != diagnose.VerdictOK {
			problems++
		}
	}
	if problems > 0 {
		fmt.Fprintf(ew, "\nConnections not ok (%d", problems)
		if t.Detail.FailedOmitted > 0 {
			fmt.Fprintf(ew, " shown, %d more not listed: the cap is %d", t.Detail.FailedOmitted, t.Detail.MaxFailed)
		}
		fmt.Fprintln(ew, "; capture/id, frames as Wireshark numbers them):")
		tw := newTrimTable(ew)
		for i := range t.Connections {
			c := &t.Connections[i]
			if c.Verdict == diagnose.VerdictOK {
				continue
			}
			what := string(c.Reason)
			if c.Alert != nil {
				what = c.Alert.Name + " sent by the " + c.Alert.SentBy.String() + fmt.Sprintf(" (frame %d)", c.Alert.Frame)
			}
			seen := ""
			if len(c.SeenIn) > 1 {
				var s []string
				for _, k := range c.SeenIn[1:] {
					s = append(s, fmt.Sprintf("[%d]", k))
				}
				seen = "also in " + strings.Join(s, " ")
			}
			fmt.Fprintf(tw, "  [%d]/%d\t%s\t%s -> %s\t%s\t%s\tframes %d-%d\t%s\n", c.Capture, c.ID, c.Start.UTC().Format("15:04:05.000"),
				c.Client, c.Server, colorVerdict(c.Verdict, color), Sanitize(what), c.StartFrame, c.EndFrame, seen)
		}
		tw.Flush()
	}
}

// writeCertificatesText writes the certificate inventory.
func writeCertificatesText(ew io.Writer, certs []triage.InventoryCert) {
	if len(certs) == 0 {
		return
	}
	tw := newTitledTable(ew, "Certificates seen (by SHA-256):", "  SHA-256\tSERIAL\tCOMMON NAME\tVALID AT CAPTURE\tCONNS\tPRESENTED BY\tNOTE")
	for _, c := range certs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.SHA256[:min(len(c.SHA256), 12)], triage.ShortHex(c.Serial), orDash(Sanitize(c.CommonName)),
			orDash(c.ValidityAtCapture), c.Connections, presentedBy(&c), certificateNote(&c))
	}
	tw.Flush()
}

// presentedBy is a certificate's PRESENTED BY cell: the first maxPresenters
// endpoints with their connections, then how many others.
func presentedBy(c *triage.InventoryCert) string {
	var by []string
	for i, p := range c.PresentedBy {
		if i == maxPresenters {
			by = append(by, fmt.Sprintf("and %d more", len(c.PresentedBy)-i))
			break
		}
		s := fmt.Sprintf("%s %s", p.As, p.Endpoint)
		if p.Index > 0 {
			s += fmt.Sprintf(" (chain #%d)", p.Index)
		}
		by = append(by, fmt.Sprintf("%s x%d", s, p.Connections))
	}
	if c.PresentedByMore > 0 {
		by = append(by, fmt.Sprintf("others x%d", c.PresentedByMore))
	}
	return strings.Join(by, ", ")
}

// certificateNote is a certificate's NOTE cell: other certificates with its
// subject, and the trust folders' verdicts on it.
func certificateNote(c *triage.InventoryCert) string {
	note := ""
	if len(c.SameSubject) > 0 {
		var o []string
		for _, s := range c.SameSubject[:min(len(c.SameSubject), maxSameSubject)] {
			o = append(o, s[:min(len(s), 12)])
		}
		if n := c.SameSubjectCount() - len(o); n > 0 {
			o = append(o, fmt.Sprintf("and %d more", n))
		}
		note = "same subject as " + strings.Join(o, ", ") + ": stale copy in play?"
	}
	for _, tr := range c.Trust {
		if note != "" {
			note += "; "
		}
		note += fmt.Sprintf("%s in %s", tr.Status, Sanitize(tr.Store))
		if tr.File != "" {
			note += " (" + Sanitize(tr.File) + ")"
		}
	}
	return note
}

// Caps of the text tables (JSON lists everything).
const (
	maxPairLines   = 40 // pairs listed when there are more: all that failed first
	maxPresenters  = 4  // endpoints named per certificate
	maxSameSubject = 5  // other certificates named per certificate
)

// pairsToShow returns the indexes of the pairs to list: all of them when
// they fit, else those with failures, then ok pairs to a destination that
// also failed (the contrast), then any, up to max, in table order.
func pairsToShow(pairs []triage.Pair, max int) []int {
	var idx []int
	if len(pairs) <= max {
		for i := range pairs {
			idx = append(idx, i)
		}
		return idx
	}
	failing := map[string]bool{}
	for _, p := range pairs {
		if p.CallFailures > 0 {
			failing[p.Server] = true
		}
	}
	pick := map[int]bool{}
	for pass := 0; pass < 3; pass++ {
		for i, p := range pairs {
			if len(pick) == max {
				break
			}
			if (pass == 0 && p.CallFailures > 0) || (pass == 1 && p.CallFailures == 0 && failing[p.Server]) || pass == 2 {
				pick[i] = true
			}
		}
	}
	for i := range pairs {
		if pick[i] {
			idx = append(idx, i)
		}
	}
	return idx
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func failedCount(n int, color bool) string {
	if n > 0 && color {
		return fmt.Sprintf("%s%d%s", ansiRed, n, ansiReset)
	}
	return fmt.Sprint(n)
}

func failuresCell(c *triage.Counts) string {
	if c.CallFailures == 0 {
		return "-"
	}
	return triage.FailureWords(c, "")
}

// trimTable is a tabwriter whose lines lose their trailing blanks.
type trimTable struct {
	*tabwriter.Writer
	buf strings.Builder
	out io.Writer
}

func newTrimTable(w io.Writer) *trimTable {
	t := &trimTable{out: w}
	t.Writer = tabwriter.NewWriter(&t.buf, 0, 4, 2, ' ', 0)
	return t
}

// newTitledTable writes a blank line and title to w, and starts a table
// whose first row is the tab-separated column header.
func newTitledTable(w io.Writer, title, header string) *trimTable {
	fmt.Fprintf(w, "\n%s\n", title)
	t := newTrimTable(w)
	fmt.Fprintln(t, header)
	return t
}

// Flush writes the aligned table.
func (t *trimTable) Flush() error {
	if err := t.Writer.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(t.buf.String(), "\n") {
		if line == "" {
			continue
		}
		io.WriteString(t.out, strings.TrimRight(line, " \n")+"\n")
	}
	t.buf.Reset()
	return nil
}
