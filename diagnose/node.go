package diagnose

import (
	"net/netip"
	"slices"
	"time"

	"github.com/siptls/siptls/pcap"
)

// NodeEvidence is what one connection's packets say about which of its
// ends is the host the capture was taken on (index Side). Package pcap
// collects it; NodeFinder weighs it over a whole capture.
type NodeEvidence struct {
	// TTL is the IPv4 TTL or IPv6 hop limit of the side's first packet;
	// TTLChanged is set when a later packet of the side had another.
	TTL        [2]uint8
	TTLChanged [2]bool
	// ChecksumChecked counts the side's first segments whose TCP checksum
	// was verified (at most pcap.MaxChecksumChecks) and ChecksumBad those
	// that were wrong.
	ChecksumChecked [2]uint8
	ChecksumBad     [2]uint8
	// Reaction is the side's shortest reaction: from a new segment of the
	// other side to the side's first packet that acknowledged it, as
	// captured. Reactions counts such pairs (0: Reaction is not known).
	Reaction  [2]time.Duration
	Reactions [2]uint32
	// HandshakeReaction is the side's reaction in the TCP handshake, its
	// kernel's answer: SYN→SYN-ACK for the server, SYN-ACK→ACK for the
	// client. Handshake is set when both were captured.
	HandshakeReaction [2]time.Duration
	Handshake         bool
}

// nodeEvidence maps pcap's per-direction evidence to sides.
func (st *connState) nodeEvidence(stats *pcap.ConnStats) NodeEvidence {
	e := NodeEvidence{Handshake: stats.HandshakeReacted[0] && stats.HandshakeReacted[1]}
	for d := pcap.ClientToServer; d <= pcap.ServerToClient; d++ {
		s := st.side(d)
		e.TTL[s], e.TTLChanged[s] = stats.TTL[d], stats.TTLChanged[d]
		e.ChecksumChecked[s], e.ChecksumBad[s] = stats.ChecksumChecked[d], stats.ChecksumBad[d]
		e.Reaction[s], e.Reactions[s] = stats.Reaction[d], stats.Reactions[d]
		e.HandshakeReaction[s] = stats.HandshakeReaction[d]
	}
	return e
}

// NodeSignal names a kind of evidence of the capture node. The values are
// a contract with users' scripts (JSON capture_node_evidence.code).
type NodeSignal string

// The signals, strongest first.
const (
	// SignalFlag: the user gave the node with --node. It overrides the rest.
	SignalFlag NodeSignal = "flag"
	// SignalSingleEnd: one address is an end of every connection and the
	// connections have more than one other end.
	SignalSingleEnd NodeSignal = "single_end"
	// SignalTTL: on a connection, one end's packets carry an initial TTL or
	// hop limit (InitialTTL), unchanged, and the other end's a decremented
	// one: the first was captured before any router, so it is the capture
	// host (see NodeEvidence.TTLNode).
	SignalTTL NodeSignal = "ttl"
	// SignalChecksum: one end's TCP checksums are all wrong and the other's
	// all right: transmit-checksum offload on the capture host, whose own
	// segments are captured before the NIC fills their checksum in (see
	// NodeEvidence.ChecksumNode).
	SignalChecksum NodeSignal = "checksum_offload"
	// SignalReaction: one end answers within a small fraction of the time
	// the other takes: the capture host answers after its processing time,
	// the peer after a round trip too (see NodeEvidence.ReactionNode).
	SignalReaction NodeSignal = "reaction_time"
	// SignalTrustFolder: the --trust folder (the capture node's
	// CallManager-trust) holds, anchors or has an older copy of one end's
	// leaf certificate and does not know the other's: the first is the peer.
	SignalTrustFolder NodeSignal = "trust_folder"
	// SignalExpectName: one end's leaf certificate matches --expect-name
	// (the peer's X.509 Subject Name) and the other's does not: the first
	// is the peer.
	SignalExpectName NodeSignal = "expect_name"
)

// evidenceSignals are the signals that connections vote for, strongest first.
var evidenceSignals = []NodeSignal{SignalTTL, SignalChecksum, SignalReaction, SignalTrustFolder, SignalExpectName}

