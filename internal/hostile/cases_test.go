//go:build linux

package hostile

import (
	"regexp"
	"testing"
)

// TestCasesWellFormed checks the table itself: unique names, exit statuses
// siptls can give, expressions that compile, bounds set.
func TestCasesWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Cases {
		if c.Name == "" || seen[c.Name] {
			t.Errorf("case %q: empty or repeated name", c.Name)
		}
		seen[c.Name] = true
		if len(c.Args) == 0 || len(c.Exit) == 0 {
			t.Errorf("%s: no arguments or no exit status", c.Name)
		}
		for _, e := range c.Exit {
			if e < 0 || e > 2 {
				t.Errorf("%s: exit status %d is not 0, 1 or 2", c.Name, e)
			}
		}
		for _, re := range []string{c.Match, c.NoMatch} {
			if _, err := regexp.Compile(re); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		}
		if c.MaxRSS <= 0 || c.MaxRSS > MaxRSS || c.MaxTime <= 0 || c.MaxTime > MaxTimeFlood {
			t.Errorf("%s: bounds %d bytes, %v", c.Name, c.MaxRSS, c.MaxTime)
		}
	}
}

// TestUnsafeText checks the terminal-safety check of every run's output.
func TestUnsafeText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		safe bool
	}{
		{"plain text\n\twith tab", true},
		{"CN=café ✓", true},
		{"sip\x9b2J", false},    // raw 8-bit CSI: invalid UTF-8
		{"sip\u009b2J", false},  // C1 CSI encoded as UTF-8
		{"red \x1b[31m", false}, // ESC
		{"carriage\rreturn", false},
		{`escaped \x9b`, true},
	} {
		if got := unsafeText([]byte(tc.in)) == ""; got != tc.safe {
			t.Errorf("unsafeText(%q) safe = %v, want %v", tc.in, got, tc.safe)
		}
	}
}
