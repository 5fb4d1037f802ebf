package pcap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/gopacket/gopacket"
)

// pcapng block types (draft-ietf-opsawg-pcapng, section 11.1).
const (
	ngSHB       = 0x0A0D0D0A // Section Header Block
	ngIDB       = 1          // Interface Description Block
	ngOPB       = 2          // Packet Block (obsolete)
	ngSPB       = 3          // Simple Packet Block
	ngNRB       = 4          // Name Resolution Block
	ngISB       = 5          // Interface Statistics Block
	ngEPB       = 6          // Enhanced Packet Block
	ngJournal   = 9          // systemd Journal Export Block
	ngDSB       = 10         // Decryption Secrets Block
	ngCustom    = 0xBAD      // Custom Block, may be copied
	ngCustomNoC = 0x40000BAD // Custom Block, must not be copied
)

const ngByteOrderMagic = 0x1A2B3C4D

// Bounds on a block's declared total length, checked before any of its
// body is read.
const (
	// ngMaxPacketBlock bounds the packet blocks (EPB, OPB, SPB), which are
	// read whole into one reused buffer: a record of MaxRecord bytes, the
	// fixed fields and 64 KiB of options.
	ngMaxPacketBlock = 32 + MaxRecord + 64<<10
	// ngMaxHeaderBlock bounds the section and interface headers, which are
	// read whole, into the same reused buffer, to parse their options.
	ngMaxHeaderBlock = 1 << 20
	// ngMaxSkippedBlock bounds the blocks that are skipped unread (name
	// resolution, statistics, decryption secrets, custom and unknown
	// blocks): Wireshark's limit for any block.
	ngMaxSkippedBlock = 16 << 20
	// ngMaxInterfaces bounds the interfaces of one section.
	ngMaxInterfaces = 65536
)

// ngKind is what ngReader.next found.
type ngKind uint8

const (
	ngPacket     ngKind = iota + 1 // a packet block: data and ci are set
	ngOtherFrame                   // a block Wireshark lists as a frame without a packet in it (custom, systemd journal)
	ngTLSKeys                      // a Decryption Secrets Block holding a TLS key log: data is the log
)

// ngSecretsTLS is the Decryption Secrets Block type of a TLS key log in
// the NSS format ("TLSK").
const ngSecretsTLS = 0x544c534b

// ngInterface is what the reader keeps of an Interface Description Block.
type ngInterface struct {
	linkType int
	snaplen  uint32
	// timestamps count units of 10^-exp seconds, or 2^-exp when binary
	exp    uint8
	binary bool
	unit   uint64 // 10^exp, for decimal resolutions
	offset int64  // if_tsoffset: seconds added to every timestamp
}

// ngReader reads the blocks of a pcapng stream. It checks each block's
// declared length before reading it, reads packet and header blocks into
// one reused buffer, skips every other block without keeping it, and keeps
// the interfaces of the current section as they come.
type ngReader struct {
	r      *bufio.Reader
	bo     binary.ByteOrder
	off    int64 // offset of the next block in the stream
	start  int64 // offset of the block being read (for errors)
	ifaces []ngInterface
	buf    []byte
	hdr    [12]byte
	// sections counts the section headers read; it lets the caller
	// notice that the interface table started again.
	sections int
}

func newNgReader(r *bufio.Reader) *ngReader {
	return &ngReader{r: r, bo: binary.LittleEndian}
}

// ngError is a damaged block.
type ngError struct{ msg string }

func (e *ngError) Error() string { return e.msg }

func ngDamaged(format string, args ...any) error { return &ngError{fmt.Sprintf(format, args...)} }

