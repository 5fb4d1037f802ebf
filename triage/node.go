package triage

import (
	"fmt"
	"github.com/siptls/siptls/internal/english"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/siptls/siptls/diagnose"
)

// CaptureNodeEvidence says how a capture's node was found, or why it could
// not be told (JSON captures[].capture_node_evidence).
type CaptureNodeEvidence struct {
	// Code is the signal that decided (flag, single_end, ttl,
	// checksum_offload, reaction_time, trust_folder, expect_name), or
	// NodeUnknownCode.
	Code diagnose.NodeSignal `json:"code"`
	// UnknownReason is why the node could not be told (no_connections,
	// no_signal, conflict, no_common_end); "" when it was.
	UnknownReason diagnose.NodeUnknown `json:"unknown_reason"`
	// Detail says it in a sentence.
	Detail string `json:"detail"`
	// Connections counts the connections the decision rests on.
	Connections int `json:"connections"`
	// Signals lists each signal that named an end, strongest first.
	Signals []NodeSignal `json:"signals"`
	// JudgedWith is set when the certificates were judged with an earlier
	// decision, made before the capture ended, that this one does not
	// repeat; null otherwise.
	JudgedWith *JudgedWith `json:"judged_with"`
}

// NodeUnknownCode is the Code of a capture node that could not be told
// (CaptureNodeEvidence.UnknownReason says why). diagnose reports no signal
// then; the word "unknown" is part of the JSON contract.
const NodeUnknownCode diagnose.NodeSignal = "unknown"

// JudgedWith is the decision the certificates of a capture were judged
// with, when the decision on the whole capture differs.
type JudgedWith struct {
	// Node is the capture node they were judged with ("" when none: the
	// trust folder judged both ends).
	Node string `json:"node"`
	// Code is that decision's signal, or NodeUnknownCode.
	Code diagnose.NodeSignal `json:"code"`
	// Connections counts the connections it rested on.
	Connections int `json:"connections"`
}

// NodeSignal is what one signal said: the end it named and its values.
// Exactly one of the value objects is set: the one named like Code.
type NodeSignal struct {
	Code        diagnose.NodeSignal `json:"code"`
	Node        string              `json:"node"`
	Peer        string              `json:"peer"`
	Connections int                 `json:"connections"`
	Against     int                 `json:"against"`

	SingleEnd       *SingleEndValues       `json:"single_end,omitempty"`
	TTL             *TTLValues             `json:"ttl,omitempty"`
	ChecksumOffload *ChecksumOffloadValues `json:"checksum_offload,omitempty"`
	ReactionTime    *ReactionTimeValues    `json:"reaction_time,omitempty"`
	TrustFolder     *TrustFolderValues     `json:"trust_folder,omitempty"`
	ExpectName      *ExpectNameValues      `json:"expect_name,omitempty"`
}

// SingleEndValues are the values of the single_end signal.
type SingleEndValues struct {
	Peers int `json:"peers"`
	// PeersCapped says there were more than Peers (diagnose.MaxNodeAddrs
	// addresses are counted).
	PeersCapped bool `json:"peers_capped,omitempty"`
}

// TTLValues are the values of the ttl signal.
type TTLValues struct {
	Node    uint8 `json:"node"`
	PeerMin uint8 `json:"peer_min"`
	PeerMax uint8 `json:"peer_max"`
}

// ChecksumOffloadValues are the values of the checksum_offload signal.
type ChecksumOffloadValues struct {
	NodeBad     int `json:"node_bad"`
	NodeChecked int `json:"node_checked"`
	PeerChecked int `json:"peer_checked"`
}

// ReactionTimeValues are the values of the reaction_time signal, in
// microseconds.
type ReactionTimeValues struct {
	NodeMicros float64 `json:"node_us"`
	PeerMicros float64 `json:"peer_us"`
}

// TrustFolderValues are the values of the trust_folder signal.
type TrustFolderValues struct {
	Status string `json:"status"`
	File   string `json:"file"`
}

// ExpectNameValues are the values of the expect_name signal.
type ExpectNameValues struct {
	Name string `json:"name"`
}

// ApplyNode writes a capture's node decision into c.
func ApplyNode(c *Capture, d diagnose.CaptureNode) {
	if d.Addr.IsValid() {
		c.Node = d.Addr.String()
	}
	c.CaptureNode = c.Node
	e := &CaptureNodeEvidence{Code: d.Signal, UnknownReason: d.Unknown, Connections: d.Connections, Signals: []NodeSignal{}}
	if !d.Addr.IsValid() {
		e.Code = NodeUnknownCode
	}
	for _, cl := range d.Clues {
		e.Signals = append(e.Signals, nodeSignal(cl))
	}
	if j := d.Judged; j != nil {
		e.JudgedWith = &JudgedWith{Code: j.Signal, Connections: j.Connections}
		if j.Addr.IsValid() {
			e.JudgedWith.Node = j.Addr.String()
		} else {
			e.JudgedWith.Code = NodeUnknownCode
		}
	}
	e.Detail = NodeDetail(d)
	c.CaptureNodeEvidence = e
}

