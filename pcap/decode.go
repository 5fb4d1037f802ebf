package pcap

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Link types read by this package that gopacket names differently or not at all.
const (
	linkNull     = 0   // BSD loopback, host byte order family
	linkEthernet = 1   // Ethernet
	linkRawDLT12 = 12  // DLT_RAW on most BSDs, written by some old tools
	linkRawDLT14 = 14  // DLT_RAW on OpenBSD
	linkRaw      = 101 // LINKTYPE_RAW
	linkLoop     = 108 // OpenBSD loopback, network byte order family
	linkSLL      = 113 // Linux cooked v1
	linkIPv4     = 228 // raw IPv4
	linkIPv6     = 229 // raw IPv6
	linkSLL2     = 276 // Linux cooked v2
)

// linkTypeName returns a Wireshark-like name of a link type.
func linkTypeName(lt int) string {
	switch lt {
	case linkEthernet:
		return "Ethernet"
	case linkSLL:
		return "Linux cooked v1"
	case linkSLL2:
		return "Linux cooked v2"
	case linkRaw, linkRawDLT12, linkRawDLT14:
		return "Raw IP"
	case linkIPv4:
		return "Raw IPv4"
	case linkIPv6:
		return "Raw IPv6"
	case linkNull, linkLoop:
		return "BSD loopback"
	case 105:
		return "IEEE 802.11"
	case 127:
		return "IEEE 802.11 radiotap"
	case 189, 220:
		return "USB Linux"
	case 9:
		return "PPP"
	case 50:
		return "PPP in HDLC framing"
	case 104:
		return "Cisco HDLC"
	case 117:
		return "OpenBSD pflog"
	case 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162:
		return "user-defined (DLT_USER" + itoa(lt-147) + ")"
	}
	if lt >= 0 && lt <= 0xffff {
		if s := layers.LinkType(lt).String(); s != "" && !strings.HasPrefix(s, "Unknown") && !strings.HasPrefix(s, "LinkType(") {
			return s
		}
	}
	return "unknown"
}

// linkSupported reports whether packets of the link type can be decoded.
func linkSupported(lt int) bool {
	switch lt {
	case linkNull, linkEthernet, linkRawDLT12, linkRawDLT14, linkRaw, linkLoop, linkSLL, linkIPv4, linkIPv6, linkSLL2:
		return true
	}
	return false
}

// tcpLayer is layers.TCP that ends decoding: the payload is handed to the
// stream reassembly, not to a gopacket application decoder.
type tcpLayer struct{ layers.TCP }

