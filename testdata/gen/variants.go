package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// base is the one ok mutual TLS 1.2 handshake (cucm7-pub -> cucm8-pub, OPTIONS and
// 200 OK) that the TCP, link and format variants share, recorded once per run.
func (g *gen) base() (capgen.Conversation, error) {
	if g.baseConv != nil {
		return *g.baseConv, nil
	}
	cv, err := g.record(g.okSession(20), out(cucm8pub, 40155, 70*time.Millisecond, 300), expect{OK: true})
	if err != nil {
		return cv, err
	}
	g.baseConv = &cv
	return cv, nil
}

// dataPackets returns the indexes of side's data packets belonging to its n-th
// (1-based) write.
func dataPackets(pk []capgen.Packet, side capgen.Side, n int) []int {
	var idx []int
	w := 1
	for i, p := range pk {
		if p.Side != side || len(p.Payload) == 0 {
			continue
		}
		if w == n {
			idx = append(idx, i)
		}
		if p.Flags&capgen.FlagPSH != 0 {
			w++
		}
	}
	return idx
}

func tcpVariants() []output {
	variant := func(name string, mss int, v verdict, m func(pk []capgen.Packet) (capgen.Mangle, error)) output {
		return output{name: name, make: func(g *gen) error {
			cv, err := g.base()
			if err != nil {
				return err
			}
			mg, err := m(capgen.PacketsOf(cv, mss))
			if err != nil {
				return err
			}
			opts := cucmOpts
			opts.MSS = mss
			return g.write(name, opts, []capgen.Conversation{cv}, []verdict{v}, mg)
		}}
	}
	need := func(idx []int, n int, what string) error {
		if len(idx) < n {
			return fmt.Errorf("%s: %d segments, want %d", what, len(idx), n)
		}
		return nil
	}
	return []output{
		variant("tcp-reordered.pcap", 0, okv("the server flight's two segments arrive swapped (out of order)"), func(pk []capgen.Packet) (capgen.Mangle, error) {
			s := dataPackets(pk, capgen.Server, 1)
			if err := need(s, 2, "server flight"); err != nil {
				return nil, err
			}
			return capgen.Swap(s[0], s[1]), nil
		}),
		variant("tcp-retransmission.pcap", 0, okv("the client's Certificate segment is sent twice"), func(pk []capgen.Packet) (capgen.Mangle, error) {
			c := dataPackets(pk, capgen.Client, 2)
			if err := need(c, 1, "client Certificate flight"); err != nil {
				return nil, err
			}
			return capgen.Duplicate(c[0]), nil
		}),
		variant("tcp-overlap.pcap", 0, okv("the server's second segment re-sends the last 200 bytes of the first (overlap)"), func(pk []capgen.Packet) (capgen.Mangle, error) {
			s := dataPackets(pk, capgen.Server, 1)
			if err := need(s, 2, "server flight"); err != nil {
				return nil, err
			}
			return capgen.Overlap(s[0], 200), nil
		}),
		output{name: "tcp-reordered-after-ack.pcap", make: func(g *gen) error {
			cv, err := g.base()
			if err != nil {
				return err
			}
			pk := capgen.PacketsOf(cv, 0)
			s := dataPackets(pk, capgen.Server, 1)
			if err := need(s, 2, "server flight"); err != nil {
				return err
			}
			ack := ackOf(pk, s[len(s)-1])
			if ack < 0 {
				return fmt.Errorf("no client ACK of the server flight")
			}
			// After Delay(s[0], ack) the packets between move up one frame.
			d := fmt.Sprintf("the server flight's first segment (ServerHello and Certificate, bytes 1-%d) is captured after the client's ACK that covers it: frame %d has the rest of the flight, frame %d the ACK, frame %d the late segment; all certificates visible",
				len(pk[s[0]].Payload), s[1], ack, ack+1)
			return g.write("tcp-reordered-after-ack.pcap", cucmOpts, []capgen.Conversation{cv}, []verdict{okv(d)}, capgen.Delay(s[0], ack))
		}},
		output{name: "tcp-duplicate-segment.pcap", make: func(g *gen) error {
			cv, err := g.base()
			if err != nil {
				return err
			}
			pk := capgen.PacketsOf(cv, 0)
			s := dataPackets(pk, capgen.Server, 1)
			c := dataPackets(pk, capgen.Client, 2)
			fin := dataPackets(pk, capgen.Server, 2)
			if err := need(s, 2, "server flight"); err != nil {
				return err
			}
			if err := need(c, 1, "client Certificate flight"); err != nil {
				return err
			}
			if err := need(fin, 1, "server Finished"); err != nil {
				return err
			}
			// The retransmission goes after the client's own ACK of the server's
			// Finished when there is one (else tshark calls that ACK a duplicate).
			after := fin[len(fin)-1]
			if a := ackOf(pk, after); a == after+1 && len(pk[a].Payload) == 0 {
				after = a
			}
			// Mirror(s[0]) adds a frame after s[0]: later frames move down one.
			d := fmt.Sprintf("the server's Certificate segment (frame %d) is captured twice 1 µs apart (frame %d, a span port's exact copy); the client's Certificate segment (frame %d) is retransmitted in frame %d, after the server's Finished, with a newer ACK",
				s[0]+1, s[0]+2, c[0]+2, after+3)
			return g.write("tcp-duplicate-segment.pcap", cucmOpts, []capgen.Conversation{cv}, []verdict{okv(d)},
				capgen.Chain(capgen.Retransmit(c[0], after), capgen.Mirror(s[0])))
		}},
		variant("tcp-gap-in-server-certificate.pcap", 536, okv("MSS 536; the segment with bytes 537-1072 of the server flight (inside its Certificate) was not captured: gap, server certificate not visible, handshake and application data still complete"), func(pk []capgen.Packet) (capgen.Mangle, error) {
			s := dataPackets(pk, capgen.Server, 1)
			if err := need(s, 3, "server flight"); err != nil {
				return nil, err
			}
			return capgen.Drop(s[1]), nil
		}),
	}
}

