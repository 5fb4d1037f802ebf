package triage

import (
	"net/netip"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/trust"
)

// A NodeBuffer decides a capture's node with diagnose.NodeFinder, from the
// connections' packets and, with --trust or --expect-name, what the folder
// and the names say about them (trust.Judge.NodeVotes). It holds the
// capture's connections back until it has decided, so that each one is
// judged with the trust folder of the node that received its
// certificates: as soon as one address is an end of every connection with
// several peers (single_end), else at the end of the capture, else once
// maxHeld connections wait. The rest of the capture is judged with that
// decision. The report shows the decision on the whole capture; when it
// names another node (a later connection lacks the single end), it says
// which one the certificates were judged with (CaptureNode.Judged). With
// --node nothing waits. Use one NodeBuffer per goroutine; Flush ends each
// capture. The zero value with Emit set is ready to use. analyze and triage
// both decide with it, and give the decision to report.Writer and Merger
// (SetCaptureNode).
type NodeBuffer struct {
	// Fixed is the node given by the user (--node): nothing waits.
	Fixed netip.Addr
	// Judge adds what the trust folder and the expected names say about
	// each connection's ends (nil without --trust and --expect-name).
	Judge *trust.Judge
	// Emit receives each connection with the node its certificates are
	// to be judged for.
	Emit    func(*diagnose.Connection, netip.Addr)
	finder  *diagnose.NodeFinder
	decided *diagnose.CaptureNode // the decision connections were judged with
	held    []*diagnose.Connection
}

// maxHeld bounds the connections held while the node is not decided.
const maxHeld = 1024

// Add takes one connection of the capture being read.
func (b *NodeBuffer) Add(c *diagnose.Connection) {
	if b.finder == nil {
		b.finder = diagnose.NewNodeFinder(b.Fixed)
	}
	b.finder.Add(c)
	if b.Judge != nil {
		for _, v := range b.Judge.NodeVotes(c) {
			b.finder.AddVote(c, v)
		}
	}
	switch {
	case b.Fixed.IsValid():
		b.Emit(c, b.Fixed)
	case b.decided != nil:
		b.Emit(c, b.decided.Addr)
	default:
		b.held = append(b.held, c)
		if _, single := b.finder.SingleEnd(); single || len(b.held) >= maxHeld {
			d := b.finder.Decide()
			b.decided = &d
			b.release()
		}
	}
}

func (b *NodeBuffer) release() {
	for _, c := range b.held {
		b.Emit(c, b.decided.Addr)
	}
	clear(b.held)
	b.held = b.held[:0]
}

// Flush ends a capture: it emits what is still held and returns the
// decision. The next capture starts afresh.
func (b *NodeBuffer) Flush() diagnose.CaptureNode {
	if b.finder == nil {
		b.finder = diagnose.NewNodeFinder(b.Fixed)
	}
	d := b.finder.Decide()
	if b.Judge != nil && b.decided != nil && b.decided.Addr != d.Addr { // without a judge nothing was judged
		judged := *b.decided
		d.Judged = &judged
	}
	if b.decided == nil {
		b.decided = &d
		b.release()
	}
	b.finder, b.decided = nil, nil
	return d
}
