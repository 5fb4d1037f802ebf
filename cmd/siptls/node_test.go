package main

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

const cucm7Trust = "testdata/trust/cucm7-pub-CallManager-trust"

// TestCaptureNode checks the capture node and its evidence on real captures
// (node-*.pcap, made by real kernels with testdata/gen/netns.sh) and on the
// generator's, with and without the trust folder, --expect-name and --node.
func TestCaptureNode(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name string
		args []string
		// want is "NODE CODE" or "- unknown REASON"; signals lists every
		// signal's code:node.
		want, signals string
		// note is what stderr must say ("" for nothing)
		note string
		// judged is sent_by:status:node_unknown of each leaf the trust
		// folder judged
		judged string
	}{
		{
			name: "one subnet: the node's own checksums are wrong",
			args: []string{"testdata/node-same-subnet-offload.pcap"},
			want: "10.10.1.11 checksum_offload", signals: "checksum_offload:10.10.1.11",
		},
		{
			name: "one subnet, with the node's trust folder",
			args: []string{"--trust", cucm7Trust, "testdata/node-same-subnet-offload.pcap"},
			want: "10.10.1.11 checksum_offload", signals: "checksum_offload:10.10.1.11 trust_folder:10.10.1.11",
			judged: "client:exact_match:false",
		},
		{
			name: "a routed peer: TTL, and the reaction times agree",
			args: []string{"testdata/node-routed-client-side.pcap"},
			want: "10.10.1.11 ttl", signals: "ttl:10.10.1.11 reaction_time:10.10.1.11",
		},
		{
			name: "--node overrides",
			args: []string{"--node", "10.20.1.21", "--trust", cucm7Trust, "testdata/node-routed-client-side.pcap"},
			want: "10.20.1.21 flag", signals: "flag:10.20.1.21 ttl:10.10.1.11 reaction_time:10.10.1.11 trust_folder:10.10.1.11",
			judged: "client:untrusted:false",
		},
		{
			name: "many peers",
			args: []string{"testdata/sample-cucm-trunk.cap"},
			want: "10.10.1.11 single_end", signals: "single_end:10.10.1.11",
		},
		{
			name: "one synthetic call: nothing tells",
			args: []string{"testdata/fail-unknown-ca-openssl-server.pcap"},
			want: "- unknown no_signal", signals: "",
		},
		{
			name: "the trust folder holds the peer's certificate",
			args: []string{"--trust", cucm7Trust, "testdata/fail-unknown-ca-openssl-server.pcap"},
			want: "10.10.1.11 trust_folder", signals: "trust_folder:10.10.1.11",
			judged: "server:exact_match:false",
		},
		{
			name: "the peer's certificate matches --expect-name",
			args: []string{"--expect-name", "cucm8-sub1.clus2.lab", "testdata/fail-unknown-ca-openssl-server.pcap"},
			want: "10.10.1.11 expect_name", signals: "expect_name:10.10.1.11",
		},
		{
			name: "not told: the folder judges both ends",
			args: []string{"--trust", cucm7Trust, "testdata/tcp-gap-in-server-certificate.pcap"},
			want: "- unknown no_signal", signals: "",
			note:   "testdata/tcp-gap-in-server-certificate.pcap: the capture node could not be told (every connection has the same two ends",
			judged: "client:untrusted:true",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out, errOut := runAnalyze(t, append([]string{"--format", "json"}, tt.args...)...)
			var r triage.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("output is not JSON: %v (stderr %q)", err, errOut)
			}
			c := r.Captures[0]
			e := c.CaptureNodeEvidence
			if e == nil {
				t.Fatal("no capture_node_evidence")
			}
			got := c.CaptureNode + " " + e.Code
			if c.CaptureNode == "" {
				got = "- " + e.Code + " " + e.UnknownReason
			}
			if got != tt.want || c.Node != c.CaptureNode {
				t.Errorf("node %q (capture_node %q), want %q", c.Node, got, tt.want)
			}
			var signals []string
			for _, s := range e.Signals {
				signals = append(signals, s.Code+":"+s.Node)
			}
			if g := strings.Join(signals, " "); g != tt.signals {
				t.Errorf("signals %q, want %q", g, tt.signals)
			}
			if tt.note == "" && strings.Contains(errOut, "capture node") || !strings.Contains(errOut, tt.note) {
				t.Errorf("stderr %q, want %q", errOut, tt.note)
			}
			var judged []string
			for _, conn := range r.Connections {
				for _, cert := range conn.Certificates {
					if cert.Trust != nil {
						judged = append(judged, cert.SentBy.String()+":"+cert.Trust.Status+":"+map[bool]string{true: "true", false: "false"}[cert.Trust.NodeUnknown])
					}
				}
			}
			if g := strings.Join(judged, " "); g != tt.judged {
				t.Errorf("judged %q, want %q", g, tt.judged)
			}
		})
	}
}