// ackOf returns the index of the first packet after i from the other side that
// acknowledges all of packet i (-1 if none).
func ackOf(pk []capgen.Packet, i int) int {
	end := pk[i].Seq + uint32(len(pk[i].Payload))
	for k := i + 1; k < len(pk); k++ {
		if pk[k].Side != pk[i].Side && pk[k].Flags&capgen.FlagACK != 0 && int32(pk[k].Ack-end) >= 0 {
			return k
		}
	}
	return -1
}

func linkVariants() []output {
	variant := func(name string, opts capgen.Options, ipv6 bool) output {
		return output{name: name, make: func(g *gen) error {
			cv, err := g.base()
			if err != nil {
				return err
			}
			if ipv6 {
				cv.Client = netip.AddrPortFrom(netip.MustParseAddr("fd00:10:10::11"), cv.Client.Port())
				cv.Server = netip.AddrPortFrom(netip.MustParseAddr("fd00:10:20::21"), cv.Server.Port())
				opts.Local = cv.Client.Addr()
			}
			return g.write(name, opts, []capgen.Conversation{cv}, []verdict{okv("the base handshake (as ok-tls12-rsa-go.pcap)")})
		}}
	}
	local := netip.MustParseAddr(cucm7pub)
	sll := capgen.SLL
	return []output{
		variant("link-linux-sll.pcap", capgen.Options{Link: capgen.SLL, Local: local}, false),
		variant("link-linux-sll2.pcap", capgen.Options{Link: capgen.SLL2, Local: local}, false),
		variant("link-vlan-8021q.pcap", capgen.Options{VLANs: []uint16{110}, Local: local}, false),
		variant("link-qinq.pcap", capgen.Options{VLANs: []uint16{2001, 110}, Local: local}, false),
		variant("link-ipv6.pcap", capgen.Options{}, true),
		variant("link-raw-ip.pcap", capgen.Options{Link: capgen.RawIP, Local: local}, false),
		variant("link-bsd-loopback.pcap", capgen.Options{Link: capgen.Null, Local: local}, false),
		variant("format-gzip.pcap.gz", capgen.Options{Gzip: true, Local: local}, false),
		variant("format-pcap-nanosecond-bigendian.pcap", capgen.Options{Nanosecond: true, BigEndian: true, Local: local}, false),
		{name: "format-pcapng-two-interfaces.pcapng", make: func(g *gen) error {
			cv, err := g.base()
			if err != nil {
				return err
			}
			// The second connection (on the Linux cooked interface): cucm8-sub2 calls in.
			in2, err := g.record(session{
				Client:   end{Go: g.goClient("cucm8-sub2", "cucm7-pub")},
				Server:   end{Go: g.goServer("cucm7-pub", "cucm8-sub2")},
				Dialogue: sipOptions(cucm8sub2, cucm7pub, 22),
			}, in(cucm8sub2, 46310, 900*time.Millisecond, 301), expect{OK: true})
			if err != nil {
				return err
			}
			return g.write("format-pcapng-two-interfaces.pcapng",
				capgen.Options{Format: capgen.PCAPNG, SecondInterface: &sll, Local: local}, []capgen.Conversation{cv, in2},
				[]verdict{okv("interface 0, Ethernet"), okv("interface 1, Linux cooked (SLL); inbound from cucm8-sub2")})
		}},
	}
}

