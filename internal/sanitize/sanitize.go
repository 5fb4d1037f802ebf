package sanitize

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// String makes an untrusted string safe to print on a terminal: control
// characters (C0, DEL and C1, ESC among them), bidirectional overrides and
// other invisible formatting characters (Unicode category Cf) are replaced
// by a visible \xNN, \uNNNN or \UNNNNNNNN escape, and so is each byte that is not part
// of valid UTF-8 (0x9b, the 8-bit CSI, becomes \x9b). Everything else,
// including non-ASCII letters, is kept. The result is valid UTF-8 without
// controls or Cf characters, so String(String(s)) == String(s).
//
// Every writer of text for a terminal (the report's text writers, the
// commands' listings and their messages on standard error) passes untrusted
// strings, file names and error messages included, through this function.
func String(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !needsEscape(r):
			b.WriteString(s[i : i+size])
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// clean reports whether String leaves s as it is: its printable ASCII is
// passed over a byte at a time, and only what follows the first other
// byte is decoded rune by rune.
func clean(s string) bool {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	rest := s[i:]
	return rest == "" || utf8.ValidString(rest) && strings.IndexFunc(rest, needsEscape) < 0
}

// needsEscape reports whether r is a control (C0, DEL, C1) or a Cf
// formatting character (bidirectional overrides, zero-width characters).
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// EscapeJSON rewrites encoded JSON so that DEL, C1 controls and Cf
// characters, which encoding/json writes raw, become \u escapes: a terminal
// that shows the JSON (jq, less) then cannot be driven by them. Such runes
// occur only inside JSON strings, so the rewrite keeps the document's
// meaning. C0 controls are already escaped by encoding/json, and invalid
// UTF-8 in a string is already written as U+FFFD; bytes that are not valid
// UTF-8 are copied unchanged.
func EscapeJSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		if i+8 <= len(b) && plainASCII8(b[i:i+8]) {
			i += 8
			continue
		}
		if b[i] < utf8.RuneSelf && b[i] != 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && size == 1) || !needsEscape(r) {
			i += size
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b)+16)
		}
		out = append(out, b[last:i]...)
		if r > 0xffff { // beyond the BMP: a UTF-16 surrogate pair, as JSON wants
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
		last = i
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// plainASCII8 reports whether none of the 8 bytes of b is DEL or above
// (0x7f to 0xff), eight at a time: the common case of a JSON document,
// which EscapeJSON then skips without decoding runes. Adding 1 to each byte
// sets its high bit exactly when it was 0x7f or above; a carry out of a
// byte happens only from 0xff, which is caught by the OR with the bytes
// themselves.
func plainASCII8(b []byte) bool {
	w := binary.LittleEndian.Uint64(b)
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return (w|(w+ones))&highs == 0
}

// JSONEscaper returns a writer that passes each Write through EscapeJSON
// before writing it to w. It is for writers of JSON that write whole
// encoded values at a time (json.Encoder, MarshalIndent output): a rune
// split across two writes is copied unchanged.
func JSONEscaper(w io.Writer) io.Writer { return jsonEscaper{w} }

type jsonEscaper struct{ w io.Writer }

func (e jsonEscaper) Write(p []byte) (int, error) {
	if _, err := e.w.Write(EscapeJSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
