package tlsparse

import "math/rand/v2"

// newRand returns a deterministic random source for tests.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