// NodeUnknown says why a capture node could not be told.
type NodeUnknown string

// Why the capture node could not be told (JSON capture_node_evidence.unknown_reason).
const (
	// NodeNoConnections: the capture has no connection.
	NodeNoConnections NodeUnknown = "no_connections"
	// NodeNoSignal: every connection has the same two ends and no signal
	// singles one out.
	NodeNoSignal NodeUnknown = "no_signal"
	// NodeConflict: signals name different ends (or one signal names
	// different ends on different connections).
	NodeConflict NodeUnknown = "conflict"
	// NodeNoCommonEnd: no address is an end of every connection (whatever
	// the signals say), or the address the signals name is not.
	NodeNoCommonEnd NodeUnknown = "no_common_end"
)

// Thresholds of the per-connection signals. A signal that does not clear
// them says nothing; it never guesses.
const (
	// MinChecksumSegments is how many segments of each end must have been
	// checked for the checksum signal: all of one end's wrong, all of the
	// other's right.
	MinChecksumSegments = 2
	// MinReactions is how many reactions of the peer the reaction signal
	// needs: its TCP handshake reaction and at least two flights, so that a
	// capture host stalled once (a virtual machine waiting for its CPU) is
	// not taken for the peer.
	MinReactions = 3
	// ReactionRatio: the capture host's reaction in the TCP handshake times
	// this must not exceed the peer's shortest reaction.
	ReactionRatio = 4
	// MinPeerReaction: the peer's shortest reaction must be at least this
	// long. Below it both ends are too close to tell (loopback, two network
	// namespaces of one machine, a data-centre LAN): the capture host's own
	// kernel answers in 10 to 100 µs.
	MinPeerReaction = 200 * time.Microsecond
	// MaxNodeReaction: the capture host's reaction in the TCP handshake
	// must be at most this long. Its kernel answers in 10 to 100 µs; this
	// leaves room for a loaded virtual machine. An end that takes longer
	// was not captured on its own host (a capture one hop away sees its
	// answers a LAN round trip late).
	MaxNodeReaction = time.Millisecond
)

// InitialTTL reports whether ttl is a common initial IPv4 TTL or IPv6 hop
// limit: 64 (Linux, CUCM, macOS), 128 (Windows) or 255 (Cisco IOS, CUBE).
func InitialTTL(ttl uint8) bool { return ttl == 64 || ttl == 128 || ttl == 255 }

// TTLNode returns the side whose packets left from the capture host
// according to their TTL: its TTL is initial (InitialTTL) and the other
// side's is not, and neither changed during the connection.
func (e *NodeEvidence) TTLNode() (Side, bool) {
	if e.TTLChanged[Client] || e.TTLChanged[Server] || e.TTL[Client] == 0 || e.TTL[Server] == 0 {
		return 0, false
	}
	for _, s := range []Side{Client, Server} {
		if InitialTTL(e.TTL[s]) && !InitialTTL(e.TTL[s.Peer()]) {
			return s, true
		}
	}
	return 0, false
}

// ChecksumNode returns the side whose TCP checksums say it is the capture
// host: at least MinChecksumSegments checked on each side, all of its own
// wrong and all of the other side's right. (A wrong checksum from the peer
// would have made the capture host drop the segment; a connection does not
// go on with every segment of one side dropped.)
func (e *NodeEvidence) ChecksumNode() (Side, bool) {
	if e.ChecksumChecked[Client] < MinChecksumSegments || e.ChecksumChecked[Server] < MinChecksumSegments {
		return 0, false
	}
	for _, s := range []Side{Client, Server} {
		o := s.Peer()
		if e.ChecksumBad[s] == e.ChecksumChecked[s] && e.ChecksumBad[o] == 0 {
			return s, true
		}
	}
	return 0, false
}