// NextLayerType implements gopacket.DecodingLayer.
func (t *tcpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

// pppoeLayer decodes a PPPoE session header (RFC 2516) and the PPP protocol
// field after it; gopacket's PPPoE and PPP layers are not DecodingLayers.
type pppoeLayer struct {
	layers.BaseLayer
	proto uint16
}

var errPPPoE = errors.New("PPPoE session header too short or not a session")

// LayerType implements gopacket.Layer.
func (p *pppoeLayer) LayerType() gopacket.LayerType { return layers.LayerTypePPPoE }

// CanDecode implements gopacket.DecodingLayer.
func (p *pppoeLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypePPPoE }

// DecodeFromBytes implements gopacket.DecodingLayer.
func (p *pppoeLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	// version/type 0x11, code 0 (session data), session id, length, then PPP protocol.
	if len(data) < 8 || data[0] != 0x11 || data[1] != 0 {
		return errPPPoE
	}
	n := int(binary.BigEndian.Uint16(data[4:6]))
	body := data[6:]
	if n < len(body) && n >= 2 {
		body = body[:n]
	} else if n > len(body) {
		df.SetTruncated()
	}
	if len(body) < 2 {
		return errPPPoE
	}
	p.proto = binary.BigEndian.Uint16(body[:2])
	p.BaseLayer = layers.BaseLayer{Contents: data[:8], Payload: body[2:]}
	return nil
}

// NextLayerType implements gopacket.DecodingLayer.
func (p *pppoeLayer) NextLayerType() gopacket.LayerType {
	switch p.proto {
	case 0x0021:
		return layers.LayerTypeIPv4
	case 0x0057:
		return layers.LayerTypeIPv6
	}
	return gopacket.LayerTypeZero
}

// first-layer indexes of decoder.parsers
const (
	firstEthernet = iota
	firstSLL
	firstSLL2
	firstLoopback
	firstIPv4
	firstIPv6
	firstCount
)

// decoder holds the preallocated layers and one DecodingLayerParser per
// first layer; all parsers share the same layer values.
type decoder struct {
	eth     layers.Ethernet
	dot1q   layers.Dot1Q
	sll     layers.LinuxSLL
	sll2    layers.LinuxSLL2
	loop    layers.Loopback
	pppoe   pppoeLayer
	ip4     layers.IPv4
	ip6     layers.IPv6
	ext     layers.IPv6ExtensionSkipper
	frag6   layers.IPv6Fragment
	frag    gopacket.Fragment
	tcp     tcpLayer
	parsers [firstCount]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

func newDecoder() *decoder {
	d := &decoder{decoded: make([]gopacket.LayerType, 0, 12)}
	firsts := [firstCount]gopacket.LayerType{
		layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2,
		layers.LayerTypeLoopback, layers.LayerTypeIPv4, layers.LayerTypeIPv6,
	}
	for i, f := range firsts {
		// Order matters: frag6 after ext, so that a fragment header is not skipped.
		p := gopacket.NewDecodingLayerParser(f)
		// a slice indexed by layer type: faster than the default map
		p.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
		for _, l := range []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.pppoe,
			&d.ip4, &d.ip6, &d.ext, &d.frag6, &d.frag, &d.tcp} {
			p.AddDecodingLayer(l)
		}
		p.IgnoreUnsupported = true
		d.parsers[i] = p
	}
	return d
}

// A segment is what the analysis reads of a decoded TCP segment: its
// addresses, ports, sequence numbers and flags, and where its IP header,
// TCP header and payload lie in the record's bytes. It is a value, so that
// the packet it came from is described without the decoder's layers.
type segment struct {
	src, dst [16]byte // IPv4 addresses are IPv4-mapped
	sp, dp   uint16
	seq, ack uint32
	syn      bool
	ackFlag  bool
	fin, rst bool
	v6       bool
	ip6Jumbo bool  // an IPv6 payload length of 0 (a jumbogram, or TSO): the IP packet runs to the end of the record
	ttl      uint8 // IPv4 TTL or IPv6 hop limit
	// offsets in the record's bytes
	ipStart, ipEnd, tcpStart, payStart, payEnd int
	// sum is the CRC-32 of the payload when summed: worked out ahead
	// (Options.ChecksumAhead)
	sum    uint32
	summed bool
}

// payload returns the segment's TCP payload within the record's bytes.
func (s *segment) payload(data []byte) []byte { return data[s.payStart:s.payEnd:s.payEnd] }

// result of decoding one packet
type decodeResult uint8

const (
	decOther decodeResult = iota
	decTCP4
	decTCP6
	decFragment
	decBad
	// decElsewhere: a TCP segment on a tracked port that another shard
	// handles (ReadSharded); its own counts it
	decElsewhere
)

// decode decodes one packet of link type lt; for a TCP segment
// (decTCP4, decTCP6) it fills seg.
func (d *decoder) decode(lt int, data []byte, seg *segment) decodeResult {
	var first int
	switch lt {
	case linkEthernet:
		first = firstEthernet
	case linkSLL:
		first = firstSLL
	case linkSLL2:
		first = firstSLL2
	case linkNull, linkLoop:
		first = firstLoopback
	case linkIPv4:
		first = firstIPv4
	case linkIPv6:
		first = firstIPv6
	case linkRaw, linkRawDLT12, linkRawDLT14:
		if len(data) == 0 {
			return decBad
		}
		switch data[0] >> 4 {
		case 4:
			first = firstIPv4
		case 6:
			first = firstIPv6
		default:
			return decBad
		}
	default:
		return decOther
	}
	err := d.parsers[first].DecodeLayers(data, &d.decoded)
	res := decOther
	ipv := 0
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeIPv4:
			ipv = 4
		case layers.LayerTypeIPv6:
			ipv = 6
		case gopacket.LayerTypeFragment:
			return decFragment
		case layers.LayerTypeTCP:
			if ipv == 4 {
				res = decTCP4
			} else if ipv == 6 {
				res = decTCP6
			}
		}
	}
	if res != decOther {
		// An IP header inside a tunnel would have replaced the outer one in the
		// shared layer; only the innermost IP layer is used, which is the one
		// that carried the TCP segment.
		d.segment(data, res == decTCP6, seg)
		return res
	}
	if err != nil {
		return decBad
	}
	return decOther
}

// segment fills seg from the decoded layers of data, a TCP segment over
// IPv6 when v6 and else over IPv4. Offsets are found from capacities: every
// layer's bytes are a slice of data running to its end.
func (d *decoder) segment(data []byte, v6 bool, seg *segment) {
	base := cap(data)
	tcp := &d.tcp.TCP
	*seg = segment{
		sp: uint16(tcp.SrcPort), dp: uint16(tcp.DstPort), seq: tcp.Seq, ack: tcp.Ack,
		syn: tcp.SYN, ackFlag: tcp.ACK, fin: tcp.FIN, rst: tcp.RST, v6: v6,
		tcpStart: base - cap(tcp.Contents),
		payStart: base - cap(tcp.Payload),
	}
	seg.payEnd = seg.payStart + len(tcp.Payload)
	if v6 {
		copy(seg.src[:], d.ip6.SrcIP)
		copy(seg.dst[:], d.ip6.DstIP)
		seg.ttl, seg.ipStart = d.ip6.HopLimit, base-cap(d.ip6.Contents)
		if d.ip6.Length == 0 {
			seg.ip6Jumbo, seg.ipEnd = true, len(data)
		} else {
			seg.ipEnd = seg.ipStart + 40 + int(d.ip6.Length)
		}
		return
	}
	seg.src[10], seg.src[11], seg.dst[10], seg.dst[11] = 0xff, 0xff, 0xff, 0xff
	copy(seg.src[12:], d.ip4.SrcIP)
	copy(seg.dst[12:], d.ip4.DstIP)
	seg.ttl, seg.ipStart = d.ip4.TTL, base-cap(d.ip4.Contents)
	seg.ipEnd = seg.ipStart + int(d.ip4.Length)
}
