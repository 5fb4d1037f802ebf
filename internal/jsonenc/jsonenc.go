// Package jsonenc appends JSON values to byte slices exactly as
// encoding/json's Marshal writes them, for the encoders that
// internal/jsongen generates. Exactness is the point: the generated code
// replaces json.Marshal on the hot path of siptls's JSON output, and the
// siptls/v1 document must stay byte for byte what json.Marshal wrote.
package jsonenc

import (
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// safe[b] is true for the ASCII bytes that json.Marshal writes as they are
// inside a string: printable ASCII and DEL, except '"', '\\' and, because
// Marshal escapes HTML, '<', '>' and '&'.
var safe = func() (s [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		s[b] = true
	}
	for _, b := range `"\<>&` {
		s[b] = false
	}
	return s
}()

// Bytes repeated over a uint64, for safe8.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// safe8 reports whether the eight bytes of x are all safe (see safe): no
// byte with its high bit set (not ASCII), none below 0x20, and none equal
// to '"', '\\', '<', '>' or '&'. A byte b is below n (n at most 0x80) where
// (b - n) borrows into its high bit with b's own high bit clear; a byte
// equal to v is one that is zero in x XOR v. Those tests can be wrong about
// which byte, never about whether there is one.
func safe8(x uint64) bool {
	q, bs, lt, gt, amp := x^'"'*ones, x^'\\'*ones, x^'<'*ones, x^'>'*ones, x^'&'*ones
	bad := x | (x-0x20*ones)&^x |
		(q-ones)&^q | (bs-ones)&^bs | (lt-ones)&^lt | (gt-ones)&^gt | (amp-ones)&^amp
	return bad&highs == 0
}

// AppendString appends s as a JSON string, as json.Marshal writes a string:
// control characters, '"', '\\', '<', '>' and '&' escaped, U+2028 and U+2029
// escaped, and each byte of invalid UTF-8 replaced by \ufffd.
func AppendString[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// eight bytes at a time while they are all safe
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if safe8(x) {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other controls, and <, > and &
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// decodeRune decodes the first rune of s without converting all of s.
func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	n := min(len(s), utf8.UTFMax)
	var buf [utf8.UTFMax]byte
	copy(buf[:], s[:n])
	return utf8.DecodeRune(buf[:n])
}

// AppendInt appends the decimal form of n.
func AppendInt[I ~int | ~int8 | ~int16 | ~int32 | ~int64](b []byte, n I) []byte {
	return strconv.AppendInt(b, int64(n), 10)
}

// AppendUint appends the decimal form of n.
func AppendUint[U ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](b []byte, n U) []byte {
	return strconv.AppendUint(b, uint64(n), 10)
}

// AppendBool appends true or false.
func AppendBool[B ~bool](b []byte, v B) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// AppendNull appends null, what json.Marshal writes for a nil pointer or slice.
func AppendNull(b []byte) []byte { return append(b, "null"...) }

// AppendText appends, as a JSON string, the text that appendText (an
// encoding.TextAppender's AppendText method) appends: what json.Marshal
// writes for a value with the equivalent MarshalText method.
func AppendText(b []byte, appendText func([]byte) ([]byte, error)) ([]byte, error) {
	start := len(b)
	b, err := appendText(b)
	if err != nil {
		return b[:start], err
	}
	text := b[start:]
	for _, c := range text {
		if c >= utf8.RuneSelf || !safe[c] {
			// Rare: the text needs escaping; quote a copy of it.
			return AppendString(b[:start], string(text)), nil
		}
	}
	b = append(b, '"')
	copy(b[start+1:], b[start:len(b)-1])
	b[start] = '"'
	return append(b, '"'), nil
}

// AppendMarshaledText appends, as a JSON string, the text that
// marshalText (an encoding.TextMarshaler's MarshalText method) returns, as
// json.Marshal writes it.
func AppendMarshaledText(b []byte, marshalText func() ([]byte, error)) ([]byte, error) {
	text, err := marshalText()
	if err != nil {
		return b, err
	}
	return AppendString(b, text), nil
}

// AppendTyped appends obj, a JSON object as json.Marshal encodes one, with
// a "type" member typ before its own: {"type":"connection",...}, the form
// of an NDJSON record.
func AppendTyped(b []byte, typ string, obj []byte) []byte {
	b = append(b, `{"type":`...)
	b = AppendString(b, typ)
	if len(obj) > 2 { // not {}
		b = append(b, ',')
	}
	return append(b, obj[1:]...)
}
