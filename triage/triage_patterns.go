package triage

import (
	"fmt"
	"github.com/siptls/siptls/internal/english"
	"math"
	"sort"
	"strings"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/sanitize"
)

// patterns writes the sentences that sum up a triage, most telling first:
// per client, destinations that always fail beside ones that work (one call
// in N); a destination only one client fails to reach; intermittent
// destinations; certificate changes; the destination most likely to blame,
// or a common cause when no destination stands out; last, the connections
// the capture cannot judge.
//
// Only call failures (see CallFailure) make a destination fail, be
// intermittent or be blamed, and each is named by its verdict: "failed 3 of
// 3 times with unknown_ca sent by the server", "never answered (4 SYNs,
// no_answer)". Incomplete and truncated connections count neither way: the
// rates are over the judged attempts (ok or call failure), and those
// connections are told apart at the end.
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
	callFailures := 0
	for v, n := range t.Summary.Verdicts {
		if CallFailure(v) {
			callFailures += n
		}
	}
	if callFailures == 0 {
		out = append(out, noFailureSentence(t.Summary, undecidedAlerts(t)))
		return append(out, certificateChanges(t, nil)...)
	}
	out = append(out, perClientSentences(t)...)
	byServer := pairsByServer(t)
	only, explained := oneClientSentences(t, byServer)
	out = append(out, only...)
	inter, intermittent := intermittentSentences(t, explained)
	out = append(out, inter...)
	out = append(out, certificateChanges(t, intermittent)...)
	if s := blameSentence(t, byServer.pairs); s != "" {
		out = append(out, s)
	}
	if s := undecidedSentence(t); s != "" {
		out = append(out, s)
	}
	return out
}

// perClientSentences tells, for each client that fails every attempt to
// some destinations while others succeed, how often its calls fail: "From
// 10.0.0.1: 10.0.1.1:5061 failed 1 of 1 times ...: about one call in 7
// fails (1 of 7)."
func perClientSentences(t *Triage) []string {
	var out []string
	byClient, clients := groupPairs(t, func(p *Pair) string { return p.Client })
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
			parts = append(parts, destLabel(p.Server, p.Names)+" "+everyAttemptFailed(&p.Counts))
		}
		if len(good) > 0 {
			n := 0
			var addrs []string
			for _, p := range good {
				n += p.judged()
				addrs = append(addrs, p.Server)
			}
			who := english.JoinAnd(addrs)
			if len(addrs) > 4 {
				who = fmt.Sprintf("the other %d destinations (%s … %s)", len(addrs), addrs[0], addrs[len(addrs)-1])
			}
			parts = append(parts, fmt.Sprintf("%s succeeded %d of %d", who, n, n))
		}
		for _, p := range mixed {
			parts = append(parts, p.Server+" "+someAttemptsFailed(&p.Counts))
		}
		s := fmt.Sprintf("From %s: %s: about one call in %s fails (%d of %d).", cl, strings.Join(parts, "; "), oneIn(attempts, failed), failed, attempts)
		out = append(out, s)
	}
	return out
}

// serverPairs are the pairs of each server, and the servers in order.
type serverPairs struct {
	pairs   map[string][]*Pair
	servers []string
}

// pairsByServer groups t's pairs by server; the servers are sorted.
func pairsByServer(t *Triage) serverPairs {
	byServer, servers := groupPairs(t, func(p *Pair) string { return p.Server })
	sort.Strings(servers)
	return serverPairs{byServer, servers}
}

// groupPairs groups t's pairs by key, and returns the keys in the order
// they were first met.
func groupPairs(t *Triage, key func(*Pair) string) (map[string][]*Pair, []string) {
	groups := map[string][]*Pair{}
	var keys []string
	for i := range t.Pairs {
		p := &t.Pairs[i]
		k := key(p)
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], p)
	}
	return groups, keys
}

