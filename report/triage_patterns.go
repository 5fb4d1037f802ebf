package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/siptls/siptls/diagnose"
)

// patterns writes the sentences that sum up a triage, most telling first:
// per client, destinations that always fail beside ones that work (one call
// in N); intermittent destinations; a destination only one client fails to
// reach; the destination most likely to blame.
func patterns(t *Triage) []string {
	out := []string{}
	if t.Summary.Connections == 0 {
		return append(out, "No TLS connection was found in the captures.")
	}
	if t.Summary.Problems == 0 {
		if t.Summary.Connections == 1 {
			return append(out, "The one connection succeeded.")
		}
		return append(out, fmt.Sprintf("All %d connections succeeded.", t.Summary.Connections))
	}
	dests := map[string]*TriageDestination{}
	for i := range t.Destinations {
		dests[t.Destinations[i].Server] = &t.Destinations[i]
	}
	// One call in N, per client.
	byClient := map[string][]*Pair{}
	var clients []string
	for i := range t.Pairs {
		p := &t.Pairs[i]
		if byClient[p.Client] == nil {
			clients = append(clients, p.Client)
		}
		byClient[p.Client] = append(byClient[p.Client], p)
	}
	for _, cl := range clients {
		ps := byClient[cl]
		var bad, good, mixed []*Pair
		attempts, failed := 0, 0
		for _, p := range ps {
			attempts += p.judged()
			failed += p.CallFailures
			switch {
			case p.judged() == 0:
				// nothing to tell: the capture cannot say how these ended
			case p.CallFailures == p.judged():
				bad = append(bad, p)
			case p.CallFailures == 0:
				good = append(good, p)
			default:
				mixed = append(mixed, p)
			}
		}
		if len(bad) == 0 || len(good)+len(mixed) == 0 {
			continue
		}
		var parts []string
		for _, p := range bad {
			parts = append(parts, fmt.Sprintf("%s failed %d of %d times with %s", destLabel(p.Server, p.Names), p.CallFailures, p.judged(), failureWords(&p.Counts)))
		}
		if len(good) > 0 {
			n := 0
			var addrs []string
			for _, p := range good {
				n += p.judged()
				addrs = append(addrs, p.Server)
			}
			who := joinAnd(addrs)
			if len(addrs) > 4 {
				who = fmt.Sprintf("the other %d destinations (%s … %s)", len(addrs), addrs[0], addrs[len(addrs)-1])
			}
			parts = append(parts, fmt.Sprintf("%s succeeded %d of %d", who, n, n))
		}
		for _, p := range mixed {
			parts = append(parts, fmt.Sprintf("%s failed %d of %d", p.Server, p.CallFailures, p.judged()))
		}
		s := fmt.Sprintf("From %s: %s: about one call in %s fails (%d of %d).", cl, strings.Join(parts, "; "), oneIn(attempts, failed), failed, attempts)
		out = append(out, s)
	}
	explained := map[string]bool{} // destinations whose failures one client explains
	// Only one client fails to reach a destination others reach.
	byServer := map[string][]*Pair{}
	var servers []string
	for i := range t.Pairs {
		p := &t.Pairs[i]
		if byServer[p.Server] == nil {
			servers = append(servers, p.Server)
		}
		byServer[p.Server] = append(byServer[p.Server], p)
	}
	sort.Strings(servers)
	for _, srv := range servers {
		ps := byServer[srv]
		if len(ps) < 2 {
			continue
		}
		var bad []string
		var good []string
		n := 0
		var badPair *Pair
		for _, p := range ps {
			switch {
			case p.CallFailures > 0 && p.OK == 0:
				bad = append(bad, p.Client)
				badPair = p
			case p.CallFailures == 0 && p.OK > 0:
				good = append(good, p.Client)
				n += p.OK
			}
		}
		if len(bad) == 1 && len(good) > 0 && badPair.CallFailures == dests[srv].CallFailures {
			explained[srv] = true
			out = append(out, fmt.Sprintf("Only calls from %s to %s fail (%d of %d, with %s); %s succeeded %d of %d.",
				bad[0], destLabel(srv, badPair.Names), badPair.CallFailures, badPair.judged(), failureWords(&badPair.Counts), joinAnd(good), n, n))
		}
	}
	// Intermittent destinations.
	for i := range t.Destinations {
		d := &t.Destinations[i]
		if d.CallFailures == 0 || d.OK == 0 || explained[d.Server] {
			continue
		}
		when := fmt.Sprintf("between %s and %s", clock(d.FirstFailure), clock(d.LastFailure))
		if d.CallFailures == 1 {
			when = "at " + clock(d.FirstFailure)
		}
		s := fmt.Sprintf("%s is intermittent: %d of %d attempts failed, with %s, %s", destLabel(d.Server, d.Names), d.CallFailures, d.judged(),
			failureWords(&d.Counts), when)
		s += certificateStory(d) + "."
		out = append(out, s)
	}
	// A certificate change where it is not already told.
	for i := range t.Destinations {
		d := &t.Destinations[i]
		if d.CertificateChanged && (d.CallFailures == 0 || d.OK == 0) {
			out = append(out, fmt.Sprintf("%s presented %d different certificates during the captures%s.", destLabel(d.Server, d.Names), len(d.Certificates), certificateStory(d)))
		}
	}
	// The destination most likely to blame: the one with the highest share
	// of failures, then the most failures; several when more than one
	// failed every attempt.
	var blame *TriageDestination
	var always []string
	for i := range t.Destinations {
		d := &t.Destinations[i]
		if d.CallFailures == 0 {
			continue
		}
		if d.CallFailures == d.judged() {
			always = append(always, d.Server)
		}
		if blame == nil || d.CallFailures*blame.judged() > blame.CallFailures*d.judged() ||
			(d.CallFailures*blame.judged() == blame.CallFailures*d.judged() && d.CallFailures > blame.CallFailures) {
			blame = d
		}
	}
	switch {
	case len(always) > 1:
		out = append(out, fmt.Sprintf("Most likely to blame: %s, which failed every attempt.", joinAnd(always)))
	case blame != nil && len(t.Destinations) > 1:
		s := fmt.Sprintf("Most likely to blame: %s, %d of %d attempts failed (%s)", destLabel(blame.Server, blame.Names), blame.CallFailures, blame.judged(), failureWords(&blame.Counts))
		if len(blame.Clients) > 1 && allPairsFail(byServer[blame.Server]) {
			s += ", from every client"
		}
		out = append(out, s+".")
	}
	return out
}

