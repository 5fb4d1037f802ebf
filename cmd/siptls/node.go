package main

import (
	"fmt"
	"io"
	"net/netip"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// nodeBuffer decides a capture's node with diagnose.NodeFinder, from the
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
// --node nothing waits. Use one nodeBuffer per goroutine; flush ends each
// capture.
type nodeBuffer struct {
	fixed   netip.Addr   // --node
	judge   *trust.Judge // nil without --trust and --expect-name
	emit    func(*diagnose.Connection, netip.Addr)
	finder  *diagnose.NodeFinder
	decided *diagnose.CaptureNode // the decision connections were judged with
	held    []*diagnose.Connection
}

// maxHeld bounds the connections held while the node is not decided.
const maxHeld = 1024

func (b *nodeBuffer) add(c *diagnose.Connection) {
	if b.finder == nil {
		b.finder = diagnose.NewNodeFinder(b.fixed)
	}
	b.finder.Add(c)
	if b.judge != nil {
		for _, v := range b.judge.NodeVotes(c) {
			b.finder.AddVote(c, v)
		}
	}
	switch {
	case b.fixed.IsValid():
		b.emit(c, b.fixed)
	case b.decided != nil:
		b.emit(c, b.decided.Addr)
	default:
		b.held = append(b.held, c)
		if _, single := b.finder.SingleEnd(); single || len(b.held) >= maxHeld {
			d := b.finder.Decide()
			b.decided = &d
			b.release()
		}
	}
}

func (b *nodeBuffer) release() {
	for _, c := range b.held {
		b.emit(c, b.decided.Addr)
	}
	clear(b.held)
	b.held = b.held[:0]
}

// flush ends a capture: it emits what is still held and returns the
// decision. The next capture starts afresh.
func (b *nodeBuffer) flush() diagnose.CaptureNode {
	if b.finder == nil {
		b.finder = diagnose.NewNodeFinder(b.fixed)
	}
	d := b.finder.Decide()
	if b.judge != nil && b.decided != nil && b.decided.Addr != d.Addr { // without a judge nothing was judged
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

// nodeNote tells on w that a capture's node could not be told while a
// --trust folder needed it.
func nodeNote(w io.Writer, path string, d diagnose.CaptureNode, judge *trust.Judge) {
	if d.Addr.IsValid() || d.Unknown == diagnose.NodeNoConnections || judge == nil || !judge.NeedsNode() {
		return
	}
	fmt.Fprintf(w, "siptls: %s: the capture node could not be told (%s); the --trust folder judged the certificates of both ends: give --node IP to judge only those the node received\n",
		report.Sanitize(path), report.Sanitize(triage.NodeDetail(d)))
}
