package pcap

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// recorder is a Handler that writes what it receives as lines of text.
type recorder struct {
	lines  []string
	stopAt int // stop delivery after this many units per direction (0: never)
	units  map[string]int
	ends   map[uint64]int
	stats  map[uint64]ConnStats
	conns  []Conn
}

func newRecorder() *recorder {
	return &recorder{units: map[string]int{}, ends: map[uint64]int{}, stats: map[uint64]ConnStats{}}
}

func dirName(d Dir) string {
	if d == ClientToServer {
		return "c>s"
	}
	return "s>c"
}

func (r *recorder) Event(ev *Event) {
	s := fmt.Sprintf("ev %d %s %s f%d", ev.Conn.ID, dirName(ev.Dir), ev.Kind, ev.Frame)
	if ev.GapBytes > 0 {
		s += fmt.Sprintf(" gap=%d", ev.GapBytes)
	}
	if ev.Kind == EventOverlap {
		s += fmt.Sprintf(" at=%d kept=f%d", ev.Offset, ev.KeptFrame)
	}
	r.lines = append(r.lines, s)
}

func (r *recorder) Data(d *Data) bool {
	b := d.Bytes
	if len(d.Missing) > 0 && len(b) > 16 {
		// long zero-filled holes: show the length and what precedes the first hole
		b = b[:min(d.Missing[0].Start, 16)]
	}
	s := fmt.Sprintf("data %d %s %q f%d-%d off=%d", d.Conn.ID, dirName(d.Dir), b, d.FirstFrame, d.Frame, d.Offset)
	if len(b) < len(d.Bytes) {
		s += fmt.Sprintf(" len=%d", len(d.Bytes))
	}
	if d.BodySkipped > 0 {
		s += fmt.Sprintf(" skipped=%d", d.BodySkipped)
	}
	if d.Opaque {
		s += " opaque"
	}
	if d.AfterGap {
		s += " aftergap"
	}
	s += missingText(d.Missing)
	r.lines = append(r.lines, s)
	k := fmt.Sprint(d.Conn.ID, d.Dir)
	r.units[k]++
	return r.stopAt == 0 || r.units[k] < r.stopAt
}

func (r *recorder) End(c *Conn, st *ConnStats) {
	r.ends[c.ID]++
	r.stats[c.ID] = *st
	r.conns = append(r.conns, *c)
	r.lines = append(r.lines, fmt.Sprintf("end %d %s>%s %s", c.ID, c.Client, c.Server, c.Roles))
}

// missingText prints a unit's holes as " missing=2-4,7-9", or "" without holes.
func missingText(m []Range) string {
	if len(m) == 0 {
		return ""
	}
	parts := make([]string, len(m))
	for i, r := range m {
		parts[i] = fmt.Sprintf("%d-%d", r.Start, r.End)
	}
	return " missing=" + strings.Join(parts, ",")
}

// digitFramer: a unit starts with a digit giving its total length; any other
// first byte makes a one-byte opaque unit.
func digitFramer(b []byte) int {
	if b[0] >= '1' && b[0] <= '9' {
		return int(b[0] - '0')
	}
	return -1
}

// tlsFramer frames TLS records, and rejects anything else.
func tlsFramer(b []byte) int {
	if len(b) < 5 {
		if b[0] >= 20 && b[0] <= 24 {
			return 0
		}
		return -len(b)
	}
	if b[0] >= 20 && b[0] <= 24 && b[1] == 3 {
		return 5 + (int(b[3])<<8 | int(b[4]))
	}
	return -len(b)
}

// pkt is one hand-built TCP segment.
type pkt struct {
	c2s     bool
	flags   string // any of S A F R P
	seq     uint32 // relative to the sender's ISN
	ack     uint32 // relative to the peer's ISN
	data    string
	at      time.Duration
	snaplen int // cut the record to this many bytes (0: whole)
}

// conv describes the endpoints of a hand-built conversation.
type conv struct {
	client, server string // "ip:port"
	cisn, sisn     uint32
	link           layers.LinkType
	vlans          int  // 802.1Q tags (2: QinQ with an 802.1ad outer tag)
	pppoe          bool // PPPoE session inside Ethernet
	hopByHop       bool // IPv6 hop-by-hop header before TCP
	start          time.Time
}

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func hostPort(t testing.TB, s string) (net.IP, uint16) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		t.Fatal(err)
	}
	var port int
	fmt.Sscan(p, &port)
	ip := net.ParseIP(h)
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return ip, uint16(port)
}

