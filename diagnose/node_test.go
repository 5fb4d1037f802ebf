package diagnose

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// nodeConn is a hand-built connection for NodeFinder, with the votes that
// cmd would add for it.
type nodeConn struct {
	client, server string
	ev             NodeEvidence
	votes          []NodeVote
}

const (
	nodeUS = time.Microsecond
	nodeMS = time.Millisecond
)

// Evidence as the captures show it (index Side: client, server).
var (
	// TTL 64 on the client's packets, 63 on the server's: captured on the client.
	ttlClient = NodeEvidence{TTL: [2]uint8{64, 63}}
	// same subnet, no offload, no clear timing
	plain = NodeEvidence{TTL: [2]uint8{64, 64}, ChecksumChecked: [2]uint8{4, 4}}
	// transmit-checksum offload on the server: its segments are wrong
	offloadServer = NodeEvidence{TTL: [2]uint8{64, 64}, ChecksumChecked: [2]uint8{4, 4}, ChecksumBad: [2]uint8{0, 4}}
	// the server's kernel answered the SYN in 30 µs, the client took 3 ms
	fastServer = NodeEvidence{TTL: [2]uint8{64, 64}, Handshake: true,
		HandshakeReaction: [2]time.Duration{3 * nodeMS, 30 * nodeUS},
		Reaction:          [2]time.Duration{3 * nodeMS, 30 * nodeUS}, Reactions: [2]uint32{3, 3}}
)

func with(e NodeEvidence, f func(*NodeEvidence)) NodeEvidence {
	f(&e)
	return e
}