// ReactionNode returns the side that reacts so much faster than the other
// that it must be the capture host. The capture host's kernel answers in
// the TCP handshake (SYN→SYN-ACK on the server, SYN-ACK→ACK on the client)
// within microseconds, while every reaction of the peer, in the handshake
// and in each flight after it, takes at least a round trip from the
// capture point. So: both handshake reactions were captured, the node's is
// at most MaxNodeReaction, the peer reacted at least MinReactions times,
// its shortest reaction is at least MinPeerReaction and at least
// ReactionRatio times the node's handshake reaction, and it is at least
// half the peer's own handshake reaction (a
// peer cannot answer a flight much faster than the round trip it needed
// in the handshake; timing that says otherwise was not measured on one
// host, and the signal says nothing).
func (e *NodeEvidence) ReactionNode() (Side, bool) {
	if !e.Handshake {
		return 0, false
	}
	for _, s := range []Side{Client, Server} {
		p := s.Peer()
		fast, slow := e.HandshakeReaction[s], e.Reaction[p]
		if fast <= MaxNodeReaction && e.Reactions[p] >= MinReactions && slow >= MinPeerReaction &&
			fast*ReactionRatio <= slow && 2*slow >= e.HandshakeReaction[p] {
			return s, true
		}
	}
	return 0, false
}

// NodeVote is evidence from outside a connection's packets: which side is
// the peer (not the capture node) according to a trust folder or the
// expected names (package trust finds it; cmd hands it to NodeFinder).
type NodeVote struct {
	// Signal is SignalTrustFolder or SignalExpectName.
	Signal NodeSignal
	// Peer is the side that is not the capture node.
	Peer Side
	// Status and File are the trust folder's verdict on the peer's leaf
	// (exact_match, chains_to, stale_copy) and the file it names.
	Status, File string
	// Name is the expected name the peer's leaf matched.
	Name string
}

// NodeClue is what one signal says about a capture: the end it names as
// the capture node, on how many connections, and the values it rests on.
// Only the fields of its Signal are set.
type NodeClue struct {
	Signal NodeSignal
	// Node is the end named as the capture node.
	Node netip.Addr
	// Peer is the other end of the first connection that named Node
	// (invalid for flag and single_end).
	Peer netip.Addr
	// Connections counts the connections on which the signal named Node
	// (flag and single_end: every connection).
	Connections int
	// Against counts the connections on which the same signal named
	// another end.
	Against int

	// Peers (single_end) counts the other ends, up to MaxNodeAddrs;
	// PeersCapped says there were more.
	Peers       int
	PeersCapped bool
	// NodeTTL (ttl) is the TTL of Node's packets on the first connection;
	// PeerTTLMin and PeerTTLMax are the lowest and highest of the peers'.
	NodeTTL, PeerTTLMin, PeerTTLMax uint8
	// NodeChecksumBad of NodeChecksumChecked of Node's segments had wrong
	// checksums; all PeerChecksumChecked of the peers' were right
	// (checksum_offload; summed over the connections).
	NodeChecksumBad, NodeChecksumChecked, PeerChecksumChecked int
	// NodeReaction is Node's slowest reaction in a TCP handshake over the
	// connections, PeerReaction the peers' fastest reaction (reaction_time):
	// the closest the two came.
	NodeReaction, PeerReaction time.Duration
	// Status and File (trust_folder) are the folder's verdict on the peer's
	// leaf on the first connection and the file it names.
	Status, File string
	// Name (expect_name) is the expected name the peer's leaf matched.
	Name string
}

// CaptureNode is the decision on a capture's node: the host the capture was
// taken on, one end of every connection.
type CaptureNode struct {
	// Addr is the capture node; invalid when it could not be told.
	Addr netip.Addr
	// Signal is the strongest signal that named Addr ("" when unknown).
	Signal NodeSignal
	// Unknown says why the node could not be told ("" when it was).
	Unknown NodeUnknown
	// Clues are the signals that named an end, strongest first; with
	// --node, the flag first. Signals that named nothing are left out.
	Clues []NodeClue
	// Connections counts the connections the decision rests on.
	Connections int
	// Judged is set by a caller that judged the capture's certificates with
	// an earlier decision, made before the capture ended, which this one
	// (on the whole capture) does not repeat: it says which node they were
	// judged with, and on how many connections that rested.
	Judged *CaptureNode
}

