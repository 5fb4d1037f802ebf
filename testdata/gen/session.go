package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// goApp runs on one side of a Go TLS connection. The default (nil) performs the
// handshake, then the session's SIP dialogue, then closes.
type goApp func(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error

// end is one TLS endpoint of a session: a Go crypto/tls config or OpenSSL arguments.
type end struct {
	Go      *tls.Config
	App     goApp
	OpenSSL []string // s_server or s_client arguments
}

// session is one TLS connection to record between two real stacks.
type session struct {
	Client, Server end
	Dialogue       dialogue // SIP messages after the handshake
}

// result is a recorded session: the events and what each stack said.
type result struct {
	Events               []event
	ClientErr, ServerErr error
	ClientOut, ServerOut string // OpenSSL output
}

// runGo runs e's Go TLS stack as side on the connection connect makes (its
// writes recorded in t when record is set, that is when no relay records
// them): e.App, or defaultApp, over the dialogue d.
func runGo(connect func() (net.Conn, error), e end, t *transcript, side capgen.Side, record bool, d dialogue) error {
	raw, err := connect()
	if err != nil {
		return err
	}
	var nc net.Conn = raw
	if record {
		nc = &recConn{Conn: raw, t: t, side: side}
	}
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	var c *tls.Conn
	if side == capgen.Server {
		c = tls.Server(nc, e.Go)
	} else {
		c = tls.Client(nc, e.Go)
	}
	app := e.App
	if app == nil {
		app = defaultApp
	}
	return app(c, t, side, d)
}

// run records s.
func (g *gen) run(s session) (*result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	t := &transcript{}
	res := &result{}
	type outcome struct {
		side capgen.Side
		err  error
		out  string
	}
	results := make(chan outcome, 2)

	// Server side.
	var serverPort int
	var relayDone <-chan struct{}
	useRelay := s.Client.OpenSSL != nil || s.Server.OpenSSL != nil
	var sproc *proc
	if s.Server.Go != nil {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		serverPort = l.Addr().(*net.TCPAddr).Port
		accept := func() (net.Conn, error) {
			l.(*net.TCPListener).SetDeadline(time.Now().Add(15 * time.Second))
			return l.Accept()
		}
		go func() {
			results <- outcome{capgen.Server, runGo(accept, s.Server, t, capgen.Server, !useRelay, s.Dialogue), ""}
		}()
	} else {
		var err error
		sproc, serverPort, err = g.sServer(ctx, s.Server.OpenSSL...)
		if err != nil {
			return nil, err
		}
		defer sproc.cmd.Process.Kill()
	}
	dialPort := serverPort
	if useRelay {
		var err error
		if dialPort, relayDone, err = relay(t, serverPort); err != nil {
			return nil, err
		}
	}

	// Client side.
	var cproc *proc
	if s.Client.Go != nil {
		dial := func() (net.Conn, error) { return net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", dialPort)) }
		go func() {
			results <- outcome{capgen.Client, runGo(dial, s.Client, t, capgen.Client, !useRelay, s.Dialogue), ""}
		}()
	} else {
		var err error
		if cproc, err = g.sClient(ctx, dialPort, s.Client.OpenSSL...); err != nil {
			return nil, err
		}
		defer cproc.cmd.Process.Kill()
	}

	// OpenSSL application data: feed stdin when the dialogue says so.
	if cproc != nil || sproc != nil {
		go g.feedOpenSSL(ctx, t, s.Dialogue, cproc, sproc)
	}

	// Wait for the ends.
	waitGo := 0
	if s.Client.Go != nil {
		waitGo++
	}
	if s.Server.Go != nil {
		waitGo++
	}
	for i := 0; i < waitGo; i++ {
		select {
		case o := <-results:
			if o.side == capgen.Client {
				res.ClientErr = o.err
			} else {
				res.ServerErr = o.err
			}
		case <-ctx.Done():
			return nil, errors.New("session timed out")
		}
	}
	for _, p := range []*proc{cproc, sproc} {
		if p == nil {
			continue
		}
		select {
		case <-p.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("openssl did not finish: %s", p.output())
		}
	}
	if relayDone != nil {
		select {
		case <-relayDone:
		case <-ctx.Done():
			return nil, errors.New("relay did not finish")
		}
	}
	if cproc != nil {
		res.ClientOut = cproc.output()
	}
	if sproc != nil {
		res.ServerOut = sproc.output()
	}
	res.Events = t.snapshot()
	return res, nil
}

// feedOpenSSL writes the dialogue's messages of the OpenSSL ends to their stdin, each
// once the messages before it have been seen: its own on the wire, the peer's in the
// receiving process's output (a Go end plays its own messages). At the end it closes
// the client's stdin, once s_client has printed every server message, so that
// s_client sends close_notify and exits. Waiting for the output, not only for
// application data records on the wire, keeps the order in TLS 1.3, whose encrypted
// handshake records are application data records too.
func (g *gen) feedOpenSSL(ctx context.Context, t *transcript, d dialogue, cproc, sproc *proc) {
	seenApp := func(side capgen.Side) int {
		var stream []byte
		for _, e := range t.snapshot() {
			if e.Side == side && e.Kind == evData {
				stream = append(stream, e.Bytes...)
			}
		}
		return len(records(stream, 23))
	}
	wait := func(done func() bool) bool {
		for !done() {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(5 * time.Millisecond):
			}
		}
		return true
	}
	procs := [2]*proc{capgen.Client: cproc, capgen.Server: sproc}
	sent := [2]int{}
	for i, m := range d {
		other := 1 - m.Side
		p := procs[m.Side]
		if p == nil {
			sent[m.Side]++
			continue
		}
		// Wait for the peer's previous messages (application data records, and
		// printed by this end).
		if !wait(func() bool {
			return seenApp(other) >= sent[other] && !(m.Side == capgen.Server && seenApp(capgen.Client) == 0) && received(p, d[:i], other)
		}) {
			return
		}
		t.think(m.Side, m.Think)
		io.WriteString(p.stdin, m.Text)
		sent[m.Side]++
		if !wait(func() bool { return seenApp(m.Side) >= sent[m.Side] }) {
			return
		}
	}
	if cproc != nil {
		if !wait(func() bool { return received(cproc, d, capgen.Server) }) {
			return
		}
		time.Sleep(20 * time.Millisecond)
		cproc.stdin.Close()
	}
}

// received reports whether p has printed every message of d sent by side (OpenSSL
// prints the application data it receives; its output has "\n" line ends).
func received(p *proc, d dialogue, side capgen.Side) bool {
	out := p.output()
	want := map[string]int{}
	for _, m := range d {
		if m.Side == side && m.Text != keyUpdate {
			want[strings.ReplaceAll(m.Text, "\r\n", "\n")]++
		}
	}
	for text, n := range want {
		if strings.Count(out, text) < n {
			return false
		}
	}
	return true
}

// settle is how long the end that reacts to its peer's close or alert waits before it
// closes in turn, so that the peer's own close (a few microseconds after its last write)
// is always recorded first and every run records the same order.
const settle = 20 * time.Millisecond

// defaultApp: handshake, the dialogue, then the client closes and the server closes
// after reading the client's close_notify.
func defaultApp(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		if strings.Contains(err.Error(), "remote error") {
			time.Sleep(settle) // the alert's sender closes first
		}
		return err
	}
	if err := d.play(c, t, side); err != nil {
		return err
	}
	if side == capgen.Server {
		io.Copy(io.Discard, c)
		time.Sleep(settle)
	} else {
		t.think(side, 40*time.Millisecond)
	}
	return nil
}

