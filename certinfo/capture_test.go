package certinfo

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// This file is a test-only certificate extractor for the public captures
// (package corpus finds them): it reads pcap and pcapng records,
// decodes just enough of the link, IP (with GTP-U tunnels) and TCP layers
// to reassemble each TCP direction in sequence order, and then finds DER
// certificates in the byte streams by their SEQUENCE header and SHA-256.
// Certificates that only tshark can see (TLS 1.3 decrypted with embedded
// keys) are extracted with tshark when the -tshark flag is given.

var useTshark = flag.Bool("tshark", false, "also extract certificates with tshark (slow) for rows the built-in extractor cannot see")

// expectedRow is one row of expected.tsv.
type expectedRow struct {
	file, direction, chainPos string
	serial, subject, issuer   string
	notBefore, notAfter, sha  string
	derLen                    int
	decrypted                 bool
}

func readExpected(path string) ([]expectedRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []expectedRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "file\t") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 15 {
			return nil, fmt.Errorf("expected.tsv: %d columns in %q", len(c), line)
		}
		var n int
		fmt.Sscan(c[12], &n)
		rows = append(rows, expectedRow{file: c[0], direction: c[4], chainPos: c[5], serial: c[6], subject: c[7],
			issuer: c[8], notBefore: c[9], notAfter: c[10], derLen: n, sha: c[13], decrypted: c[14] == "yes"})
	}
	return rows, sc.Err()
}

// packet is one captured frame with its link type.
type packet struct {
	link uint32
	data []byte
}

// readCapture reads the records of a pcap or pcapng file.
func readCapture(b []byte) ([]packet, error) {
	if len(b) < 24 {
		return nil, errors.New("short capture")
	}
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		return readPcap(b, binary.LittleEndian)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		return readPcap(b, binary.BigEndian)
	case 0x0a0d0d0a:
		return readPcapng(b)
	}
	return nil, errors.New("unknown capture format")
}

func readPcap(b []byte, bo binary.ByteOrder) ([]packet, error) {
	link := bo.Uint32(b[20:]) & 0xffff
	var pkts []packet
	for p := 24; p+16 <= len(b); {
		incl := int(bo.Uint32(b[p+8:]))
		if incl < 0 || p+16+incl > len(b) {
			break
		}
		pkts = append(pkts, packet{link, b[p+16 : p+16+incl]})
		p += 16 + incl
	}
	return pkts, nil
}

func readPcapng(b []byte) ([]packet, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	var links []uint32
	var pkts []packet
	for p := 0; p+12 <= len(b); {
		if binary.LittleEndian.Uint32(b[p:]) == 0x0a0d0d0a {
			if binary.LittleEndian.Uint32(b[p+8:]) == 0x1a2b3c4d {
				bo = binary.LittleEndian
			} else {
				bo = binary.BigEndian
			}
			links = nil
		}
		typ, blen := bo.Uint32(b[p:]), int(bo.Uint32(b[p+4:]))
		if blen < 12 || p+blen > len(b) {
			break
		}
		body := b[p+8 : p+blen-4]
		switch typ {
		case 1: // Interface Description Block
			if len(body) >= 2 {
				links = append(links, uint32(bo.Uint16(body)))
			}
		case 6: // Enhanced Packet Block
			if len(body) >= 20 {
				iface, capLen := int(bo.Uint32(body)), int(bo.Uint32(body[12:]))
				if iface < len(links) && 20+capLen <= len(body) {
					pkts = append(pkts, packet{links[iface], body[20 : 20+capLen]})
				}
			}
		case 3: // Simple Packet Block
			if len(body) >= 4 && len(links) > 0 {
				pkts = append(pkts, packet{links[0], body[4:]})
			}
		}
		p += blen
	}
	return pkts, nil
}

// segment is the payload of one TCP segment.
type segment struct {
	flow    string
	seq     uint32
	payload []byte
}

