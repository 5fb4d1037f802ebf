package capgen

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"
)

// EtherTypes, PPP protocol numbers and BSD address families used in frames.
const (
	etherIPv4    = 0x0800
	etherIPv6    = 0x86dd
	etherDot1Q   = 0x8100
	etherDot1AD  = 0x88a8
	etherPPPoE   = 0x8864
	pppIPv4      = 0x0021
	pppIPv6      = 0x0057
	afInet       = 2
	afInet6BSD   = 24
	arphrdEther  = 1
	sllHost      = 0 // packet addressed to the capturing host
	sllOutgoing  = 4 // packet sent by the capturing host
	ipProtoTCP   = 6
	pppoeSession = 0x1234
)

// mac is a host's fixed, locally administered Ethernet address, derived from its IP address.
func mac(a netip.Addr) [6]byte {
	h := fnv.New32a()
	b := a.As16()
	h.Write(b[:])
	s := h.Sum32()
	return [6]byte{0x02, 0x00, byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)}
}

// endpoint is one end of a conversation as the writer frames it.
type endpoint struct {
	ap  netip.AddrPort
	mac [6]byte
}

// frameInfo is what the writer needs to frame the packets of one conversation.
type frameInfo struct {
	ends  [2]endpoint
	v6    bool
	local Side // the end on the capturing host (for SLL packet types)
	link  Link
	ipid  [2]uint16
}

// Endpoint is one end of a frame built by AppendEthernetFrame: its address
// and port, and its Ethernet address.
type Endpoint struct {
	AddrPort netip.AddrPort
	MAC      [6]byte
}

// AppendEthernetFrame appends to buf the frame carrying p from src to dst as
// a Writer with Link Ethernet and no VLANs frames it: an untagged Ethernet II
// header, an IPv4 header (identification ipid, don't fragment, TTL 64) or an
// IPv6 one, and the TCP segment, with correct checksums. p.Time, p.Side and
// p.Copy are not used. It serves callers that write their own capture
// records, such as internal/hostile.
func AppendEthernetFrame(buf []byte, src, dst Endpoint, ipid uint16, p *Packet) []byte {
	fi := frameInfo{v6: !src.AddrPort.Addr().Unmap().Is4(), link: Ethernet}
	fi.ends[Client] = endpoint{src.AddrPort, src.MAC}
	fi.ends[Server] = endpoint{dst.AddrPort, dst.MAC}
	fi.ipid[Client] = ipid
	q := *p
	q.Side, q.Copy = Client, false
	var w Writer // no VLANs: all appendLink reads for Ethernet
	return w.appendFrame(buf, &fi, &q)
}

// appendFrame appends the whole frame carrying p to buf.
func (w *Writer) appendFrame(buf []byte, fi *frameInfo, p *Packet) []byte {
	ipLen := 20
	if fi.v6 {
		ipLen = 40
	}
	tcpLen := 20
	if p.MSS != 0 {
		tcpLen += 20
	} else if p.TSval != 0 {
		tcpLen += tsOptionLen
	}
	l3 := ipLen + tcpLen + len(p.Payload)
	buf = w.appendLink(buf, fi, p, l3)
	ipStart := len(buf)
	buf = appendIP(buf, fi, p, l3, tcpLen)
	return appendTCP(buf, ipStart, fi, p, tcpLen)
}

// appendLink appends the link-layer header of the frame carrying p, whose
// IP packet is l3 bytes long.
func (w *Writer) appendLink(buf []byte, fi *frameInfo, p *Packet, l3 int) []byte {
	src, dst := &fi.ends[p.Side&1], &fi.ends[1-p.Side&1]
	etype := uint16(etherIPv4)
	if fi.v6 {
		etype = etherIPv6
	}
	be := binary.BigEndian
	switch fi.link {
	case Ethernet, PPPoE:
		buf = append(buf, dst.mac[:]...)
		buf = append(buf, src.mac[:]...)
		switch len(w.opts.VLANs) {
		case 1:
			buf = be.AppendUint16(buf, etherDot1Q)
			buf = be.AppendUint16(buf, w.opts.VLANs[0]&0x0fff)
		case 2:
			buf = be.AppendUint16(buf, etherDot1AD)
			buf = be.AppendUint16(buf, w.opts.VLANs[0]&0x0fff)
			buf = be.AppendUint16(buf, etherDot1Q)
			buf = be.AppendUint16(buf, w.opts.VLANs[1]&0x0fff)
		}
		if fi.link == PPPoE {
			buf = be.AppendUint16(buf, etherPPPoE)
			buf = append(buf, 0x11, 0x00) // version 1, type 1, code 0 (session data)
			buf = be.AppendUint16(buf, pppoeSession)
			buf = be.AppendUint16(buf, uint16(l3+2))
			if fi.v6 {
				buf = be.AppendUint16(buf, pppIPv6)
			} else {
				buf = be.AppendUint16(buf, pppIPv4)
			}
		} else {
			buf = be.AppendUint16(buf, etype)
		}
	case SLL:
		buf = be.AppendUint16(buf, uint16(fi.sllType(p)))
		buf = be.AppendUint16(buf, arphrdEther)
		buf = be.AppendUint16(buf, 6)
		buf = append(buf, src.mac[:]...)
		buf = append(buf, 0, 0)
		buf = be.AppendUint16(buf, etype)
	case SLL2:
		buf = be.AppendUint16(buf, etype)
		buf = append(buf, 0, 0)
		buf = be.AppendUint32(buf, 2) // interface index
		buf = be.AppendUint16(buf, arphrdEther)
		buf = append(buf, fi.sllType(p), 6)
		buf = append(buf, src.mac[:]...)
		buf = append(buf, 0, 0)
	case Null:
		af := uint32(afInet)
		if fi.v6 {
			af = afInet6BSD
		}
		buf = w.order.AppendUint32(buf, af)
	case RawIP:
	}
	return buf
}

