package capgen

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// liveSuite is the cipher suite of live bench sessions (BenchConfig.KeyLog),
// CUCM's usual one; liveOverhead is what it adds to a record's plaintext:
// the header (5), the explicit nonce (8) and the tag (16).
const (
	liveSuite    = tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	liveOverhead = 5 + 8 + 16
)

// liveNet runs a real crypto/tls session per bench connection
// (BenchConfig.KeyLog): the configurations of each peer, by transcript.Peer,
// with the client's key log going to one writer.
type liveNet struct {
	peers    map[int]peerTLS
	sessions int // sessions run so far
}

// newLiveNet makes the identities of shape's peers, at now, and their
// configurations for live sessions whose clients write their secrets to
// keyLog. Their RSA keys are new on every run.
func newLiveNet(shape Shape, now time.Time, keyLog io.Writer) (*liveNet, error) {
	peers := trunkPeers
	if shape == ShapeDense {
		peers = densePeers
	}
	ps, err := peers(now)
	if err != nil {
		return nil, err
	}
	n := &liveNet{peers: map[int]peerTLS{}}
	for _, p := range ps {
		// One record per SIP message, as the recorded shapes have it, and
		// no session tickets (CUCM sends none).
		p.client, p.server = p.client.Clone(), p.server.Clone()
		p.client.KeyLogWriter = keyLog
		for _, c := range []*tls.Config{p.client, p.server} {
			c.CipherSuites = []uint16{liveSuite}
			c.DynamicRecordSizingDisabled = true
			c.SessionTicketsDisabled = true
		}
		n.peers[p.peer] = p
	}
	return n, nil
}

// liveEnd is one end of a live session under its tls.Conn: during the
// handshake it writes to an in-memory pipe, logging what it writes; after
// it, into buf, for the bench to take record by record.
type liveEnd struct {
	recorder
	after bool
	buf   []byte
}

func (e *liveEnd) Write(b []byte) (int, error) {
	if e.after {
		e.buf = append(e.buf, b...)
		return len(b), nil
	}
	return e.recorder.Write(b)
}

// SetWriteDeadline is a no-op once the handshake is over (tls.Conn sets one
// around its close_notify).
func (e *liveEnd) SetWriteDeadline(t time.Time) error {
	if e.after {
		return nil
	}
	return e.recorder.SetWriteDeadline(t)
}

// liveSession is an established live session: each side's tls.Conn, whose
// records are written on demand.
type liveSession struct {
	conns [2]*tls.Conn // index Side
	ends  [2]*liveEnd
}

// session runs the handshake of a new session between the node and peer,
// and returns its transcript and, when the handshake completed, the
// session to write SIP over. A handshake that fails where peer's should
// not, or the other way round, is an error.
func (n *liveNet) session(peer int) (transcript, *liveSession, error) {
	p, ok := n.peers[peer]
	if !ok {
		return transcript{}, nil, fmt.Errorf("capgen: no live configuration for peer %d", peer)
	}
	n.sessions++
	cp, sp := net.Pipe()
	var mu sync.Mutex
	var log []*write
	ce := &liveEnd{recorder: recorder{Conn: cp, side: Client, mu: &mu, log: &log}}
	se := &liveEnd{recorder: recorder{Conn: sp, side: Server, mu: &mu, log: &log}}
	cc, sc := tls.Client(ce, p.client), tls.Server(se, p.server)
	cerr, serr := handshakeBoth(cc, sc, cp, sp)
	failed := cerr != nil || serr != nil
	if failed != p.fail {
		return transcript{}, nil, fmt.Errorf("capgen: live session with %s %d: client %v, server %v", p.what, p.i, cerr, serr)
	}
	tr := transcript{Name: fmt.Sprintf("%s-live-%d", p.name, n.sessions), Peer: peer, Failed: failed}
	for _, w := range log {
		if len(w.Bytes) > 0 {
			tr.Writes = append(tr.Writes, *w)
		}
	}
	if failed {
		return tr, nil, nil
	}
	ce.after, se.after = true, true
	return tr, &liveSession{conns: [2]*tls.Conn{cc, sc}, ends: [2]*liveEnd{ce, se}}, nil
}

// write returns the record side writes carrying plain.
func (s *liveSession) write(side Side, plain []byte) ([]byte, error) {
	if _, err := s.conns[side].Write(plain); err != nil {
		return nil, err
	}
	return s.take(side), nil
}

// closeNotify returns side's close_notify record.
func (s *liveSession) closeNotify(side Side) ([]byte, error) {
	if err := s.conns[side].CloseWrite(); err != nil {
		return nil, err
	}
	return s.take(side), nil
}

// take returns what side wrote since the last take.
func (s *liveSession) take(side Side) []byte {
	e := s.ends[side]
	b := e.buf
	e.buf = nil
	return b
}

// benchSIP returns a SIP message whose TLS record is about size bytes:
// what is a request's method ("INVITE", "ACK") or a response's status
// ("180 Ringing") to a request of method, and the body padding (an
// SDP-like filler) makes up the size. A message whose headers alone exceed
// the size has no body.
func benchSIP(what, method string, size int, callID string, cseq int, from, to string) []byte {
	start := "SIP/2.0 " + what
	if !strings.Contains(what, " ") {
		start, method = fmt.Sprintf("%s sip:%s:5061;transport=tls SIP/2.0", what, to), what
	}
	head := func(body int) string {
		return fmt.Sprintf("%s\r\nVia: SIP/2.0/TLS %s:5061;branch=z9hG4bK%s%d\r\nFrom: <sip:%s>;tag=%d\r\nTo: <sip:%s>\r\nCall-ID: %s\r\nCSeq: %d %s\r\nContent-Length: %d\r\n\r\n",
			start, from, callID[:8], cseq, from, cseq*7919, to, callID, cseq, method, body)
	}
	want := size - liveOverhead
	body := max(0, want-len(head(0)))
	if h := head(body); len(h)+body > want && body > 0 {
		body = max(0, want-len(h)) // the length's digits took room
	}
	var b strings.Builder
	b.WriteString(head(body))
	for b.Len() < len(head(body))+body {
		b.WriteString("a=x-filler:0123456789abcdef\r\n")
	}
	return []byte(b.String()[:len(head(body))+body])
}
