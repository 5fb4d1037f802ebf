package tlsparse

import (
	"fmt"
	"math/rand/v2"
)

// newRand returns a deterministic random source for tests.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

// sprint formats values separated by spaces, byte slices as decimal lists.
func sprint(args ...any) string {
	s := fmt.Sprintln(args...)
	return s[:len(s)-1]
}