func TestNodeFinder(t *testing.T) {
	tests := []struct {
		name  string
		flag  string
		conns []nodeConn
		// want is "ADDR by SIGNAL" or "unknown REASON"; clues lists each
		// clue as signal:node[:against].
		want  string
		clues string
	}{
		{name: "no connection", want: "unknown no_connections"},
		{
			name:  "one address ends every connection, three peers",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", plain, nil}, {"10.10.1.11:40001", "10.20.1.22:5061", plain, nil}, {"10.30.1.5:40000", "10.10.1.11:5061", plain, nil}},
			want:  "10.10.1.11 by single_end", clues: "single_end:10.10.1.11",
		},
		{
			name:  "a connection to itself",
			conns: []nodeConn{{"127.0.0.1:40000", "127.0.0.1:5061", plain, nil}},
			want:  "127.0.0.1 by single_end", clues: "single_end:127.0.0.1",
		},
		{
			name:  "one peer, the same subnet, nothing else: not told",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", plain, nil}, {"10.10.1.11:40001", "10.20.1.21:5061", plain, nil}},
			want:  "unknown no_signal",
		},
		{
			name:  "a routed peer's TTL arrives decremented",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", ttlClient, nil}},
			want:  "10.10.1.11 by ttl", clues: "ttl:10.10.1.11",
		},
		{
			name:  "IOS initial TTL 255 against 126",
			conns: []nodeConn{{"10.20.1.21:40000", "10.30.1.5:5061", NodeEvidence{TTL: [2]uint8{126, 255}}, nil}},
			want:  "10.30.1.5 by ttl", clues: "ttl:10.30.1.5",
		},
		{
			name:  "a TTL that changed says nothing",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", with(ttlClient, func(e *NodeEvidence) { e.TTLChanged[Server] = true }), nil}},
			want:  "unknown no_signal",
		},
		{
			name:  "two decremented TTLs say nothing (a capture between routers)",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", NodeEvidence{TTL: [2]uint8{62, 63}}, nil}},
			want:  "unknown no_signal",
		},
		{
			name:  "checksum offload on the capture host",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", offloadServer, nil}},
			want:  "10.10.1.11 by checksum_offload", clues: "checksum_offload:10.10.1.11",
		},
		{
			name:  "wrong checksums both ways (loopback) say nothing",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", with(offloadServer, func(e *NodeEvidence) { e.ChecksumBad[Client] = 4 }), nil}},
			want:  "unknown no_signal",
		},
		{
			name:  "one wrong checksum among right ones says nothing",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", with(offloadServer, func(e *NodeEvidence) { e.ChecksumBad[Server] = 3 }), nil}},
			want:  "unknown no_signal",
		},
		{
			name:  "too few segments checked",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", NodeEvidence{ChecksumChecked: [2]uint8{1, 1}, ChecksumBad: [2]uint8{0, 1}}, nil}},
			want:  "unknown no_signal",
		},
		{
			name:  "the server answers in 30 µs, the client after 3 ms",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", fastServer, nil}},
			want:  "10.10.1.11 by reaction_time", clues: "reaction_time:10.10.1.11",
		},
		{
			name: "loopback-fast: both under 200 µs",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", with(fastServer, func(e *NodeEvidence) {
				e.Reaction = [2]time.Duration{150 * nodeUS, 8 * nodeUS}
				e.HandshakeReaction = e.Reaction
			}), nil}},
			want: "unknown no_signal",
		},
		{
			name: "no clear ratio",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", with(fastServer, func(e *NodeEvidence) {
				e.Reaction = [2]time.Duration{3 * nodeMS, 800 * nodeUS}
				e.HandshakeReaction = e.Reaction
			}), nil}},
			want: "unknown no_signal",
		},
		{
			name: "the peer answers a flight much faster than its round trip in the handshake: not one host's timing",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", NodeEvidence{Handshake: true,
				HandshakeReaction: [2]time.Duration{40 * nodeUS, 2 * nodeMS},
				Reaction:          [2]time.Duration{40 * nodeUS, 200 * nodeUS}, Reactions: [2]uint32{3, 3}}, nil}},
			want: "unknown no_signal",
		},
		{
			name: "the fast end took 3.6 ms: captured a hop away from it",
			conns: []nodeConn{{"192.168.0.43:40000", "18.138.183.195:443", NodeEvidence{Handshake: true,
				HandshakeReaction: [2]time.Duration{3600 * nodeUS, 184 * nodeMS},
				Reaction:          [2]time.Duration{3600 * nodeUS, 181 * nodeMS}, Reactions: [2]uint32{3, 3}}, nil}},
			want: "unknown no_signal",
		},
		{
			name: "the node's flights are slow, its handshake fast",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", NodeEvidence{Handshake: true,
				HandshakeReaction: [2]time.Duration{40 * nodeUS, 2 * nodeMS},
				Reaction:          [2]time.Duration{40 * nodeUS, 1500 * nodeUS}, Reactions: [2]uint32{1, 3}}, nil}},
			want: "10.10.1.11 by reaction_time", clues: "reaction_time:10.10.1.11",
		},
		{
			name: "no reaction signal from two reactions of the peer",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", NodeEvidence{Handshake: true,
				HandshakeReaction: [2]time.Duration{40 * nodeUS, 2 * nodeMS},
				Reaction:          [2]time.Duration{40 * nodeUS, 1500 * nodeUS}, Reactions: [2]uint32{1, 2}}, nil}},
			want: "unknown no_signal",
		},
		{
			name:  "no reaction signal without the TCP handshake",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", with(fastServer, func(e *NodeEvidence) { e.Handshake = false }), nil}},
			want:  "unknown no_signal",
		},
		{
			name:  "no reaction signal from one reaction",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", with(fastServer, func(e *NodeEvidence) { e.Reactions[Client] = 1 }), nil}},
			want:  "unknown no_signal",
		},
		{
			name: "TTL and timing agree: TTL decides",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", NodeEvidence{TTL: [2]uint8{64, 63}, Handshake: true,
				HandshakeReaction: [2]time.Duration{40 * nodeUS, 4 * nodeMS},
				Reaction:          [2]time.Duration{40 * nodeUS, 4 * nodeMS}, Reactions: [2]uint32{3, 3}}, nil}},
			want: "10.10.1.11 by ttl", clues: "ttl:10.10.1.11 reaction_time:10.10.1.11",
		},
		{
			name: "TTL and checksums disagree: not told",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", NodeEvidence{TTL: [2]uint8{64, 63},
				ChecksumChecked: [2]uint8{4, 4}, ChecksumBad: [2]uint8{0, 4}}, nil}},
			want: "unknown conflict", clues: "ttl:10.10.1.11 checksum_offload:10.20.1.21",
		},
		{
			name: "one signal names both ends: not told",
			conns: []nodeConn{
				{"10.10.1.11:40000", "10.20.1.21:5061", ttlClient, nil},
				{"10.10.1.11:40001", "10.20.1.21:5061", ttlClient, nil},
				{"10.20.1.21:40002", "10.10.1.11:5061", ttlClient, nil},
			},
			want: "unknown conflict", clues: "ttl:10.10.1.11:1 ttl:10.20.1.21:2",
		},
		{
			name: "one end of every connection stands, though TTL names a peer",
			conns: []nodeConn{
				{"10.10.1.11:40000", "10.20.1.21:5061", plain, nil},
				{"10.10.1.11:40001", "10.20.1.22:5061", NodeEvidence{TTL: [2]uint8{63, 64}}, nil},
			},
			want: "10.10.1.11 by single_end", clues: "single_end:10.10.1.11 ttl:10.20.1.22",
		},
		{
			name: "no address ends every connection",
			conns: []nodeConn{
				{"10.10.1.11:40000", "10.20.1.21:5061", plain, nil},
				{"10.10.1.12:40001", "10.20.1.22:5061", plain, nil},
			},
			want: "unknown no_common_end",
		},
		{
			name: "one host over IPv4 and IPv6: no common end, whatever TTL says",
			conns: []nodeConn{
				{"10.0.0.1:40000", "10.20.1.21:25", ttlClient, nil},
				{"[2003::1]:40001", "[2003::21]:25", NodeEvidence{TTL: [2]uint8{63, 64}}, nil},
			},
			want: "unknown no_common_end", clues: "ttl:10.0.0.1:1 ttl:2003::21:1",
		},
		{
			name: "a signal names an address that does not end every connection",
			conns: []nodeConn{
				{"10.10.1.11:40000", "10.20.1.21:5061", ttlClient, nil},
				{"10.10.1.12:40001", "10.20.1.22:5061", plain, nil},
			},
			want: "unknown no_common_end", clues: "ttl:10.10.1.11",
		},
		{
			name: "the trust folder holds the peer's certificate",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", plain,
				[]NodeVote{{Signal: SignalTrustFolder, Peer: Client, Status: "exact_match", File: "cucm8-pub.clus2.lab.pem"}}}},
			want: "10.10.1.11 by trust_folder", clues: "trust_folder:10.10.1.11",
		},
		{
			name: "the peer's certificate matches --expect-name",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", plain,
				[]NodeVote{{Signal: SignalExpectName, Peer: Server, Name: "cucm8-pub.clus2.lab"}}}},
			want: "10.10.1.11 by expect_name", clues: "expect_name:10.10.1.11",
		},
		{
			name: "checksums and the trust folder disagree: not told",
			conns: []nodeConn{{"10.20.1.21:40000", "10.10.1.11:5061", offloadServer,
				[]NodeVote{{Signal: SignalTrustFolder, Peer: Server, Status: "exact_match"}}}},
			want: "unknown conflict", clues: "checksum_offload:10.10.1.11 trust_folder:10.20.1.21",
		},
		{
			name:  "--node overrides disagreeing evidence",
			flag:  "10.20.1.21",
			conns: []nodeConn{{"10.10.1.11:40000", "10.20.1.21:5061", ttlClient, nil}},
			want:  "10.20.1.21 by flag", clues: "flag:10.20.1.21 ttl:10.10.1.11",
		},
		{
			name: "--node with no connection",
			flag: "10.10.1.11",
			want: "10.10.1.11 by flag", clues: "flag:10.10.1.11",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var flag netip.Addr
			if tt.flag != "" {
				flag = netip.MustParseAddr(tt.flag)
			}
			f := NewNodeFinder(flag)
			for _, nc := range tt.conns {
				c := &Connection{Client: netip.MustParseAddrPort(nc.client), Server: netip.MustParseAddrPort(nc.server), Node: nc.ev}
				f.Add(c)
				for _, v := range nc.votes {
					f.AddVote(c, v)
				}
			}
			d := f.Decide()
			got := fmt.Sprintf("%s by %s", d.Addr, d.Signal)
			if !d.Addr.IsValid() {
				got = "unknown " + string(d.Unknown)
			}
			if got != tt.want {
				t.Errorf("decision %q, want %q", got, tt.want)
			}
			if d.Addr.IsValid() && d.Unknown != "" || !d.Addr.IsValid() && (d.Signal != "" || d.Unknown == "") {
				t.Errorf("Addr %v with Signal %q and Unknown %q", d.Addr, d.Signal, d.Unknown)
			}
			var clues []string
			for _, cl := range d.Clues {
				s := string(cl.Signal) + ":" + cl.Node.String()
				if cl.Against > 0 {
					s += fmt.Sprint(":", cl.Against)
				}
				clues = append(clues, s)
			}
			if g := strings.Join(clues, " "); g != tt.clues {
				t.Errorf("clues %q, want %q", g, tt.clues)
			}
			if a, ok := f.SingleEnd(); ok != strings.Contains(tt.clues, "single_end:") || ok && !strings.Contains(tt.clues, "single_end:"+a.String()) {
				t.Errorf("SingleEnd() = %v, %v; clues %q", a, ok, tt.clues)
			}
			if d.Connections != len(tt.conns) {
				t.Errorf("Connections %d, want %d", d.Connections, len(tt.conns))
			}
		})
	}
}

