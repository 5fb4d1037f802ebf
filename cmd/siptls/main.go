package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/siptls/siptls/internal/memlimit"
)

// memoryPolicy is how the Go runtime's soft memory limit follows the live
// heap unless GOMEMLIMIT says otherwise (package memlimit):
//   - the floor keeps a run whose live heap is small within 64 MiB of RSS,
//     the binary's own pages (about 11 MiB) included: a handshake-dense
//     capture at 120 new connections per second keeps about 27 MiB live;
//   - above the floor, garbage may grow to half the live heap between
//     collections (GOGC=100 allows all of it): at 120 new connections per
//     second, where about 27 MiB is live, three quarters let the peak
//     reach 62 to 64 MiB once the capture was read ahead in batches, half
//     keeps it at 56 MiB for no measurable CPU (the ClientHello flood
//     takes 5 % longer, the connect-scan flood 19 %);
//   - the ceiling keeps analyze and triage under 256 MiB of RSS on any
//     input: the default caps (--max-conns, --max-buffer-total) hold the
//     live heap near 150 MiB on the worst (a ClientHello flood).
//
// Unless GOGC is set, the heap is collected only when memory reaches the
// limit (LimitOnly): a run whose live heap is small uses the floor rather
// than collecting each time its heap doubles (on a handshake-dense 200 MB
// capture 5 to 8 % less CPU, 57 MiB of RSS instead of 45).
var memoryPolicy = memlimit.Policy{Floor: 52 * memlimit.MiB, Ceiling: 224 * memlimit.MiB, Garbage: 0.5}

func main() {
	var mem *memlimit.Governor
	if os.Getenv("GOMEMLIMIT") == "" {
		p := memoryPolicy
		p.LimitOnly = os.Getenv("GOGC") == ""
		mem = memlimit.Start(p)
	}
	stop := startProfile(os.Getenv("SIPTLS_CPUPROFILE"))
	f := newFactory(System())
	f.Memory = mem
	code := run(f, os.Args[1:])
	stop()
	mem.Stop()
	os.Exit(code)
}

// startProfile writes a CPU profile of the run to path (for go tool pprof)
// when path is not empty, and returns the function that ends it. A profile
// that cannot be written is reported on stderr and does not stop the run.
func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "siptls: SIPTLS_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
