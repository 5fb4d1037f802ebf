package capgen

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// t0 is the start of every test conversation.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	testClientISN = 1000
	testServerISN = 5000
)

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

// conv builds a test conversation between 10.10.1.11:40000 and 10.10.2.20:5061
// (or their IPv6 counterparts).
func conv(v6 bool, steps ...Step) Conversation {
	c := Conversation{
		Client: netip.MustParseAddrPort("10.10.1.11:40000"), Server: netip.MustParseAddrPort("10.10.2.20:5061"),
		Start: t0, ClientISN: testClientISN, ServerISN: testServerISN, Steps: steps,
	}
	if v6 {
		c.Client = netip.MustParseAddrPort("[2001:db8::11]:40000")
		c.Server = netip.MustParseAddrPort("[2001:db8::20]:5061")
	}
	return c
}

// handshake is the TCP three-way handshake with a 1 ms round trip.
func handshake() []Step {
	return []Step{{0, Client, SYN, nil}, {ms(1), Server, SYNACK, nil}, {ms(1.05), Client, ACK, nil}}
}

// tlsConv is a conversation replaying the embedded transcript i: TCP handshake,
// the TLS handshake writes 1 ms apart, then a close by the client.
func tlsConv(t testing.TB, i int, v6 bool) Conversation {
	t.Helper()
	ts, err := loadTranscripts()
	if err != nil {
		t.Fatal(err)
	}
	steps := handshake()
	at := ms(1.1)
	for _, w := range ts[i].Writes {
		steps = append(steps, Step{at, w.Side, Data, w.Bytes})
		at += ms(1)
	}
	steps = append(steps, Step{at, Client, FIN, nil}, Step{at + ms(1), Server, FIN, nil}, Step{at + ms(2), Client, ACK, nil})
	return conv(v6, steps...)
}

// summary is a packet in a form tables can spell: side, flags, sequence and
// acknowledgement numbers relative to the ISNs, payload length and time since t0.
func summary(p Packet) string {
	isn, peer := uint32(testClientISN), uint32(testServerISN)
	side := "C"
	if p.Side == Server {
		isn, peer, side = peer, isn, "S"
	}
	ack := int32(0)
	if p.Flags&FlagACK != 0 {
		ack = int32(p.Ack - peer)
	}
	return fmt.Sprintf("%s %s seq=%d ack=%d len=%d +%v", side, p.Flags, int32(p.Seq-isn), ack, len(p.Payload), p.Time.Sub(t0))
}

func summaries(ps []Packet) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(summary(p))
		b.WriteByte('\n')
	}
	return b.String()
}
