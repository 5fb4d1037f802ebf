package tlsparse

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/corpus"
)

// This file holds a deliberately small classic-pcap reader, enough to pull
// the TCP byte streams out of the public captures: Ethernet (with 802.1Q,
// QinQ and PPPoE), BSD loopback, Linux SLL and SLL2, raw IP; IPv4 and IPv6;
// in-order reassembly that drops retransmissions and stops at a gap. The
// real reader is package pcap; tlsparse must not import gopacket.

type flowKey struct {
	src, dst     string
	sport, dport uint16
}

type segment struct {
	seq  uint32
	data []byte
}

type tcpFlow struct {
	syn     bool
	isn     uint32
	order   int // position of the first packet, to keep output stable
	segs    []segment
	payload []byte
}

func readPcapFlows(t *testing.T, path string) map[flowKey]*tcpFlow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 {
		t.Fatalf("%s: too short", path)
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil // pcapng or unknown: not handled here
	}
	link := bo.Uint32(data[20:])
	flows := map[flowKey]*tcpFlow{}
	off, n := 24, 0
	for off+16 <= len(data) {
		incl := int(bo.Uint32(data[off+8:]))
		off += 16
		if incl < 0 || off+incl > len(data) {
			break
		}
		pkt := data[off : off+incl]
		off += incl
		n++
		ip, ok := linkPayload(link, pkt)
		if !ok {
			continue
		}
		src, dst, tcp, ok := ipPayload(ip)
		if !ok || len(tcp) < 20 {
			continue
		}
		hl := int(tcp[12]>>4) * 4
		if hl < 20 || hl > len(tcp) {
			continue
		}
		k := flowKey{src, dst, binary.BigEndian.Uint16(tcp), binary.BigEndian.Uint16(tcp[2:])}
		f := flows[k]
		if f == nil {
			f = &tcpFlow{order: n}
			flows[k] = f
		}
		seq := binary.BigEndian.Uint32(tcp[4:])
		if tcp[13]&0x02 != 0 {
			f.syn, f.isn = true, seq+1
		}
		if len(tcp) > hl {
			f.segs = append(f.segs, segment{seq, tcp[hl:]})
		}
	}
	for _, f := range flows {
		f.payload = reassemble(f)
	}
	return flows
}

func linkPayload(link uint32, p []byte) ([]byte, bool) {
	switch link {
	case 1: // Ethernet
		if len(p) < 14 {
			return nil, false
		}
		et, p := binary.BigEndian.Uint16(p[12:]), p[14:]
		for et == 0x8100 || et == 0x88a8 {
			if len(p) < 4 {
				return nil, false
			}
			et, p = binary.BigEndian.Uint16(p[2:]), p[4:]
		}
		if et == 0x8864 { // PPPoE session, PPP protocol
			if len(p) < 8 {
				return nil, false
			}
			proto := binary.BigEndian.Uint16(p[6:])
			if proto != 0x0021 && proto != 0x0057 {
				return nil, false
			}
			return p[8:], true
		}
		return p, et == 0x0800 || et == 0x86dd
	case 0: // BSD loopback
		return p[min(4, len(p)):], len(p) > 4
	case 113: // Linux SLL
		return p[min(16, len(p)):], len(p) > 16
	case 276: // Linux SLL2
		return p[min(20, len(p)):], len(p) > 20
	case 101, 228, 229: // raw IP
		return p, true
	}
	return nil, false
}

func ipPayload(p []byte) (src, dst string, tcp []byte, ok bool) {
	if len(p) < 1 {
		return "", "", nil, false
	}
	switch p[0] >> 4 {
	case 4:
		hl := int(p[0]&0x0f) * 4
		if len(p) < hl || hl < 20 || p[9] != 6 {
			return "", "", nil, false
		}
		total := int(binary.BigEndian.Uint16(p[2:]))
		if total < hl || total > len(p) {
			total = len(p)
		}
		return string(p[12:16]), string(p[16:20]), p[hl:total], true
	case 6:
		if len(p) < 40 || p[6] != 6 {
			return "", "", nil, false
		}
		plen := int(binary.BigEndian.Uint16(p[4:]))
		end := min(40+plen, len(p))
		return string(p[8:24]), string(p[24:40]), p[40:end], true
	}
	return "", "", nil, false
}

// reassemble joins the segments of one direction in sequence order from the
// ISN (or the lowest sequence number seen), dropping retransmitted bytes and
// stopping at the first gap.
func reassemble(f *tcpFlow) []byte {
	if len(f.segs) == 0 {
		return nil
	}
	base := f.isn
	if !f.syn {
		base = f.segs[0].seq
		for _, s := range f.segs {
			if int32(s.seq-base) < 0 {
				base = s.seq
			}
		}
	}
	segs := slices.Clone(f.segs)
	sort.SliceStable(segs, func(i, j int) bool { return int32(segs[i].seq-base) < int32(segs[j].seq-base) })
	var out []byte
	for _, s := range segs {
		rel := int(int32(s.seq - base))
		if rel < 0 {
			continue
		}
		if rel > len(out) {
			break
		}
		if end := rel + len(s.data); end > len(out) {
			out = append(out, s.data[len(out)-rel:]...)
		}
	}
	return out
}

