package screentext

import (
	"strings"
	"time"
)

// Verdict is the outcome of a connection as far as the text shows it. The
// words shared with siptls's verdicts for captures (diagnose.Verdict) have
// the same meaning; established is screen text's own: the TLS handshake
// that followed is not visible.
type Verdict string

// The verdicts.
const (
	// VerdictEstablished: the server answered the SYN with a SYN-ACK.
	VerdictEstablished Verdict = "established"
	// VerdictRefused: the SYN was answered by a RST: nothing listens on the port.
	VerdictRefused Verdict = "refused"
	// VerdictNoAnswer: the SYN was never answered.
	VerdictNoAnswer Verdict = "no_answer"
	// VerdictIncomplete: the text cannot tell.
	VerdictIncomplete Verdict = "incomplete"
)

// Reason refines a verdict.
type Reason string

// The reasons.
const (
	// ReasonOpen (established): no FIN or RST followed before the text ends.
	ReasonOpen Reason = "open"
	// ReasonClosed (established): a side closed it with a FIN (Connection.EndedBy).
	ReasonClosed Reason = "closed"
	// ReasonReset (established): a side reset it with a RST (Connection.EndedBy).
	ReasonReset Reason = "reset"
	// ReasonSYNReset (refused): the SYN was answered by a RST.
	ReasonSYNReset Reason = "syn_reset"
	// ReasonSYNUnanswered (no_answer): the SYN was sent again, or the text
	// goes on for 3 s after it, and nothing came back.
	ReasonSYNUnanswered Reason = "syn_unanswered"
	// ReasonCaptureEnded (incomplete): the text ends less than 3 s after a
	// single SYN.
	ReasonCaptureEnded Reason = "capture_ended"
	// ReasonMidstream (incomplete): neither SYN nor SYN-ACK is in the text:
	// the connection was open before it began.
	ReasonMidstream Reason = "midstream"
)

// NoAnswerAfter is how long the text must go on after a single SYN for
// the SYN to count as never answered, as for captures.
const NoAnswerAfter = 3 * time.Second

// Side is an end of a connection.
type Side uint8

// The sides.
const (
	Client Side = iota
	Server
)

// String returns "client" or "server".
func (s Side) String() string {
	if s == Server {
		return "server"
	}
	return "client"
}

// Roles says how the client was told from the server.
type Roles string

// How roles are decided.
const (
	RolesSYN    Roles = "syn"     // the client sent the SYN
	RolesSYNACK Roles = "syn_ack" // the server sent the SYN-ACK (the SYN is not in the text)
	RolesPort   Roles = "port"    // the server uses a server port (--port, default 5061)
	RolesGuess  Roles = "guess"   // the lower port is taken for the server's
)

// Connection is one TCP connection of the text.
type Connection struct {
	ID             int // 1-based, in order of the first line
	Client, Server Endpoint
	Roles          Roles
	Verdict        Verdict
	Reason         Reason
	// EndedBy is the side that sent the RST (refused, reset) or the first
	// FIN (closed); Ended tells whether it is set (for midstream too).
	EndedBy Side
	Ended   bool
	// SYN is the client's first SYN, LastSYN its last; SYNs counts them
	// (retransmissions included).
	SYN, LastSYN Mark
	SYNs         int
	synSeq       uint32
	synSeqKnown  bool
	SYNACK       Mark
	// FIN and RST are the first of each per side (index Side).
	FIN, RST [2]Mark
	// Packets and Bytes count lines and payload bytes per side; BytesKnown
	// is false when a line did not say its length.
	Packets     [2]int
	Bytes       [2]int64
	BytesKnown  bool
	First, Last Mark
}

// PromptClose is how soon after the SYN-ACK a server's FIN or RST must come
// to look like a rejection (see ServerEndedSoon): the PromptClose of
// captures (diagnose.PromptClose). A healthy SIP trunk keeps its
// connection open; a node that refuses a peer's certificate or name closes
// it within milliseconds of the handshake.
const PromptClose = 2 * time.Second

// ServerEndedSoon reports whether the server ended an established
// connection (FIN or RST) within PromptClose of its SYN-ACK: what a TLS
// rejection looks like at the TCP level. It is a hint, not a verdict: only
// a file capture shows the handshake.
func (c *Connection) ServerEndedSoon() bool {
	if c.Verdict != VerdictEstablished || !c.Ended || c.EndedBy != Server {
		return false
	}
	end := c.FIN[Server]
	if c.Reason == ReasonReset {
		end = c.RST[Server]
	}
	return end.Time.Since(c.SYNACK.Time) < PromptClose
}

// Attempt reports whether the connection started in the text (its SYN or
// SYN-ACK is there).
func (c *Connection) Attempt() bool { return c.SYN.Seen() || c.SYNACK.Seen() }

// Problem reports whether the connection is not shown to be fine:
// anything but an established connection that was not reset and that the
// server did not end soon after its SYN-ACK (ServerEndedSoon).
func (c *Connection) Problem() bool {
	return c.Verdict != VerdictEstablished || c.Reason == ReasonReset || c.ServerEndedSoon()
}

// CallFailure reports whether no call could have been set up over the
// connection at the TCP level: refused or no_answer.
func (c *Connection) CallFailure() bool {
	return c.Verdict == VerdictRefused || c.Verdict == VerdictNoAnswer
}

func (c *Connection) side(e Endpoint) Side {
	if e.key() == c.Client.key() {
		return Client
	}
	return Server
}