// closeAfterHandshake is a server that completes the handshake, then closes before any
// SIP: what CUCM does when the peer's certificate does not match the trunk's X.509
// Subject Name.
func closeAfterHandshake(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error {
	if err := c.Handshake(); err != nil {
		c.Close()
		return err
	}
	t.think(side, 2*time.Millisecond)
	c.Close()
	return nil
}

// readFirst is a client that waits for the server after the handshake (and so never
// sends SIP when the server closes at once).
func readFirst(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, c)
	time.Sleep(settle)
	return err
}

// sipMsg is one SIP message of a dialogue.
type sipMsg struct {
	Side  capgen.Side
	Think time.Duration // time before the sender writes it
	Text  string
}

// dialogue is a sequence of SIP messages over an established TLS connection.
type dialogue []sipMsg

// keyUpdate, as the text of an OpenSSL end's message, is not SIP: it is
// s_client's and s_server's command "K", a TLS 1.3 KeyUpdate that also
// asks the peer to update its keys (RFC 8446 section 4.6.3). It is one
// record on the wire and nothing is printed by the peer.
const keyUpdate = "K\n"

// play writes this side's messages and reads the peer's, in order.
func (d dialogue) play(c *tls.Conn, t *transcript, side capgen.Side) error {
	for _, m := range d {
		if m.Side == side {
			t.think(side, m.Think)
			if _, err := io.WriteString(c, m.Text); err != nil {
				return err
			}
			continue
		}
		if _, err := io.ReadFull(c, make([]byte, len(m.Text))); err != nil {
			return err
		}
	}
	return nil
}