func nodeSignal(cl diagnose.NodeClue) NodeSignal {
	s := NodeSignal{Code: cl.Signal, Node: cl.Node.String(), Connections: cl.Connections, Against: cl.Against}
	if cl.Peer.IsValid() {
		s.Peer = cl.Peer.String()
	}
	switch cl.Signal {
	case diagnose.SignalSingleEnd:
		s.SingleEnd = &SingleEndValues{Peers: cl.Peers, PeersCapped: cl.PeersCapped}
	case diagnose.SignalTTL:
		s.TTL = &TTLValues{Node: cl.NodeTTL, PeerMin: cl.PeerTTLMin, PeerMax: cl.PeerTTLMax}
	case diagnose.SignalChecksum:
		s.ChecksumOffload = &ChecksumOffloadValues{NodeBad: cl.NodeChecksumBad, NodeChecked: cl.NodeChecksumChecked, PeerChecked: cl.PeerChecksumChecked}
	case diagnose.SignalReaction:
		s.ReactionTime = &ReactionTimeValues{NodeMicros: micros(cl.NodeReaction), PeerMicros: micros(cl.PeerReaction)}
	case diagnose.SignalTrustFolder:
		s.TrustFolder = &TrustFolderValues{Status: cl.Status, File: cl.File}
	case diagnose.SignalExpectName:
		s.ExpectName = &ExpectNameValues{Name: cl.Name}
	}
	return s
}

// micros is d in microseconds, to the nanosecond.
func micros(d time.Duration) float64 { return math.Round(float64(d)) / 1e3 }

// signalNames names the signals in sentences.
var signalNames = map[diagnose.NodeSignal]string{
	diagnose.SignalFlag:        "--node",
	diagnose.SignalSingleEnd:   "the one common end",
	diagnose.SignalTTL:         "the TTL",
	diagnose.SignalChecksum:    "the TCP checksums",
	diagnose.SignalReaction:    "the reaction times",
	diagnose.SignalTrustFolder: "the trust folder",
	diagnose.SignalExpectName:  "--expect-name",
}

// NodeDetail is the sentence of a decision: the deciding signal with its
// values, and the signals that agree; or why the node could not be told.
func NodeDetail(d diagnose.CaptureNode) string {
	s := nodeDetail(d)
	switch j := d.Judged; {
	case j != nil && j.Addr.IsValid():
		s += fmt.Sprintf("; the certificates were judged as received by %s, as the first %s showed (%s)", j.Addr, english.Plural(j.Connections, "connection", "connections"), nodeDetail(*j))
	case j != nil:
		s += fmt.Sprintf("; the certificates of both ends were judged, as the first %s could not tell the node", english.Plural(j.Connections, "connection", "connections"))
	}
	return s
}

func nodeDetail(d diagnose.CaptureNode) string {
	if d.Addr.IsValid() {
		var main string
		var agree, against []string
		for i := range d.Clues {
			cl := &d.Clues[i]
			switch {
			case cl.Signal == d.Signal && main == "":
				main = clueSentence(cl)
			case cl.Node == d.Addr:
				agree = append(agree, signalNames[cl.Signal])
			default: // only --node and single_end stand against evidence
				against = append(against, fmt.Sprintf("%s by %s (%s)", cl.Node, signalNames[cl.Signal], clueSentence(cl)))
			}
		}
		if len(agree) > 0 {
			main += "; confirmed by " + english.JoinAnd(agree)
		}
		switch {
		case len(against) > 0 && d.Signal == diagnose.SignalFlag:
			main += "; but the capture names " + firstFew(against)
		case len(against) > 0:
			main += "; against it: " + firstFew(against)
		}
		return main
	}
	switch d.Unknown {
	case diagnose.NodeNoConnections:
		return "no connection to tell it from"
	case diagnose.NodeNoSignal:
		return "every connection has the same two ends, and neither the TTL, the TCP checksums, the reaction times nor the certificates single one out"
	case diagnose.NodeConflict:
		var named []string
		for i := range d.Clues {
			cl := &d.Clues[i]
			named = append(named, fmt.Sprintf("%s by %s (%s)", cl.Node, signalNames[cl.Signal], clueSentence(cl)))
		}
		return "the signals disagree: " + firstFew(named)
	case diagnose.NodeNoCommonEnd:
		s := "no address is an end of every connection"
		var named []string
		for i := range d.Clues {
			cl := &d.Clues[i]
			named = append(named, fmt.Sprintf("%s by %s (%s)", cl.Node, signalNames[cl.Signal], clueSentence(cl)))
		}
		if len(named) > 0 {
			s += "; " + firstFew(named)
		}
		return s
	}
	return ""
}

