package main

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// The inputs of `siptls triage` (testdata/README.md, "triage/"): several captures of
// one incident, and a folder with junk.
func triageOutputs() []output {
	return []output{
		{name: "triage/captures", make: (*gen).triageCaptures},
		{name: "triage/junk", make: (*gen).triageJunk},
	}
}

// peerClockSkew is how far cucm8-pub's clock is ahead of cucm7-pub's in the
// capture taken on cucm8-pub.
const peerClockSkew = 1500 * time.Millisecond

// tcall is one connection of a triage capture and the verdict it must get.
type tcall struct {
	s    session
	c    conn
	want expect
	v    verdict
}

// triageCaptures writes triage/captures/: cucm7-pub.cap (five minutes of cucm7-pub's
// trunk to cluster 2 and the CUBE, in and out), cucm7-pub-later.cap (the same node an
// hour later, while cucm8-sub2's certificate is regenerated) and cucm8-pub.pcap (the
// connections between cucm7-pub and cucm8-pub captured on cucm8-pub, same ISNs, its
// clock 1.5 s ahead).
func (g *gen) triageCaptures() error {
	dir := filepath.Join(g.out, "triage", "captures")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// cucm7-pub still trusts cucm8-sub2's old certificate only.
	trunkTrust := []string{"cucm8-pub", "cucm8-sub1", "cucm8-sub2-old", "cube1"}
	okTo := func(peer, srvID string, n int) session {
		return session{
			Client:   end{Go: g.goClient("cucm7-pub", trunkTrust...)},
			Server:   end{Go: g.goServer(srvID, "cucm7-pub")},
			Dialogue: sipCall("cucm7-pub", srvID, cucm7pub, peer, 5061, n),
		}
	}
	// cucm8-sub1's CallManager-trust lacks cucm7-pub's certificate.
	failSub1 := session{
		Client: end{Go: g.goClient("cucm7-pub", trunkTrust...)},
		Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm8-pub", "cucm8-sub2"})},
	}
	sub1v := alertv("cucm8-sub1 (OpenSSL) sends fatal unknown_ca after cucm7-pub's Certificate: cucm7-pub's certificate is not in its CallManager-trust")
	sub1want := expect{Side: capgen.Server, Alert: "unknown_ca"}

	// (a) one call in 3 fails: 12 calls over five minutes, round-robin over the three
	// destinations; cucm8-sub1 refuses every one. (b) the CUBE is intermittent: the
	// second router behind its address lacks cucm7-pub in its trustpoint.
	var calls []tcall
	dests := []struct{ ip, id string }{{cucm8pub, "cucm8-pub"}, {cucm8sub1, "cucm8-sub1"}, {cucm8sub2, "cucm8-sub2-old"}}
	for i := 0; i < 12; i++ {
		d := dests[i%3]
		start := 400*time.Millisecond + time.Duration(i)*25*time.Second + time.Duration(i%5)*173*time.Millisecond
		c := out(d.ip, 41003+i*17, start, uint64(4000+i))
		if d.ip == cucm8sub1 {
			calls = append(calls, tcall{failSub1, c, sub1want, sub1v})
		} else {
			calls = append(calls, tcall{okTo(d.ip, d.id, 40+i), c, expect{OK: true}, okv("mutual TLS 1.2, SIP INVITE / 100 / 180 / 200 / ACK")})
		}
	}
	for i := 0; i < 4; i++ {
		start := 12*time.Second + time.Duration(i)*71*time.Second
		c := out(cube1, 42107+i*29, start, uint64(4100+i))
		if i%2 == 0 {
			calls = append(calls, tcall{okTo(cube1, "cube1", 60+i), c, expect{OK: true}, okv("to the CUBE, mutual TLS 1.2")})
			continue
		}
		calls = append(calls, tcall{session{
			Client: end{Go: g.goClient("cucm7-pub", trunkTrust...)},
			Server: end{OpenSSL: g.sslServer("cube1", []string{"cucm8-pub"})},
		}, c, expect{Side: capgen.Server, Alert: "unknown_ca"},
			alertv("the CUBE's second router (OpenSSL) sends fatal unknown_ca: cucm7-pub is not in its trustpoint")})
	}
	// Inbound: cucm8-pub calls in fine; only the CUBE's calls in fail (cucm7-pub holds
	// the stale copy of cube1.lab).
	for i := 0; i < 3; i++ {
		start := 30*time.Second + time.Duration(i)*83*time.Second
		calls = append(calls, tcall{session{
			Client:   end{Go: g.goClient("cucm8-pub", "cucm7-pub")},
			Server:   end{Go: g.goServer("cucm7-pub", "cucm8-pub", "cucm8-sub1", "cucm8-sub2", "cube1-old")},
			Dialogue: sipCall("cucm8-pub", "cucm7-pub", cucm8pub, cucm7pub, 5061, 70+i),
		}, in(cucm8pub, 45210+i*11, start, uint64(4200+i)), expect{OK: true}, okv("inbound call from cucm8-pub, mutual TLS 1.2")})
	}
	for i := 0; i < 2; i++ {
		start := 95*time.Second + time.Duration(i)*120*time.Second
		calls = append(calls, tcall{session{
			Client: end{Go: g.goClient("cube1", "cucm7-pub")},
			Server: end{OpenSSL: g.sslServer("cucm7-pub", []string{"cucm8-pub", "cucm8-sub1", "cucm8-sub2", "cube1-old"})},
		}, in(cube1, 46500+i*7, start, uint64(4300+i)), expect{Side: capgen.Server, Alert: "unknown_ca"},
			alertv("cucm7-pub (OpenSSL) sends fatal unknown_ca after cube1's Certificate: its CallManager-trust holds a stale copy of cube1.lab")})
	}
	convs, vs, err := g.recordAll(calls)
	if err != nil {
		return err
	}
	if err := g.write("triage/captures/cucm7-pub.cap", cucmOpts, convs, vs); err != nil {
		return err
	}

	// (d) cucm8-pub's capture of its connections with cucm7-pub: the same
	// conversations (same ISNs), seen from 10.20.1.21, its clock 1.5 s ahead.
	var peerConvs []capgen.Conversation
	var peerVs []verdict
	for i, cv := range convs {
		if cv.Client.Addr().String() != cucm8pub && cv.Server.Addr().String() != cucm8pub {
			continue
		}
		cv.Start = cv.Start.Add(peerClockSkew)
		peerConvs = append(peerConvs, cv)
		peerVs = append(peerVs, vs[i])
	}
	peerOpts := capgen.Options{Format: capgen.PCAPNG, Local: netip.MustParseAddr(cucm8pub)}
	if err := g.write("triage/captures/cucm8-pub.pcapng", peerOpts, peerConvs, peerVs); err != nil {
		return err
	}

	// (c) an hour later on cucm7-pub: cucm8-sub2's certificate is regenerated between
	// the third and fourth call; cucm7-pub holds only the old copy and rejects the new.
	calls = calls[:0]
	for i := 0; i < 6; i++ {
		start := time.Hour + time.Duration(i)*40*time.Second + time.Duration(i%3)*211*time.Millisecond
		c := out(cucm8sub2, 43001+i*19, start, uint64(4400+i))
		if i < 3 {
			calls = append(calls, tcall{okTo(cucm8sub2, "cucm8-sub2-old", 80+i), c, expect{OK: true}, okv("cucm8-sub2 still presents its old certificate")})
			continue
		}
		calls = append(calls, tcall{session{
			Client: end{Go: g.goClient("cucm7-pub", trunkTrust...)},
			Server: end{Go: g.goServer("cucm8-sub2", "cucm7-pub")},
		}, c, expect{Side: capgen.Client, Alert: "bad_certificate"},
			alertv("cucm8-sub2 presents its regenerated certificate; cucm7-pub (Go) trusts only the old copy and sends fatal bad_certificate")})
	}
	convs, vs, err = g.recordAll(calls)
	if err != nil {
		return err
	}
	return g.write("triage/captures/cucm7-pub-later.cap", cucmOpts, convs, vs)
}