// sllType is the Linux cooked capture packet type of p: outgoing when its
// sender is the capturing host, else addressed to it.
func (fi *frameInfo) sllType(p *Packet) byte {
	if p.Side&1 == fi.local {
		return sllOutgoing
	}
	return sllHost
}

// appendIP appends the IP header of p, whose IP packet is l3 bytes long
// and TCP header tcpLen bytes.
func appendIP(buf []byte, fi *frameInfo, p *Packet, l3, tcpLen int) []byte {
	be := binary.BigEndian
	src, dst := &fi.ends[p.Side&1], &fi.ends[1-p.Side&1]
	ipStart := len(buf)
	sa, da := src.ap.Addr(), dst.ap.Addr()
	if fi.v6 {
		buf = be.AppendUint32(buf, 6<<28)
		buf = be.AppendUint16(buf, uint16(tcpLen+len(p.Payload)))
		buf = append(buf, ipProtoTCP, 64)
		s16, d16 := sa.As16(), da.As16()
		buf = append(buf, s16[:]...)
		buf = append(buf, d16[:]...)
	} else {
		if p.Copy {
			fi.ipid[p.Side&1]--
		}
		id := fi.ipid[p.Side&1]
		fi.ipid[p.Side&1]++
		buf = append(buf, 0x45, 0)
		buf = be.AppendUint16(buf, uint16(l3))
		buf = be.AppendUint16(buf, id)
		buf = be.AppendUint16(buf, 0x4000) // don't fragment
		buf = append(buf, 64, ipProtoTCP, 0, 0)
		s4, d4 := sa.As4(), da.As4()
		buf = append(buf, s4[:]...)
		buf = append(buf, d4[:]...)
		cs := ^fold(sum(buf[ipStart:], 0))
		be.PutUint16(buf[ipStart+10:], cs)
	}
	return buf
}

// appendTCP appends p's TCP segment, tcpLen bytes of header and its
// payload, with its checksum over the IP header at buf[ipStart:].
func appendTCP(buf []byte, ipStart int, fi *frameInfo, p *Packet, tcpLen int) []byte {
	be := binary.BigEndian
	src, dst := &fi.ends[p.Side&1], &fi.ends[1-p.Side&1]
	tcpStart := len(buf)
	buf = be.AppendUint16(buf, src.ap.Port())
	buf = be.AppendUint16(buf, dst.ap.Port())
	buf = be.AppendUint32(buf, p.Seq)
	buf = be.AppendUint32(buf, p.Ack)
	buf = append(buf, byte(tcpLen/4)<<4, byte(p.Flags))
	buf = be.AppendUint16(buf, p.Window)
	buf = append(buf, 0, 0, 0, 0) // checksum, urgent pointer
	switch {
	case p.MSS != 0: // Linux's SYN options
		buf = append(buf, 2, 4)
		buf = be.AppendUint16(buf, p.MSS)
		buf = append(buf, 4, 2, 8, 10)
		buf = be.AppendUint32(buf, p.TSval)
		buf = be.AppendUint32(buf, p.TSecr)
		buf = append(buf, 1, 3, 3, windowScale)
	case p.TSval != 0:
		buf = append(buf, 1, 1, 8, 10)
		buf = be.AppendUint32(buf, p.TSval)
		buf = be.AppendUint32(buf, p.TSecr)
	}
	buf = append(buf, p.Payload...)

	// Pseudo-header (RFC 9293 section 3.1, RFC 8200 section 8.1) and checksum.
	var s uint32
	tcpSegLen := uint32(len(buf) - tcpStart)
	if fi.v6 {
		s = sum(buf[ipStart+8:ipStart+40], 0)
		s += tcpSegLen>>16 + tcpSegLen&0xffff + ipProtoTCP
	} else {
		s = sum(buf[ipStart+12:ipStart+20], 0)
		s += tcpSegLen + ipProtoTCP
	}
	s = sum(buf[tcpStart:], s)
	be.PutUint16(buf[tcpStart+16:], ^fold(s))
	return buf
}

// sum adds b as big-endian 16-bit words to s (the Internet checksum, RFC 1071).
func sum(b []byte, s uint32) uint32 {
	acc := uint64(s)
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	for acc>>32 != 0 {
		acc = acc&0xffffffff + acc>>32
	}
	return fold32(uint32(acc))
}

// fold32 folds a 32-bit one's complement sum into 16 bits without losing carries.
func fold32(s uint32) uint32 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return s
}

// fold folds s to the 16-bit one's complement sum.
func fold(s uint32) uint16 {
	return uint16(fold32(s))
}
