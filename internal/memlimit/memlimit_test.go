package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPolicyLimit(t *testing.T) {
	p := Policy{Floor: 52 * MiB, Ceiling: 224 * MiB, Garbage: 0.5}
	tests := []struct {
		name        string
		live, other int64
		want        int64
	}{
		{"empty heap: the floor", 0, 0, 52 * MiB},
		{"small heap stays at the floor", 25 * MiB, 5 * MiB, 52 * MiB},
		{"just at the floor", 30 * MiB, 7 * MiB, 52 * MiB},
		{"above the floor: live, other and half the live heap", 40 * MiB, 6 * MiB, 66 * MiB},
		{"near the ceiling", 140 * MiB, 8 * MiB, 218 * MiB},
		{"above the ceiling: the ceiling", 200 * MiB, 8 * MiB, 224 * MiB},
		{"no overflow", math.MaxInt64 / 2, math.MaxInt64 / 2, 224 * MiB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Limit(tt.live, tt.other); got != tt.want {
				t.Errorf("Limit(%d MiB, %d MiB) = %.2f MiB, want %.2f MiB",
					tt.live/MiB, tt.other/MiB, float64(got)/MiB, float64(tt.want)/MiB)
			}
		})
	}
	g := Policy{Floor: 10 * MiB, Ceiling: 1000 * MiB, Garbage: 1}
	if got, want := g.Limit(100*MiB, 0), int64(200*MiB); got != want {
		t.Errorf("Garbage 1: Limit(100 MiB) = %d, want %d (what GOGC=100 allows)", got, want)
	}
}

// waitLimit waits for the Governor's collection hook to have set a limit
// that ok accepts, collecting meanwhile, and returns the last limit seen.
func waitLimit(t *testing.T, g *Governor, ok func(int64) bool) int64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		l := debug.SetMemoryLimit(-1)
		if ok(l) && l == g.Limit() {
			return l
		}
		if time.Now().After(deadline) {
			return l
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGovernor runs a Governor against the real runtime: the limit starts at
// the floor, rises above it while a large heap is live, comes back when the
// heap is freed, scales with SetShares, and Stop puts the old limit back.
func TestGovernor(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	percent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(percent)
	const floor = 32 * MiB
	g := Start(Policy{Floor: floor, Ceiling: 1 << 40, Garbage: 0.5, LimitOnly: true})
	defer g.Stop()
	if l := debug.SetMemoryLimit(-1); l < floor {
		t.Fatalf("after Start the limit is %d, want at least the floor %d", l, floor)
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("LimitOnly: the GC percent is %d while the Governor runs, want -1 (off)", p)
	}

	// A 96 MiB live heap needs 144 MiB and more with half of it as garbage.
	live := make([][]byte, 96)
	for i := range live {
		live[i] = make([]byte, MiB)
		live[i][0] = 1
	}
	l := waitLimit(t, g, func(l int64) bool { return l >= 144*MiB })
	if l < 144*MiB {
		t.Fatalf("with 96 MiB live the limit is %.1f MiB, want at least 144 MiB", float64(l)/MiB)
	}
	runtime.KeepAlive(live)
	live = nil

	l = waitLimit(t, g, func(l int64) bool { return l == floor })
	if l != floor {
		t.Fatalf("with the heap freed the limit is %.1f MiB, want the floor, %d MiB", float64(l)/MiB, floor/MiB)
	}

	g.SetShares(3)
	if l := debug.SetMemoryLimit(-1); l != 3*floor {
		t.Errorf("SetShares(3): limit %.1f MiB, want %d MiB", float64(l)/MiB, 3*floor/MiB)
	}
	g.SetShares(0)
	if l := debug.SetMemoryLimit(-1); l != floor {
		t.Errorf("SetShares(0): limit %.1f MiB, want the floor, %d MiB", float64(l)/MiB, floor/MiB)
	}

	g.Stop()
	if l := debug.SetMemoryLimit(-1); l != before {
		t.Errorf("after Stop the limit is %d, want the one before Start, %d", l, before)
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("after Stop the GC percent is %d, want the one before Start, 100", p)
	}
	// Once stopped, collections leave the limit alone.
	debug.SetMemoryLimit(before - 1)
	runtime.GC()
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if l := debug.SetMemoryLimit(-1); l != before-1 {
		t.Errorf("a stopped Governor changed the limit to %d", l)
	}
	g.Stop() // a second Stop does nothing
	if l := debug.SetMemoryLimit(-1); l != before-1 {
		t.Errorf("a second Stop changed the limit to %d", l)
	}
}

// A nil Governor (GOMEMLIMIT set, or a test's Factory) does nothing.
func TestNilGovernor(t *testing.T) {
	var g *Governor
	g.SetShares(4)
	g.Stop()
}