// maxListed is how many named ends a detail lists; the JSON has them all.
const maxListed = 3

// firstFew joins the first maxListed parts with "; " and counts the rest.
func firstFew(parts []string) string {
	if len(parts) <= maxListed {
		return strings.Join(parts, "; ")
	}
	return fmt.Sprintf("%s; and %d more (see capture_node_evidence in --format json)", strings.Join(parts[:maxListed], "; "), len(parts)-maxListed)
}

// clueSentence says what one signal saw, about its node.
func clueSentence(cl *diagnose.NodeClue) string {
	var s string
	switch cl.Signal {
	case diagnose.SignalFlag:
		return "given with --node"
	case diagnose.SignalSingleEnd:
		if cl.Peers == 0 {
			return "both ends of every connection"
		}
		if cl.PeersCapped {
			return fmt.Sprintf("the one address at an end of every connection, with more than %s", english.Plural(cl.Peers, "peer", "peers"))
		}
		return fmt.Sprintf("the one address at an end of every connection, with %s", english.Plural(cl.Peers, "peer", "peers"))
	case diagnose.SignalTTL:
		word := "TTL"
		if cl.Node.Is6() && !cl.Node.Is4In6() {
			word = "hop limit"
		}
		peer := fmt.Sprintf("%d on the peer's", cl.PeerTTLMin)
		if cl.PeerTTLMax != cl.PeerTTLMin {
			peer = fmt.Sprintf("%d to %d on the peers'", cl.PeerTTLMin, cl.PeerTTLMax)
		}
		s = fmt.Sprintf("%s %d on its packets, %s", word, cl.NodeTTL, peer)
	case diagnose.SignalChecksum:
		s = fmt.Sprintf("its outgoing TCP checksums wrong, %d of %d checked: transmit-checksum offload; the peer's right, %d of %d",
			cl.NodeChecksumBad, cl.NodeChecksumChecked, cl.PeerChecksumChecked, cl.PeerChecksumChecked)
	case diagnose.SignalReaction:
		s = fmt.Sprintf("it answered within %s, the peer after %s at the least", duration(cl.NodeReaction), duration(cl.PeerReaction))
	case diagnose.SignalTrustFolder:
		s = fmt.Sprintf("the trust folder knows the peer %s's certificate (%s, %s), not its own", cl.Peer, cl.File, cl.Status)
		if cl.File == "" {
			s = fmt.Sprintf("the trust folder knows the peer %s's certificate (%s), not its own", cl.Peer, cl.Status)
		}
	case diagnose.SignalExpectName:
		s = fmt.Sprintf("the peer %s's certificate matches --expect-name %s, its own does not", cl.Peer, cl.Name)
	}
	if cl.Connections > 1 {
		s += fmt.Sprintf(", on %d connections", cl.Connections)
	}
	if cl.Against > 0 {
		s += fmt.Sprintf(", but another end on %s", english.Plural(cl.Against, "connection", "connections"))
	}
	return s
}

// duration writes a reaction time: "38 µs", "4.1 ms", "1.20 s".
func duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", (d+time.Microsecond/2)/time.Microsecond)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// captureNodes holds each capture's node decision: the one given by the
// caller (cmd, which also judged certificates with it), or else
// diagnose.NodeFinder's on the packet evidence of the connections added.
// A capture's NodeFinder is dropped once the caller gives its decision, so
// that at most the captures being read hold one (each bounded by
// diagnose.MaxNodeAddrs). When the caller decides every capture's node
// (callerDecides: cmd, with a NodeBuffer), no NodeFinder runs here: the
// decision is made once, where the certificates are judged.
type captureNodes struct {
	conns         map[int]int
	finders       map[int]*diagnose.NodeFinder
	given         map[int]diagnose.CaptureNode
	callerDecides bool
}

func newCaptureNodes() *captureNodes {
	return &captureNodes{conns: map[int]int{}, finders: map[int]*diagnose.NodeFinder{}, given: map[int]diagnose.CaptureNode{}}
}

// add counts a connection of its capture.
func (n *captureNodes) add(c *diagnose.Connection) {
	n.conns[c.Capture]++
	if n.callerDecides {
		return
	}
	if _, ok := n.given[c.Capture]; ok {
		return
	}
	f := n.finders[c.Capture]
	if f == nil {
		f = diagnose.NewNodeFinder(netip.Addr{})
		n.finders[c.Capture] = f
	}
	f.Add(c)
}

// decide returns the decision on a capture.
func (n *captureNodes) decide(capture int) diagnose.CaptureNode {
	if d, ok := n.given[capture]; ok {
		return d
	}
	if f := n.finders[capture]; f != nil {
		return f.Decide()
	}
	return diagnose.NewNodeFinder(netip.Addr{}).Decide()
}