// readFull reads len(b) bytes; a stream that ends early is io.ErrUnexpectedEOF.
func (n *ngReader) readFull(b []byte) error {
	m, err := io.ReadFull(n.r, b)
	n.off += int64(m)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (n *ngReader) discard(k int) error {
	m, err := n.r.Discard(k)
	n.off += int64(m)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// next reads blocks until one that Wireshark lists as a frame and returns
// it. For a packet, data aliases the reader's buffer until the next call
// and lt is the link type of its interface. At the end of the stream, at a
// block boundary, it returns io.EOF; a stream that ends inside a block
// gives io.ErrUnexpectedEOF, a damaged block an *ngError.
func (n *ngReader) next() (kind ngKind, data []byte, ci gopacket.CaptureInfo, lt int, err error) {
	for {
		n.start = n.off
		m, err := io.ReadFull(n.r, n.hdr[:8])
		n.off += int64(m)
		if err != nil {
			if err == io.EOF {
				return 0, nil, ci, 0, io.EOF
			}
			return 0, nil, ci, 0, io.ErrUnexpectedEOF
		}
		if binary.LittleEndian.Uint32(n.hdr[:4]) == ngSHB {
			// the type reads the same in both byte orders; the byte-order
			// magic after the length says which one the section uses
			if err := n.readFull(n.hdr[8:12]); err != nil {
				return 0, nil, ci, 0, err
			}
			switch {
			case binary.BigEndian.Uint32(n.hdr[8:12]) == ngByteOrderMagic:
				n.bo = binary.BigEndian
			case binary.LittleEndian.Uint32(n.hdr[8:12]) == ngByteOrderMagic:
				n.bo = binary.LittleEndian
			default:
				return 0, nil, ci, 0, ngDamaged("a section header has no byte-order magic")
			}
		}
		typ := n.bo.Uint32(n.hdr[:4])
		total := n.bo.Uint32(n.hdr[4:8])
		if total < 12 || total%4 != 0 {
			return 0, nil, ci, 0, ngDamaged("%s declares a length of %d bytes (a block length is a multiple of 4, at least 12)", ngBlockName(typ), total)
		}
		switch typ {
		case ngSHB:
			if err := n.section(total); err != nil {
				return 0, nil, ci, 0, err
			}
		case ngIDB:
			if err := n.iface(total); err != nil {
				return 0, nil, ci, 0, err
			}
		case ngEPB, ngOPB, ngSPB:
			data, ci, lt, err = n.packet(typ, total)
			return ngPacket, data, ci, lt, err
		case ngCustom, ngCustomNoC, ngJournal:
			if err := n.skip(typ, total); err != nil {
				return 0, nil, ci, 0, err
			}
			return ngOtherFrame, nil, ci, 0, nil
		case ngDSB:
			keys, err := n.secrets(total)
			if err != nil {
				return 0, nil, ci, 0, err
			}
			if keys != nil {
				return ngTLSKeys, keys, ci, 0, nil
			}
		default: // NRB, ISB and unknown blocks
			if err := n.skip(typ, total); err != nil {
				return 0, nil, ci, 0, err
			}
		}
	}
}

// body reads the rest of a block of total length total, of which read
// bytes are already read, into n.buf, and checks the trailing length. A
// block shorter than its fixed fields (fixed bytes, header and trailer
// included) or longer than bound is damaged. It returns the body without
// the header and the trailing length.
func (n *ngReader) body(typ, total, fixed uint32, read int, bound int) ([]byte, error) {
	if total < fixed {
		return nil, ngDamaged("%s declares %d bytes, fewer than its fixed fields (%d)", ngBlockName(typ), total, fixed)
	}
	if int64(total) > int64(bound) {
		return nil, ngDamaged("%s declares %d bytes, more than such a block can hold (%d)", ngBlockName(typ), total, bound)
	}
	rest := int(total) - read
	if cap(n.buf) < rest {
		n.buf = make([]byte, rest)
	}
	b := n.buf[:rest]
	if err := n.readFull(b); err != nil {
		return nil, err
	}
	if n.bo.Uint32(b[rest-4:]) != total {
		return nil, ngDamaged("%s's two length fields differ (%d and %d)", ngBlockName(typ), total, n.bo.Uint32(b[rest-4:]))
	}
	return b[:rest-4], nil
}

// skip discards a block's body without keeping it and checks its trailing length.
func (n *ngReader) skip(typ, total uint32) error {
	if total > ngMaxSkippedBlock {
		return ngDamaged("%s declares %d bytes, more than any block (%d)", ngBlockName(typ), total, ngMaxSkippedBlock)
	}
	if err := n.discard(int(total) - 12); err != nil {
		return err
	}
	if err := n.readFull(n.hdr[8:12]); err != nil {
		return err
	}
	if t := n.bo.Uint32(n.hdr[8:12]); t != total {
		return ngDamaged("%s's two length fields differ (%d and %d)", ngBlockName(typ), total, t)
	}
	return nil
}

// secrets reads a Decryption Secrets Block (its type and length are
// read) and returns its secrets when they are a TLS key log, nil for
// another kind (WireGuard, ZigBee, ...). The block is not a frame.
func (n *ngReader) secrets(total uint32) ([]byte, error) {
	b, err := n.body(ngDSB, total, 20, 8, ngMaxSkippedBlock)
	if err != nil {
		return nil, err
	}
	typ, length := n.bo.Uint32(b[0:4]), n.bo.Uint32(b[4:8])
	if int64(length) > int64(len(b)-8) {
		return nil, ngDamaged("a Decryption Secrets Block declares %d bytes of secrets in a %d-byte block", length, total)
	}
	if typ != ngSecretsTLS {
		return nil, nil
	}
	return bytes.Clone(b[8 : 8+length]), nil
}

// section reads a section header (its type, length and byte-order magic
// are read): a new interface table starts. A section of another major
// version than 1 is skipped up to the next section header.
func (n *ngReader) section(total uint32) error {
	b, err := n.body(ngSHB, total, 28, 12, ngMaxHeaderBlock)
	if err != nil {
		return err
	}
	n.ifaces = n.ifaces[:0]
	n.sections++
	if major := n.bo.Uint16(b[0:2]); major != 1 {
		return n.skipSection()
	}
	return nil
}

// skipSection skips blocks up to the next section header, which it
// leaves for next to read.
func (n *ngReader) skipSection() error {
	for {
		n.start = n.off
		h, err := n.r.Peek(8)
		if len(h) < 8 {
			if len(h) == 0 && err == io.EOF {
				return io.EOF
			}
			return io.ErrUnexpectedEOF
		}
		if binary.LittleEndian.Uint32(h[:4]) == ngSHB {
			return nil
		}
		typ, total := n.bo.Uint32(h[:4]), n.bo.Uint32(h[4:8])
		if err := n.discard(8); err != nil {
			return err
		}
		if total < 12 || total%4 != 0 {
			return ngDamaged("%s declares a length of %d bytes (a block length is a multiple of 4, at least 12)", ngBlockName(typ), total)
		}
		if err := n.skip(typ, total); err != nil {
			return err
		}
	}
}

// iface reads an Interface Description Block.
func (n *ngReader) iface(total uint32) error {
	b, err := n.body(ngIDB, total, 20, 8, ngMaxHeaderBlock)
	if err != nil {
		return err
	}
	if len(n.ifaces) >= ngMaxInterfaces {
		return ngDamaged("the section describes more than %d interfaces", ngMaxInterfaces)
	}
	ifc := ngInterface{linkType: int(n.bo.Uint16(b[0:2])), snaplen: n.bo.Uint32(b[4:8]), exp: 6, unit: 1e6}
	for opts := b[8:]; len(opts) >= 4; {
		code, l := n.bo.Uint16(opts[0:2]), int(n.bo.Uint16(opts[2:4]))
		if code == 0 || 4+l > len(opts) {
			break // opt_endofopt, or an option that overruns the block: the rest is ignored
		}
		v := opts[4 : 4+l]
		switch {
		case code == 9 && l >= 1: // if_tsresol
			ifc.binary, ifc.exp = v[0]&0x80 != 0, v[0]&0x7f
			if ifc.binary && ifc.exp > 63 || !ifc.binary && ifc.exp > 19 {
				return ngDamaged("interface %d declares an impossible timestamp resolution (%#x)", len(n.ifaces), v[0])
			}
			ifc.unit = 1
			for i := uint8(0); !ifc.binary && i < ifc.exp; i++ {
				ifc.unit *= 10
			}
		case code == 14 && l >= 8: // if_tsoffset
			ifc.offset = int64(n.bo.Uint64(v))
		}
		opts = opts[4+(l+3)&^3:]
	}
	n.ifaces = append(n.ifaces, ifc)
	return nil
}

// packet reads an EPB, OPB or SPB whose header is read.
func (n *ngReader) packet(typ, total uint32) (data []byte, ci gopacket.CaptureInfo, lt int, err error) {
	fixed := uint32(32) // EPB and OPB: header, 20 bytes of fields, trailer
	if typ == ngSPB {
		fixed = 16
	}
	b, err := n.body(typ, total, fixed, 8, ngMaxPacketBlock)
	if err != nil {
		return nil, ci, 0, err
	}
	room := len(b) - int(fixed-12)
	if typ == ngSPB {
		if len(n.ifaces) == 0 {
			return nil, ci, 0, ngDamaged("a simple packet block comes before any interface description")
		}
		ifc := &n.ifaces[0]
		ci.Length = int(n.bo.Uint32(b[0:4]))
		caplen := min(uint64(ci.Length), uint64(room))
		if ifc.snaplen != 0 {
			caplen = min(caplen, uint64(ifc.snaplen))
		}
		ci.CaptureLength = int(caplen)
		return b[4 : 4+caplen], ci, ifc.linkType, nil
	}
	var id int
	if typ == ngEPB {
		id = int(n.bo.Uint32(b[0:4]))
	} else {
		id = int(n.bo.Uint16(b[0:2]))
	}
	if id >= len(n.ifaces) {
		return nil, ci, 0, ngDamaged("a packet names interface %d, but the section describes %d", id, len(n.ifaces))
	}
	ifc := &n.ifaces[id]
	caplen := n.bo.Uint32(b[12:16])
	if caplen > MaxRecord {
		return nil, ci, 0, &recordError{int(caplen)}
	}
	if int(caplen) > room {
		return nil, ci, 0, ngDamaged("%s claims %d captured bytes but holds only %d", ngBlockName(typ), caplen, room)
	}
	ci.InterfaceIndex = id
	ci.CaptureLength = int(caplen)
	ci.Length = int(n.bo.Uint32(b[16:20]))
	ci.Timestamp = ifc.time(uint64(n.bo.Uint32(b[4:8]))<<32 | uint64(n.bo.Uint32(b[8:12])))
	return b[20 : 20+caplen], ci, ifc.linkType, nil
}

// time converts a timestamp of the interface to UTC time.
func (ifc *ngInterface) time(ts uint64) time.Time {
	var sec, nsec uint64
	switch {
	case ifc.binary:
		sec = ts >> ifc.exp
		hi, lo := bits.Mul64(ts&(1<<ifc.exp-1), 1e9)
		nsec = lo>>ifc.exp | hi<<(64-ifc.exp)
	case ifc.exp <= 9:
		sec, nsec = ts/ifc.unit, ts%ifc.unit*(1e9/ifc.unit)
	default:
		sec, nsec = ts/ifc.unit, ts%ifc.unit/(ifc.unit/1e9)
	}
	return time.Unix(int64(sec)+ifc.offset, int64(nsec)).UTC()
}

// ngBlockName names a block type for messages, with its article.
func ngBlockName(typ uint32) string {
	switch typ {
	case ngSHB:
		return "a section header"
	case ngIDB:
		return "an interface description"
	case ngOPB:
		return "an obsolete packet block"
	case ngSPB:
		return "a simple packet block"
	case ngNRB:
		return "a name resolution block"
	case ngISB:
		return "an interface statistics block"
	case ngEPB:
		return "an enhanced packet block"
	case ngJournal:
		return "a systemd journal block"
	case ngDSB:
		return "a decryption secrets block"
	case ngCustom, ngCustomNoC:
		return "a custom block"
	}
	return fmt.Sprintf("block of type %#x", typ)
}