// Clue returns the clue of signal s that names Addr, or nil.
func (n *CaptureNode) Clue(s NodeSignal) *NodeClue {
	for i := range n.Clues {
		if n.Clues[i].Signal == s && n.Clues[i].Node == n.Addr {
			return &n.Clues[i]
		}
	}
	return nil
}

// Caps of a NodeFinder: its memory stays under about 1 MB whatever the
// capture (a flood from a million addresses included).
const (
	// MaxNodeAddrs is how many distinct addresses a NodeFinder counts for
	// the single_end signal's peers; beyond it the count is a lower bound
	// (NodeClue.PeersCapped).
	MaxNodeAddrs = 10_000
	// MaxNodeClues is how many addresses a signal keeps a clue for. A
	// signal that names more than one address is a conflict anyway; the
	// votes for the others are still counted (NodeClue.Against).
	MaxNodeClues = 16
)

// A NodeFinder decides the node of one capture from its connections. Its
// memory is bounded by MaxNodeAddrs and MaxNodeClues, whatever the
// connections and addresses. It is not safe for concurrent use.
//
// The rules, strongest signal first: --node (the flag given to
// NewNodeFinder) overrides everything. Then, when exactly one address is an
// end of every connection and the connections have other ends than it
// (single_end), it is the node, as a capture taken on a node must show;
// the other signals are still reported, also where they disagree.
// Otherwise the evidence decides: each signal names at most one end per
// connection, and the node is the end that every signal which named
// anything named; it must be an end of every connection. When signals name
// different ends (or one signal names different ends on different
// connections), or none names any, the node is unknown: a NodeFinder never
// guesses.
type NodeFinder struct {
	flag    netip.Addr
	conns   int
	cands   []netip.Addr            // the addresses at an end of every connection so far
	addrs   map[netip.Addr]struct{} // at most MaxNodeAddrs
	capped  bool                    // an address was not added to addrs
	tallies map[NodeSignal]map[netip.Addr]*NodeClue
	others  map[NodeSignal]int // votes for addresses beyond MaxNodeClues
	scratch NodeClue           // receives the values of those votes
}

// NewNodeFinder returns a NodeFinder. flag is --node (invalid when not given).
func NewNodeFinder(flag netip.Addr) *NodeFinder {
	return &NodeFinder{flag: flag, addrs: map[netip.Addr]struct{}{}, tallies: map[NodeSignal]map[netip.Addr]*NodeClue{}, others: map[NodeSignal]int{}}
}

// Add weighs a connection's ends and its packet evidence.
func (f *NodeFinder) Add(c *Connection) {
	f.conns++
	ca, sa := c.Client.Addr(), c.Server.Addr()
	f.addAddr(ca)
	f.addAddr(sa)
	if f.conns == 1 {
		f.cands = []netip.Addr{ca}
		if sa != ca {
			f.cands = append(f.cands, sa)
		}
	} else {
		f.cands = slices.DeleteFunc(f.cands, func(a netip.Addr) bool { return a != ca && a != sa })
	}
	e := &c.Node
	if s, ok := e.TTLNode(); ok {
		cl := f.vote(SignalTTL, c, s)
		if cl.NodeTTL == 0 {
			cl.NodeTTL = e.TTL[s]
		}
		p := e.TTL[s.Peer()]
		if cl.PeerTTLMin == 0 || p < cl.PeerTTLMin {
			cl.PeerTTLMin = p
		}
		cl.PeerTTLMax = max(cl.PeerTTLMax, p)
	}
	if s, ok := e.ChecksumNode(); ok {
		cl := f.vote(SignalChecksum, c, s)
		cl.NodeChecksumBad += int(e.ChecksumBad[s])
		cl.NodeChecksumChecked += int(e.ChecksumChecked[s])
		cl.PeerChecksumChecked += int(e.ChecksumChecked[s.Peer()])
	}
	if s, ok := e.ReactionNode(); ok {
		cl := f.vote(SignalReaction, c, s)
		cl.NodeReaction = max(cl.NodeReaction, e.HandshakeReaction[s])
		if p := e.Reaction[s.Peer()]; cl.PeerReaction == 0 || p < cl.PeerReaction {
			cl.PeerReaction = p
		}
	}
}