func (c *Connection) count(p Packet) {
	s := c.side(p.Src)
	m := Mark{Line: p.Line, Time: p.Time}
	if !c.First.Seen() {
		c.First = m
	}
	c.Last = m
	c.Packets[s]++
	if p.Length >= 0 {
		c.Bytes[s] += int64(p.Length)
	} else {
		c.BytesKnown = false
	}
	switch {
	case p.Flags&FlagSYN != 0 && p.Flags&FlagACK == 0 && s == Client:
		if !c.SYN.Seen() {
			c.SYN = m
			c.synSeq, c.synSeqKnown = p.Seq, p.HasSeq
		}
		c.LastSYN = m
		c.SYNs++
	case p.Flags&FlagSYN != 0 && p.Flags&FlagACK != 0 && s == Server:
		if !c.SYNACK.Seen() {
			c.SYNACK = m
		}
	}
	if p.Flags&FlagRST != 0 && !c.RST[s].Seen() {
		c.RST[s] = m
	}
	if p.Flags&FlagFIN != 0 && !c.FIN[s].Seen() {
		c.FIN[s] = m
	}
}

// retransmits reports whether the SYN p is a retransmission of the
// connection's SYN: same client, and the same sequence number or, when a
// line does not show it, no answer yet.
func (c *Connection) retransmits(p Packet) bool {
	if !c.SYN.Seen() || p.Src.key() != c.Client.key() {
		return false
	}
	if p.HasSeq && c.synSeqKnown {
		return p.Seq == c.synSeq
	}
	return !c.SYNACK.Seen() && !c.RST[Server].Seen()
}

// decide sets the verdict; end is the last packet line of the text.
func (c *Connection) decide(end Stamp) {
	first := func() (Mark, Side, bool, bool) { // first RST, else first FIN
		var m Mark
		var s Side
		rst := false
		for _, sd := range []Side{Client, Server} {
			if r := c.RST[sd]; r.Seen() && (!rst || r.Line < m.Line) {
				m, s, rst = r, sd, true
			}
		}
		if rst {
			return m, s, true, true
		}
		for _, sd := range []Side{Client, Server} {
			if f := c.FIN[sd]; f.Seen() && (!m.Seen() || f.Line < m.Line) {
				m, s = f, sd
			}
		}
		return m, s, false, m.Seen()
	}
	switch {
	case c.SYNACK.Seen():
		c.Verdict, c.Reason = VerdictEstablished, ReasonOpen
		if _, s, rst, ok := first(); ok {
			c.EndedBy, c.Ended = s, true
			c.Reason = ReasonClosed
			if rst {
				c.Reason = ReasonReset
			}
		}
	case c.SYN.Seen() && c.RST[Server].Seen():
		c.Verdict, c.Reason, c.EndedBy, c.Ended = VerdictRefused, ReasonSYNReset, Server, true
	case c.SYN.Seen() && (c.SYNs > 1 || end.Since(c.SYN.Time) >= NoAnswerAfter):
		c.Verdict, c.Reason = VerdictNoAnswer, ReasonSYNUnanswered
	case c.SYN.Seen():
		c.Verdict, c.Reason = VerdictIncomplete, ReasonCaptureEnded
	default:
		c.Verdict, c.Reason = VerdictIncomplete, ReasonMidstream
		if _, s, _, ok := first(); ok {
			c.EndedBy, c.Ended = s, true
		}
	}
}

// tracker groups packet lines into connections by their two ends.
type tracker struct {
	ports     map[uint16]bool
	max       int
	cur       map[[2]Endpoint]*Connection
	conns     []*Connection
	untracked int
}

func newTracker(opts Options) *tracker {
	t := &tracker{ports: map[uint16]bool{}, max: opts.MaxConns, cur: map[[2]Endpoint]*Connection{}}
	for _, p := range opts.Ports {
		t.ports[p] = true
	}
	if len(t.ports) == 0 {
		t.ports[5061] = true
	}
	return t
}

func pairKey(a, b Endpoint) [2]Endpoint {
	a, b = a.key(), b.key()
	if a.Host > b.Host || a.Host == b.Host && a.Port > b.Port {
		a, b = b, a
	}
	return [2]Endpoint{a, b}
}

func (t *tracker) add(p Packet) {
	k := pairKey(p.Src, p.Dst)
	c := t.cur[k]
	if p.Flags&FlagSYN != 0 && p.Flags&FlagACK == 0 {
		if c == nil || !c.retransmits(p) {
			c = t.open(k, p.Src, p.Dst, RolesSYN)
		}
	} else if c == nil {
		switch {
		case p.Flags&FlagSYN != 0: // SYN-ACK
			c = t.open(k, p.Dst, p.Src, RolesSYNACK)
		case t.ports[p.Dst.Port] && !t.ports[p.Src.Port]:
			c = t.open(k, p.Src, p.Dst, RolesPort)
		case t.ports[p.Src.Port] && !t.ports[p.Dst.Port]:
			c = t.open(k, p.Dst, p.Src, RolesPort)
		case p.Src.Port < p.Dst.Port:
			c = t.open(k, p.Dst, p.Src, RolesGuess)
		default:
			c = t.open(k, p.Src, p.Dst, RolesGuess)
		}
	}
	if c == nil {
		t.untracked++
		return
	}
	c.count(p)
}

// open starts a connection, or returns nil past the cap.
func (t *tracker) open(k [2]Endpoint, client, server Endpoint, r Roles) *Connection {
	if len(t.conns) >= t.max {
		delete(t.cur, k)
		return nil
	}
	c := &Connection{ID: len(t.conns) + 1, Client: client, Server: server, Roles: r, BytesKnown: true}
	t.cur[k] = c
	t.conns = append(t.conns, c)
	return c
}

// hostKey is a host compared without regard to case.
func hostKey(h string) string { return strings.ToLower(h) }
