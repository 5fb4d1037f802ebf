package capgen

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// Link is the link layer the packets are framed in.
type Link uint8

const (
	// Ethernet is Ethernet II (LINKTYPE_ETHERNET), with optional 802.1Q tags.
	Ethernet Link = iota
	// SLL is the Linux cooked capture v1 header (LINKTYPE_LINUX_SLL), as tcpdump -i any writes it.
	SLL
	// SLL2 is the Linux cooked capture v2 header (LINKTYPE_LINUX_SLL2).
	SLL2
	// RawIP is bare IPv4 or IPv6 packets (LINKTYPE_RAW).
	RawIP
	// Null is the BSD loopback header (LINKTYPE_NULL): a 4-byte address family
	// in the file's byte order, 2 for IPv4 and 24 for IPv6.
	Null
	// PPPoE is Ethernet carrying a PPPoE session and PPP (LINKTYPE_ETHERNET).
	PPPoE
)

// linkTypes are the LINKTYPE_ values of each Link.
var linkTypes = [...]uint16{Ethernet: 1, SLL: 113, SLL2: 276, RawIP: 101, Null: 0, PPPoE: 1}

// LinkType returns the LINKTYPE_ value written in the file for l.
func (l Link) LinkType() uint16 {
	if int(l) < len(linkTypes) {
		return linkTypes[l]
	}
	return 0xffff
}

// String returns the link's name.
func (l Link) String() string {
	switch l {
	case Ethernet:
		return "ethernet"
	case SLL:
		return "sll"
	case SLL2:
		return "sll2"
	case RawIP:
		return "rawip"
	case Null:
		return "null"
	case PPPoE:
		return "pppoe"
	}
	return fmt.Sprintf("link(%d)", uint8(l))
}

// Format is the capture file format.
type Format uint8

const (
	// PCAP is the classic libpcap format.
	PCAP Format = iota
	// PCAPNG is the pcapng format: one section, one interface per link.
	PCAPNG
)