// TestNodeClueValues checks the values a clue carries for the writer.
func TestNodeClueValues(t *testing.T) {
	f := NewNodeFinder(netip.Addr{})
	add := func(client, server string, e NodeEvidence) {
		f.Add(&Connection{Client: netip.MustParseAddrPort(client), Server: netip.MustParseAddrPort(server), Node: e})
	}
	e := NodeEvidence{TTL: [2]uint8{64, 63}, Handshake: true, Reaction: [2]time.Duration{40 * nodeUS, 4 * nodeMS}, Reactions: [2]uint32{3, 3},
		HandshakeReaction: [2]time.Duration{40 * nodeUS, 4 * nodeMS}, ChecksumChecked: [2]uint8{4, 3}, ChecksumBad: [2]uint8{4, 0}}
	add("10.10.1.11:40000", "10.20.1.21:5061", e)
	e.TTL[Server], e.Reaction = 60, [2]time.Duration{90 * nodeUS, 2 * nodeMS}
	e.HandshakeReaction = e.Reaction
	add("10.10.1.11:40001", "10.20.1.21:5061", e)
	d := f.Decide()
	want := map[NodeSignal]NodeClue{
		SignalTTL:      {Signal: SignalTTL, NodeTTL: 64, PeerTTLMin: 60, PeerTTLMax: 63},
		SignalChecksum: {Signal: SignalChecksum, NodeChecksumBad: 8, NodeChecksumChecked: 8, PeerChecksumChecked: 6},
		SignalReaction: {Signal: SignalReaction, NodeReaction: 90 * nodeUS, PeerReaction: 2 * nodeMS},
	}
	if len(d.Clues) != len(want) {
		t.Fatalf("%d clues, want %d: %+v", len(d.Clues), len(want), d.Clues)
	}
	for _, cl := range d.Clues {
		w := want[cl.Signal]
		w.Node, w.Peer, w.Connections = netip.MustParseAddr("10.10.1.11"), netip.MustParseAddr("10.20.1.21"), 2
		if cl != w {
			t.Errorf("clue\n got %+v\nwant %+v", cl, w)
		}
	}
	if d.Clue(SignalTTL) == nil || d.Clue(SignalTrustFolder) != nil {
		t.Error("Clue finds the wrong clues")
	}
}