// judged counts the attempts whose outcome the capture tells: ok or a call
// failure (not incomplete or truncated).
func (c *Counts) judged() int { return c.OK + c.CallFailures }

func allPairsFail(ps []*Pair) bool {
	for _, p := range ps {
		if p.CallFailures == 0 {
			return false
		}
	}
	return true
}

// certificateStory tells how a destination's certificate changed and how
// outcomes followed it ("" when it presented one certificate).
func certificateStory(d *TriageDestination) string {
	if len(d.Certificates) < 2 {
		if len(d.Certificates) == 1 && d.OK > 0 && d.CallFailures > 0 {
			return ", with the same certificate every time"
		}
		return ""
	}
	var parts []string
	for _, c := range d.Certificates {
		parts = append(parts, fmt.Sprintf("serial %s from %s (%d ok, %d failed)", shortHex(c.Serial), clock(&c.FirstSeen), c.OK, c.Failed))
	}
	s := "; its certificate changed during the captures: " + strings.Join(parts, ", then ")
	last := d.Certificates[len(d.Certificates)-1]
	if last.Failed > 0 && last.OK == 0 && last.Failed == d.Failed {
		s += "; every failure came with the newest certificate"
	}
	return s
}

func shortHex(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// clock renders a time as UTC date and time to the second.
func clock(t *Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// failureWords describes the commonest call failures of c: "unknown_ca
// sent by the server"; incomplete and truncated connections are not failures
// and are not described here.
func failureWords(c *Counts) string {
	type kv struct {
		k string
		n int
	}
	var items []kv
	alerts := 0
	for k, n := range c.failedAlerts {
		items = append(items, kv{k, n})
		alerts += n
	}
	for v, reasons := range c.VerdictReasons {
		if !callFailure(diagnose.Verdict(v)) {
			continue
		}
		for k, n := range reasons {
			if k == string(diagnose.ReasonFatalAlert) {
				continue
			}
			if k == string(diagnose.ReasonClosedAfterHandshake) || k == string(diagnose.ReasonEmptyClientCertificate) {
				// often together with an alert; count only what no alert explains
				if n <= alerts {
					continue
				}
			}
			items = append(items, kv{k, n})
		}
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].n != items[j].n {
			return items[i].n > items[j].n
		}
		return items[i].k < items[j].k
	})
	var words []string
	for i, it := range items {
		if i == 2 {
			words = append(words, "…")
			break
		}
		w := reasonWords(it.k)
		if side, name, ok := strings.Cut(it.k, " "); ok {
			w = name + " sent by the " + side
		}
		if len(items) > 1 {
			w += fmt.Sprintf(" (%d)", it.n)
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return "no visible reason"
	}
	return strings.Join(words, ", ")
}

// destLabel is "ip:port (cn)".
func destLabel(server string, names []string) string {
	if len(names) == 0 {
		return server
	}
	return fmt.Sprintf("%s (%s)", server, Sanitize(strings.Join(names, ", ")))
}

// oneIn renders attempts/failed rounded: "3".
func oneIn(attempts, failed int) string {
	if failed == 0 {
		return "0"
	}
	r := float64(attempts) / float64(failed)
	if r < 1.5 {
		return "1"
	}
	return fmt.Sprintf("%d", int(math.Round(r)))
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// reasonWords says a reason code in words.
func reasonWords(code string) string {
	switch code {
	case "syn_reset":
		return "SYN answered by RST (refused)"
	case "syn_unanswered":
		return "SYN never answered"
	case "reset_during_handshake":
		return "reset during the handshake"
	case "closed_during_handshake":
		return "closed during the handshake"
	case "closed_after_handshake":
		return "closed after the handshake before any data"
	}
	return strings.ReplaceAll(code, "_", " ")
}
