// Package textwrap wraps the sentences of siptls's text reports to a
// terminal's width, counting columns as a terminal shows them.
package textwrap

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Wrap returns text (one line) after first, broken at spaces into lines
// of at most width columns, each line after the first starting with rest
// (the indentation under the start of the sentence). A word longer than a
// line (a URL, a path, a fingerprint) is never broken: it goes on a line
// of its own and runs past the width. The spaces at a break, and trailing
// ones past the width, are dropped; others are kept. width ≤ 0 means no
// wrapping: first+text, unchanged. The result has no trailing newline.
func Wrap(text string, width int, first, rest string) string {
	if width <= 0 || Columns(first)+Columns(text) <= width {
		return first + text
	}
	var b strings.Builder
	b.Grow(len(first) + len(text) + 8*len(rest))
	b.WriteString(first)
	col := Columns(first)
	lineStart := true // nothing but the indentation on the line yet
	pending := ""     // the spaces before the next word
	for text != "" {
		i := strings.IndexByte(text, ' ')
		if i == 0 {
			j := len(text) - len(strings.TrimLeft(text, " "))
			pending, text = text[:j], text[j:]
			continue
		}
		word := text
		if i > 0 {
			word, text = text[:i], text[i:]
		} else {
			text = ""
		}
		wc := Columns(word)
		switch {
		case lineStart: // leading spaces of the text stay
			b.WriteString(pending)
			col += Columns(pending)
		case col+Columns(pending)+wc <= width:
			b.WriteString(pending)
			col += Columns(pending)
		default:
			b.WriteString("\n")
			b.WriteString(rest)
			col = Columns(rest)
		}
		b.WriteString(word)
		col += wc
		lineStart, pending = false, ""
	}
	if col+Columns(pending) <= width { // trailing spaces that fit
		b.WriteString(pending)
	}
	return b.String()
}

// writeWrapped writes Wrap(text, width, first, rest) and a newline.
func WriteLine(w io.Writer, width int, first, rest, text string) {
	if width <= 0 { // not a terminal: the pieces as they are, no string built
		io.WriteString(w, first)
		io.WriteString(w, text)
		io.WriteString(w, "\n")
		return
	}
	io.WriteString(w, Wrap(text, width, first, rest)+"\n")
}

// Columns is how many terminal columns s takes: one per rune (the arrows,
// dashes and ellipses of the report among them), two for an East Asian
// wide or fullwidth rune, none for a combining mark, a zero-width or
// control rune or an ANSI colour sequence (ESC [ ... m).
func Columns(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n += runeColumns(r)
	}
	return n
}

// wideRanges are the East Asian wide and fullwidth blocks (Unicode
// UAX #11), in short: Hangul Jamo, CJK and its punctuation, Hangul
// syllables, compatibility ideographs, fullwidth forms, the emoji blocks.
var wideRanges = [...][2]rune{
	{0x1100, 0x115f}, {0x2e80, 0x303e}, {0x3041, 0x33ff}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff},
	{0xa000, 0xa4cf}, {0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xfe30, 0xfe4f}, {0xff00, 0xff60},
	{0xffe0, 0xffe6}, {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff}, {0x20000, 0x3fffd},
}

func runeColumns(r rune) int {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return 0 // control bytes (Sanitize shows them escaped anyway)
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), r == 0x200b, r == 0x200c, r == 0x200d, r == 0xfeff:
		return 0
	}
	for _, wr := range wideRanges {
		if r >= wr[0] && r <= wr[1] {
			return 2
		}
	}
	return 1
}
