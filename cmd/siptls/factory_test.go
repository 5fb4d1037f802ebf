package main

import (
	"strings"
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

// execFlags runs cmd, built with a runF that keeps its options, on args,
// with the command's own messages in ios's buffers.
func execFlags(cmd *cobra.Command, ios *IOStreams, args []string) error {
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	return cmd.Execute()
}

// checkFlagErr reports whether the flag test is over: err must contain
// wantErr when that is set, and be nil otherwise.
func checkFlagErr(t *testing.T, err error, wantErr string) (done bool) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want %q", err, wantErr)
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}
