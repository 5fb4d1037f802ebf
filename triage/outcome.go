package triage

import (
	"fmt"
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

// SortedByCount returns the keys of m, most frequent first, then by key.
func SortedByCount(m map[string]int) []string {
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

// plural is "1 connection", "2 connections".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
