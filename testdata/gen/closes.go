package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// idleClose is a server that completes the handshake, sends nothing and closes
// (close_notify and FIN) after idle on the capture's clock.
func idleClose(idle time.Duration) goApp {
	return func(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error {
		if err := c.Handshake(); err != nil {
			c.Close()
			return err
		}
		t.think(side, idle)
		return c.Close()
	}
}

// sendFirst is a client that sends the dialogue's first message after the
// handshake, then reads until the server closes, and closes in turn.
func sendFirst(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return err
	}
	t.think(side, d[0].Think)
	if _, err := io.WriteString(c, d[0].Text); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, c)
	time.Sleep(settle)
	return err
}

// closeAfterFirst is a server that completes the handshake, reads the client's
// first message (the dialogue's first) and closes without answering: how a node
// that checks the peer's certificate names against its X.509 Subject Name when the
// first SIP request arrives refuses the peer.
func closeAfterFirst(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error {
	if err := c.Handshake(); err != nil {
		c.Close()
		return err
	}
	if _, err := io.ReadFull(c, make([]byte, len(d[0].Text))); err != nil {
		c.Close()
		return err
	}
	t.think(side, 3*time.Millisecond)
	return c.Close()
}

func closeOutputs() []output {
	return []output{
		{name: "idle-close-no-client-cert.pcap", make: func(g *gen) error {
			// A server without client authentication: no CertificateRequest, so the
			// client sends no certificate. Nothing is sent after the handshake; the
			// server closes the idle connection 61 s later.
			srv := g.goServer("cucm8-pub")
			srv.ClientAuth = tls.NoClientCert
			s := session{
				Client: end{Go: g.goClient("cucm7-pub", "cucm8-pub"), App: readFirst},
				Server: end{Go: srv, App: idleClose(61 * time.Second)},
			}
			return g.single("idle-close-no-client-cert.pcap", s, out(cucm8pub, 39955, 65*time.Millisecond, 320),
				expect{Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
				verdict{"ok", "idle_close", "TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, server without client authentication (no CertificateRequest, no client certificate); handshake completes, no application data; after 61 s idle the server sends an encrypted alert (close_notify) and FIN, the client answers close_notify and FIN"})
		}},
		{name: "fail-subject-name-mismatch-after-invite.pcap", make: func(g *gen) error {
			// The server asks for and accepts the client's certificate, reads the
			// client's first INVITE and closes 3 ms later without answering.
			s := session{
				Client:   end{Go: g.goClient("cucm7-pub", "cucm8-pub"), App: sendFirst},
				Server:   end{Go: g.goServer("cucm8-pub", "cucm7-pub"), App: closeAfterFirst},
				Dialogue: sipCall("cucm7-pub", "cucm8-pub", cucm7pub, cucm8pub, 5061, 33),
			}
			cv, err := g.record(s, out(cucm8pub, 39961, 85*time.Millisecond, 321), expect{Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256})
			if err != nil {
				return err
			}
			// Client writes: 1 ClientHello, 2 Certificate..Finished, 3 INVITE; server
			// writes: 1 its flight, 2 Finished, 3 the close_notify.
			pk := capgen.PacketsOf(cv, 0)
			invite, alert := dataPackets(pk, capgen.Client, 3), dataPackets(pk, capgen.Server, 3)
			if len(invite) == 0 || len(alert) == 0 {
				return fmt.Errorf("no INVITE or no alert")
			}
			d := pk[alert[0]].Time.Sub(pk[invite[0]].Time)
			return g.write("fail-subject-name-mismatch-after-invite.pcap", cucmOpts, []capgen.Conversation{cv}, []verdict{{"failed", "closed_after_handshake",
				fmt.Sprintf("mutual TLS 1.2 handshake completes (the server sent a CertificateRequest); the client sends its first INVITE (frame %d); %.1f ms later the server sends an encrypted alert (close_notify, frame %d) and FIN without answering (X.509 Subject Name mismatch look)",
					invite[0]+1, float64(d)/float64(time.Millisecond), alert[0]+1)}})
		}},
	}
}
