package main

import (
	"time"

	"github.com/siptls/siptls/internal/memlimit"
)

// Factory holds what every command takes from outside the program: the
// standard streams, the clock and the binary's version. Main builds the real
// one; tests build one with buffers, a fixed clock and a fixed version, and
// pass it to the same constructors (newCmdRoot, newCmdAnalyze ...), as
// cli/cli's cmdutil.Factory is passed.
type Factory struct {
	IO *IOStreams
	// Now is the clock: today's date for validity checks and "expires soon"
	// warnings, the HTML report's date, and the progress display.
	Now func() time.Time
	// Version is the binary's version, printed by `siptls version` and
	// written into the reports.
	Version string
	// Build is the commit and toolchain `siptls version` prints (zero in
	// tests: the line is left out).
	Build BuildInfo
	// Open shows a file with the system's handler (the browser for the
	// HTML report of `siptls FILE`); OwnConsole reports whether siptls runs
	// in a console window of its own that closes when it exits (Windows,
	// started from a file manager). Tests give fakes.
	Open       func(path string) error
	OwnConsole func() bool
	// Memory moves the Go runtime's soft memory limit with the live heap
	// (nil: the limit is left alone, as in tests and under GOMEMLIMIT);
	// triage gives it one share per capture read at once.
	Memory *memlimit.Governor
}

// newFactory returns the factory of a real run: the given streams, the
// system clock and the version from the build information.
func newFactory(ios *IOStreams) *Factory {
	return &Factory{IO: ios, Now: time.Now, Version: version(), Build: buildInfo(), Open: openInBrowser, OwnConsole: ownConsole}
}