// oneClientSentences tells the destinations that only one client fails to
// reach while others reach them, and returns those destinations
// (explained): their failures need no other sentence.
func oneClientSentences(t *Triage, sp serverPairs) (out []string, explained map[string]bool) {
	explained = map[string]bool{}
	dests := map[string]*TriageDestination{}
	for i := range t.Destinations {
		dests[t.Destinations[i].Server] = &t.Destinations[i]
	}
	byServer, servers := sp.pairs, sp.servers
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
				bad[0], destLabel(srv, badPair.Names), badPair.CallFailures, badPair.judged(), FailureWords(&badPair.Counts, ""), english.JoinAnd(good), n, n))
		}
	}
	return out, explained
}

// intermittentSentences tells the destinations with call failures beside
// successes, except those already explained, and returns them.
func intermittentSentences(t *Triage, explained map[string]bool) (out []string, intermittent map[string]bool) {
	intermittent = map[string]bool{}
	for i := range t.Destinations {
		d := &t.Destinations[i]
		if d.CallFailures == 0 || d.OK == 0 || explained[d.Server] {
			continue
		}
		intermittent[d.Server] = true
		when := fmt.Sprintf("between %s and %s", Clock(d.FirstFailure), Clock(d.LastFailure))
		if d.CallFailures == 1 {
			when = "at " + Clock(d.FirstFailure)
		}
		s := fmt.Sprintf("%s is intermittent: %s, %s", destLabel(d.Server, d.Names), attemptsFailed(&d.Counts, true), when)
		s += certificateStory(d) + "."
		out = append(out, s)
	}
	return out, intermittent
}

// undecidedSentence counts the connections the captures cannot judge, with
// their reasons, or is "" when there are none.
func undecidedSentence(t *Triage) string {
	if n, words := undecidedWords(t.Summary.Verdicts, t.Summary.VerdictReasons); n > 0 {
		what := "connections could not be judged and are not counted as failures"
		if n == 1 {
			what = "connection could not be judged and is not counted as a failure"
		}
		return fmt.Sprintf("%d %s: %s%s.", n, what, words, undecidedAlerts(t))
	}
	return ""
}

// certificateChanges tells the certificate changes not already told in an
// intermittent destination's sentence.
func certificateChanges(t *Triage, told map[string]bool) []string {
	var out []string
	for i := range t.Destinations {
		d := &t.Destinations[i]
		if d.CertificateChanged && !told[d.Server] {
			n := fmt.Sprint(len(d.Certificates))
			if d.CertificatesMore > 0 {
				n = "more than " + n
			}
			out = append(out, fmt.Sprintf("%s presented %s different certificates during the captures%s.", destLabel(d.Server, d.Names), n, certificateStory(d)))
		}
	}
	return out
}

// noFailureSentence is the first pattern when connections are not ok but
// none is a call failure: the capture cannot tell how they ended. alerts
// ends it (see undecidedAlerts).
func noFailureSentence(sum Summary, alerts string) string {
	n, words := undecidedWords(sum.Verdicts, sum.VerdictReasons)
	if sum.Connections == 1 {
		return fmt.Sprintf("The one connection could not be judged and is not counted as a failure: %s%s.", words, alerts)
	}
	if ok := sum.Verdicts[diagnose.VerdictOK]; ok > 0 {
		return fmt.Sprintf("No connection was seen to fail: %d ok, and %d that could not be judged: %s%s.", ok, n, words, alerts)
	}
	return fmt.Sprintf("No connection was seen to fail, and none could be judged: %s%s.", words, alerts)
}

// undecidedAlerts names the readable alerts seen on connections the capture
// cannot judge, such as a fatal alert that survived a snap length cut:
// "; alerts still visible on them: unknown_ca sent by the server (1)", or "".
// Encrypted alerts (most likely close_notify) say nothing and are left out.
func undecidedAlerts(t *Triage) string {
	all := map[AlertKey]int{}
	for i := range t.Destinations {
		for k, n := range t.Destinations[i].undecidedAlerts {
			if !k.encrypted() {
				all[k] += n
			}
		}
	}
	if len(all) == 0 {
		return ""
	}
	var words []string
	for _, k := range sortedByCountOf(all, AlertKey.String) {
		words = append(words, fmt.Sprintf("%s sent by the %s (%d)", k.Name, k.SentBy, all[k]))
	}
	return "; alerts still visible on them: " + strings.Join(words, ", ")
}