// frame serializes one packet of the conversation.
func (cv *conv) frame(t testing.TB, p pkt) []byte {
	cip, cport := hostPort(t, cv.client)
	sip, sport := hostPort(t, cv.server)
	srcIP, dstIP, sp, dp := cip, sip, cport, sport
	seq, ack := cv.cisn+p.seq, cv.sisn+p.ack
	if !p.c2s {
		srcIP, dstIP, sp, dp = sip, cip, sport, cport
		seq, ack = cv.sisn+p.seq, cv.cisn+p.ack
	}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(sp), DstPort: layers.TCPPort(dp), Seq: seq, Window: 65535,
		SYN: strings.Contains(p.flags, "S"), ACK: strings.Contains(p.flags, "A"), FIN: strings.Contains(p.flags, "F"),
		RST: strings.Contains(p.flags, "R"), PSH: strings.Contains(p.flags, "P")}
	if tcp.ACK {
		tcp.Ack = ack
	}
	var ls []gopacket.SerializableLayer
	var ethType layers.EthernetType
	var nl gopacket.NetworkLayer
	if srcIP.To4() != nil {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: srcIP, DstIP: dstIP}
		ethType, nl = layers.EthernetTypeIPv4, ip
		ls = append(ls, ip)
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP, SrcIP: srcIP, DstIP: dstIP}
		if cv.hopByHop {
			ip.NextHeader = layers.IPProtocolIPv6HopByHop
			hbh := &layers.IPv6HopByHop{}
			hbh.NextHeader = layers.IPProtocolTCP
			hbh.Options = []*layers.IPv6HopByHopOption{{OptionType: 1, OptionLength: 4, OptionData: []byte{0, 0, 0, 0}}}
			ls = append(ls, ip, hbh)
		} else {
			ls = append(ls, ip)
		}
		ethType, nl = layers.EthernetTypeIPv6, ip
	}
	if err := tcp.SetNetworkLayerForChecksum(nl); err != nil {
		t.Fatal(err)
	}
	ls = append(ls, tcp, gopacket.Payload(p.data))
	var head []gopacket.SerializableLayer
	mac1, mac2 := net.HardwareAddr{0, 1, 2, 3, 4, 5}, net.HardwareAddr{0, 1, 2, 3, 4, 6}
	switch cv.link {
	case layers.LinkTypeEthernet:
		et := ethType
		if cv.pppoe {
			et = layers.EthernetTypePPPoESession
		}
		switch cv.vlans {
		case 0:
			head = append(head, &layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: et})
		case 1:
			head = append(head, &layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: layers.EthernetTypeDot1Q},
				&layers.Dot1Q{VLANIdentifier: 10, Type: et})
		default:
			head = append(head, &layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: layers.EthernetTypeQinQ},
				&layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeDot1Q},
				&layers.Dot1Q{VLANIdentifier: 10, Type: et})
		}
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		fam := layers.ProtocolFamilyIPv4
		if ethType == layers.EthernetTypeIPv6 {
			fam = layers.ProtocolFamilyIPv6BSD
		}
		head = append(head, &layers.Loopback{Family: fam})
	}
	buf := gopacket.NewSerializeBuffer()
	all := append(head, ls...)
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, all...); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	switch {
	case cv.pppoe:
		// insert the PPPoE session header and PPP protocol after the Ethernet header
		proto := []byte{0x00, 0x21}
		if ethType == layers.EthernetTypeIPv6 {
			proto = []byte{0x00, 0x57}
		}
		ipb := b[14:]
		h := []byte{0x11, 0, 0x12, 0x34, byte((len(ipb) + 2) >> 8), byte(len(ipb) + 2)}
		b = append(append(append(append([]byte{}, b[:14]...), h...), proto...), ipb...)
	case cv.link == layers.LinkTypeLinuxSLL:
		sll := make([]byte, 16)
		sll[3], sll[5] = 1, 6 // ARPHRD_ETHER, address length
		copy(sll[6:], mac1)
		sll[14], sll[15] = byte(ethType>>8), byte(ethType)
		b = append(sll, b...)
	case cv.link == layers.LinkTypeLinuxSLL2:
		sll2 := make([]byte, 20)
		sll2[0], sll2[1] = byte(ethType>>8), byte(ethType)
		sll2[8], sll2[9] = 0, 1 // ARPHRD_ETHER
		sll2[11] = 6
		copy(sll2[12:], mac1)
		b = append(sll2, b...)
	case cv.link == layers.LinkTypeLoop:
		// OpenBSD loopback: family in network byte order
		fam := b[0]
		b[0], b[1], b[2], b[3] = 0, 0, 0, fam
	}
	return b
}

