package report

import (
	"fmt"
	"strings"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/triage"
)

// verdictCounts names each verdict with its count, in report order, skipping
// those skip returns true for: "7 ok", "4 failed", "1 no_answer". An
// incomplete count is followed by its reasons, since the verdict alone does
// not say why the capture cannot tell: "2 incomplete (midstream)",
// "2 incomplete (1 gap, 1 midstream)".
func verdictCounts(verdicts map[diagnose.Verdict]int, reasons triage.VerdictReasons, color bool, skip func(diagnose.Verdict) bool) []string {
	var parts []string
	for _, v := range diagnose.Verdicts() {
		n := verdicts[v]
		if n == 0 || (skip != nil && skip(v)) {
			continue
		}
		s := fmt.Sprintf("%d %s", n, colorVerdict(v, color))
		if v == diagnose.VerdictIncomplete {
			if r := reasonCounts(reasons[v]); r != "" {
				s += " (" + r + ")"
			}
		}
		parts = append(parts, s)
	}
	return parts
}

// reasonCounts is "midstream" for one reason, "1 gap, 1 midstream" for
// several (most frequent first, then by code).
func reasonCounts(m map[diagnose.Reason]int) string {
	codes := triage.SortedByCount(m)
	if len(codes) == 1 {
		return string(codes[0])
	}
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%d %s", m[c], c)
	}
	return strings.Join(parts, ", ")
}

// otherOutcomes names the verdicts of c other than ok and failed, which have
// their own columns: "1 no_answer", "2 incomplete (midstream)"; "" for none.
func otherOutcomes(c triage.Counts) string {
	return strings.Join(verdictCounts(c.Verdicts, c.VerdictReasons, false, func(v diagnose.Verdict) bool {
		return v == diagnose.VerdictOK || v == diagnose.VerdictFailed
	}), ", ")
}

// otherClass is the CSS class of otherOutcomes' cell: bad when it holds a
// call failure (refused, no_answer, not_tls), warn when it holds only
// connections the capture cannot judge, "" when empty.
func otherClass(c triage.Counts) string {
	class := ""
	for v, n := range c.Verdicts {
		switch {
		case n == 0 || v == diagnose.VerdictOK || v == diagnose.VerdictFailed:
		case triage.CallFailure(v):
			return "bad"
		default:
			class = "warn"
		}
	}
	return class
}
