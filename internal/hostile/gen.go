//go:build linux

package hostile

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Scale chooses the sizes of the generated inputs.
type Scale int

const (
	// Small gives every input its shape at sizes that siptls reads in a few
	// seconds in all: the go test tier.
	Small Scale = iota
	// Full gives the sizes of issue 9's table (about 4 GB in all).
	Full
)

// ParseScale parses "small" or "full".
func ParseScale(s string) (Scale, error) {
	switch s {
	case "small":
		return Small, nil
	case "full":
		return Full, nil
	}
	return 0, fmt.Errorf("unknown scale %q (small or full)", s)
}

func (s Scale) String() string {
	if s == Full {
		return "full"
	}
	return "small"
}

// sizes are the numbers each input is made of.
type sizes struct {
	synFlood     int    // connections that send one SYN
	hsFlood      int    // connections that send SYN, SYN-ACK, ACK, ClientHello
	closeFlood   int    // connections opened and closed at once
	sameSubject  int    // connections, each with its own certificate
	stuckConns   int    // connections stuck in a 1 MiB handshake message
	stuckBytes   int    // bytes of that message each one sends
	certForever  int64  // bytes of Certificate messages
	epbWritten   int64  // bytes of the huge block actually in the file
	nrbBytes     int64  // bytes of Name Resolution Blocks
	interfaces   int    // interfaces, each followed by one packet
	oooSegments  int    // out-of-order segments
	randomBytes  int64  // random bytes sent to 5061
	liveConns    int    // connections alive at once
	liveRounds   int    // application data exchanges on each
	epbDeclared  uint32 // the length the huge Enhanced Packet Block declares
	stuckDeclare int    // the length the stuck handshake messages declare
}

func sizesOf(s Scale) sizes {
	if s == Full {
		return sizes{
			synFlood: 1_000_000, hsFlood: 1_000_000, closeFlood: 1_000_000, sameSubject: 10_000,
			stuckConns: 300, stuckBytes: 1<<20 - 1024, certForever: 551e6,
			epbWritten: 1000e6, nrbBytes: 300e6, interfaces: 100_000,
			oooSegments: 200_000, randomBytes: 1e9, liveConns: 300, liveRounds: 64,
			epbDeclared: 1000e6, stuckDeclare: 1 << 20,
		}
	}
	return sizes{
		synFlood: 20_000, hsFlood: 20_000, closeFlood: 20_000, sameSubject: 2_000,
		stuckConns: 300, stuckBytes: 48 << 10, certForever: 10e6,
		epbWritten: 10e6, nrbBytes: 20e6, interfaces: 30_000,
		oooSegments: 20_000, randomBytes: 20e6, liveConns: 300, liveRounds: 8,
		epbDeclared: 1000e6, stuckDeclare: 1 << 20,
	}
}

// Generate writes every input of Cases into dir (created if missing) at the
// given scale, with the special files (FIFOs, symlinks to /dev/zero, a folder
// of mode 000), and the manifest of the runs (manifest.json and
// manifest.tsv). Files are streamed: memory stays small at any scale.
func Generate(dir string, scale Scale) error {
	z := sizesOf(scale)
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		return err
	}
	files := []struct {
		name string
		gen  func(w *bufio.Writer, z sizes) error
	}{
		{"ok.pcap", withPcap(genOK)},
		{"syn-flood.pcap", withPcap(genSynFlood)},
		{"handshake-flood.pcap", withPcap(genHandshakeFlood)},
		{"close-flood.pcap", withPcap(genCloseFlood)},
		{"same-subject.pcap", withPcap(genSameSubject)},
		{"stuck-handshake.pcap", withPcap(genStuck)},
		{"cert-forever.pcap", genCertForever},
		{"epb-1000mb.pcapng", genHugeEPB},
		{"nrb-flood.pcapng", genNRB},
		{"interfaces.pcapng", genInterfaces},
		{"ooo-snaplen.pcap", genOOO},
		{"cut-after-header.pcap", genCutAfterHeader},
		{"random-5061.pcap", genRandom},
		{"live.pcap", withPcap(genLive)},
		{"caplen0.pcap", withPcap(genCaplen0)},
		{"overlap.pcap", withPcap(genOverlap)},
		{"bad-utf8.pcap", withPcap(genBadUTF8)},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), func(w *bufio.Writer) error { return f.gen(w, z) }); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if err := specials(dir); err != nil {
		return err
	}
	return WriteManifest(dir, scale)
}