// TestNodeFinderCaps floods a NodeFinder with distinct addresses: it keeps
// at most MaxNodeAddrs of them and MaxNodeClues clues per signal, and still
// decides as it would without the caps.
func TestNodeFinderCaps(t *testing.T) {
	addr := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }
	tests := []struct {
		name  string
		conns int
		ev    NodeEvidence
		// the server of every connection, or a distinct one for each
		oneServer   bool
		want        string
		peers       int
		peersCapped bool
	}{
		{name: "below the cap", conns: 100, ev: plain, oneServer: true, want: "10.255.0.1 by single_end", peers: 100},
		{name: "a flood of clients to one server", conns: 3 * MaxNodeAddrs, ev: plain, oneServer: true, want: "10.255.0.1 by single_end", peers: MaxNodeAddrs - 1, peersCapped: true},
		// Every connection has other ends, and each names its own client
		// by TTL: a conflict, whatever is kept.
		{name: "a flood of TTL votes for distinct nodes", conns: 3 * MaxNodeAddrs, ev: ttlClient, want: "unknown no_common_end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewNodeFinder(netip.Addr{})
			for i := range tt.conns {
				server := "10.255.0.1:5061"
				if !tt.oneServer {
					server = addr(i+1<<20) + ":5061"
				}
				f.Add(&Connection{Client: netip.MustParseAddrPort(addr(i+1) + ":40000"), Server: netip.MustParseAddrPort(server), Node: tt.ev})
			}
			if len(f.addrs) > MaxNodeAddrs {
				t.Errorf("%d addresses kept, want at most %d", len(f.addrs), MaxNodeAddrs)
			}
			for s, m := range f.tallies {
				if len(m) > MaxNodeClues {
					t.Errorf("signal %s: %d clues kept, want at most %d", s, len(m), MaxNodeClues)
				}
			}
			d := f.Decide()
			got := d.Addr.String() + " by " + string(d.Signal)
			if !d.Addr.IsValid() {
				got = "unknown " + string(d.Unknown)
			}
			if got != tt.want {
				t.Errorf("decision %q, want %q", got, tt.want)
			}
			if cl := d.Clue(SignalSingleEnd); tt.peers > 0 && (cl == nil || cl.Peers != tt.peers || cl.PeersCapped != tt.peersCapped) {
				t.Errorf("single_end clue %+v, want %d peers (capped %v)", cl, tt.peers, tt.peersCapped)
			}
			if tt.ev == ttlClient {
				total := 0
				for _, cl := range d.Clues {
					if cl.Signal == SignalTTL {
						total = cl.Connections + cl.Against
					}
				}
				if total != tt.conns {
					t.Errorf("ttl votes and votes against sum to %d, want %d", total, tt.conns)
				}
			}
		})
	}
}
