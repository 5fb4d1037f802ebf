package pcap

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/corpus"
	"github.com/siptls/siptls/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files (public captures: runs tshark)")

// streamSummary is one TCP connection: its first frame, packet count and
// endpoints in canonical order.
func streamLine(first uint64, packets uint64, a, b netip.AddrPort) string {
	if b.Addr().Less(a.Addr()) || (a.Addr() == b.Addr() && b.Port() < a.Port()) {
		a, b = b, a
	}
	return fmt.Sprintf("first=%d packets=%d %s %s", first, packets, a, b)
}

// tsharkSummary runs tshark over f and summarises frames and TCP streams.
func tsharkSummary(t *testing.T, f string) string {
	out, err := exec.Command("tshark", "-r", f, "-T", "fields", "-E", "separator=\t",
		"-e", "frame.number", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
		"-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport").Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("tshark %s: %v", f, err)
	}
	type st struct {
		first, n uint64
		a, b     netip.AddrPort
	}
	streams := map[string]*st{}
	var order []string
	frames := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		frames++
		if len(fs) < 8 || fs[1] == "" || strings.Contains(fs[1], ",") {
			continue // not TCP, or TCP inside a tunnel or an ICMP error
		}
		if strings.Contains(fs[2], ",") || strings.Contains(fs[3], ",") {
			continue // IP in IP: the reader uses the innermost header, tshark lists both
		}
		src, dst := fs[2]+fs[3], fs[5]+fs[6]
		a := netip.MustParseAddrPort(joinHostPort(src, fs[4]))
		b := netip.MustParseAddrPort(joinHostPort(dst, fs[7]))
		s := streams[fs[1]]
		if s == nil {
			var first uint64
			fmt.Sscan(fs[0], &first)
			s = &st{first: first, a: a, b: b}
			streams[fs[1]] = s
			order = append(order, fs[1])
		}
		s.n++
	}
	var lines []string
	for _, k := range order {
		s := streams[k]
		lines = append(lines, streamLine(s.first, s.n, s.a, s.b))
	}
	sort.Strings(lines)
	return fmt.Sprintf("frames %d\n%s\n", frames, strings.Join(lines, "\n"))
}

func joinHostPort(h, p string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + p
	}
	return h + ":" + p
}

// TestPublicCaptures cross-checks frame numbering and connections with
// tshark's view, stored in testdata/public/*.golden by -update.
func TestPublicCaptures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "*.pcap*"))
	if len(files) == 0 {
		t.Fatal("no captures in the public corpus " + corpus.Dir(t))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			golden := filepath.Join("testdata", "public", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(tsharkSummary(t, f)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			rec := newRecorder()
			info, err := ReadFile(f, Options{AnyPort: true, Framer: tlsFramer, QuietTime: 24 * time.Hour, Linger: 24 * time.Hour}, rec)
			var ie *InputError
			if err != nil && !(errors.As(err, &ie) && ie.Problem == ProblemDamaged) {
				t.Fatalf("ReadFile: %v", err)
			}
			var lines []string
			for _, c := range rec.conns {
				st := rec.stats[c.ID]
				lines = append(lines, streamLine(c.FirstFrame, st.Packets[0]+st.Packets[1], c.Client, c.Server))
			}
			sort.Strings(lines)
			got := fmt.Sprintf("frames %d\n%s\n", info.Packets, strings.Join(lines, "\n"))
			if got != string(want) {
				t.Errorf("summary differs from tshark's\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// unitRecorder writes events and units of a real capture in a compact form.
type unitRecorder struct{ lines []string }

func (u *unitRecorder) Event(ev *Event) {
	u.lines = append(u.lines, fmt.Sprintf("ev %d %s %s f%d gap=%d", ev.Conn.ID, dirName(ev.Dir), ev.Kind, ev.Frame, ev.GapBytes))
}

func (u *unitRecorder) Data(d *Data) bool {
	u.lines = append(u.lines, fmt.Sprintf("data %d %s type=%d len=%d f%d-%d off=%d aftergap=%v opaque=%v",
		d.Conn.ID, dirName(d.Dir), d.Bytes[0], len(d.Bytes), d.FirstFrame, d.Frame, d.Offset, d.AfterGap, d.Opaque)+missingText(d.Missing))
	return true
}

func (u *unitRecorder) End(c *Conn, st *ConnStats) {
	u.lines = append(u.lines, fmt.Sprintf("end %d %s>%s %s packets=%v bytes=%v retrans=%v ooo=%v gaps=%v skipped=%v pending=%v",
		c.ID, c.Client, c.Server, c.Roles, st.Packets, st.Bytes, st.Retransmits, st.OutOfOrder, st.Gaps, st.Skipped, st.Pending))
}

// TestPublicUnits compares the events and TLS record units of a few real
// captures with golden files (reviewed against tshark's expert info when
// written; -update rewrites them).
func TestPublicUnits(t *testing.T) {
	for _, name := range []string{
		"sip-tls-5061-midstream-no-handshake.pcap",          // midstream, ACKed unseen segment, late retransmissions
		"mtls-tls12-client-cert-server-side-missing.pcapng", // missing SYN, server segments never captured
		"mtls-tls12-xmpp-starttls-client-cert.pcap",         // STARTTLS plaintext as opaque units, records over segments
		"cert-339kb-single-message-many-records.pcap",       // ~200 segments, 16 KB records
	} {
		t.Run(name, func(t *testing.T) {
			f := corpus.File(t, name)
			u := &unitRecorder{}
			if _, err := ReadFile(f, Options{AnyPort: true, Framer: tlsFramer}, u); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(u.lines, "\n") + "\n"
			golden.Check(t, filepath.Join("testdata", "public", name+".units.golden"), []byte(got), *update)
		})
	}
}

// TestExampleFile writes testdata/example.pcap (with -update) and checks that
// it is still what the builder makes: a handshake, a 12-byte handshake record
// split over two segments, an alert, a RST.
func TestExampleFile(t *testing.T) {
	cv := defaultConv()
	ps := cat(handshake, []pkt{
		{c2s: true, flags: "PA", seq: 1, ack: 1, data: "\x16\x03\x01\x00\x07abc"},
		{c2s: true, flags: "PA", seq: 9, ack: 1, data: "defg"},
		{flags: "PA", seq: 1, ack: 13, data: "\x15\x03\x03\x00\x02\x02\x30"},
		{c2s: true, flags: "RA", seq: 13, ack: 8},
	})
	b := writePcap(t, cv.link, cv.records(t, ps), false)
	p := filepath.Join("testdata", "example.pcap")
	if *update {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile(p); err != nil || !bytes.Equal(b, want) {
		t.Errorf("%s differs from the builder's output (run with -update): %v", p, err)
	}
}