// withPcap turns gen, which writes packets, into the generator of a whole
// pcap file with snap length 262144.
func withPcap(gen func(s *pcapSink, z sizes) error) func(*bufio.Writer, sizes) error {
	return func(w *bufio.Writer, z sizes) error {
		s, err := newPcap(w, 262144)
		if err != nil {
			return err
		}
		return gen(s, z)
	}
}

func writeFile(name string, gen func(*bufio.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = gen(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// specials makes the trust folders, the triage folders and their FIFOs,
// symlinks and locked subfolder.
func specials(dir string) error {
	ok, err := os.ReadFile(filepath.Join(dir, "ok.pcap"))
	if err != nil {
		return err
	}
	is := newIssuer()
	pem := func(der []byte) []byte {
		return fmt.Appendf(nil, "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n", b64lines(der))
	}
	good := pem(is.cert(7, rawName("trusted.lab", "siptls hostile"), rawName("trusted.lab", "siptls hostile")))
	for _, d := range []string{"trust-zero", "trust-fifo", "fifo", "triage-fifo", "triage-unreadable"} {
		p := filepath.Join(dir, d)
		if err := os.Chmod(filepath.Join(p, "locked"), 0o755); err != nil && !os.IsNotExist(err) {
			return err
		}
		if err := os.RemoveAll(p); err != nil {
			return err
		}
		if err := os.Mkdir(p, 0o755); err != nil {
			return err
		}
	}
	return runSteps(
		func() error { return os.WriteFile(filepath.Join(dir, "trust-zero", "good.pem"), good, 0o644) },
		func() error { return os.Symlink("/dev/zero", filepath.Join(dir, "trust-zero", "zero.pem")) },
		func() error { return syscall.Mkfifo(filepath.Join(dir, "fifo", "trust.fifo"), 0o644) },
		func() error { return os.WriteFile(filepath.Join(dir, "trust-fifo", "good.pem"), good, 0o644) },
		func() error {
			return os.Symlink(filepath.Join("..", "fifo", "trust.fifo"), filepath.Join(dir, "trust-fifo", "fifo.pem"))
		},
		func() error { return os.WriteFile(filepath.Join(dir, "triage-fifo", "ok.pcap"), ok, 0o644) },
		func() error { return syscall.Mkfifo(filepath.Join(dir, "triage-fifo", "x.pcap"), 0o644) },
		func() error { return os.WriteFile(filepath.Join(dir, "triage-unreadable", "ok.pcap"), ok, 0o644) },
		func() error { return os.Mkdir(filepath.Join(dir, "triage-unreadable", "locked"), 0o755) },
		func() error {
			return os.WriteFile(filepath.Join(dir, "triage-unreadable", "locked", "ok.pcap"), ok, 0o644)
		},
		func() error { return os.Chmod(filepath.Join(dir, "triage-unreadable", "locked"), 0) },
	)
}

// Unlock gives the locked subfolder of a corpus in dir its permissions back,
// so that the corpus can be removed.
func Unlock(dir string) error {
	err := os.Chmod(filepath.Join(dir, "triage-unreadable", "locked"), 0o755)
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

func b64lines(der []byte) string {
	s := base64.StdEncoding.EncodeToString(der)
	var sb strings.Builder
	for len(s) > 64 {
		sb.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	sb.WriteString(s)
	return sb.String()
}

// entry is one run in the manifest.
type entry struct {
	Name      string   `json:"name"`
	Input     string   `json:"input"`
	Args      []string `json:"argv"`
	Exit      []int    `json:"exit"`
	Match     string   `json:"match,omitempty"`
	NoMatch   string   `json:"no_match,omitempty"`
	Forbidden string   `json:"forbidden"`
	MaxRSS    int64    `json:"max_rss_bytes"`
	MaxTime   float64  `json:"max_seconds"`
	NonRoot   bool     `json:"non_root,omitempty"`
}

// WriteManifest writes manifest.json (every field of every case, with the
// RSS bound of the scale) and manifest.tsv (name, exit statuses, seconds, MiB, non-root, then
// the arguments, one per field) for scripts/hostile.sh. Generate calls it;
// alone, it brings the manifest of a corpus up to date with Cases.
func WriteManifest(dir string, scale Scale) error {
	var es []entry
	var tsv strings.Builder
	for _, c := range Cases {
		if scale == Small && c.SmallMaxRSS != 0 {
			c.MaxRSS = c.SmallMaxRSS
		}
		es = append(es, entry{c.Name, c.Input, c.Args, c.Exit, c.Match, c.NoMatch, Forbidden, c.MaxRSS, c.MaxTime.Seconds(), c.NonRoot})
		var codes []string
		for _, e := range c.Exit {
			codes = append(codes, strconv.Itoa(e))
		}
		fmt.Fprintf(&tsv, "%s\t%s\t%g\t%d\t%t\t%s\n", c.Name, strings.Join(codes, ","), c.MaxTime.Seconds(), c.MaxRSS>>20, c.NonRoot, strings.Join(c.Args, "\t"))
	}
	j, err := json.MarshalIndent(es, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.tsv"), []byte(tsv.String()), 0o644)
}

var (
	node     = netip.MustParseAddr("10.10.1.11")
	srv5061  = netip.AddrPortFrom(netip.MustParseAddr("10.20.1.22"), 5061)
	nodePort = func(n int) netip.AddrPort { return netip.AddrPortFrom(node, uint16(32768+n%28000)) }
)

// fullHandshake writes a TLS 1.2 handshake that works (server certificate
// only), one application data record each way, close_notify and FINs.
func fullHandshake(k *conn, sni string, ders ...[]byte) error {
	return runSteps(
		k.open,
		func() error { return k.write(client, record(recHandshake, clientHello(sni)), 1448) },
		func() error { return k.write(server, serverFlight(ders...), 1448) },
		func() error { return k.write(client, clientFinish(), 1448) },
		func() error { return k.write(server, serverFinish(), 1448) },
		func() error { return k.write(client, record(recApplicationData, fill(500, 1)), 1448) },
		func() error { return k.write(server, record(recApplicationData, fill(400, 2)), 1448) },
		func() error { return k.write(client, record(recAlert, fill(26, 3)), 1448) },
		func() error { return k.write(server, record(recAlert, fill(26, 4)), 1448) },
		k.close,
	)
}

// refusedHandshake writes a TLS 1.2 handshake whose client refuses the
// server's certificate der with unknown_ca, then FINs.
func refusedHandshake(k *conn, sni string, der []byte) error {
	return runSteps(
		k.open,
		func() error { return k.write(client, record(recHandshake, clientHello(sni)), 1448) },
		func() error { return k.write(server, serverFlight(der), 1448) },
		func() error { return k.write(client, fatal(alertUnknownCA), 1448) },
		k.close,
	)
}

// runSteps runs steps in order and returns the first error.
func runSteps(steps ...func() error) error {
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func okCert() []byte {
	n := rawName("cucm8-sub1.clus2.lab", "siptls hostile")
	return newIssuer().cert(1, n, n)
}

// genOK: one connection whose handshake works (the capture the trust and
// triage cases read).
func genOK(s *pcapSink, _ sizes) error {
	return fullHandshake(newConn(s, &clock{}, nodePort(1), srv5061, 1000), "cucm8-sub1.clus2.lab", okCert())
}

// genSynFlood: z.synFlood connections (distinct 4-tuples, 8 ports per client
// address) that send one SYN each to 5061, never answered.
func genSynFlood(s *pcapSink, z sizes) error {
	clk := &clock{}
	for i := range z.synFlood {
		k := newConn(s, clk, netip.AddrPortFrom(addr(10, 1<<20+i/8), uint16(40000+i%8)), srv5061, uint32(i)*7919)
		if err := k.send(client, syn, nil); err != nil {
			return err
		}
	}
	return nil
}

// genHandshakeFlood: z.hsFlood connections that each send SYN, SYN-ACK, ACK
// and a ClientHello, and then nothing.
func genHandshakeFlood(s *pcapSink, z sizes) error {
	clk := &clock{}
	ch := record(recHandshake, clientHello("cucm8-sub1.clus2.lab"))
	for i := range z.hsFlood {
		k := newConn(s, clk, netip.AddrPortFrom(addr(10, 1<<20+i/8), uint16(40000+i%8)), srv5061, uint32(i)*7919)
		if err := k.open(); err != nil {
			return err
		}
		if err := k.send(client, psh|ack, ch); err != nil {
			return err
		}
	}
	return nil
}

// genCloseFlood: z.closeFlood connections that each open and close at once
// (SYN, SYN-ACK, ACK, FIN both ways, ACK), as a connect scan does: every
// one is closed, so every one leaves a tombstone once ended, 60 µs of
// capture apart.
func genCloseFlood(s *pcapSink, z sizes) error {
	clk := &clock{}
	for i := range z.closeFlood {
		k := newConn(s, clk, netip.AddrPortFrom(addr(10, 1<<20+i/8), uint16(40000+i%8)), srv5061, uint32(i)*7919)
		if err := k.open(); err != nil {
			return err
		}
		if err := k.close(); err != nil {
			return err
		}
	}
	return nil
}

// genSameSubject: z.sameSubject connections to one server, each showing its
// own certificate (own serial) with the same subject, which the client
// refuses with unknown_ca.
func genSameSubject(s *pcapSink, z sizes) error {
	clk := &clock{}
	is := newIssuer()
	name := rawName("cucm-dup.clus2.lab", "siptls hostile")
	for i := range z.sameSubject {
		k := newConn(s, clk, nodePort(i), srv5061, uint32(i)*7919)
		if err := refusedHandshake(k, "cucm-dup.clus2.lab", is.cert(int64(1000+i), name, name)); err != nil {
			return err
		}
	}
	return nil
}

// genStuck: z.stuckConns connections whose servers all start a Certificate
// message declaring 1 MiB and send z.stuckBytes of it, interleaved record by
// record, and never finish it.
func genStuck(s *pcapSink, z sizes) error {
	clk := &clock{}
	ks := make([]*conn, z.stuckConns)
	for i := range ks {
		ks[i] = newConn(s, clk, nodePort(i), srv5061, uint32(i)*7919)
		if err := ks[i].open(); err != nil {
			return err
		}
		if err := ks[i].write(client, record(recHandshake, clientHello("cucm8-sub1.clus2.lab")), 1448); err != nil {
			return err
		}
	}
	const chunk = 16384
	body := fill(chunk, 9)
	head := u24([]byte{hsCertificate}, z.stuckDeclare-4)
	head = u24(head, z.stuckDeclare-7)
	first := record(recHandshake, append(head, body[:chunk-len(head)]...))
	rest := record(recHandshake, body)
	for sent := 0; sent < z.stuckBytes; sent += chunk {
		for _, k := range ks {
			r := rest
			if sent == 0 {
				r = first
			}
			if err := k.send(server, psh|ack, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// openOne starts a capture with the given snap length holding one TCP
// connection to 5061, opened with its three-way handshake, and, with
// hello, the client's ClientHello.
func openOne(w *bufio.Writer, snaplen int, hello bool) (*conn, error) {
	s, err := newPcap(w, snaplen)
	if err != nil {
		return nil, err
	}
	k := newConn(s, &clock{}, nodePort(1), srv5061, 1)
	if err := k.open(); err != nil {
		return nil, err
	}
	if hello {
		if err := k.write(client, record(recHandshake, clientHello("cucm8-sub1.clus2.lab")), 1448); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// genCertForever: one connection whose server, after its ServerHello, sends
// Certificate messages (one certificate each) until z.certForever bytes.
func genCertForever(w *bufio.Writer, z sizes) error {
	k, err := openOne(w, 262144, true)
	if err != nil {
		return err
	}
	if err := k.write(server, record(recHandshake, serverHello()), 1448); err != nil {
		return err
	}
	is := newIssuer()
	name := rawName("forever.lab", "siptls hostile")
	var msgs []byte
	for i := range 40 {
		msgs = append(msgs, certificate(is.cert(int64(i+1), name, name))...)
	}
	r := record(recHandshake, msgs)
	for sent := int64(0); sent < z.certForever; sent += int64(len(r)) {
		if err := k.write(server, r, 16384); err != nil {
			return err
		}
	}
	return nil
}

// pcapng block writers, by hand, little-endian.
type ng struct {
	w   *bufio.Writer
	clk clock
}

func (n *ng) u32(v uint32) { n.w.Write(binary.LittleEndian.AppendUint32(nil, v)) }

func (n *ng) shb() {
	n.u32(0x0a0d0d0a)
	n.u32(28)
	n.u32(0x1a2b3c4d)
	n.w.Write([]byte{1, 0, 0, 0})
	n.u32(0xffffffff)
	n.u32(0xffffffff)
	n.u32(28)
}

func (n *ng) idb() {
	n.u32(1)
	n.u32(20)
	n.u32(1) // LINKTYPE_ETHERNET, reserved 0
	n.u32(262144)
	n.u32(20)
}

func (n *ng) epb(iface uint32, frame []byte) {
	pad := (4 - len(frame)%4) % 4
	total := uint32(32 + len(frame) + pad)
	ts := uint64(n.clk.tick().UnixMicro())
	n.u32(6)
	n.u32(total)
	n.u32(iface)
	n.u32(uint32(ts >> 32))
	n.u32(uint32(ts))
	n.u32(uint32(len(frame)))
	n.u32(uint32(len(frame)))
	n.w.Write(frame)
	n.w.Write(make([]byte, pad))
	n.u32(total)
}

func synFrame(i int) []byte {
	return appendFrame(nil, netip.AddrPortFrom(addr(10, 1<<20+i), 40000), srv5061, uint32(i), 0, syn, nil)
}

// genHugeEPB: a pcapng file whose second Enhanced Packet Block declares
// z.epbDeclared bytes; z.epbWritten of them follow (all of them at full scale,
// with the block's trailer).
func genHugeEPB(w *bufio.Writer, z sizes) error {
	n := &ng{w: w}
	n.shb()
	n.idb()
	n.epb(0, synFrame(1))
	n.u32(6)
	n.u32(z.epbDeclared)
	n.u32(0)
	n.u32(0)
	n.u32(0)
	n.u32(z.epbDeclared - 32)
	n.u32(z.epbDeclared - 32)
	zero := make([]byte, 1<<16)
	left := z.epbWritten
	if left >= int64(z.epbDeclared)-32 {
		left = int64(z.epbDeclared) - 32
	}
	for left > 0 {
		m := min(left, int64(len(zero)))
		if _, err := w.Write(zero[:m]); err != nil {
			return err
		}
		left -= m
	}
	if z.epbWritten >= int64(z.epbDeclared)-32 {
		n.u32(z.epbDeclared)
	}
	return nil
}

// genNRB: z.nrbBytes of Name Resolution Blocks (64 KiB each, full of IPv4
// records), then one packet.
func genNRB(w *bufio.Writer, z sizes) error {
	n := &ng{w: w}
	n.shb()
	n.idb()
	host := 0
	for written := int64(0); written < z.nrbBytes; {
		var recs []byte
		for len(recs) < 65000 {
			name := fmt.Sprintf("host-%08d.hostile.lab\x00", host)
			v := append(addr(10, host).AsSlice(), name...)
			recs = binary.LittleEndian.AppendUint16(recs, 1)
			recs = binary.LittleEndian.AppendUint16(recs, uint16(len(v)))
			recs = append(recs, v...)
			recs = append(recs, make([]byte, (4-len(v)%4)%4)...)
			host++
		}
		recs = append(recs, 0, 0, 0, 0) // nrb_record_end
		total := uint32(12 + len(recs))
		n.u32(4)
		n.u32(total)
		w.Write(recs)
		n.u32(total)
		written += int64(total)
	}
	n.epb(0, synFrame(1))
	return nil
}

// genInterfaces: z.interfaces Interface Description Blocks, each followed by
// one packet (a SYN) on it.
func genInterfaces(w *bufio.Writer, z sizes) error {
	n := &ng{w: w}
	n.shb()
	for i := range z.interfaces {
		n.idb()
		n.epb(uint32(i), synFrame(i))
	}
	return nil
}

// genOOO: one connection whose server sends z.oooSegments full-size segments
// in descending sequence order, each cut to 68 bytes by the snap length.
func genOOO(w *bufio.Writer, z sizes) error {
	k, err := openOne(w, 68, true)
	if err != nil {
		return err
	}
	base := k.next[server]
	seg := fill(1448, 5)
	copy(seg, record(recHandshake, nil)[:3])
	for i := z.oooSegments - 1; i >= 0; i-- {
		if err := k.sendAt(server, base+uint32(i*1448), psh|ack, seg); err != nil {
			return err
		}
	}
	return nil
}

// genCutAfterHeader: the working handshake, then a record header announcing
// 60 bytes, and the end of the file.
func genCutAfterHeader(w *bufio.Writer, z sizes) error {
	if err := withPcap(genOK)(w, z); err != nil {
		return err
	}
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(epoch.Unix()+1))
	binary.LittleEndian.PutUint32(h[8:], 60)
	binary.LittleEndian.PutUint32(h[12:], 60)
	_, err := w.Write(h[:])
	return err
}

// genRandom: a connection to 5061 whose client sends z.randomBytes random
// bytes, then both sides close.
func genRandom(w *bufio.Writer, z sizes) error {
	k, err := openOne(w, 262144, false)
	if err != nil {
		return err
	}
	rng := rand.NewChaCha8([32]byte{9})
	buf := make([]byte, 1448)
	for sent := int64(0); sent < z.randomBytes; sent += int64(len(buf)) {
		rng.Read(buf)
		if err := k.send(client, psh|ack, buf); err != nil {
			return err
		}
	}
	return k.close()
}

// genLive: z.liveConns connections that all make their handshakes at once,
// step by step, then exchange z.liveRounds application data records each,
// round after round, and close.
func genLive(s *pcapSink, z sizes) error {
	clk := &clock{}
	ks := make([]*conn, z.liveConns)
	for i := range ks {
		ks[i] = newConn(s, clk, netip.AddrPortFrom(addr(10, 1<<20+i), 40000), srv5061, uint32(i)*7919)
	}
	cert := okCert()
	steps := []func(k *conn) error{
		func(k *conn) error { return k.send(client, syn, nil) },
		func(k *conn) error { return k.send(server, syn|ack, nil) },
		func(k *conn) error { return k.send(client, ack, nil) },
		func(k *conn) error {
			return k.write(client, record(recHandshake, clientHello("cucm8-sub1.clus2.lab")), 1448)
		},
		func(k *conn) error { return k.write(server, serverFlight(cert), 1448) },
		func(k *conn) error { return k.write(client, clientFinish(), 1448) },
		func(k *conn) error { return k.write(server, serverFinish(), 1448) },
	}
	for range z.liveRounds {
		steps = append(steps,
			func(k *conn) error { return k.write(client, record(recApplicationData, fill(600, 1)), 1448) },
			func(k *conn) error { return k.write(server, record(recApplicationData, fill(400, 2)), 1448) })
	}
	steps = append(steps,
		func(k *conn) error { return k.write(client, record(recAlert, fill(26, 3)), 1448) },
		func(k *conn) error { return k.write(server, record(recAlert, fill(26, 4)), 1448) },
		(*conn).close)
	for _, st := range steps {
		for _, k := range ks {
			if err := st(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// caplen0Sink writes a record with no captured bytes (the wire length kept)
// in place of the packet numbered at.
type caplen0Sink struct {
	*pcapSink
	n, at int
}

func (c *caplen0Sink) packet(ts time.Time, frame []byte, wireLen int) error {
	c.n++
	if c.n == c.at {
		if err := c.pcapSink.packet(ts, nil, 60); err != nil {
			return err
		}
	}
	return c.pcapSink.packet(ts, frame, wireLen)
}

// genCaplen0: the working handshake with one record of caplen 0 after its
// third packet.
func genCaplen0(s *pcapSink, _ sizes) error {
	return fullHandshake(newConn(&caplen0Sink{pcapSink: s, at: 4}, &clock{}, nodePort(1), srv5061, 1000), "cucm8-sub1.clus2.lab", okCert())
}

// genOverlap: a handshake whose server flight is sent as its first half,
// then from a quarter to the end, the overlapping quarter's bytes differing
// from the first copy.
func genOverlap(s *pcapSink, _ sizes) error {
	k := newConn(s, &clock{}, nodePort(1), srv5061, 1000)
	if err := k.open(); err != nil {
		return err
	}
	if err := k.write(client, record(recHandshake, clientHello("cucm8-sub1.clus2.lab")), 1448); err != nil {
		return err
	}
	flight := serverFlight(okCert())
	base := k.next[server]
	half := len(flight) / 2
	if err := k.sendAt(server, base, ack, flight[:half]); err != nil {
		return err
	}
	other := append([]byte(nil), flight[half/2:]...)
	for i := range half - half/2 {
		other[i] ^= 0xff
	}
	if err := k.sendAt(server, base+uint32(half/2), psh|ack, other); err != nil {
		return err
	}
	if err := k.write(client, clientFinish(), 1448); err != nil {
		return err
	}
	if err := k.write(server, serverFinish(), 1448); err != nil {
		return err
	}
	return k.close()
}

// genBadUTF8: a ClientHello whose SNI holds byte 0x9B (8-bit CSI), and a
// server certificate whose subject and issuer hold it too, refused by the
// client with unknown_ca.
func genBadUTF8(s *pcapSink, _ sizes) error {
	k := newConn(s, &clock{}, nodePort(1), srv5061, 1000)
	is := newIssuer()
	der := is.cert(99, rawName("sip\x9b2J.evil.lab", "evil\x9b31m"), rawName("Evil\x9b2J CA", "evil\x9b31m"))
	return refusedHandshake(k, "sip\x9b2J.evil.lab", der)
}
