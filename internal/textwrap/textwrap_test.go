package textwrap

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name        string
		text        string
		width       int
		first, rest string
		want        string
	}{
		{"no width: unchanged", "a sentence that is much longer than any terminal could ever show on one line", 0, "   ", "   ",
			"   a sentence that is much longer than any terminal could ever show on one line"},
		{"fits exactly", "abc def", 10, "   ", "   ", "   abc def"},
		{"one column more breaks", "abc defg", 10, "   ", "   ", "   abc\n   defg"},
		{"continuation indented under the sentence", "one two three four five six seven", 15, "  * ", "    ",
			"  * one two\n    three four\n    five six\n    seven"},
		{"hanging indent", "capture.pcap: pcap (Ethernet), 17 packets", 20, "", "  ",
			"capture.pcap: pcap\n  (Ethernet), 17\n  packets"},
		{"word longer than the width on its own line", "see /var/log/active/platform/cli/a-very-long-capture-name.cap for it", 20, "", "  ",
			"see\n  /var/log/active/platform/cli/a-very-long-capture-name.cap\n  for it"},
		{"URL never broken, even first", "https://www.cisco.com/c/en/us/support/unified-communications/index.html is it", 16, "   ", "   ",
			"   https://www.cisco.com/c/en/us/support/unified-communications/index.html\n   is it"},
		{"spaces kept inside a line, dropped at a break", "frame 12  alert   fatal unknown_ca", 18, "", "",
			"frame 12  alert\nfatal unknown_ca"},
		{"arrows and dashes count one column", "INVITE → 100, 180 — 200 … ok", 14, "", "",
			"INVITE → 100,\n180 — 200 … ok"},
		{"wide runes count two", "名前 名前 名前", 10, "", "", "名前 名前\n名前"},
		{"combining marks count none", "e\u0301e\u0301e\u0301e\u0301 abc", 8, "", "", "e\u0301e\u0301e\u0301e\u0301 abc"},
		{"colour sequences count none", "\x1b[31mfailed\x1b[0m now", 10, "", "", "\x1b[31mfailed\x1b[0m now"},
		{"leading spaces of the text kept", "  two  ", 40, "", "", "  two  "},
		{"empty text", "", 60, "   ", "   ", "   "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.text, tt.width, tt.first, tt.rest)
			if got != tt.want {
				t.Errorf("Wrap(%q, %d)\n got %q\nwant %q", tt.text, tt.width, got, tt.want)
			}
			// What wrapping changes is only where the lines break.
			if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(tt.first+tt.text), " ") {
				t.Errorf("words changed: %q", got)
			}
		})
	}
}

// TestWrapWidth: on random sentences of the report's words, no line runs
// past the width unless it is a single word, and every line after the
// first starts with the indentation.
func TestWrapWidth(t *testing.T) {
	words := strings.Fields("cucm7-pub.clus1.lab (server 10.10.1.11:5061) sent fatal unknown_ca in frame 200 right after the client's Certificate → upload that self-signed certificate (CN=cube1.lab, serial 503d5eefd510d12d08cdf3c7c731a607) as CallManager-trust — replacing any older copy … /usr/local/cm/tftp/CallManager-trust/cube1.lab.pem")
	for width := 20; width <= 120; width += 7 {
		for n := 1; n <= len(words); n += 3 {
			text := strings.Join(words[:n], " ")
			got := Wrap(text, width, "   ", "     ")
			for i, line := range strings.Split(got, "\n") {
				if i > 0 && !strings.HasPrefix(line, "     ") {
					t.Errorf("width %d: line %d %q not indented", width, i, line)
				}
				if Columns(line) > width && len(strings.Fields(line)) > 1 {
					t.Errorf("width %d: line %d %q is %d columns", width, i, line, Columns(line))
				}
			}
		}
	}
}

func TestColumns(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0}, {"abc", 3}, {"→—…", 3}, {"ü", 1}, {"u\u0308", 1}, {"日本", 4}, {"\x1b[1m\x1b[31mfailed\x1b[0m", 6}, {"a\u200bb", 2}, {"\xff", 1},
	}
	for _, tt := range tests {
		if got := Columns(tt.s); got != tt.want {
			t.Errorf("Columns(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// FuzzWrap: for any text and width, wrapping keeps the words in order,
// changes only spaces, starts every line after the first with the
// indentation, and makes no line of several words longer than the width.
func FuzzWrap(f *testing.F) {
	f.Add("cucm7-pub.clus1.lab (server 10.10.1.11:5061) sent fatal unknown_ca in frame 200", 30)
	f.Add("  a  b   c ", 3)
	f.Add("名前 → — … e\u0301 \x1b[31mred\x1b[0m", 5)
	f.Fuzz(func(t *testing.T, text string, width int) {
		if strings.Contains(text, "\n") {
			return // wrap takes one line (Sanitize shows a newline as \n)
		}
		width %= 200
		got := Wrap(text, width, "   ", "     ")
		if strings.ReplaceAll(strings.ReplaceAll(got, "\n     ", " "), " ", "") != strings.ReplaceAll("   "+text, " ", "") {
			t.Fatalf("Wrap(%q, %d) = %q: more than spaces changed", text, width, got)
		}
		if strings.Join(strings.Split(got, " "), "") == "" {
			return
		}
		for i, line := range strings.Split(got, "\n") {
			if i > 0 && !strings.HasPrefix(line, "     ") {
				t.Fatalf("Wrap(%q, %d): line %d %q not indented", text, width, i, line)
			}
			if width > 0 && Columns(line) > width && strings.Count(strings.TrimRight(strings.TrimLeft(line, " "), " "), " ") > 0 && i > 0 {
				t.Fatalf("Wrap(%q, %d): line %d %q is %d columns", text, width, i, line, Columns(line))
			}
		}
	})
}