// String returns the format's name.
func (f Format) String() string {
	switch f {
	case PCAP:
		return "pcap"
	case PCAPNG:
		return "pcapng"
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// maxPayload is the largest TCP payload an IPv4 packet with TCP options can carry.
const maxPayload = 65535 - 20 - 40

// DefaultSnaplen is the snapshot length used when Options.Snaplen is 0.
const DefaultSnaplen = 262144

// Options choose the file format and framing.
type Options struct {
	Format     Format
	Nanosecond bool // nanosecond timestamps (pcap magic 0xa1b23c4d; pcapng if_tsresol 9)
	BigEndian  bool // write the file big-endian (pcap and pcapng)
	Gzip       bool // gzip the whole file
	Link       Link
	// SecondInterface, with PCAPNG, adds a second interface with this link type;
	// every second conversation added (the 2nd, 4th, ...) goes on it.
	SecondInterface *Link
	// VLANs are 802.1Q tags on Ethernet and PPPoE frames; with two, the first
	// is an outer 802.1ad (QinQ) tag.
	VLANs   []uint16
	Snaplen int // 0: DefaultSnaplen; longer packets are cut (128 is CUCM's default capture)
	MSS     int // 0: 1448
	// Local is the capturing host's address: its packets are "outgoing" in SLL
	// headers. The zero value makes each conversation's client local.
	Local netip.Addr
	// TLSKeyLog, with PCAPNG, is embedded after the interfaces as a
	// Decryption Secrets Block of type TLS key log, as `editcap
	// --inject-secrets tls,FILE` writes it.
	TLSKeyLog []byte
}

// OptionError reports unusable Options.
type OptionError struct {
	Field  string
	Reason string
}

// Error returns the option and the reason it is refused.
func (e *OptionError) Error() string {
	return "capgen: option " + e.Field + ": " + e.Reason
}

// ConversationError reports a conversation the writer cannot frame.
type ConversationError struct {
	Index  int // in the order conversations were added
	Reason string
}

// Error returns the conversation's index and the reason it is refused.
func (e *ConversationError) Error() string {
	return fmt.Sprintf("capgen: conversation %d: %s", e.Index, e.Reason)
}

// ErrClosed is returned when a Writer is used after Close.
var ErrClosed = errors.New("capgen: writer closed")

// source is one conversation's packets waiting to be written.
type source struct {
	fi    frameInfo
	iface uint32
	idx   int
	pz    *packetizer // lazily cut packets, or
	pkts  []Packet    // a mangled list
	at    time.Time   // time of the next packet
}

// advance loads the next packet's time, reporting whether there is one.
func (s *source) advance() bool {
	if s.pz != nil {
		t, ok := s.pz.peekTime()
		s.at = t
		return ok
	}
	if len(s.pkts) == 0 {
		return false
	}
	s.at = s.pkts[0].Time
	return true
}

func (s *source) take() Packet {
	if s.pz != nil {
		p, _ := s.pz.next()
		return p
	}
	p := s.pkts[0]
	s.pkts = s.pkts[1:]
	return p
}

// byteOrder is the file's byte order.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// Writer writes scripted conversations to a capture file. Add queues
// conversations; Close writes all their packets merged in timestamp order
// (packets with equal times keep the order in which conversations were added)
// and finishes the file. Output depends only on the input.
type Writer struct {
	opts    Options
	order   byteOrder
	out     io.Writer
	gz      *gzip.Writer
	bw      *bufio.Writer
	snaplen int
	mss     int
	ifaces  []Link
	queue   []*source
	n       int
	err     error
	closed  bool
	buf     []byte
	hdr     []byte
	packets int
}

// NewWriter checks opts and writes the file header to w.
func NewWriter(w io.Writer, opts Options) (*Writer, error) {
	if len(opts.TLSKeyLog) > 0 && opts.Format != PCAPNG {
		return nil, &OptionError{"TLSKeyLog", "needs PCAPNG"}
	}
	if opts.Format > PCAPNG {
		return nil, &OptionError{"Format", fmt.Sprintf("unknown format %d", opts.Format)}
	}
	if opts.Link > PPPoE {
		return nil, &OptionError{"Link", fmt.Sprintf("unknown link %d", opts.Link)}
	}
	if len(opts.VLANs) > 2 {
		return nil, &OptionError{"VLANs", "at most two tags"}
	}
	for _, v := range opts.VLANs {
		if v == 0 || v >= 4095 {
			return nil, &OptionError{"VLANs", fmt.Sprintf("VLAN ID %d out of 1..4094", v)}
		}
	}
	if opts.Snaplen < 0 || opts.Snaplen > 1<<24 {
		return nil, &OptionError{"Snaplen", fmt.Sprintf("%d out of range", opts.Snaplen)}
	}
	if opts.MSS < 0 || opts.MSS > 65495 {
		return nil, &OptionError{"MSS", fmt.Sprintf("%d out of range", opts.MSS)}
	}
	ifaces := []Link{opts.Link}
	if opts.SecondInterface != nil {
		if opts.Format != PCAPNG {
			return nil, &OptionError{"SecondInterface", "needs PCAPNG"}
		}
		if *opts.SecondInterface > PPPoE {
			return nil, &OptionError{"SecondInterface", fmt.Sprintf("unknown link %d", *opts.SecondInterface)}
		}
		ifaces = append(ifaces, *opts.SecondInterface)
	}
	wr := &Writer{opts: opts, out: w, ifaces: ifaces, snaplen: opts.Snaplen, mss: opts.MSS}
	wr.opts.VLANs = append([]uint16(nil), opts.VLANs...)
	if wr.snaplen == 0 {
		wr.snaplen = DefaultSnaplen
	}
	if wr.mss == 0 {
		wr.mss = defaultMSS
	}
	wr.order = binary.LittleEndian
	if opts.BigEndian {
		wr.order = binary.BigEndian
	}
	var dst io.Writer = w
	if opts.Gzip {
		wr.gz = gzip.NewWriter(w)
		dst = wr.gz
	}
	wr.bw = bufio.NewWriterSize(dst, 1<<20)
	if opts.Format == PCAPNG {
		wr.writeSectionHeader()
	} else {
		wr.writeFileHeader()
	}
	return wr, nil
}

// Add queues c. Its packets are cut lazily when Close writes them; c's Steps
// must not change until then.
func (w *Writer) Add(c Conversation) {
	s := w.newSource(&c)
	if s != nil {
		s.pz = newPacketizer(&c, w.mss)
		w.queue = append(w.queue, s)
	}
}

// AddMangled queues c's packets (PacketsOf with the writer's MSS) after m has changed them.
func (w *Writer) AddMangled(c Conversation, m Mangle) {
	s := w.newSource(&c)
	if s == nil {
		return
	}
	pkts := PacketsOf(c, w.mss)
	if m != nil {
		pkts = m(pkts)
	}
	s.pkts = pkts
	w.queue = append(w.queue, s)
}

func (w *Writer) newSource(c *Conversation) *source {
	idx := w.n
	w.n++
	if w.closed {
		w.setErr(ErrClosed)
		return nil
	}
	fi, err := w.frameInfoOf(c, idx)
	if err != nil {
		w.setErr(err)
		return nil
	}
	s := &source{fi: fi, idx: idx}
	if len(w.ifaces) > 1 && idx%2 == 1 {
		s.iface = 1
	}
	s.fi.link = w.ifaces[s.iface]
	return s
}

func (w *Writer) frameInfoOf(c *Conversation, idx int) (frameInfo, error) {
	ca, sa := c.Client.Addr().Unmap(), c.Server.Addr().Unmap()
	if !ca.IsValid() || !sa.IsValid() {
		return frameInfo{}, &ConversationError{idx, "missing client or server address"}
	}
	if ca.Is4() != sa.Is4() {
		return frameInfo{}, &ConversationError{idx, "client and server address families differ"}
	}
	if ca.Zone() != "" || sa.Zone() != "" {
		ca, sa = ca.WithZone(""), sa.WithZone("")
	}
	fi := frameInfo{v6: !ca.Is4()}
	fi.ends[Client] = endpoint{netip.AddrPortFrom(ca, c.Client.Port()), mac(ca)}
	fi.ends[Server] = endpoint{netip.AddrPortFrom(sa, c.Server.Port()), mac(sa)}
	if w.opts.Local.IsValid() && w.opts.Local.Unmap() == sa {
		fi.local = Server
	}
	fi.ipid[Client] = uint16(c.ClientISN >> 16)
	fi.ipid[Server] = uint16(c.ServerISN >> 16)
	return fi, nil
}

func (w *Writer) setErr(err error) {
	if w.err == nil {
		w.err = err
	}
}

// Close writes every queued packet in timestamp order, flushes, and closes the
// gzip stream if any. It does not close the underlying io.Writer. It returns
// the first error met since NewWriter.
func (w *Writer) Close() error {
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	var h sourceHeap
	for _, s := range w.queue {
		if s.advance() {
			h.push(s)
		}
	}
	w.queue = nil
	w.drain(&h, time.Time{}, false)
	if err := w.bw.Flush(); err != nil {
		w.setErr(err)
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			w.setErr(err)
		}
	}
	return w.err
}

// WriteStream writes the queued conversations together with those next
// returns, which must come in nondecreasing order of Start, merging all by
// time as Close does, and then closes the writer. A conversation is cut into
// packets only once the output reaches its Start, and dropped once written, so
// memory grows with the number of conversations active at once, not with the
// file: this is how very large captures are written.
func (w *Writer) WriteStream(next func() (Conversation, bool)) error {
	if w.closed {
		return ErrClosed
	}
	var h sourceHeap
	for _, s := range w.queue {
		if s.advance() {
			h.push(s)
		}
	}
	w.queue = nil
	for w.err == nil {
		c, ok := next()
		if !ok {
			break
		}
		w.drain(&h, c.Start, true)
		w.Add(c)
		for _, s := range w.queue {
			if s.advance() {
				h.push(s)
			}
		}
		w.queue = w.queue[:0]
	}
	w.queue = nil
	for _, s := range h {
		w.queue = append(w.queue, s)
	}
	return w.Close()
}

// Packets returns the number of packet records written so far.
func (w *Writer) Packets() int { return w.packets }

// drain writes packets from h in time order; when limited, it stops at the
// first packet not earlier than before.
func (w *Writer) drain(h *sourceHeap, before time.Time, limited bool) {
	for len(*h) > 0 && w.err == nil {
		s := (*h)[0]
		if limited && !s.at.Before(before) {
			return
		}
		p := s.take()
		w.writePacket(s, &p)
		if s.advance() {
			h.fix0()
		} else {
			h.pop()
		}
	}
}

// sourceHeap is a min-heap of sources by (next packet time, index).
type sourceHeap []*source

func (h sourceHeap) less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].idx < h[j].idx
}

