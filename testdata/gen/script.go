package main

import (
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// captureTime is when every capture starts: 2026-11-20T14:03:00Z.
var captureTime = time.Date(2026, 11, 20, 14, 3, 0, 0, time.UTC)

const rtt = 2 * time.Millisecond

// conn describes where a recorded session happened on the capture's network.
type conn struct {
	Client, Server string        // "10.10.1.11:38211"
	Start          time.Duration // offset from captureTime
	Local          capgen.Side   // the capturing node's side
	Seed           uint64        // ISNs and processing times
}

// flight is consecutive writes of one side that left together.
type flight struct {
	Side  capgen.Side
	Kind  evKind
	Bytes []byte
	Pause time.Duration
}

// flights groups a transcript's events into flights: writes of one side less than
// 3 ms apart in real time, with no scripted pause, are one flight.
func flights(evs []event) []flight {
	var fs []flight
	for i, e := range evs {
		if e.Kind == evData && len(fs) > 0 && i > 0 {
			last := &fs[len(fs)-1]
			prev := evs[i-1]
			if last.Kind == evData && last.Side == e.Side && prev.Side == e.Side && prev.Kind == evData &&
				e.Pause == 0 && e.When.Sub(prev.When) < 3*time.Millisecond {
				last.Bytes = append(last.Bytes, e.Bytes...)
				continue
			}
		}
		fs = append(fs, flight{Side: e.Side, Kind: e.Kind, Bytes: append([]byte(nil), e.Bytes...), Pause: e.Pause})
	}
	// When both ends close at the end, one right after the other, the end that wrote
	// last (an alert's sender) closes first: the other only reacts to what it read.
	// Two processes exiting (OpenSSL) are otherwise recorded in either order.
	if n := len(fs); n >= 3 && fs[n-1].Kind == evClose && fs[n-2].Kind == evClose && fs[n-3].Kind == evData &&
		fs[n-1].Side == fs[n-3].Side && fs[n-2].Side != fs[n-3].Side {
		fs[n-2], fs[n-1] = fs[n-1], fs[n-2]
	}
	return fs
}

// newConversation returns c's conversation, with no steps yet, and the random
// source seeded by c.Seed that drew its ISNs, for the times of its steps.
func newConversation(c conn) (capgen.Conversation, *rand.Rand) {
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x5eed))
	cv := capgen.Conversation{
		Client:    netip.MustParseAddrPort(c.Client),
		Server:    netip.MustParseAddrPort(c.Server),
		Start:     captureTime.Add(c.Start),
		ClientISN: rng.Uint32(),
		ServerISN: rng.Uint32(),
	}
	return cv, rng
}

// conversation turns recorded flights into a scripted TCP conversation with realistic
// times as seen from the capturing node: the peer's answers arrive one RTT plus its
// processing time after ours; ours leave a processing time after the peer's arrive.
func conversation(c conn, fs []flight) capgen.Conversation {
	cv, rng := newConversation(c)
	proc := func() time.Duration { return 600*time.Microsecond + time.Duration(rng.IntN(2400))*time.Microsecond }
	at := time.Duration(0)
	cv.Steps = append(cv.Steps, capgen.Step{At: 0, Side: capgen.Client, Kind: capgen.SYN})
	if c.Local == capgen.Client {
		at = rtt + 60*time.Microsecond
	} else {
		at = 45 * time.Microsecond
	}
	cv.Steps = append(cv.Steps, capgen.Step{At: at, Side: capgen.Server, Kind: capgen.SYNACK})
	if c.Local == capgen.Client {
		at += 40 * time.Microsecond
	} else {
		at += rtt
	}
	cv.Steps = append(cv.Steps, capgen.Step{At: at, Side: capgen.Client, Kind: capgen.ACK})
	prev := capgen.Client
	for _, f := range fs {
		var gap time.Duration
		switch {
		case f.Side == prev:
			gap = 90 * time.Microsecond
		case f.Side == c.Local:
			gap = proc()
		default:
			gap = rtt + proc()
		}
		if f.Kind == evClose {
			gap = gap/4 + 30*time.Microsecond
		}
		at += gap + f.Pause
		k := capgen.Data
		if f.Kind == evClose {
			k = capgen.FIN
		}
		cv.Steps = append(cv.Steps, capgen.Step{At: at, Side: f.Side, Kind: k, Bytes: f.Bytes})
		prev = f.Side
	}
	return cv
}

// synOnly is a connection attempt whose SYN is retransmitted (Linux: 1 s, 2 s, 4 s)
// and never answered; retries is the number of retransmissions.
func synOnly(c conn, retries int) capgen.Conversation {
	cv, rng := newConversation(c)
	at, step := time.Duration(0), time.Second
	for i := 0; i <= retries; i++ {
		cv.Steps = append(cv.Steps, capgen.Step{At: at + time.Duration(rng.IntN(900))*time.Microsecond, Side: capgen.Client, Kind: capgen.SYN})
		at += step
		step *= 2
	}
	return cv
}

// refused is a SYN answered by a RST (nothing listens on the port).
func refused(c conn) capgen.Conversation {
	cv := synOnly(c, 0)
	cv.Steps = append(cv.Steps, capgen.Step{At: rtt + 70*time.Microsecond, Side: capgen.Server, Kind: capgen.RST})
	return cv
}
