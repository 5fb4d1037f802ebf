package diagnose

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/siptls/siptls/pcap"
)

// TestEmitOrder checks the reorder window: connections are emitted in ID
// order, except that when more than ReorderWindow finished connections wait
// for an earlier one still open, the lowest waiting goes first.
func TestEmitOrder(t *testing.T) {
	tests := []struct {
		name   string
		window int
		ends   []uint64 // the order connections end in
		want   []uint64 // the order they are emitted in
	}{
		{"in order", 2, []uint64{1, 2, 3}, []uint64{1, 2, 3}},
		{"reordered within the window", 2, []uint64{2, 3, 1}, []uint64{1, 2, 3}},
		{"window full", 2, []uint64{3, 1, 5, 6, 7, 2, 4}, []uint64{1, 3, 5, 2, 4, 6, 7}},
		{"window of one", 1, []uint64{4, 3, 2, 1}, []uint64{3, 2, 1, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []uint64
			a := NewAnalyzer(Options{ReorderWindow: tt.window, Emit: func(c *Connection) { got = append(got, c.ID) }})
			a.next = 1
			for _, id := range tt.ends {
				a.End(&pcap.Conn{ID: id, Roles: pcap.RoleFromSYN}, &pcap.ConnStats{})
			}
			a.flush()
			if !slices.Equal(got, tt.want) {
				t.Errorf("emitted %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWaitHeap checks that the heap gives back any set of IDs sorted.
func TestWaitHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		ids := make([]uint64, n)
		for i := range ids {
			ids[i] = r.Uint64N(50) + 1
		}
		var h waitHeap
		for _, id := range ids {
			h.push(waiter{id: id})
		}
		var got []uint64
		for len(h) > 0 {
			got = append(got, h.pop().id)
		}
		slices.Sort(ids)
		if !slices.Equal(got, ids) {
			t.Fatalf("popped %v, want %v", got, ids)
		}
	}
}
