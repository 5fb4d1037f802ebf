package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// finOnly is a server that plays the dialogue, reads until the client's
// close_notify, then closes the TCP connection without a close_notify of its own
// (many stacks answer a close_notify with a bare FIN).
func finOnly(c *tls.Conn, t *transcript, side capgen.Side, d dialogue) error {
	if err := c.Handshake(); err != nil {
		c.Close()
		return err
	}
	if err := d.play(c, t, side); err != nil {
		c.Close()
		return err
	}
	io.Copy(io.Discard, c)
	time.Sleep(settle)
	return c.NetConn().Close()
}

// lingerApp is a client that plays the dialogue, then waits d (on the capture's
// clock) before it closes: a trunk connection kept open.
func lingerApp(d time.Duration) goApp {
	return func(c *tls.Conn, t *transcript, side capgen.Side, dl dialogue) error {
		defer c.Close()
		if err := c.Handshake(); err != nil {
			return err
		}
		if err := dl.play(c, t, side); err != nil {
			return err
		}
		t.think(side, d)
		return nil
	}
}

// trunkDialogue is what a long-lived SIP trunk connection carries: an OPTIONS ping
// right after the handshake, then, idle long after, a call and another ping.
func trunkDialogue(fromIP, toIP, from, to string, idle time.Duration, n int) dialogue {
	d := sipOptions(fromIP, toIP, n)
	call := sipCall(from, to, fromIP, toIP, 5061, n)
	call[0].Think = idle
	d = append(d, call...)
	ping := sipOptions(fromIP, toIP, n+1)
	ping[0].Think = 30 * time.Second
	return append(d, ping...)
}

// nthWrite returns the index of the first packet of side's n-th (1-based) write.
func nthWrite(pk []capgen.Packet, side capgen.Side, n int) (int, error) {
	idx := dataPackets(pk, side, n)
	if len(idx) == 0 {
		return 0, fmt.Errorf("no write %d from side %d", n, side)
	}
	return idx[0], nil
}

func midstreamOutputs() []output {
	return []output{
		{name: "midstream-close-notify.pcap", make: func(g *gen) error {
			// cucm8-sub2 opened this trunk connection to cucm7-pub 2 h 11 min before the
			// capture; the capture starts with cucm7-pub's 180 Ringing of a call.
			const idle = 2*time.Hour + 11*time.Minute
			s := session{
				Client:   end{Go: g.goClient("cucm8-sub2", "cucm7-pub")},
				Server:   end{Go: g.goServer("cucm7-pub", "cucm8-sub2"), App: finOnly},
				Dialogue: trunkDialogue(cucm8sub2, cucm7pub, "cucm8-sub2", "cucm7-pub", idle, 31),
			}
			cv, err := g.record(s, in(cucm8sub2, 42611, -idle, 310), expect{OK: true})
			if err != nil {
				return err
			}
			pk := capgen.PacketsOf(cv, 0)
			// Server writes: 1 its flight, 2 Finished, 3 the first 200 OK, 4 100 Trying, 5 180 Ringing.
			first, err := nthWrite(pk, capgen.Server, 5)
			if err != nil {
				return err
			}
			return g.write("midstream-close-notify.pcap", cucmOpts, []capgen.Conversation{cv},
				[]verdict{{"incomplete", "midstream", "inbound trunk connection open for 2 h 11 min before the capture: no SYN, no handshake; the capture starts at cucm7-pub's 180 Ringing, then 200 OK, ACK and an OPTIONS ping both ways; the client sends an encrypted alert (close_notify) and FIN, the server a bare FIN"}},
				capgen.StartAt(first))
		}},
		{name: "midstream-still-open.pcap", make: func(g *gen) error {
			// cucm7-pub's trunk connection to the CUBE, open for 47 min; the capture
			// starts at the INVITE of a call and stops while the connection is still open.
			const idle = 47 * time.Minute
			s := session{
				Client:   end{Go: g.goClient("cucm7-pub", "cube1"), App: lingerApp(10 * time.Minute)},
				Server:   end{Go: g.goServer("cube1", "cucm7-pub")},
				Dialogue: trunkDialogue(cucm7pub, cube1, "cucm7-pub", "cube1", idle, 32),
			}
			cv, err := g.record(s, out(cube1, 39877, -idle, 311), expect{OK: true})
			if err != nil {
				return err
			}
			pk := capgen.PacketsOf(cv, 0)
			// Client writes: 1 ClientHello, 2 its Certificate flight, 3 OPTIONS, 4 INVITE.
			first, err := nthWrite(pk, capgen.Client, 4)
			if err != nil {
				return err
			}
			// The capture stops 5 s after the last 200 OK (write 7 of the server), long
			// before the client closes.
			last := dataPackets(pk, capgen.Server, 7)
			if len(last) == 0 {
				return fmt.Errorf("no server write 7")
			}
			end := pk[last[len(last)-1]].Time.Add(5 * time.Second).Sub(pk[first].Time)
			return g.write("midstream-still-open.pcap", cucmOpts, []capgen.Conversation{cv},
				[]verdict{{"incomplete", "midstream", "outbound trunk connection to the CUBE open for 47 min before the capture: no SYN, no handshake; INVITE, 100, 180, 200, ACK and an OPTIONS ping both ways; still open when the capture stops (no FIN, no alert; the client closes 10 min later, not captured)"}},
				capgen.Chain(capgen.StartAt(first), capgen.Truncate(end)))
		}},
	}
}