// sipCall is a CUCM-to-CUCM call over a SIP trunk: INVITE with SDP, 100 Trying,
// 180 Ringing, 200 OK with SDP, ACK.
func sipCall(from, to string, fromIP, toIP string, port int, n int) dialogue {
	callID := fmt.Sprintf("%08x-%08x-%04x@%s", 0x5a3b0000+n*0x1111, 0x10c6a7+n, 0x1c4+n, fromIP)
	branch := fmt.Sprintf("z9hG4bK%x", 0x3f1a2b+n*7)
	tag := fmt.Sprintf("%d~a1b2c3d4-5e6f-7081-92a3-b4c5d6e7f80%d-%d", 1024+n, n%10, 34119000+n)
	sdp := fmt.Sprintf("v=0\r\no=CiscoSystemsCCM-SIP %d 1 IN IP4 %s\r\ns=SIP Call\r\nc=IN IP4 10.10.50.%d\r\nb=TIAS:64000\r\nb=AS:64\r\nt=0 0\r\nm=audio 2%04d RTP/AVP 0 8 18 101\r\nb=TIAS:64000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:18 G729/8000\r\na=ptime:20\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n", 2000+n, fromIP, 20+n, 4000+2*n)
	hdr := func(first, cseq string, extra string, body string) string {
		var b strings.Builder
		b.WriteString(first + "\r\n")
		fmt.Fprintf(&b, "Via: SIP/2.0/TLS %s:5061;branch=%s\r\n", fromIP, branch)
		fmt.Fprintf(&b, "From: <sip:2001@%s>;tag=%s\r\n", fromIP, tag)
		toTag := ""
		if !strings.HasPrefix(first, "INVITE ") {
			toTag = fmt.Sprintf(";tag=%d", 998877+n)
		}
		fmt.Fprintf(&b, "To: <sip:3%03d@%s>%s\r\n", n, toIP, toTag)
		fmt.Fprintf(&b, "Date: Fri, 20 Nov 2026 14:03:%02d GMT\r\nCall-ID: %s\r\nCSeq: %s\r\n", n%60, callID, cseq)
		b.WriteString(extra)
		if body != "" {
			fmt.Fprintf(&b, "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		} else {
			b.WriteString("Content-Length: 0\r\n\r\n")
		}
		return b.String()
	}
	invite := hdr(fmt.Sprintf("INVITE sip:3%03d@%s:%d SIP/2.0", n, toIP, port), "101 INVITE",
		fmt.Sprintf("Supported: timer,resource-priority,replaces\r\nMin-SE:  1800\r\nUser-Agent: Cisco-CUCM14.0\r\nAllow: INVITE, OPTIONS, INFO, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY\r\nContact: <sip:2001@%s:5061;transport=tls>;+u.sip!devicename.ccm.cisco.com=\"%s\"\r\nExpires: 180\r\nAllow-Events: presence, kpml\r\nSession-Expires:  1800\r\nMax-Forwards: 69\r\nP-Asserted-Identity: <sip:2001@%s>\r\nRemote-Party-ID: <sip:2001@%s>;party=calling;screen=yes;privacy=off\r\n", fromIP, from, fromIP, fromIP), sdp)
	trying := hdr("SIP/2.0 100 Trying", "101 INVITE", "", "")
	ringing := hdr("SIP/2.0 180 Ringing", "101 INVITE", fmt.Sprintf("Allow: INVITE, OPTIONS, INFO, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY\r\nContact: <sip:3%03d@%s:5061;transport=tls>\r\nServer: Cisco-CUCM14.0\r\n", n, toIP), "")
	ok := hdr("SIP/2.0 200 OK", "101 INVITE", fmt.Sprintf("Allow: INVITE, OPTIONS, INFO, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY\r\nContact: <sip:3%03d@%s:5061;transport=tls>\r\nSupported: replaces\r\nServer: Cisco-CUCM14.0\r\nSession-Expires:  1800;refresher=uas\r\nRequire: timer\r\n", n, toIP), strings.ReplaceAll(sdp, fromIP, toIP))
	ack := hdr(fmt.Sprintf("ACK sip:3%03d@%s:5061;transport=tls SIP/2.0", n, toIP), "101 ACK", "Max-Forwards: 70\r\n", "")
	return dialogue{
		{capgen.Client, 2 * time.Millisecond, invite},
		{capgen.Server, 3 * time.Millisecond, trying},
		{capgen.Server, 180 * time.Millisecond, ringing},
		{capgen.Server, 2400 * time.Millisecond, ok},
		{capgen.Client, 4 * time.Millisecond, ack},
	}
}

// sipOptions is an OPTIONS ping and its 200 OK, as CUCM sends to a trunk destination.
func sipOptions(fromIP, toIP string, n int) dialogue {
	req := fmt.Sprintf("OPTIONS sip:%s:5061 SIP/2.0\r\nVia: SIP/2.0/TLS %s:5061;branch=z9hG4bK%x\r\nFrom: <sip:%s>;tag=%d\r\nTo: <sip:%s>\r\nDate: Fri, 20 Nov 2026 14:03:%02d GMT\r\nCall-ID: %x-%x@%s\r\nUser-Agent: Cisco-CUCM14.0\r\nCSeq: 101 OPTIONS\r\nContact: <sip:%s:5061;transport=tls>\r\nMax-Forwards: 0\r\nContent-Length: 0\r\n\r\n",
		toIP, fromIP, 0x7e11+n, fromIP, 553300+n, toIP, n%60, 0xa0b1c2+n, 0x3d4e+n, fromIP, fromIP)
	resp := strings.Replace(req, "OPTIONS sip:"+toIP+":5061 SIP/2.0", "SIP/2.0 200 OK", 1)
	resp = strings.Replace(resp, "To: <sip:"+toIP+">", fmt.Sprintf("To: <sip:%s>;tag=%d", toIP, 771100+n), 1)
	resp = strings.Replace(resp, "Max-Forwards: 0\r\n", "Allow: INVITE, OPTIONS, INFO, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY\r\nServer: Cisco-CUCM14.0\r\n", 1)
	return dialogue{{capgen.Client, 2 * time.Millisecond, req}, {capgen.Server, 3 * time.Millisecond, resp}}
}

// sipCallBye is sipCall, then the caller's BYE and its 200 OK.
func sipCallBye(from, to string, fromIP, toIP string, port int, n int) dialogue {
	d := sipCall(from, to, fromIP, toIP, port, n)
	ack := d[len(d)-1].Text
	bye := strings.Replace(strings.Replace(ack, "ACK sip:", "BYE sip:", 1), "CSeq: 101 ACK", "CSeq: 102 BYE", 1)
	ok := strings.Replace(bye, strings.SplitN(bye, "\r\n", 2)[0], "SIP/2.0 200 OK", 1)
	return append(d, sipMsg{capgen.Client, 1500 * time.Millisecond, bye}, sipMsg{capgen.Server, 2 * time.Millisecond, ok})
}

// sipCallRefused is sipCall's INVITE answered 100 Trying and then 503
// Service Unavailable (the called side has no route or resource), and the
// caller's ACK.
func sipCallRefused(from, to string, fromIP, toIP string, port int, n int) dialogue {
	d := sipCall(from, to, fromIP, toIP, port, n)
	refused := strings.Replace(d[2].Text, "SIP/2.0 180 Ringing", "SIP/2.0 503 Service Unavailable", 1)
	return dialogue{d[0], d[1], {capgen.Server, 40 * time.Millisecond, refused}, d[len(d)-1]}
}