// TestCaptureNodeGolden shows the capture node in the text and JSON of the
// two real captures, judged with the node's trust folder.
func TestCaptureNodeGolden(t *testing.T) {
	chdirRoot(t)
	for _, name := range []string{"node-same-subnet-offload.pcap", "node-routed-client-side.pcap"} {
		t.Run(name, func(t *testing.T) {
			args := []string{"--trust", cucm7Trust, "testdata/" + name}
			_, text, _ := runAnalyze(t, args...)
			checkGolden(t, name+".golden.txt", []byte(text))
			_, js, _ := runAnalyze(t, append([]string{"--format", "json"}, args...)...)
			checkGolden(t, name+".golden.json", []byte(js))
		})
	}
}

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
			b := &nodeBuffer{fixed: tt.fixed, emit: func(c *diagnose.Connection, n netip.Addr) { emitted = append(emitted, n) }}
			for _, c := range tt.conns {
				b.add(c)
			}
			if len(emitted) != tt.before {
				t.Errorf("%d emitted before flush, want %d", len(emitted), tt.before)
			}
			d := b.flush()
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
		b := &nodeBuffer{judge: trust.NewJudge(nil, nil, time.Time{}), emit: func(c *diagnose.Connection, n netip.Addr) { emitted = append(emitted, n) }}
		b.add(conn(1, "10.10.1.11:40000", "10.20.1.21:5061", plain))
		b.add(conn(2, "10.10.1.11:40001", "10.20.1.22:5061", plain))
		if len(emitted) != 2 || emitted[0] != node || emitted[1] != node {
			t.Fatalf("emitted %v, want both with %v", emitted, node)
		}
		// a connection without it: judged as the others, and the decision
		// on the whole capture says so
		b.add(conn(3, "10.30.1.5:40000", "10.20.1.21:5061", plain))
		d := b.flush()
		if len(emitted) != 3 || emitted[2] != node || d.Addr.IsValid() || d.Unknown != diagnose.NodeNoCommonEnd || d.Connections != 3 {
			t.Errorf("emitted %v, decision %v (%s) on %d connections; want unknown (no_common_end) on 3", emitted, d.Addr, d.Unknown, d.Connections)
		}
		if j := d.Judged; j == nil || j.Addr != node || j.Signal != diagnose.SignalSingleEnd || j.Connections != 2 {
			t.Errorf("judged with %+v, want %v by single_end on 2", j, node)
		}
	})

	t.Run("the decision after maxHeld stands", func(t *testing.T) {
		var emitted []netip.Addr
		b := &nodeBuffer{judge: trust.NewJudge(nil, nil, time.Time{}), emit: func(c *diagnose.Connection, n netip.Addr) { emitted = append(emitted, n) }}
		for i := range maxHeld {
			b.add(conn(i+1, "10.10.1.11:40000", "10.20.1.21:5061", routed))
		}
		if len(emitted) != maxHeld || emitted[0] != node {
			t.Fatalf("%d emitted after maxHeld connections (first with %v), want %d with %v", len(emitted), emitted[0], maxHeld, node)
		}
		// a later connection that TTL names the other end by: judged as
		// the others, and the decision on the whole capture says so
		b.add(conn(maxHeld+1, "10.20.1.21:40000", "10.10.1.11:5061", routed))
		d := b.flush()
		if d.Addr.IsValid() || d.Unknown != diagnose.NodeConflict || emitted[maxHeld] != node {
			t.Errorf("decision %v (%s), last judged with %v; want unknown (conflict), judged with %v", d.Addr, d.Unknown, emitted[maxHeld], node)
		}
		if j := d.Judged; j == nil || j.Addr != node || j.Connections != maxHeld {
			t.Errorf("judged with %+v, want %v on %d", j, node, maxHeld)
		}
		// later connections that agree: the decision shows the whole capture
		for i := range maxHeld + 1 {
			b.add(conn(i+1, "10.10.1.11:40000", "10.20.1.21:5061", routed))
		}
		if d := b.flush(); d.Addr != node || d.Connections != maxHeld+1 || d.Judged != nil {
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
	b := &nodeBuffer{emit: func(*diagnose.Connection, netip.Addr) {}}
	for i, ends := range [][2]string{{"10.10.1.11:40000", "10.20.1.21:5061"}, {"10.10.1.11:40001", "10.20.1.22:5061"}, {"10.30.1.5:40000", "10.20.1.21:5061"}} {
		b.add(&diagnose.Connection{ID: uint64(i + 1), Client: netip.MustParseAddrPort(ends[0]), Server: netip.MustParseAddrPort(ends[1])})
	}
	if d := b.flush(); d.Addr.IsValid() || d.Judged != nil {
		t.Errorf("decision %v, judged %+v; want unknown and nothing judged", d.Addr, d.Judged)
	}
}
