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

func TestBuildInfoString(t *testing.T) {
	tests := []struct {
		name string
		b    BuildInfo
		want string
	}{
		{"release", BuildInfo{Commit: "0e86ec9c1f2a3b4c5d6e", Time: "2026-11-29T05:10:00Z", GoVersion: "go1.26.8", Platform: "windows/amd64"},
			"commit 0e86ec9c1f2a (2026-11-29T05:10:00Z), go1.26.8, windows/amd64"},
		{"local changes", BuildInfo{Commit: "0e86ec9c1f2a3b4c5d6e", Time: "2026-11-29T05:10:00Z", Modified: true, GoVersion: "go1.26.8", Platform: "linux/arm64"},
			"commit 0e86ec9c1f2a (2026-11-29T05:10:00Z, modified), go1.26.8, linux/arm64"},
		{"no VCS information (-buildvcs=false)", BuildInfo{GoVersion: "go1.26.8", Platform: "darwin/arm64"}, "commit unknown, go1.26.8, darwin/arm64"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestVersionBuildLine: `siptls version` adds the build line when the
// factory has one.
func TestVersionBuildLine(t *testing.T) {
	ios, _, out, _ := Test()
	f := &Factory{IO: ios, Now: time.Now, Version: "v1.2.0", Build: BuildInfo{Commit: "abcdef0123456789", GoVersion: "go1.26.8", Platform: "windows/arm64"}}
	if code := run(f, []string{"version"}); code != exitOK || out.String() != "siptls v1.2.0\ncommit abcdef012345, go1.26.8, windows/arm64\n" {
		t.Errorf("exit %d, output %q", code, out.String())
	}
}
