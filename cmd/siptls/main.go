package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
)

// softMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT
// says otherwise: with the default caps (--max-conns, --max-buffer-total)
// the live heap stays near 120 MiB on the worst inputs, and this limit
// keeps the garbage collector from letting the heap grow to twice that.
const softMemoryLimit = 224 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	stop := startProfile(os.Getenv("SIPTLS_CPUPROFILE"))
	code := Main(os.Args[1:], System())
	stop()
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