// captureStream is what tlsparse finds in one direction of one connection.
type captureStream struct {
	msgs     []Message
	errs     []error
	alerts   []Alert
	v2Certs  [][]byte
	v2Hellos int
}

// parseCaptureDirection frames one direction with RecordLen (skipping a
// plaintext STARTTLS prefix up to the first handshake record) and parses its
// plaintext handshake messages with version v.
func parseCaptureDirection(b []byte, v Version) captureStream {
	var cs captureStream
	if IsSSLv2ClientHello(b) {
		cs.v2Hellos++
		return cs
	}
	if n := SSLv2RecordLen(b); len(b) > 3 && b[0]&0x80 != 0 && n > 0 && n <= len(b) && b[2] == SSLv2MsgServerHello {
		if sh, err := ParseSSLv2ServerHello(b[:n]); err == nil {
			cs.v2Certs = append(cs.v2Certs, sh.Certificate)
		} else {
			cs.errs = append(cs.errs, err)
		}
		return cs
	}
	if RecordLen(b) < 0 {
		// STARTTLS: resynchronise on the first handshake record.
		i := 0
		for ; i+6 <= len(b); i++ {
			if b[i] == 22 && b[i+1] == 3 && b[i+2] <= 3 && (b[i+5] == 1 || b[i+5] == 2) && RecordLen(b[i:]) > 0 {
				break
			}
		}
		b = b[min(i, len(b)):]
	}
	var d Defragmenter
	encrypted := false
	for len(b) > 0 {
		n := RecordLen(b)
		if n <= 0 || n > len(b) {
			break
		}
		rec, err := ParseRecord(b[:n])
		b = b[n:]
		if err != nil {
			cs.errs = append(cs.errs, err)
			break
		}
		switch rec.Type {
		case ContentChangeCipherSpec:
			encrypted = !v.IsTLS13()
		case ContentAlert:
			if a, err := ParseAlert(rec.Fragment); err == nil && !encrypted {
				cs.alerts = append(cs.alerts, a)
			}
		case ContentHandshake:
			if encrypted {
				continue
			}
			msgs, err := d.Add(rec.Fragment)
			if err != nil {
				cs.errs = append(cs.errs, err)
				return cs
			}
			for _, m := range msgs {
				pm, err := ParseHandshake(m, v)
				if err != nil {
					cs.errs = append(cs.errs, err)
					continue
				}
				if sh, ok := pm.(*ServerHello); ok && !sh.IsHelloRetryRequest() {
					v = sh.Version()
				}
				cs.msgs = append(cs.msgs, pm)
			}
		}
	}
	return cs
}

// captureResult is everything found in one capture file.
type captureResult struct {
	certs   map[string]int // sha256 hex of every certificate DER → size
	streams []captureStream
}

func parseCapture(t *testing.T, path string) (captureResult, bool) {
	t.Helper()
	flows := readPcapFlows(t, path)
	if flows == nil {
		return captureResult{}, false
	}
	res := captureResult{certs: map[string]int{}}
	keys := make([]flowKey, 0, len(flows))
	for k := range flows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return flows[keys[i]].order < flows[keys[j]].order })
	for _, k := range keys {
		// Learn the version from the ServerHello of the reverse direction
		// (or of this one), then parse this direction with it.
		rev := flows[flowKey{k.dst, k.src, k.dport, k.sport}]
		v := Version(0)
		for _, f := range []*tcpFlow{flows[k], rev} {
			if f == nil {
				continue
			}
			for _, m := range parseCaptureDirection(f.payload, 0).msgs {
				if sh, ok := m.(*ServerHello); ok && !sh.IsHelloRetryRequest() {
					v = sh.Version()
				}
			}
		}
		cs := parseCaptureDirection(flows[k].payload, v)
		for _, m := range cs.msgs {
			if c, ok := m.(*Certificate); ok {
				for _, der := range c.DER() {
					sum := sha256.Sum256(der)
					res.certs[hex.EncodeToString(sum[:])] = len(der)
				}
			}
		}
		for _, der := range cs.v2Certs {
			sum := sha256.Sum256(der)
			res.certs[hex.EncodeToString(sum[:])] = len(der)
		}
		res.streams = append(res.streams, cs)
	}
	return res, true
}

