package report

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/golden"
	"github.com/siptls/siptls/triage"
)

// TestCaptureNodeOutput checks the capture node's JSON evidence and the
// capture facts line for decisions of each kind.
func TestCaptureNodeOutput(t *testing.T) {
	node := netip.MustParseAddr("10.10.1.11")
	peer := netip.MustParseAddr("10.20.1.21")
	ttl := diagnose.NodeClue{Signal: diagnose.SignalTTL, Node: node, Peer: peer, Connections: 1, NodeTTL: 64, PeerTTLMin: 63, PeerTTLMax: 63}
	reaction := diagnose.NodeClue{Signal: diagnose.SignalReaction, Node: node, Peer: peer, Connections: 3,
		NodeReaction: 38500 * time.Nanosecond, PeerReaction: 4120 * time.Microsecond}
	offload := diagnose.NodeClue{Signal: diagnose.SignalChecksum, Node: node, Peer: peer, Connections: 1, NodeChecksumBad: 4, NodeChecksumChecked: 4, PeerChecksumChecked: 3}
	folder := diagnose.NodeClue{Signal: diagnose.SignalTrustFolder, Node: node, Peer: peer, Connections: 1, Status: "exact_match", File: "cucm8-pub.clus2.lab.pem"}
	name := diagnose.NodeClue{Signal: diagnose.SignalExpectName, Node: node, Peer: peer, Connections: 1, Name: "cucm8-pub.clus2.lab"}
	against := diagnose.NodeClue{Signal: diagnose.SignalTTL, Node: peer, Peer: node, Connections: 1, Against: 2, NodeTTL: 64, PeerTTLMin: 62, PeerTTLMax: 62}
	tests := []struct {
		name string
		d    diagnose.CaptureNode
		line string // what the capture facts line says about the node
	}{
		{"flag", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalFlag, Connections: 1,
			Clues: []diagnose.NodeClue{{Signal: diagnose.SignalFlag, Node: node}, ttl}},
			", capture node 10.10.1.11 (given with --node; confirmed by the TTL)"},
		{"flag against the evidence", diagnose.CaptureNode{Addr: peer, Signal: diagnose.SignalFlag, Connections: 1,
			Clues: []diagnose.NodeClue{{Signal: diagnose.SignalFlag, Node: peer, Connections: 1}, ttl}},
			", capture node 10.20.1.21 (given with --node; but the capture names 10.10.1.11 by the TTL (TTL 64 on its packets, 63 on the peer's))"},
		{"single end", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalSingleEnd, Connections: 4,
			Clues: []diagnose.NodeClue{{Signal: diagnose.SignalSingleEnd, Node: node, Connections: 4, Peers: 3}}},
			", capture node 10.10.1.11 (the one address at an end of every connection, with 3 peers)"},
		{"single end against timing", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalSingleEnd, Connections: 4,
			Clues: []diagnose.NodeClue{{Signal: diagnose.SignalSingleEnd, Node: node, Connections: 4, Peers: 3},
				{Signal: diagnose.SignalReaction, Node: peer, Peer: node, Connections: 1, NodeReaction: 40 * time.Microsecond, PeerReaction: 300 * time.Microsecond}}},
			", capture node 10.10.1.11 (the one address at an end of every connection, with 3 peers; against it: 10.20.1.21 by the reaction times (it answered within 40 µs, the peer after 300 µs at the least))"},
		{"connections to itself", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalSingleEnd, Connections: 1,
			Clues: []diagnose.NodeClue{{Signal: diagnose.SignalSingleEnd, Node: node, Connections: 1}}},
			", capture node 10.10.1.11 (both ends of every connection)"},
		{"ttl and reaction", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalTTL, Connections: 3, Clues: []diagnose.NodeClue{ttl, reaction}},
			", capture node 10.10.1.11 (TTL 64 on its packets, 63 on the peer's; confirmed by the reaction times)"},
		{"checksum offload", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalChecksum, Connections: 1, Clues: []diagnose.NodeClue{offload, folder}},
			", capture node 10.10.1.11 (its outgoing TCP checksums wrong, 4 of 4 checked: transmit-checksum offload; the peer's right, 3 of 3; confirmed by the trust folder)"},
		{"reaction time", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalReaction, Connections: 3, Clues: []diagnose.NodeClue{reaction}},
			", capture node 10.10.1.11 (it answered within 39 µs, the peer after 4.1 ms at the least, on 3 connections)"},
		{"trust folder", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalTrustFolder, Connections: 1, Clues: []diagnose.NodeClue{folder, name}},
			", capture node 10.10.1.11 (the trust folder knows the peer 10.20.1.21's certificate (cucm8-pub.clus2.lab.pem, exact_match), not its own; confirmed by --expect-name)"},
		{"expect name", diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalExpectName, Connections: 1, Clues: []diagnose.NodeClue{name}},
			", capture node 10.10.1.11 (the peer 10.20.1.21's certificate matches --expect-name cucm8-pub.clus2.lab, its own does not)"},
		{"no signal", diagnose.CaptureNode{Unknown: diagnose.NodeNoSignal, Connections: 2},
			", capture node could not be told (every connection has the same two ends, and neither the TTL, the TCP checksums, the reaction times nor the certificates single one out)"},
		{"conflict", diagnose.CaptureNode{Unknown: diagnose.NodeConflict, Connections: 3, Clues: []diagnose.NodeClue{
			{Signal: diagnose.SignalTTL, Node: node, Peer: peer, Connections: 2, Against: 1, NodeTTL: 64, PeerTTLMin: 63, PeerTTLMax: 63}, against}},
			", capture node could not be told (the signals disagree: 10.10.1.11 by the TTL (TTL 64 on its packets, 63 on the peer's, on 2 connections, but another end on 1 connection); 10.20.1.21 by the TTL (TTL 64 on its packets, 62 on the peer's, but another end on 2 connections))"},
		{"many disagreeing ends", diagnose.CaptureNode{Unknown: diagnose.NodeConflict, Connections: 5, Clues: []diagnose.NodeClue{
			{Signal: diagnose.SignalTTL, Node: node, Peer: peer, Connections: 1, Against: 4, NodeTTL: 64, PeerTTLMin: 63, PeerTTLMax: 63},
			{Signal: diagnose.SignalTTL, Node: peer, Peer: node, Connections: 1, Against: 4, NodeTTL: 64, PeerTTLMin: 63, PeerTTLMax: 63},
			{Signal: diagnose.SignalTTL, Node: netip.MustParseAddr("10.20.1.22"), Peer: node, Connections: 1, Against: 4, NodeTTL: 64, PeerTTLMin: 63, PeerTTLMax: 63},
			{Signal: diagnose.SignalTTL, Node: netip.MustParseAddr("10.20.1.23"), Peer: node, Connections: 1, Against: 4, NodeTTL: 64, PeerTTLMin: 63, PeerTTLMax: 63},
			{Signal: diagnose.SignalTTL, Node: netip.MustParseAddr("10.20.1.24"), Peer: node, Connections: 1, Against: 4, NodeTTL: 64, PeerTTLMin: 63, PeerTTLMax: 63}}},
			", capture node could not be told (the signals disagree: 10.10.1.11 by the TTL (TTL 64 on its packets, 63 on the peer's, but another end on 4 connections); 10.20.1.21 by the TTL (TTL 64 on its packets, 63 on the peer's, but another end on 4 connections); 10.20.1.22 by the TTL (TTL 64 on its packets, 63 on the peer's, but another end on 4 connections); and 2 more (see capture_node_evidence in --format json))"},
		{"no common end", diagnose.CaptureNode{Unknown: diagnose.NodeNoCommonEnd, Connections: 2, Clues: []diagnose.NodeClue{ttl}},
			", capture node could not be told (no address is an end of every connection; 10.10.1.11 by the TTL (TTL 64 on its packets, 63 on the peer's))"},
		{"judged with an earlier decision", diagnose.CaptureNode{Unknown: diagnose.NodeNoCommonEnd, Connections: 3,
			Judged: &diagnose.CaptureNode{Addr: node, Signal: diagnose.SignalSingleEnd, Connections: 2,
				Clues: []diagnose.NodeClue{{Signal: diagnose.SignalSingleEnd, Node: node, Connections: 2, Peers: 2}}}},
			", capture node could not be told (no address is an end of every connection; the certificates were judged as received by 10.10.1.11, as the first 2 connections showed (the one address at an end of every connection, with 2 peers))"},
		{"no connections", diagnose.CaptureNode{Unknown: diagnose.NodeNoConnections}, ""},
	}
	type nodeFields struct {
		File                string                      `json:"file"`
		Node                string                      `json:"node"`
		CaptureNode         string                      `json:"capture_node"`
		CaptureNodeEvidence *triage.CaptureNodeEvidence `json:"capture_node_evidence"`
	}
	var all []nodeFields
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := triage.Capture{File: tt.name, Format: "pcap"}
			triage.ApplyNode(&c, tt.d)
			if c.Node != c.CaptureNode {
				t.Errorf("node %q, capture_node %q", c.Node, c.CaptureNode)
			}
			var b strings.Builder
			writeNodeText(&b, &c)
			if b.String() != tt.line {
				t.Errorf("facts line\n got %q\nwant %q", b.String(), tt.line)
			}
			all = append(all, nodeFields{c.File, c.Node, c.CaptureNode, c.CaptureNodeEvidence})
		})
	}
	out, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/capture-node.golden.json", append(out, '\n'), *update)
}
