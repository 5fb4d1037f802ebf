package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestIOStreamsWidth: text wraps only on a terminal, to its width, never
// narrower than 60 columns, and to 100 when the width cannot be told.
func TestIOStreamsWidth(t *testing.T) {
	size := func(w int, err error) func() (int, error) { return func() (int, error) { return w, err } }
	tests := []struct {
		name string
		tty  bool
		size func() (int, error)
		want int
	}{
		{"not a terminal", false, size(80, nil), 0},
		{"terminal of 80 columns", true, size(80, nil), 80},
		{"terminal of 213 columns", true, size(213, nil), 213},
		{"terminal of 40 columns: at least 60", true, size(40, nil), 60},
		{"size unknown", true, size(0, errors.New("inappropriate ioctl for device")), 100},
		{"size zero", true, size(0, nil), 100},
		{"no size function", true, nil, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.OutTTY, ios.outSize = tt.tty, tt.size
			if got := ios.Width(); got != tt.want {
				t.Errorf("Width() = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestIOStreamsColor: colour needs a terminal and neither NO_COLOR nor
// TERM=dumb; those two leave the width alone.
func TestIOStreamsColor(t *testing.T) {
	tests := []struct {
		tty, noColor bool
		want         bool
	}{{false, false, false}, {true, false, true}, {true, true, false}, {false, true, false}}
	for _, tt := range tests {
		ios, _, _, _ := Test()
		ios.OutTTY, ios.NoColor = tt.tty, tt.noColor
		if got := ios.Color(); got != tt.want {
			t.Errorf("tty %v, NoColor %v: Color() = %v, want %v", tt.tty, tt.noColor, got, tt.want)
		}
		if tt.tty && ios.Width() != defaultWidth {
			t.Errorf("tty %v, NoColor %v: Width() = %d", tt.tty, tt.noColor, ios.Width())
		}
	}
	for _, env := range []struct{ noColor, term string }{{"1", "xterm"}, {"", "dumb"}} {
		t.Setenv("NO_COLOR", env.noColor)
		t.Setenv("TERM", env.term)
		if !System().NoColor {
			t.Errorf("NO_COLOR=%q TERM=%q: NoColor false", env.noColor, env.term)
		}
	}
}

// TestIsTerminal: a regular file and a character device that is not a
// terminal (/dev/null, where `siptls analyze x.cap >/dev/null` writes) are
// not terminals.
func TestIsTerminal(t *testing.T) {
	paths := []string{filepath.Join(t.TempDir(), "out.txt")}
	if _, err := os.Stat(os.DevNull); err == nil {
		paths = append(paths, os.DevNull)
	}
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if isTerminal(f) {
			t.Errorf("%s: taken for a terminal", p)
		}
		f.Close()
	}
}

// runOnTerminal runs `siptls args...` with standard output a fake terminal
// of width columns (no colour, so that the lines are plain), and returns
// stdout.
func runOnTerminal(t *testing.T, width int, args ...string) string {
	t.Helper()
	ios, _, out, errOut := Test()
	ios.OutTTY, ios.NoColor = true, true
	ios.outSize = func() (int, error) { return width, nil }
	if code := run(testFactory(ios, goldenToday), args); code == exitTrouble {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	return out.String()
}

// TestTerminalWrapping: on a terminal, analyze and triage wrap their
// sentences to its width, each continuation indented under the start of
// its sentence; what they say is word for word what they print to a file
// or a pipe, which the golden files hold byte for byte.
func TestTerminalWrapping(t *testing.T) {
	chdirRoot(t)
	for _, args := range [][]string{
		{"analyze", "-v", "testdata/sample-cucm-trunk.cap"},
		{"analyze", "--trust", "testdata/trust/cucm7-pub-CallManager-trust", "testdata/sample-cucm-trunk.cap", "testdata/snaplen128-cut.pcap"},
		{"triage", "testdata/triage/captures"},
	} {
		_, plain, _ := runCmd(goldenToday, args...)
		for _, width := range []int{60, 80, 132} {
			got := runOnTerminal(t, width, args...)
			if err := checkWrapped(strings.Split(plain, "\n"), strings.Split(got, "\n"), width); err != "" {
				t.Errorf("%v at %d columns: %s", args, width, err)
			}
		}
	}
}

// checkWrapped tells how wrapped, the terminal's lines, differs from what
// wrapping plain to width should give ("" when it does not): each plain
// line is either printed as it is or broken into lines of its words in
// order, no longer than width unless of one word, continued at the indent
// of its first word (of a list item, "* " or "1. ": of the word after the
// marker; of a line at column 0: two columns in); at least one is.
func checkWrapped(plain, wrapped []string, width int) string {
	j, broken := 0, 0
	for _, p := range plain {
		if j < len(wrapped) && wrapped[j] == p {
			j++
			continue
		}
		want := strings.Fields(p)
		indent := indentOf(p)
		if m := listMarker.FindString(p[indent:]); m != "" {
			indent += len(m)
		} else if indent == 0 {
			indent = 2
		}
		var words []string
		for first := true; len(words) < len(want); first = false {
			if j >= len(wrapped) {
				return fmt.Sprintf("output ends inside %q", p)
			}
			l := wrapped[j]
			j++
			if !first && (indentOf(l) != indent || l == "") {
				return fmt.Sprintf("%q continues %q at column %d, want %d", l, p, indentOf(l), indent)
			}
			if n := len([]rune(l)); n > width && len(strings.Fields(l)) > 1 {
				return fmt.Sprintf("%q is %d columns", l, n)
			}
			words = append(words, strings.Fields(l)...)
		}
		if strings.Join(words, " ") != strings.Join(want, " ") {
			return fmt.Sprintf("%q wrapped as %q", p, strings.Join(words, " "))
		}
		broken++
	}
	if j != len(wrapped) {
		return fmt.Sprintf("%d lines more than the plain output", len(wrapped)-j)
	}
	if broken == 0 {
		return "nothing wrapped"
	}
	return ""
}

// listMarker is the marker of a bulleted or numbered list item.
var listMarker = regexp.MustCompile(`^(\* |[0-9]+\. )`)

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

// TestTerminalWrappingGolden holds the sample's report as an 80-column
// terminal shows it.
func TestTerminalWrappingGolden(t *testing.T) {
	chdirRoot(t)
	got := runOnTerminal(t, 80, "analyze", "testdata/sample-cucm-trunk.cap")
	checkGolden(t, "sample-cucm-trunk.cap.width80.golden.txt", []byte(got))
}
