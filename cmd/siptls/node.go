package main

import (
	"net/netip"

	"github.com/siptls/siptls/diagnose"
)

// nodeBuffer holds a capture's first connections back until the capture
// node (the address at one end of every connection) is known, so that each
// connection is judged with the trust folder of the node that received its
// certificates. With --node, or once the node is known, nothing waits.
type nodeBuffer struct {
	fixed      netip.Addr // --node
	candidates []netip.Addr
	known      netip.Addr
	held       []*diagnose.Connection
	emit       func(*diagnose.Connection, netip.Addr)
}

// maxHeld bounds the connections held while the node is unknown (they all
// share both ends, so the node cannot be told from them anyway).
const maxHeld = 1024

func (b *nodeBuffer) add(c *diagnose.Connection) {
	if b.fixed.IsValid() {
		b.emit(c, b.fixed)
		return
	}
	if b.known.IsValid() {
		b.emit(c, b.known)
		return
	}
	ends := []netip.Addr{c.Client.Addr(), c.Server.Addr()}
	if b.candidates == nil {
		b.candidates = ends
	} else {
		var keep []netip.Addr
		for _, a := range b.candidates {
			if a == ends[0] || a == ends[1] {
				keep = append(keep, a)
			}
		}
		b.candidates = keep
	}
	b.held = append(b.held, c)
	if len(b.candidates) == 1 {
		b.known = b.candidates[0]
		b.release(b.known)
	} else if len(b.candidates) == 0 || len(b.held) >= maxHeld {
		b.release(netip.Addr{})
	}
}

func (b *nodeBuffer) release(node netip.Addr) {
	for _, c := range b.held {
		b.emit(c, node)
	}
	b.held = b.held[:0]
}

// flush ends a capture: what is still held is judged without a known node,
// and the next capture finds its own node. It reports whether the capture
// had connections but no node could be told.
func (b *nodeBuffer) flush() (unknown bool) {
	unknown = !b.fixed.IsValid() && !b.known.IsValid() && len(b.held) > 0
	b.release(b.known)
	b.candidates, b.known = nil, netip.Addr{}
	return unknown
}