// tcpSegment finds the innermost TCP segment of a frame, or ok false.
func tcpSegment(pk packet) (segment, bool) {
	d := pk.data
	var ethertype uint16
	switch pk.link {
	case 1: // Ethernet
		if len(d) < 14 {
			return segment{}, false
		}
		ethertype, d = binary.BigEndian.Uint16(d[12:]), d[14:]
	case 0: // BSD loopback, host byte order family
		if len(d) < 4 {
			return segment{}, false
		}
		fam := binary.LittleEndian.Uint32(d)
		if fam > 0xffff {
			fam = binary.BigEndian.Uint32(d)
		}
		ethertype, d = 0x86dd, d[4:]
		if fam == 2 {
			ethertype = 0x0800
		}
	case 101, 12, 14, 228, 229: // raw IP
		return ipSegment(d, 0)
	case 113: // Linux SLL
		if len(d) < 16 {
			return segment{}, false
		}
		ethertype, d = binary.BigEndian.Uint16(d[14:]), d[16:]
	case 276: // Linux SLL2
		if len(d) < 20 {
			return segment{}, false
		}
		ethertype, d = binary.BigEndian.Uint16(d), d[20:]
	default:
		return segment{}, false
	}
	for {
		switch ethertype {
		case 0x8100, 0x88a8, 0x9100: // VLAN tags
			if len(d) < 4 {
				return segment{}, false
			}
			ethertype, d = binary.BigEndian.Uint16(d[2:]), d[4:]
			continue
		case 0x8864: // PPPoE session
			if len(d) < 8 {
				return segment{}, false
			}
			return ipSegment(d[8:], 0)
		case 0x0800, 0x86dd:
			return ipSegment(d, 0)
		}
		return segment{}, false
	}
}

// ipSegment decodes an IPv4 or IPv6 packet down to TCP, following GTP-U.
func ipSegment(d []byte, depth int) (segment, bool) {
	if len(d) < 20 || depth > 3 {
		return segment{}, false
	}
	var src, dst []byte
	var proto byte
	switch d[0] >> 4 {
	case 4:
		ihl, total := int(d[0]&0x0f)*4, int(binary.BigEndian.Uint16(d[2:]))
		if ihl < 20 || total < ihl || total > len(d) {
			return segment{}, false
		}
		if binary.BigEndian.Uint16(d[6:])&0x3fff != 0 { // fragment
			return segment{}, false
		}
		src, dst, proto, d = d[12:16], d[16:20], d[9], d[ihl:total]
	case 6:
		if len(d) < 40 {
			return segment{}, false
		}
		plen := int(binary.BigEndian.Uint16(d[4:]))
		if 40+plen > len(d) {
			return segment{}, false
		}
		src, dst, proto, d = d[8:24], d[24:40], d[6], d[40:40+plen]
		for proto == 0 || proto == 43 || proto == 60 {
			if len(d) < 8 || int(d[1])*8+8 > len(d) {
				return segment{}, false
			}
			proto, d = d[0], d[int(d[1])*8+8:]
		}
	default:
		return segment{}, false
	}
	switch proto {
	case 17: // UDP: GTP-U on 2152
		if len(d) < 16 || binary.BigEndian.Uint16(d[2:]) != 2152 && binary.BigEndian.Uint16(d[0:]) != 2152 {
			return segment{}, false
		}
		g := d[8:]
		hl := 8
		if g[0]&0x07 != 0 {
			hl = 12
		}
		if len(g) < hl {
			return segment{}, false
		}
		return ipSegment(g[hl:], depth+1)
	case 6:
		if len(d) < 20 {
			return segment{}, false
		}
		off := int(d[12]>>4) * 4
		if off < 20 || off > len(d) {
			return segment{}, false
		}
		flow := fmt.Sprintf("%x:%d>%x:%d", src, binary.BigEndian.Uint16(d), dst, binary.BigEndian.Uint16(d[2:]))
		return segment{flow: flow, seq: binary.BigEndian.Uint32(d[4:]), payload: d[off:]}, true
	}
	return segment{}, false
}

