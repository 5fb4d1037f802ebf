package main

import (
	"errors"
	"os"
	"path/filepath"
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
