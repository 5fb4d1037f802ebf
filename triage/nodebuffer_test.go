package triage

import (
	"net/netip"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/trust"
)

// TestNodeBuffer checks that connections wait for the decision, that the
// decision made once maxHeld wait stands for the rest of the capture, and
// that --node lets nothing wait.
func TestNodeBuffer(t *testing.T) {
	node, peer := netip.MustParseAddr("10.10.1.11"), netip.MustParseAddr("10.20.1.21")
	conn := func(id int, client, server string, e diagnose.NodeEvidence) *diagnose.Connection {
		return &diagnose.Connection{ID: uint64(id), Client: netip.MustParseAddrPort(client), Server: netip.MustParseAddrPort(server), Node: e}
	}
	routed := diagnose.NodeEvidence{TTL: [2]uint8{64, 63}}
	plain := diagnose.NodeEvidence{TTL: [2]uint8{64, 64}}
	tests := []struct {
		name  string
		fixed netip.Addr
		conns []*diagnose.Connection
		// emitted is the node each connection was judged with, in order;
		// before is how many were emitted before flush.
		emitted []netip.Addr
		before  int
		want    netip.Addr
	}{
		{
			name:    "held until the end of the capture",
			conns:   []*diagnose.Connection{conn(1, "10.10.1.11:40000", "10.20.1.21:5061", plain), conn(2, "10.10.1.11:40001", "10.20.1.21:5061", routed)},
			emitted: []netip.Addr{node, node}, before: 0, want: node,
		},
		{
			name:    "--node: nothing waits",
			fixed:   peer,
			conns:   []*diagnose.Connection{conn(1, "10.10.1.11:40000", "10.20.1.21:5061", routed), conn(2, "10.10.1.11:40001", "10.20.1.21:5061", routed)},
			emitted: []netip.Addr{peer, peer}, before: 2, want: peer,
		},
		{
			name:    "not told",
			conns:   []*diagnose.Connection{conn(1, "10.10.1.11:40000", "10.20.1.21:5061", plain)},
			emitted: []netip.Addr{{}}, before: 0, want: netip.Addr{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var emitted []netip.Addr
			b := &NodeBuffer{Fixed: tt.fixed, Emit: func(c *diagnose.Connection, n netip.Addr) { emitted = append(emitted, n) }}
			for _, c := range tt.conns {
				b.Add(c)
			}
			if len(emitted) != tt.before {
				t.Errorf("%d emitted before flush, want %d", len(emitted), tt.before)
			}
			d := b.Flush()
			if d.Addr != tt.want {
				t.Errorf("decision %v, want %v", d.Addr, tt.want)
			}
			if len(emitted) != len(tt.emitted) {
				t.Fatalf("emitted %v, want %v", emitted, tt.emitted)
			}
			for i := range emitted {
				if emitted[i] != tt.emitted[i] {
					t.Errorf("connection %d judged with node %v, want %v", i+1, emitted[i], tt.emitted[i])
				}
			}
		})
	}

	t.Run("one address at an end of every connection: nothing waits after it", func(t *testing.T) {
		var emitted []netip.Addr
		b := &NodeBuffer{Judge: trust.NewJudge(nil, nil, time.Time{}), Emit: func(c *diagnose.Connection, n netip.Addr) { emitted = append(emitted, n) }}
		b.Add(conn(1, "10.10.1.11:40000", "10.20.1.21:5061", plain))
		b.Add(conn(2, "10.10.1.11:40001", "10.20.1.22:5061", plain))
		if len(emitted) != 2 || emitted[0] != node || emitted[1] != node {
			t.Fatalf("emitted %v, want both with %v", emitted, node)
		}
		// a connection without it: judged as the others, and the decision
		// on the whole capture says so
		b.Add(conn(3, "10.30.1.5:40000", "10.20.1.21:5061", plain))
		d := b.Flush()
		if len(emitted) != 3 || emitted[2] != node || d.Addr.IsValid() || d.Unknown != diagnose.NodeNoCommonEnd || d.Connections != 3 {
			t.Errorf("emitted %v, decision %v (%s) on %d connections; want unknown (no_common_end) on 3", emitted, d.Addr, d.Unknown, d.Connections)
		}
		if j := d.Judged; j == nil || j.Addr != node || j.Signal != diagnose.SignalSingleEnd || j.Connections != 2 {
			t.Errorf("judged with %+v, want %v by single_end on 2", j, node)
		}
	})

	t.Run("the decision after maxHeld stands", func(t *testing.T) {
		var emitted []netip.Addr
		b := &NodeBuffer{Judge: trust.NewJudge(nil, nil, time.Time{}), Emit: func(c *diagnose.Connection, n netip.Addr) { emitted = append(emitted, n) }}
		for i := range maxHeld {
			b.Add(conn(i+1, "10.10.1.11:40000", "10.20.1.21:5061", routed))
		}
		if len(emitted) != maxHeld || emitted[0] != node {
			t.Fatalf("%d emitted after maxHeld connections (first with %v), want %d with %v", len(emitted), emitted[0], maxHeld, node)
		}
		// a later connection that TTL names the other end by: judged as
		// the others, and the decision on the whole capture says so
		b.Add(conn(maxHeld+1, "10.20.1.21:40000", "10.10.1.11:5061", routed))
		d := b.Flush()
		if d.Addr.IsValid() || d.Unknown != diagnose.NodeConflict || emitted[maxHeld] != node {
			t.Errorf("decision %v (%s), last judged with %v; want unknown (conflict), judged with %v", d.Addr, d.Unknown, emitted[maxHeld], node)
		}
		if j := d.Judged; j == nil || j.Addr != node || j.Connections != maxHeld {
			t.Errorf("judged with %+v, want %v on %d", j, node, maxHeld)
		}
		// later connections that agree: the decision shows the whole capture
		for i := range maxHeld + 1 {
			b.Add(conn(i+1, "10.10.1.11:40000", "10.20.1.21:5061", routed))
		}
		if d := b.Flush(); d.Addr != node || d.Connections != maxHeld+1 || d.Judged != nil {
			t.Errorf("decision %v on %d connections (judged %+v); want %v on %d", d.Addr, d.Connections, d.Judged, node, maxHeld+1)
		}
		if len(b.held) != 0 {
			t.Errorf("%d still held", len(b.held))
		}
	})
}

// TestNodeBufferNothingJudged checks that without a judge no earlier
// decision is reported: nothing was judged with it.
func TestNodeBufferNothingJudged(t *testing.T) {
	b := &NodeBuffer{Emit: func(*diagnose.Connection, netip.Addr) {}}
	for i, ends := range [][2]string{{"10.10.1.11:40000", "10.20.1.21:5061"}, {"10.10.1.11:40001", "10.20.1.22:5061"}, {"10.30.1.5:40000", "10.20.1.21:5061"}} {
		b.Add(&diagnose.Connection{ID: uint64(i + 1), Client: netip.MustParseAddrPort(ends[0]), Server: netip.MustParseAddrPort(ends[1])})
	}
	if d := b.Flush(); d.Addr.IsValid() || d.Judged != nil {
		t.Errorf("decision %v, judged %+v; want unknown and nothing judged", d.Addr, d.Judged)
	}
}
