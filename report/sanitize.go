package report

import (
	"io"

	"github.com/siptls/siptls/internal/sanitize"
)

// Sanitize makes an untrusted string safe to print on a terminal: control
// characters (C0, DEL and C1, ESC among them), bidirectional overrides and
// other invisible formatting characters (Unicode category Cf) are replaced
// by a visible \xNN, \uNNNN or \UNNNNNNNN escape, and so is each byte that is not part
// of valid UTF-8 (0x9b, the 8-bit CSI, becomes \x9b). Everything else,
// including non-ASCII letters, is kept. The result is valid UTF-8 without
// controls or Cf characters, so Sanitize(Sanitize(s)) == Sanitize(s).
//
// Every writer of text for a terminal (the report's text writers, the
// commands' listings and their messages on standard error) passes untrusted
// strings, file names and error messages included, through this function
// (internal/sanitize.String, which triage's sentences use too).
func Sanitize(s string) string { return sanitize.String(s) }

// EscapeJSON rewrites encoded JSON so that DEL, C1 controls and Cf
// characters, which encoding/json writes raw, become \u escapes
// (internal/sanitize.EscapeJSON).
func EscapeJSON(b []byte) []byte { return sanitize.EscapeJSON(b) }

// JSONEscaper returns a writer that passes what it writes through
// EscapeJSON (internal/sanitize.JSONEscaper).
func JSONEscaper(w io.Writer) io.Writer { return sanitize.JSONEscaper(w) }
