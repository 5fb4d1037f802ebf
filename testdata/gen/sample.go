package main

import (
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// sample writes the README's sample: a minute of cucm7-pub's SIP trunk to cluster 2.
// See testdata/README.md for the story.
func (g *gen) sample(name string) error {
	trunkTrust := []string{"cucm8-pub", "cucm8-sub1", "cucm8-sub2"}
	okTo := func(peer, srvID string, n int) session {
		return session{
			Client:   end{Go: g.goClient("cucm7-pub", trunkTrust...)},
			Server:   end{Go: g.goServer(srvID, "cucm7-pub")},
			Dialogue: sipCall("cucm7-pub", srvID, cucm7pub, peer, 5061, n),
		}
	}
	failTo22 := func() session {
		// cucm8-sub1's CallManager-trust lacks cucm7-pub's certificate.
		return session{
			Client: end{Go: g.goClient("cucm7-pub", trunkTrust...)},
			Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm8-pub", "cucm8-sub2"})},
		}
	}
	type call struct {
		s    session
		c    conn
		want expect
		v    verdict
	}
	var calls []call
	// Nine calls, round-robin over the trunk's three destinations.
	dests := []struct {
		ip, id string
	}{{cucm8pub, "cucm8-pub"}, {cucm8sub1, "cucm8-sub1"}, {cucm8sub2, "cucm8-sub2"}}
	for i := 0; i < 9; i++ {
		d := dests[i%3]
		start := 210*time.Millisecond + time.Duration(i)*6100*time.Millisecond + time.Duration(i%4)*137*time.Millisecond
		c := out(d.ip, 38211+i*13, start, uint64(1000+i))
		if d.ip == cucm8sub1 {
			calls = append(calls, call{failTo22(), c, expect{Side: capgen.Server, Alert: "unknown_ca"},
				alertv("cucm8-sub1 (OpenSSL) sends fatal unknown_ca after cucm7-pub's Certificate: cucm7-pub's certificate is not in its CallManager-trust")})
		} else {
			calls = append(calls, call{okTo(d.ip, d.id, i+1), c, expect{OK: true}, okv("mutual TLS 1.2, SIP INVITE / 100 / 180 / 200 / ACK")})
		}
	}
	// cucm8-pub calls in: fine.
	calls = append(calls, call{session{
		Client:   end{Go: g.goClient("cucm8-pub", "cucm7-pub")},
		Server:   end{Go: g.goServer("cucm7-pub", "cucm8-pub", "cucm8-sub1", "cucm8-sub2", "cube1-old")},
		Dialogue: sipCall("cucm8-pub", "cucm7-pub", cucm8pub, cucm7pub, 5061, 21),
	}, in(cucm8pub, 45112, 20400*time.Millisecond, 1010), expect{OK: true}, okv("inbound call from cucm8-pub, mutual TLS 1.2")})
	// The CUBE calls in with its regenerated certificate; cucm7-pub holds the stale copy.
	calls = append(calls, call{session{
		Client: end{Go: g.goClient("cube1", "cucm7-pub")},
		Server: end{OpenSSL: g.sslServer("cucm7-pub", []string{"cucm8-pub", "cucm8-sub1", "cucm8-sub2", "cube1-old"})},
	}, in(cube1, 46021, 33700*time.Millisecond, 1011), expect{Side: capgen.Server, Alert: "unknown_ca"},
		alertv("cucm7-pub (OpenSSL) sends fatal unknown_ca after cube1's Certificate: its CallManager-trust holds a stale copy of cube1.lab (same subject, other serial)")})

	var convs []capgen.Conversation
	var vs []verdict
	for _, c := range calls {
		cv, err := g.record(c.s, c.c, c.want)
		if err != nil {
			return err
		}
		convs = append(convs, cv)
		vs = append(vs, c.v)
	}
	// A stale trunk destination: SYN retransmitted three times, never answered.
	convs = append(convs, synOnly(out(cucm8gone, 38377, 41100*time.Millisecond, 1012), 3))
	vs = append(vs, verdict{"no_answer", "syn_unanswered", "SYN to 10.20.1.24 sent 4 times, never answered"})
	return g.write(name, cucmOpts, convs, vs)
}