// writeBad writes the bad input file name holding b, whose one row in
// expected.tsv (no connection) is v.
func (g *gen) writeBad(name string, b []byte, v verdict) error {
	g.expectRow(name, "-", "-", v)
	return os.WriteFile(filepath.Join(g.out, name), b, 0o644)
}

func badInputs() []output {
	return []output{
		{name: "bad-cucm-screen-output.txt", make: func(g *gen) error {
			cv, err := g.base()
			if err != nil {
				return err
			}
			syn := synOnly(out(cucm8gone, 40170, 2600*time.Millisecond, 302), 1)
			return g.writeBad("bad-cucm-screen-output.txt", screenText(cv, syn), verdict{"error", "not_a_capture", "text: tcpdump one-line summaries printed by utils network capture without the file option"})
		}},
		{name: "bad-empty.cap", make: func(g *gen) error {
			return g.writeBad("bad-empty.cap", nil, verdict{"error", "empty_file", "0 bytes"})
		}},
		{name: "bad-truncated-last-record.pcap", make: func(g *gen) error {
			b, err := g.basePCAP()
			if err != nil {
				return err
			}
			offs := recordOffsets(b)
			last := offs[len(offs)-1]
			// Keep the last record's header and half of its packet.
			caplen := int(binary.LittleEndian.Uint32(b[last+8:]))
			return g.writeBad("bad-truncated-last-record.pcap", b[:last+16+caplen/2], verdict{"error", "truncated_file",
				fmt.Sprintf("the last (%dth) record is cut after %d of its %d bytes; the %d records before it are whole (the base handshake, ok)", len(offs), caplen/2, caplen, len(offs)-1)})
		}},
		{name: "bad-linktype-147.pcap", make: func(g *gen) error {
			b, err := g.basePCAP()
			if err != nil {
				return err
			}
			binary.LittleEndian.PutUint32(b[20:], 147) // LINKTYPE_USER0
			return g.writeBad("bad-linktype-147.pcap", b, verdict{"error", "unsupported_link_type", "pcap header link type 147 (LINKTYPE_USER0); records are Ethernet frames"})
		}},
		{name: "bad-record-caplen-4mb.pcap", make: func(g *gen) error {
			b, err := g.basePCAP()
			if err != nil {
				return err
			}
			offs := recordOffsets(b)
			if len(offs) < 6 {
				return fmt.Errorf("only %d records", len(offs))
			}
			binary.LittleEndian.PutUint32(b[offs[5]+8:], 4<<20) // record 6: captured length 4 MiB
			return g.writeBad("bad-record-caplen-4mb.pcap", b, verdict{"error", "bad_record_header", "record 6 claims a captured length of 4194304 bytes (snaplen 262144); records 1-5 are whole"})
		}},
	}
}

