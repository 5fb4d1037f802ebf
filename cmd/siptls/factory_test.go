package main

import "time"

// goldenToday is the clock of analyze's and triage's golden files.
var goldenToday = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testFactory returns the factory of a test run: ios (from Test), a clock
// fixed at now and the version "test".
func testFactory(ios *IOStreams, now time.Time) *Factory {
	return &Factory{IO: ios, Now: func() time.Time { return now }, Version: "test"}
}
