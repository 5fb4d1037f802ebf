package main

import (
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// goldenToday is the clock of analyze's and triage's golden files.
var goldenToday = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testFactory returns the factory of a test run: ios (from Test), a clock
// fixed at now and the version "test".
func testFactory(ios *IOStreams, now time.Time) *Factory {
	return &Factory{IO: ios, Now: func() time.Time { return now }, Version: "test"}
}

// runCmd runs `siptls args...` with a test factory whose clock is now, and
// returns the exit code, stdout and stderr.
func runCmd(now time.Time, args ...string) (int, string, string) {
	ios, _, out, errOut := Test()
	code := run(testFactory(ios, now), args)
	return code, out.String(), errOut.String()
}

// parseFlags builds a command with newCmd, from a test factory and a runF
// that keeps the options, runs it on args and returns the options and the
// factory's streams. Flags that must be refused are TestRootFlags' rows.
func parseFlags[O any](t *testing.T, newCmd func(*Factory, func(*O) error) *cobra.Command, args []string) (*O, *IOStreams) {
	t.Helper()
	ios, _, _, _ := Test()
	var got *O
	cmd := newCmd(testFactory(ios, goldenToday), func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	return got, ios
}
