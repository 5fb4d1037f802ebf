package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/siptls/siptls/diagnose"
)

// callFailure reports whether a verdict means that a call could not have
// been set up over the connection: failed (the TLS handshake was rejected),
// refused (nothing listens on the port), no_answer (the path drops the SYN)
// and not_tls (a transport mismatch: one end does not speak TLS). These are
// what "one call in N fails" and "most likely to blame" count; each is still
// named as itself.
func callFailure(v diagnose.Verdict) bool {
	switch v {
	case diagnose.VerdictFailed, diagnose.VerdictRefused, diagnose.VerdictNoAnswer, diagnose.VerdictNotTLS:
		return true
	}
	return false
}

// undecided reports whether a verdict means that the capture cannot tell how
// the connection ended: incomplete (already open when the capture began, the
// capture ended first, bytes missing, TLS 1.3 hiding the outcome, a cap hit)
// and truncated (packets cut by the snap length). Such a connection is never
// counted as a failure, never makes a destination intermittent, and never
// gets one blamed.
func undecided(v diagnose.Verdict) bool {
	return v == diagnose.VerdictIncomplete || v == diagnose.VerdictTruncated
}

// countVerdictReason adds one to m[verdict][reason].
func countVerdictReason(m map[string]map[string]int, v diagnose.Verdict, r diagnose.Reason) {
	byReason := m[string(v)]
	if byReason == nil {
		byReason = map[string]int{}
		m[string(v)] = byReason
	}
	byReason[string(r)]++
}

func newSummary() Summary {
	return Summary{Verdicts: map[string]int{}, VerdictReasons: map[string]map[string]int{}}
}

// count adds one connection to the summary.
func (s *Summary) count(v diagnose.Verdict, r diagnose.Reason) {
	s.Connections++
	s.Verdicts[string(v)]++
	countVerdictReason(s.VerdictReasons, v, r)
	if v != diagnose.VerdictOK {
		s.Problems++
	}
}

// verdictCounts names each verdict with its count, in report order, skipping
// those skip returns true for: "7 ok", "4 failed", "1 no_answer". An
// incomplete count is followed by its reasons, since the verdict alone does
// not say why the capture cannot tell: "2 incomplete (midstream)",
// "2 incomplete (1 gap, 1 midstream)".
func verdictCounts(verdicts map[string]int, reasons map[string]map[string]int, color bool, skip func(diagnose.Verdict) bool) []string {
	var parts []string
	for _, v := range diagnose.Verdicts() {
		n := verdicts[string(v)]
		if n == 0 || (skip != nil && skip(v)) {
			continue
		}
		s := fmt.Sprintf("%d %s", n, colorVerdict(string(v), color))
		if v == diagnose.VerdictIncomplete {
			if r := reasonCounts(reasons[string(v)]); r != "" {
				s += " (" + r + ")"
			}
		}
		parts = append(parts, s)
	}
	return parts
}

// reasonCounts is "midstream" for one reason, "1 gap, 1 midstream" for
// several (most frequent first, then by code).
func reasonCounts(m map[string]int) string {
	codes := sortedByCount(m)
	if len(codes) == 1 {
		return codes[0]
	}
	for i, c := range codes {
		codes[i] = fmt.Sprintf("%d %s", m[c], c)
	}
	return strings.Join(codes, ", ")
}

// sortedByCount returns the keys of m, most frequent first, then by key.
func sortedByCount(m map[string]int) []string {
	return sortedByCountOf(m, func(k string) string { return k })
}

// sortedByCountOf returns the keys of m by descending count, then by text.
func sortedByCountOf[K comparable](m map[K]int, text func(K) string) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return text(keys[i]) < text(keys[j])
	})
	return keys
}

// otherOutcomes names the verdicts of c other than ok and failed, which have
// their own columns: "1 no_answer", "2 incomplete (midstream)"; "" for none.
func otherOutcomes(c Counts) string {
	return strings.Join(verdictCounts(c.Verdicts, c.VerdictReasons, false, func(v diagnose.Verdict) bool {
		return v == diagnose.VerdictOK || v == diagnose.VerdictFailed
	}), ", ")
}

// otherClass is the CSS class of otherOutcomes' cell: bad when it holds a
// call failure (refused, no_answer, not_tls), warn when it holds only
// connections the capture cannot judge, "" when empty.
func otherClass(c Counts) string {
	class := ""
	for v, n := range c.Verdicts {
		switch vv := diagnose.Verdict(v); {
		case n == 0 || vv == diagnose.VerdictOK || vv == diagnose.VerdictFailed:
		case callFailure(vv):
			return "bad"
		default:
			class = "warn"
		}
	}
	return class
}