// undecidedWords counts the connections the capture cannot judge and says
// why: "2 incomplete (1 gap: bytes missing from the capture; 1 midstream:
// already open when the capture began), 1 truncated (snaplen: packets cut by
// the snap length)".
func undecidedWords(verdicts map[diagnose.Verdict]int, reasons VerdictReasons) (int, string) {
	total := 0
	var parts []string
	for _, v := range diagnose.Verdicts() {
		n := verdicts[v]
		if !undecided(v) || n == 0 {
			continue
		}
		total += n
		var codes []string
		for _, c := range SortedByCount(reasons[v]) {
			w := string(c) + ": " + reasonWords(c)
			if len(reasons[v]) > 1 {
				w = fmt.Sprintf("%d %s", reasons[v][c], w)
			}
			codes = append(codes, w)
		}
		s := fmt.Sprintf("%d %s", n, v)
		if len(codes) > 0 {
			s += " (" + strings.Join(codes, "; ") + ")"
		}
		parts = append(parts, s)
	}
	return total, strings.Join(parts, ", ")
}

// failureKind returns the verdict every call failure of c has, or "" when
// they have several.
func (c *Counts) failureKind() diagnose.Verdict {
	var kind diagnose.Verdict
	for _, v := range diagnose.Verdicts() {
		if CallFailure(v) && c.Verdicts[v] > 0 {
			if kind != "" {
				return ""
			}
			kind = v
		}
	}
	return kind
}