// record is one packet record to write.
type record struct {
	data     []byte
	ci       gopacket.CaptureInfo
	linkType layers.LinkType // pcapng: the interface's link type
}

// portRecords builds the records of a conversation of defaultConv whose
// client is port port of 10.0.0.1 and whose first packet is at t0+at.
func portRecords(t testing.TB, port int, at time.Duration, ps []pkt) []record {
	cv := defaultConv()
	cv.client = fmt.Sprintf("10.0.0.1:%d", port)
	cv.start = t0.Add(at)
	return cv.records(t, ps)
}

// records builds the records of a conversation.
func (cv *conv) records(t testing.TB, ps []pkt) []record {
	start := cv.start
	if start.IsZero() {
		start = t0
	}
	var out []record
	for i, p := range ps {
		b := cv.frame(t, p)
		at := p.at
		if at == 0 {
			at = time.Duration(i) * time.Millisecond
		}
		ci := gopacket.CaptureInfo{Timestamp: start.Add(at), Length: len(b), CaptureLength: len(b)}
		if p.snaplen > 0 && p.snaplen < len(b) {
			b = b[:p.snaplen]
			ci.CaptureLength = len(b)
		}
		out = append(out, record{data: b, ci: ci, linkType: cv.link})
	}
	return out
}

// writePcap writes records as a classic pcap file.
func writePcap(t testing.TB, lt layers.LinkType, recs []record, nano bool) []byte {
	var buf bytes.Buffer
	var w *pcapgo.Writer
	if nano {
		w = pcapgo.NewWriterNanos(&buf)
	} else {
		w = pcapgo.NewWriter(&buf)
	}
	if err := w.WriteFileHeader(65535, lt); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.WritePacket(r.ci, r.data); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// writePcapng writes records as pcapng with one interface per link type.
func writePcapng(t testing.TB, recs []record) []byte {
	var buf bytes.Buffer
	var w *pcapgo.NgWriter
	ifaces := map[layers.LinkType]int{}
	for _, r := range recs {
		if _, ok := ifaces[r.linkType]; ok {
			continue
		}
		intf := pcapgo.NgInterface{Name: fmt.Sprint("if", len(ifaces)), LinkType: r.linkType, SnapLength: 65535, TimestampResolution: 9}
		if w == nil {
			var err error
			w, err = pcapgo.NewNgWriterInterface(&buf, intf, pcapgo.DefaultNgWriterOptions)
			if err != nil {
				t.Fatal(err)
			}
			ifaces[r.linkType] = 0
			continue
		}
		id, err := w.AddInterface(intf)
		if err != nil {
			t.Fatal(err)
		}
		ifaces[r.linkType] = id
	}
	for _, r := range recs {
		ci := r.ci
		ci.InterfaceIndex = ifaces[r.linkType]
		if err := w.WritePacket(ci, r.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readBytes runs Read over b with the recorder.
func readBytes(t testing.TB, b []byte, opts Options, rec *recorder) (*CaptureInfo, error) {
	t.Helper()
	if opts.Framer == nil {
		opts.Framer = digitFramer
	}
	info, err := Read(bytes.NewReader(b), "test.pcap", opts, rec)
	if info == nil {
		t.Fatal("nil CaptureInfo")
	}
	// End exactly once per Conn
	for id := uint64(1); id <= info.Conns; id++ {
		if rec.ends[id] != 1 {
			t.Errorf("End called %d times for conn %d", rec.ends[id], id)
		}
	}
	return info, err
}

// end1 is the recorder's line for the End of connection 1 of defaultConv,
// whose roles came from its SYN.
const end1 = "end 1 10.0.0.1:40000>10.0.0.2:5061 from SYN"

// opened returns the recorder's lines for connection 1's handshake (the
// packets of handshake), then more.
func opened(more ...string) []string {
	return append([]string{"ev 1 c>s SYN f1", "ev 1 s>c SYN-ACK f2", "ev 1 c>s handshake ACK f3"}, more...)
}

// handshake is the opening of a conversation: SYN, SYN-ACK, ACK.
var handshake = []pkt{
	{c2s: true, flags: "S"},
	{flags: "SA", ack: 1},
	{c2s: true, flags: "A", seq: 1, ack: 1},
}

func cat(ps ...[]pkt) []pkt {
	var out []pkt
	for _, p := range ps {
		out = append(out, p...)
	}
	return out
}