// streams reassembles the TCP payload of each direction in sequence order.
// A gap ends one contiguous chunk and starts the next.
func streams(pkts []packet) [][]byte {
	byFlow := map[string][]segment{}
	var order []string
	for _, pk := range pkts {
		s, ok := tcpSegment(pk)
		if !ok || len(s.payload) == 0 {
			continue
		}
		if _, seen := byFlow[s.flow]; !seen {
			order = append(order, s.flow)
		}
		byFlow[s.flow] = append(byFlow[s.flow], s)
	}
	var out [][]byte
	for _, f := range order {
		segs := byFlow[f]
		base := segs[0].seq
		for _, s := range segs {
			if int32(s.seq-base) < 0 {
				base = s.seq
			}
		}
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].seq-base < segs[j].seq-base })
		var cur []byte
		next := int64(-1)
		for _, s := range segs {
			off := int64(s.seq - base)
			switch {
			case next < 0 || off > next:
				if len(cur) > 0 {
					out = append(out, cur)
				}
				cur = append([]byte(nil), s.payload...)
				next = off + int64(len(s.payload))
			case off+int64(len(s.payload)) > next:
				cur = append(cur, s.payload[next-off:]...)
				next = off + int64(len(s.payload))
			}
		}
		if len(cur) > 0 {
			out = append(out, cur)
		}
	}
	return out
}

// findCertificates returns, by SHA-256 hex, the DER blobs of the wanted
// lengths found in b: SEQUENCE elements, or any window for very short
// blobs (tshark also shows truncated certificate fragments).
func findCertificates(b []byte, want map[string]int, found map[string][]byte) {
	short := map[int]bool{}
	for _, n := range want {
		if n < 64 {
			short[n] = true
		}
	}
	for i := 0; i+2 < len(b); i++ {
		for n := range short {
			if i+n <= len(b) {
				check(b[i:i+n], want, found)
			}
		}
		if b[i] != 0x30 {
			continue
		}
		var n int
		switch l := b[i+1]; {
		case l < 0x80:
			n = int(l) + 2
		case l == 0x81:
			n = int(b[i+2]) + 3
		case l == 0x82 && i+3 < len(b):
			n = int(b[i+2])<<8 | int(b[i+3]) + 4
		case l == 0x83 && i+4 < len(b):
			n = int(b[i+2])<<16 | int(b[i+3])<<8 | int(b[i+4]) + 5
		default:
			continue
		}
		if i+n <= len(b) && n >= 64 {
			check(b[i:i+n], want, found)
		}
	}
}

func check(blob []byte, want map[string]int, found map[string][]byte) {
	sum := sha256.Sum256(blob)
	h := hex.EncodeToString(sum[:])
	if n, ok := want[h]; ok && n == len(blob) {
		found[h] = bytes.Clone(blob)
	}
}

// extractCertificates finds the DER certificate of every row of
// expected.tsv, by SHA-256. It reads each capture named in rows.
func extractCertificates(dir string, rows []expectedRow) (map[string][]byte, error) {
	want := map[string]int{}
	files := map[string]bool{}
	for _, r := range rows {
		want[r.sha] = r.derLen
		files[r.file] = true
	}
	found := map[string][]byte{}
	for f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		pkts, err := readCapture(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, s := range streams(pkts) {
			findCertificates(s, want, found)
		}
	}
	return found, nil
}

// tsharkCertificates extracts the certificates tshark shows in file.
func tsharkCertificates(path string, found map[string][]byte) error {
	out, err := exec.Command("tshark", "-n", "-r", path, "-Y", "tls.handshake.certificate",
		"-T", "fields", "-e", "tls.handshake.certificate").Output()
	if err != nil {
		return err
	}
	for _, line := range strings.Fields(string(out)) {
		for _, h := range strings.Split(line, ",") {
			der, err := hex.DecodeString(strings.ReplaceAll(h, ":", ""))
			if err != nil {
				return err
			}
			sum := sha256.Sum256(der)
			found[hex.EncodeToString(sum[:])] = der
		}
	}
	return nil
}
