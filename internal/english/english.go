// Package english holds the few helpers that siptls's sentences share
// across packages (diagnose's verdicts, triage's patterns, report's text),
// so that a count or a list is worded the same everywhere.
package english

import (
	"strconv"
	"strings"
)

// Plural returns n and the word for it: "1 certificate", "3 certificates".
func Plural(n int, one, many string) string {
	if n == 1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

// JoinAnd joins items as a sentence lists them: "a", "a and b",
// "a, b and c" ("" for none).
func JoinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
