package report

import "github.com/siptls/siptls/diagnose"

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
