package capgen

import (
	"io"
	"testing"
)

func BenchmarkWriteBench(b *testing.B) {
	const size = 20 << 20
	b.SetBytes(size)
	for b.Loop() {
		if _, err := WriteBench(io.Discard, BenchConfig{Size: size, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