// failureBreakdown counts the call failures of c by verdict, the failed ones
// with their words when long is set: "1 failed with unknown_ca sent by the
// server, 1 refused, 1 not_tls".
func failureBreakdown(c *Counts, long bool) string {
	var parts []string
	for _, v := range diagnose.Verdicts() {
		n := c.Verdicts[v]
		if !CallFailure(v) || n == 0 {
			continue
		}
		s := fmt.Sprintf("%d %s", n, v)
		if long && v == diagnose.VerdictFailed {
			s += " with " + FailureWords(c, diagnose.VerdictFailed)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// everyAttemptFailed follows a destination whose judged attempts all failed,
// naming the verdict: "failed 3 of 3 times with unknown_ca sent by the
// server", "never answered (4 SYNs, no_answer)", "refused the connection
// (SYN answered by RST: refused)".
func everyAttemptFailed(c *Counts) string {
	n := c.CallFailures
	switch c.failureKind() {
	case diagnose.VerdictFailed:
		return fmt.Sprintf("failed %d of %d times with %s", n, n, FailureWords(c, diagnose.VerdictFailed))
	case diagnose.VerdictNoAnswer:
		if n == 1 {
			return fmt.Sprintf("never answered (%s, no_answer)", english.Plural(c.SYNsUnanswered, "SYN", "SYNs"))
		}
		return fmt.Sprintf("never answered (%d attempts, %s, no_answer)", n, english.Plural(c.SYNsUnanswered, "SYN", "SYNs"))
	case diagnose.VerdictRefused:
		if n == 1 {
			return "refused the connection (SYN answered by RST: refused)"
		}
		return fmt.Sprintf("refused all %d connections (SYN answered by RST: refused)", n)
	case diagnose.VerdictNotTLS:
		return fmt.Sprintf("saw no TLS on %d of %d connections (not_tls)", n, n)
	}
	return fmt.Sprintf("did not work %d of %d times (%s)", n, n, failureBreakdown(c, true))
}

// someAttemptsFailed follows a destination that also succeeded, briefly:
// "failed 1 of 3", "did not answer 1 of 4 (no_answer)".
func someAttemptsFailed(c *Counts) string {
	n, j := c.CallFailures, c.judged()
	switch c.failureKind() {
	case diagnose.VerdictFailed:
		return fmt.Sprintf("failed %d of %d", n, j)
	case diagnose.VerdictNoAnswer:
		return fmt.Sprintf("did not answer %d of %d (no_answer)", n, j)
	case diagnose.VerdictRefused:
		return fmt.Sprintf("refused %d of %d (SYN answered by RST: refused)", n, j)
	case diagnose.VerdictNotTLS:
		return fmt.Sprintf("saw no TLS on %d of %d (not_tls)", n, j)
	}
	return fmt.Sprintf("did not work %d of %d (%s)", n, j, failureBreakdown(c, false))
}

// attemptsFailed says how many judged attempts of c failed and how, naming
// the verdict: "3 of 10 attempts failed (unknown_ca sent by the server)"
// (", with unknown_ca …" when comma is set), "1 of 4 attempts were never
// answered (4 SYNs, no_answer)", "3 of 5 attempts did not work (1 failed with
// …, 1 refused, 1 not_tls)".
func attemptsFailed(c *Counts, comma bool) string {
	n, j := c.CallFailures, c.judged()
	switch c.failureKind() {
	case diagnose.VerdictFailed:
		if comma {
			return fmt.Sprintf("%d of %d attempts failed, with %s", n, j, FailureWords(c, diagnose.VerdictFailed))
		}
		return fmt.Sprintf("%d of %d attempts failed (%s)", n, j, FailureWords(c, diagnose.VerdictFailed))
	case diagnose.VerdictNoAnswer:
		return fmt.Sprintf("%d of %d attempts were never answered (%s, no_answer)", n, j, english.Plural(c.SYNsUnanswered, "SYN", "SYNs"))
	case diagnose.VerdictRefused:
		return fmt.Sprintf("%d of %d attempts were refused (SYN answered by RST: refused)", n, j)
	case diagnose.VerdictNotTLS:
		return fmt.Sprintf("%d of %d attempts were not TLS (not_tls)", n, j)
	}
	return fmt.Sprintf("%d of %d attempts did not work (%s)", n, j, failureBreakdown(c, true))
}

// shortTally is "3 of 10 failed", "1 of 1 no_answer", "3 of 5: 1 failed,
// 1 refused, 1 not_tls".
func shortTally(c *Counts) string {
	if k := c.failureKind(); k != "" {
		return fmt.Sprintf("%d of %d %s", c.CallFailures, c.judged(), k)
	}
	return fmt.Sprintf("%d of %d: %s", c.CallFailures, c.judged(), failureBreakdown(c, false))
}

// sameRate is how close, in percentage points, the call failure rates of
// destinations (call failures over judged attempts) must be to count as
// "about the same rate". A capture holds a few to a few tens of attempts per
// destination, where one attempt more or less moves a rate by several
// points, so rates within 10 points cannot be told apart. blameSentence uses
// it twice:
//   - when every destination with judged attempts fails (at least two of
//     them) and their rates are all within sameRate of each other, no
//     destination stands out and none is blamed: the sentence points to a
//     common cause instead, the calling node's own certificate or its trust
//     (its port or transport settings when no handshake was rejected), or a
//     network element in the path;
//   - otherwise the destinations within sameRate of the worst are blamed
//     together, rather than the worst alone by a few percent.
const sameRate = 10

// blameSentence names the destination most likely to blame (the highest
// share of call failures, then the most), those about as bad, or a common
// cause (see sameRate). A destination the capture cannot judge (only
// incomplete or truncated connections) is never blamed.
func blameSentence(t *Triage, byServer map[string][]*Pair) string {
	rate := func(d *TriageDestination) float64 { return float64(d.CallFailures) / float64(d.judged()) }
	within := func(a, b float64) bool { return math.Abs(a-b)*100 <= sameRate+1e-9 }
	var judged, failing []*TriageDestination
	for i := range t.Destinations {
		d := &t.Destinations[i]
		if d.judged() == 0 {
			continue
		}
		judged = append(judged, d)
		if d.CallFailures > 0 {
			failing = append(failing, d)
		}
	}
	if len(failing) == 0 {
		return ""
	}
	sort.SliceStable(failing, func(i, j int) bool {
		a, b := failing[i], failing[j]
		if ra, rb := rate(a), rate(b); ra != rb {
			return ra > rb
		}
		return a.CallFailures > b.CallFailures
	})
	worst, best := rate(failing[0]), rate(failing[len(failing)-1])
	if len(judged) > 1 && len(failing) == len(judged) && within(worst, best) {
		return commonCause(t, failing)
	}
	if len(t.Destinations) < 2 {
		return ""
	}
	var near []*TriageDestination // as bad as the worst, within sameRate
	for _, d := range failing {
		if within(worst, rate(d)) {
			near = append(near, d)
		}
	}
	if len(near) == 1 {
		d := near[0]
		s := fmt.Sprintf("Most likely to blame: %s, %s", destLabel(d.Server, d.Names), attemptsFailed(&d.Counts, false))
		if fromEveryClient(byServer[d.Server]) {
			s += ", from every client"
		}
		return s + "."
	}
	allFailed, every := true, true
	var names, servers []string
	for _, d := range near {
		allFailed = allFailed && d.failureKind() == diagnose.VerdictFailed
		every = every && d.CallFailures == d.judged()
		names = append(names, fmt.Sprintf("%s (%s)", d.Server, shortTally(&d.Counts)))
		servers = append(servers, d.Server)
	}
	if len(near) > maxBlamed {
		more := fmt.Sprintf("%d more (the destinations table lists them)", len(near)-maxBlamed)
		names, servers = append(names[:maxBlamed], more), append(servers[:maxBlamed], more)
	}
	switch {
	case every && allFailed:
		return fmt.Sprintf("Most likely to blame: %s, which failed every attempt.", english.JoinAnd(servers))
	case every:
		return fmt.Sprintf("Most likely to blame: %s, where no attempt worked.", english.JoinAnd(names))
	}
	return fmt.Sprintf("Most likely to blame: %s, which fail at about the same rate.", english.JoinAnd(names))
}

// maxBlamed is how many destinations the blame sentence names; the others
// about as bad are counted.
const maxBlamed = 5

// commonCause is the sentence for destinations that all fail at about the
// same rate.
func commonCause(t *Triage, failing []*TriageDestination) string {
	var s string
	every, allFailed := true, true
	for _, d := range failing {
		every = every && d.CallFailures == d.judged()
		allFailed = allFailed && d.failureKind() == diagnose.VerdictFailed
	}
	switch {
	case every && allFailed:
		s = fmt.Sprintf("No destination stands out: all %d failed every attempt", len(failing))
	case every:
		sum := Counts{Verdicts: map[diagnose.Verdict]int{}}
		for _, d := range failing {
			for v, n := range d.Verdicts {
				sum.Verdicts[v] += n
			}
		}
		s = fmt.Sprintf("No destination stands out: no attempt to any of the %d worked (%s)", len(failing), failureBreakdown(&sum, false))
	default:
		lo, hi := 1.0, 0.0
		var each []string
		for _, d := range failing {
			r := float64(d.CallFailures) / float64(d.judged())
			lo, hi = math.Min(lo, r), math.Max(hi, r)
		}
		byAddr := append([]*TriageDestination(nil), failing...)
		sort.SliceStable(byAddr, func(i, j int) bool { return byAddr[i].Server < byAddr[j].Server })
		for _, d := range byAddr {
			each = append(each, fmt.Sprintf("%s %d of %d", d.Server, d.CallFailures, d.judged()))
		}
		s = fmt.Sprintf("No destination stands out: all %d fail at about the same rate (%.0f%% to %.0f%%", len(failing), lo*100, hi*100)
		if len(each) <= 4 {
			s += ": " + english.JoinAnd(each)
		}
		s += ")"
	}
	clients := map[string]bool{}
	var from []string
	for _, p := range t.Pairs {
		if p.CallFailures > 0 && !clients[p.Client] {
			clients[p.Client] = true
			from = append(from, p.Client)
		}
	}
	// A handshake that was rejected points to certificates and trust; SYNs
	// refused or unanswered and plaintext point to the caller's settings.
	handshakes := false
	for _, d := range failing {
		handshakes = handshakes || d.Failed > 0
	}
	one, many := "the calling node's own certificate or its trust", "the calling nodes' own certificates or their trust"
	if !handshakes {
		one, many = "the calling node's own port or transport settings", "the calling nodes' own port or transport settings"
	}
	node := one
	switch {
	case len(from) == 1:
		node += fmt.Sprintf(" (every failure came from %s)", from[0])
	case len(from) <= 4:
		node = fmt.Sprintf("%s (failures came from %s)", many, english.JoinAnd(from))
	default:
		node = fmt.Sprintf("%s (failures came from %d clients)", many, len(from))
	}
	return s + ", so a common cause is more likely than any one destination: " + node + ", or a network element in the path."
}

// judged counts the attempts whose outcome the capture tells: ok or a call
// failure (not incomplete or truncated).
func (c *Counts) judged() int { return c.OK + c.CallFailures }

// fromEveryClient reports whether more than one client tried the
// destination and every one that can be judged saw a call failure.
func fromEveryClient(ps []*Pair) bool {
	n := 0
	for _, p := range ps {
		if p.judged() == 0 {
			continue
		}
		if p.CallFailures == 0 {
			return false
		}
		n++
	}
	return n > 1
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
		parts = append(parts, fmt.Sprintf("serial %s from %s (%d ok, %d failed)", ShortHex(c.Serial), Clock(&c.FirstSeen), c.OK, c.Failed))
	}
	s := "; its certificate changed during the captures: " + strings.Join(parts, ", then ")
	last := d.Certificates[len(d.Certificates)-1]
	if last.Failed > 0 && last.OK == 0 && last.Failed == d.Failed {
		s += "; every failure came with the newest certificate"
	}
	return s
}

// ShortHex shortens a hex string (a fingerprint, a serial) to its first 16
// digits and an ellipsis, for tables.
func ShortHex(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// Clock renders a time as UTC date and time to the second.
func Clock(t *Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// FailureWords describes the commonest call failures of c, of verdict only
// when it is not "": "unknown_ca sent by the server", "no_answer: SYN never
// answered". Incomplete and truncated connections are not failures and are
// not described here.
func FailureWords(c *Counts, only diagnose.Verdict) string {
	type kv struct {
		k, words string
		n        int
	}
	var items []kv
	alerts := 0
	for k, n := range c.failedAlerts {
		if only != "" && only != diagnose.VerdictFailed {
			break
		}
		items = append(items, kv{k.String(), k.Name + " sent by the " + k.SentBy.String(), n})
		alerts += n
	}
	for v, reasons := range c.VerdictReasons {
		if !CallFailure(v) || (only != "" && v != only) {
			continue
		}
		for k, n := range reasons {
			if k == diagnose.ReasonFatalAlert {
				continue
			}
			if k == diagnose.ReasonClosedAfterHandshake || k == diagnose.ReasonEmptyClientCertificate {
				// often together with an alert; count only what no alert explains
				if n <= alerts {
					continue
				}
			}
			w := reasonWords(k)
			if v != diagnose.VerdictFailed {
				w = string(v) + ": " + w
			}
			items = append(items, kv{string(v) + "/" + string(k), w, n})
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
		w := it.words
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
	return fmt.Sprintf("%s (%s)", server, sanitize.String(strings.Join(names, ", ")))
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

// reasonWords says a reason code in words: why a connection failed, or why
// the capture cannot tell how it ended.
func reasonWords(code diagnose.Reason) string {
	switch code {
	case diagnose.ReasonMidstream:
		return "already open when the capture began"
	case diagnose.ReasonCaptureEnded:
		return "the capture ended before the outcome"
	case diagnose.ReasonGap:
		return "bytes missing from the capture"
	case diagnose.ReasonTLS13Hidden:
		return "TLS 1.3 hides how it ended"
	case diagnose.ReasonSnaplen:
		return "packets cut by the snap length"
	case diagnose.ReasonCapHit:
		return "cut short by --max-buffer or --max-conns"
	case diagnose.ReasonSYNReset:
		return "SYN answered by RST"
	case diagnose.ReasonSYNUnanswered:
		return "SYN never answered"
	case diagnose.ReasonResetDuringHandshake:
		return "reset during the handshake"
	case diagnose.ReasonClosedDuringHandshake:
		return "closed during the handshake"
	case diagnose.ReasonClosedAfterHandshake:
		return "closed after the handshake before any data"
	case diagnose.ReasonNotTLS:
		return "the bytes are not TLS"
	}
	return strings.ReplaceAll(string(code), "_", " ")
}
