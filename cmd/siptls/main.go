package main

import (
	"os"
	"runtime/debug"
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
	os.Exit(Main(os.Args[1:], System()))
}
