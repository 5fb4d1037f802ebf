package triage

import (
	"sort"

	"github.com/siptls/siptls/diagnose"
)

// CallFailure reports whether a verdict means that a call could not have
// been set up over the connection: failed (the TLS handshake was rejected),
// refused (nothing listens on the port), no_answer (the path drops the SYN)
// and not_tls (a transport mismatch: one end does not speak TLS). These are
// what "one call in N fails" and "most likely to blame" count; each is still
// named as itself.
func CallFailure(v diagnose.Verdict) bool {
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

// VerdictReasons counts reasons per verdict. In JSON it is an object of
// objects keyed by the verdict and reason words: {"incomplete": {"midstream": 2}}.
type VerdictReasons map[diagnose.Verdict]map[diagnose.Reason]int

// count adds one to m[v][r].
func (m VerdictReasons) count(v diagnose.Verdict, r diagnose.Reason) {
	byReason := m[v]
	if byReason == nil {
		byReason = map[diagnose.Reason]int{}
		m[v] = byReason
	}
	byReason[r]++
}

func newSummary() Summary {
	return Summary{Verdicts: map[diagnose.Verdict]int{}, VerdictReasons: VerdictReasons{}}
}

// count adds one connection to the summary.
func (s *Summary) count(v diagnose.Verdict, r diagnose.Reason) {
	s.Connections++
	s.Verdicts[v]++
	s.VerdictReasons.count(v, r)
	if v != diagnose.VerdictOK {
		s.Problems++
	}
}

// SortedByCount returns the keys of m, most frequent first, then by key.
func SortedByCount[K ~string](m map[K]int) []K {
	return sortedByCountOf(m, func(k K) string { return string(k) })
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