// basePCAP is the base conversation as a little-endian microsecond Ethernet pcap.
func (g *gen) basePCAP() ([]byte, error) {
	cv, err := g.base()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeTo(&buf, cucmOpts, []capgen.Conversation{cv}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// recordOffsets returns the offset of each record header in a little-endian pcap.
func recordOffsets(b []byte) []int {
	var offs []int
	for off := 24; off+16 <= len(b); {
		offs = append(offs, off)
		off += 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	return offs
}

// screenText is what `utils network capture eth0 port 5061` prints on the CUCM console
// when run without the file option: the tcpdump one-line summaries (here of the base
// conversation and an unanswered SYN), which some users save and send instead of a
// capture file.
func screenText(convs ...capgen.Conversation) []byte {
	var b strings.Builder
	b.WriteString("admin:utils network capture eth0 port 5061 count 1000\n")
	b.WriteString("Executing command with options:\n size=128                count=1000          interface=eth0\n src=                    dest=               port=5061\n ip=\n\n")
	type pkt struct {
		capgen.Packet
		cv *capgen.Conversation
	}
	var pk []pkt
	for i := range convs {
		for _, p := range capgen.PacketsOf(convs[i], 0) {
			pk = append(pk, pkt{p, &convs[i]})
		}
	}
	sort.SliceStable(pk, func(i, j int) bool { return pk[i].Time.Before(pk[j].Time) })
	for _, p := range pk {
		cv := p.cv
		isn := [2]uint32{cv.ClientISN, cv.ServerISN}
		addr := [2]netip.AddrPort{cv.Client, cv.Server}
		from, to := addr[p.Side], addr[1-p.Side]
		flags := ""
		for _, f := range []struct {
			f capgen.Flags
			s string
		}{{capgen.FlagSYN, "S"}, {capgen.FlagFIN, "F"}, {capgen.FlagRST, "R"}, {capgen.FlagPSH, "P"}} {
			if p.Flags&f.f != 0 {
				flags += f.s
			}
		}
		if p.Flags&capgen.FlagACK != 0 {
			flags += "."
		}
		fmt.Fprintf(&b, "%s IP %s.%d > %s.%d: Flags [%s]", p.Time.UTC().Format("15:04:05.000000"),
			from.Addr(), from.Port(), to.Addr(), to.Port(), flags)
		rel := p.Seq - isn[p.Side]
		ack := p.Ack - isn[1-p.Side]
		switch {
		case p.Flags&capgen.FlagSYN != 0:
			fmt.Fprintf(&b, ", seq %d", p.Seq)
			if p.Flags&capgen.FlagACK != 0 {
				fmt.Fprintf(&b, ", ack %d", p.Ack)
			}
			fmt.Fprintf(&b, ", win %d, options [mss %d,sackOK,TS val %d ecr %d,nop,wscale 7], length 0\n", p.Window, p.MSS, p.TSval, p.TSecr)
			continue
		case len(p.Payload) > 0:
			fmt.Fprintf(&b, ", seq %d:%d", rel, rel+uint32(len(p.Payload)))
		case p.Flags&capgen.FlagFIN != 0:
			fmt.Fprintf(&b, ", seq %d", rel)
		}
		fmt.Fprintf(&b, ", ack %d, win %d, options [nop,nop,TS val %d ecr %d], length %d\n", ack, p.Window, p.TSval, p.TSecr, len(p.Payload))
	}
	fmt.Fprintf(&b, "%d packets captured\n%d packets received by filter\n0 packets dropped by kernel\n", len(pk), len(pk))
	return []byte(b.String())
}