func (h *sourceHeap) push(s *source) {
	*h = append(*h, s)
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

func (h *sourceHeap) pop() {
	last := len(*h) - 1
	(*h)[0] = (*h)[last]
	(*h)[last] = nil
	*h = (*h)[:last]
	if last > 0 {
		h.fix0()
	}
}

func (h sourceHeap) fix0() {
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// writePacket frames p and writes its record.
func (w *Writer) writePacket(s *source, p *Packet) {
	if len(p.Payload) > maxPayload {
		w.setErr(&ConversationError{s.idx, fmt.Sprintf("a %d-byte payload does not fit in one IP packet", len(p.Payload))})
		return
	}
	w.buf = w.appendFrame(w.buf[:0], &s.fi, p)
	orig := len(w.buf)
	capLen := min(orig, w.snaplen)
	var sec, frac uint64
	ns := p.Time.UnixNano()
	if w.opts.Nanosecond {
		sec, frac = uint64(ns/1e9), uint64(ns%1e9)
	} else {
		sec, frac = uint64(ns/1e9), uint64(ns%1e9/1e3)
	}
	o := w.order
	h := w.hdr[:0]
	if w.opts.Format == PCAPNG {
		units := uint64(ns / 1e3)
		if w.opts.Nanosecond {
			units = uint64(ns)
		}
		pad := (4 - capLen%4) % 4
		total := uint32(32 + capLen + pad)
		h = o.AppendUint32(h, 6) // Enhanced Packet Block
		h = o.AppendUint32(h, total)
		h = o.AppendUint32(h, s.iface)
		h = o.AppendUint32(h, uint32(units>>32))
		h = o.AppendUint32(h, uint32(units))
		h = o.AppendUint32(h, uint32(capLen))
		h = o.AppendUint32(h, uint32(orig))
		w.write(h)
		w.write(w.buf[:capLen])
		var tail [8]byte
		o.PutUint32(tail[pad:], total)
		w.write(tail[:pad+4])
	} else {
		h = o.AppendUint32(h, uint32(sec))
		h = o.AppendUint32(h, uint32(frac))
		h = o.AppendUint32(h, uint32(capLen))
		h = o.AppendUint32(h, uint32(orig))
		w.write(h)
		w.write(w.buf[:capLen])
	}
	w.hdr = h
	w.packets++
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	if _, err := w.bw.Write(b); err != nil {
		w.err = err
	}
}

// writeFileHeader writes the pcap global header.
func (w *Writer) writeFileHeader() {
	o := w.order
	magic := uint32(0xa1b2c3d4)
	if w.opts.Nanosecond {
		magic = 0xa1b23c4d
	}
	var h []byte
	h = o.AppendUint32(h, magic)
	h = o.AppendUint16(h, 2)
	h = o.AppendUint16(h, 4)
	h = o.AppendUint32(h, 0) // thiszone
	h = o.AppendUint32(h, 0) // sigfigs
	h = o.AppendUint32(h, uint32(w.snaplen))
	h = o.AppendUint32(h, uint32(w.opts.Link.LinkType()))
	w.write(h)
}

// appName is written in the pcapng section header's hardware, OS and application options.
const appName = "siptls capgen"

// writeSectionHeader writes the pcapng Section Header Block and one Interface
// Description Block per interface.
func (w *Writer) writeSectionHeader() {
	o := w.order
	var opts []byte
	for _, code := range []uint16{2, 3, 4} { // shb_hardware, shb_os, shb_userappl
		opts = appendOption(o, opts, code, []byte(appName))
	}
	opts = o.AppendUint32(opts, 0) // opt_endofopt
	var h []byte
	total := uint32(28 + len(opts))
	h = o.AppendUint32(h, 0x0A0D0D0A)
	h = o.AppendUint32(h, total)
	h = o.AppendUint32(h, 0x1A2B3C4D)
	h = o.AppendUint16(h, 1)
	h = o.AppendUint16(h, 0)
	h = o.AppendUint64(h, ^uint64(0)) // section length unknown
	h = append(h, opts...)
	h = o.AppendUint32(h, total)
	for i, l := range w.ifaces {
		var ifo []byte
		ifo = appendOption(o, ifo, 2, []byte(fmt.Sprintf("capgen%d", i))) // if_name
		res := byte(6)
		if w.opts.Nanosecond {
			res = 9
		}
		ifo = appendOption(o, ifo, 9, []byte{res}) // if_tsresol
		ifo = o.AppendUint32(ifo, 0)
		total := uint32(20 + len(ifo))
		h = o.AppendUint32(h, 1)
		h = o.AppendUint32(h, total)
		h = o.AppendUint16(h, l.LinkType())
		h = o.AppendUint16(h, 0)
		h = o.AppendUint32(h, uint32(w.snaplen))
		h = append(h, ifo...)
		h = o.AppendUint32(h, total)
	}
	if k := w.opts.TLSKeyLog; len(k) > 0 {
		pad := (4 - len(k)%4) % 4
		total := uint32(20 + len(k) + pad)
		h = o.AppendUint32(h, 0x0000000A) // Decryption Secrets Block
		h = o.AppendUint32(h, total)
		h = o.AppendUint32(h, 0x544c534b) // secrets type: TLS key log ("TLSK")
		h = o.AppendUint32(h, uint32(len(k)))
		h = append(h, k...)
		h = append(h, make([]byte, pad)...)
		h = o.AppendUint32(h, total)
	}
	w.write(h)
}

// appendOption appends one pcapng option, padded to 32 bits.
func appendOption(o byteOrder, b []byte, code uint16, v []byte) []byte {
	b = o.AppendUint16(b, code)
	b = o.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	for i := len(v); i%4 != 0; i++ {
		b = append(b, 0)
	}
	return b
}