func (f *NodeFinder) addAddr(a netip.Addr) {
	if _, ok := f.addrs[a]; ok {
		return
	}
	if len(f.addrs) >= MaxNodeAddrs {
		f.capped = true
		return
	}
	f.addrs[a] = struct{}{}
}

// AddVote weighs evidence about c from outside its packets. Call it after
// Add(c).
func (f *NodeFinder) AddVote(c *Connection, v NodeVote) {
	if v.Signal != SignalTrustFolder && v.Signal != SignalExpectName {
		return
	}
	cl := f.vote(v.Signal, c, v.Peer.Peer())
	if cl.Connections == 1 {
		cl.Status, cl.File, cl.Name = v.Status, v.File, v.Name
	}
}

// vote counts one connection for signal naming side node of c.
func (f *NodeFinder) vote(signal NodeSignal, c *Connection, node Side) *NodeClue {
	addr, peer := c.Client.Addr(), c.Server.Addr()
	if node == Server {
		addr, peer = peer, addr
	}
	t := f.tallies[signal]
	if t == nil {
		t = map[netip.Addr]*NodeClue{}
		f.tallies[signal] = t
	}
	cl := t[addr]
	if cl == nil && len(t) >= MaxNodeClues {
		f.others[signal]++
		f.scratch = NodeClue{}
		return &f.scratch
	}
	if cl == nil {
		cl = &NodeClue{Signal: signal, Node: addr, Peer: peer}
		t[addr] = cl
	}
	cl.Connections++
	return cl
}

// SingleEnd reports the one address at an end of every connection so far,
// when there is exactly one: the decision (without --node) until a
// connection without it comes, whatever else is added.
func (f *NodeFinder) SingleEnd() (netip.Addr, bool) {
	if len(f.cands) == 1 {
		return f.cands[0], true
	}
	return netip.Addr{}, false
}

// Decide returns the decision on the connections added so far.
func (f *NodeFinder) Decide() CaptureNode {
	d := CaptureNode{Connections: f.conns}
	var clues []NodeClue
	if len(f.cands) == 1 {
		clues = append(clues, NodeClue{Signal: SignalSingleEnd, Node: f.cands[0], Connections: f.conns, Peers: len(f.addrs) - 1, PeersCapped: f.capped})
	}
	for _, s := range evidenceSignals {
		t := f.tallies[s]
		total := f.others[s]
		for _, cl := range t {
			total += cl.Connections
		}
		start := len(clues)
		for _, cl := range t {
			c := *cl
			c.Against = total - c.Connections
			clues = append(clues, c)
		}
		slices.SortFunc(clues[start:], func(a, b NodeClue) int {
			if a.Connections != b.Connections {
				return b.Connections - a.Connections
			}
			return a.Node.Compare(b.Node)
		})
	}
	if f.flag.IsValid() {
		d.Addr, d.Signal = f.flag, SignalFlag
		d.Clues = append([]NodeClue{{Signal: SignalFlag, Node: f.flag, Connections: f.conns}}, clues...)
		return d
	}
	d.Clues = clues
	if len(f.cands) == 1 {
		d.Addr, d.Signal = f.cands[0], SignalSingleEnd
		return d
	}
	if f.conns == 0 {
		d.Unknown = NodeNoConnections
		return d
	}
	if len(f.cands) == 0 {
		// Whatever the signals name, no address can be the capture node
		// (also a host captured over IPv4 and IPv6: two addresses).
		d.Unknown = NodeNoCommonEnd
		return d
	}
	var named netip.Addr
	var by NodeSignal
	for _, cl := range clues {
		if cl.Against > 0 || named.IsValid() && cl.Node != named {
			d.Unknown = NodeConflict
			return d
		}
		if !named.IsValid() {
			named, by = cl.Node, cl.Signal
		}
	}
	switch {
	case !named.IsValid():
		d.Unknown = NodeNoSignal
	case !slices.Contains(f.cands, named):
		d.Unknown = NodeNoCommonEnd
	default:
		d.Addr, d.Signal = named, by
	}
	return d
}
