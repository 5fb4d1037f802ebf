package report

import (
	"fmt"
	"strings"
	"unicode"
)

// Sanitize makes an untrusted string safe to print on a terminal: control
// characters (ESC among them), bidirectional overrides and other invisible
// formatting characters (Unicode category Cf) are replaced by a visible
// \xNN or \uNNNN escape. Everything else, including non-ASCII letters, is kept.
func Sanitize(s string) string {
	if strings.IndexFunc(s, needsEscape) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !needsEscape(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}
