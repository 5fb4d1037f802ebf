package tlsparse

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// newRand returns a deterministic random source for tests.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

// sprint formats values separated by spaces, byte slices as decimal lists.
func sprint(args ...any) string {
	s := fmt.Sprintln(args...)
	return s[:len(s)-1]
}

// wantedErr checks err against a test case's wantErr, fatally. With wantErr
// set, err must wrap it, and wantedErr reports true: the case ends there. With
// wantErr nil, err must be nil, and wantedErr reports false.
func wantedErr(t *testing.T, err, wantErr error) bool {
	t.Helper()
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("err = %v, want %v", err, wantErr)
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}

// parseAs parses msg with ParseHandshake at version v and checks the error
// with wantedErr. It returns the message as an M, and false when the case
// ends at its wanted error.
func parseAs[M Message](t *testing.T, msg []byte, v Version, wantErr error) (M, bool) {
	t.Helper()
	m, err := ParseHandshake(msg, v)
	if wantedErr(t, err, wantErr) {
		var zero M
		return zero, false
	}
	return m.(M), true
}