// expectedCerts reads expected.tsv: file → sha256 of every certificate tshark
// shows without decryption.
func expectedCerts(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(corpus.File(t, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var header []string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		if row["decrypted"] == "no" {
			out[row["file"]] = append(out[row["file"]], row["sha256"])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPublicCaptures parses every classic pcap of the shared corpus and
// checks that each certificate tshark shows (expected.tsv) is found, byte
// for byte, and that messages in captures not marked fuzzed or malformed
// parse without errors.
func TestPublicCaptures(t *testing.T) {
	want := expectedCerts(t)
	paths, err := filepath.Glob(filepath.Join(corpus.Dir(t), "*.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			res, ok := parseCapture(t, path)
			if !ok {
				t.Skip("not a classic pcap")
			}
			// In fuzzed and malformed captures tshark may show parts of
			// records that are incomplete; those need not be found.
			lenient := strings.HasPrefix(name, "fuzzed-") || strings.HasPrefix(name, "malformed-")
			for _, sum := range want[name] {
				if _, found := res.certs[sum]; !found && !lenient {
					t.Errorf("certificate %s… listed by tshark not found (found %d)", sum[:12], len(res.certs))
				}
			}
			for _, cs := range res.streams {
				for _, err := range cs.errs {
					if !lenient {
						t.Errorf("parse error: %v", err)
					}
				}
			}
		})
	}
}

// TestPublicCaptureDetails checks specific facts of a few captures.
func TestPublicCaptureDetails(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		check func(t *testing.T, res captureResult)
	}{
		{name: "certificate of 339 KB over many records", file: "cert-339kb-single-message-many-records.pcap", check: func(t *testing.T, res captureResult) {
			biggest := 0
			for _, n := range res.certs {
				biggest = max(biggest, n)
			}
			if biggest < 300000 {
				t.Errorf("largest certificate is %d bytes, want > 300000", biggest)
			}
		}},
		{name: "HelloRetryRequest", file: "tls13-hello-retry-request.pcap", check: func(t *testing.T, res captureResult) {
			if !slices.ContainsFunc(allMessages(res), func(m Message) bool {
				sh, ok := m.(*ServerHello)
				return ok && sh.IsHelloRetryRequest() && sh.SupportedVersion == VersionTLS13
			}) {
				t.Error("no HelloRetryRequest found")
			}
		}},
		{name: "TLS 1.3 draft 16", file: "tls13-draft16-firefox-alert48.pcap", check: func(t *testing.T, res captureResult) {
			if !slices.ContainsFunc(allMessages(res), func(m Message) bool {
				ch, ok := m.(*ClientHello)
				return ok && slices.Contains(ch.SupportedVersions, 0x7f10) && len(ch.KeyShares) > 0
			}) {
				t.Error("no ClientHello offering draft 16")
			}
			if !slices.ContainsFunc(allAlerts(res), func(a Alert) bool { return a.Description == AlertUnknownCA }) {
				t.Errorf("alerts %v, want unknown_ca", allAlerts(res))
			}
		}},
		{name: "empty client certificate then alert 40", file: "mtls-tls12-ipv6-empty-client-cert-alert40.pcap", check: func(t *testing.T, res captureResult) {
			if !slices.ContainsFunc(allMessages(res), func(m Message) bool {
				c, ok := m.(*Certificate)
				return ok && len(c.CertificateList) == 0
			}) {
				t.Error("no empty Certificate")
			}
			if !slices.ContainsFunc(allMessages(res), func(m Message) bool { _, ok := m.(*CertificateRequest); return ok }) {
				t.Error("no CertificateRequest")
			}
			if !slices.Contains(allAlerts(res), Alert{AlertLevelFatal, AlertHandshakeFailure}) {
				t.Errorf("alerts %v, want fatal handshake_failure", allAlerts(res))
			}
		}},
		{name: "OCSP stapling", file: "ocsp-stapling-certificate-status.pcap", check: func(t *testing.T, res captureResult) {
			if !slices.ContainsFunc(allMessages(res), func(m Message) bool {
				cs, ok := m.(*CertificateStatus)
				return ok && cs.StatusType == 1 && len(cs.Response) > 0 && cs.Response[0] == 0x30
			}) {
				t.Error("no OCSP CertificateStatus")
			}
		}},
		{name: "SSLv2-format ClientHello", file: "sslv2-compat-hello-to-tls10.pcap", check: func(t *testing.T, res captureResult) {
			n := 0
			for _, s := range res.streams {
				n += s.v2Hellos
			}
			if n == 0 {
				t.Error("no SSLv2-format ClientHello recognised")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, ok := parseCapture(t, corpus.File(t, tt.file))
			if !ok {
				t.Fatal("not a classic pcap")
			}
			tt.check(t, res)
		})
	}
}

func allMessages(res captureResult) []Message {
	var out []Message
	for _, s := range res.streams {
		out = append(out, s.msgs...)
	}
	return out
}

func allAlerts(res captureResult) []Alert {
	var out []Alert
	for _, s := range res.streams {
		out = append(out, s.alerts...)
	}
	return out
}