// recordAll records every call, in order.
func (g *gen) recordAll(calls []tcall) ([]capgen.Conversation, []verdict, error) {
	var convs []capgen.Conversation
	var vs []verdict
	for _, c := range calls {
		cv, err := g.record(c.s, c.c, c.want)
		if err != nil {
			return nil, nil, fmt.Errorf("%s -> %s: %w", c.c.Client, c.c.Server, err)
		}
		convs = append(convs, cv)
		vs = append(vs, c.v)
	}
	return convs, vs, nil
}

// triageJunk writes triage/junk/: what a ticket's attachment folder also holds: a
// README, the screen output of a capture taken without the file option, an empty
// .cap (the capture was still running when it was downloaded), and one good capture.
func (g *gen) triageJunk() error {
	dir := filepath.Join(g.out, "triage", "junk")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	readme := "Captures for TAC case 69xxxxxxx\n\ncucm7-pub, utils network capture eth0 file trunk size all port 5061\n"
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte(readme), 0o644); err != nil {
		return err
	}
	cv, err := g.base()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "screen-output.txt"), screenText(cv), 0o644); err != nil {
		return err
	}
	g.expectRow("triage/junk/empty.cap", "-", "-", verdict{"error", "empty_file", "0 bytes"})
	if err := os.WriteFile(filepath.Join(dir, "empty.cap"), nil, 0o644); err != nil {
		return err
	}
	return g.write("triage/junk/trunk.cap", cucmOpts, []capgen.Conversation{cv}, []verdict{okv("mutual TLS 1.2, SIP OPTIONS")})
}
