package capgen

import (
	"bytes"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tsharkFields are the fields TestTshark reads from each frame, in order.
var tsharkFields = []string{
	"frame.protocols", "frame.len", "frame.cap_len", "frame.interface_id",
	"tcp.checksum.status", "ip.checksum.status",
	"tcp.analysis.retransmission", "tcp.analysis.spurious_retransmission", "tcp.analysis.out_of_order",
	"tcp.analysis.lost_segment", "tcp.analysis.ack_lost_segment", "tcp.analysis.duplicate_ack",
	"tls.handshake.certificate", "sll.pkttype", "sll.ifindex",
}

// tsharkView is what tshark says about a capture file.
type tsharkView struct {
	frames    int
	protocols map[string]int // frame.protocols up to the TCP layer -> frames
	flags     map[string]int // tcp.analysis.* field -> frames that have it
	certs     int            // tls.handshake.certificate items
	cut       int            // frames with cap_len < len
	maxCap    int
	ifaces    map[string]int // frame.interface_id -> frames
	badSums   int            // frames whose IP or TCP checksum is not "good"
	outgoing  int            // frames with SLL packet type 4 (sent by the capturing host)
	ifindex   int            // frames with an SLL2 interface index
}

func runTshark(t *testing.T, path string) tsharkView {
	t.Helper()
	args := []string{"-n", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range tsharkFields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command("tshark", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v: %s", err, stderr.String())
	}
	v := tsharkView{protocols: map[string]int{}, flags: map[string]int{}, ifaces: map[string]int{}}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != len(tsharkFields) {
			t.Fatalf("tshark line %q has %d fields", line, len(f))
		}
		v.frames++
		proto := f[0]
		if i := strings.Index(proto, ":tcp"); i >= 0 {
			proto = proto[:i+4]
		}
		v.protocols[proto]++
		var flen, clen int
		fmt.Sscan(f[1], &flen)
		fmt.Sscan(f[2], &clen)
		if clen < flen {
			v.cut++
		}
		v.maxCap = max(v.maxCap, clen)
		v.ifaces[f[3]]++
		if clen == flen && (f[4] != "1" || (f[5] != "1" && f[5] != "")) {
			v.badSums++
		}
		for i, name := range tsharkFields[6:12] {
			if f[6+i] != "" {
				v.flags[strings.TrimPrefix(name, "tcp.analysis.")]++
			}
		}
		if f[12] != "" {
			v.certs += len(strings.Split(f[12], ","))
		}
		if f[13] == "4" {
			v.outgoing++
		}
		if f[14] != "" {
			v.ifindex++
		}
	}
	return v
}

func TestTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not on PATH")
	}
	// tlsConv(t, 0, ...) is 17 packets: SYN, SYN+ACK, ACK (0-2), ClientHello (3),
	// ACK (4), the server's flight in two segments (5, 6), ACK (7), the client's
	// Certificate flight in two segments (8, 9), ACK (10), the server's
	// Finished (11), ACK (12), FIN, ACK, FIN, ACK (13-16).
	one := func(v6 bool, m Mangle) []written { return []written{{tlsConv(t, 0, v6), m}} }
	// tlsConv(t, 30, ...) is 16 packets: its client flight fits one segment.
	pair := func(v6 bool) []written {
		b := tlsConv(t, 30, v6)
		b.Client = netip.AddrPortFrom(b.Client.Addr(), 40001)
		b.Start = t0.Add(ms(0.5))
		return []written{{tlsConv(t, 0, v6), nil}, {b, nil}}
	}
	refused := []written{{conv(false, Step{0, Client, SYN, nil}, Step{ms(0.4), Server, RST, nil}), nil}}
	type want struct {
		frames    int
		protocols map[string]int
		flags     map[string]int
		certs     int
		cut       int
		maxCap    int
		ifaces    map[string]int
		outgoing  int // SLL packet type 4
		ifindex   int // frames with an SLL2 interface index
	}
	eth4 := "eth:ethertype:ip:tcp"
	tests := []struct {
		name  string
		opts  Options
		input []written
		want  want
	}{
		{"clean", Options{}, one(false, nil),
			want{frames: 17, protocols: map[string]int{eth4: 17}, certs: 2, maxCap: 1514}},
		{"retransmission", Options{}, one(false, Duplicate(8)),
			want{frames: 18, protocols: map[string]int{eth4: 18}, flags: map[string]int{"retransmission": 1}, certs: 2, maxCap: 1514}},
		{"out of order", Options{}, one(false, Swap(8, 9)), // tshark does not reassemble out-of-order segments by default
			want{frames: 17, protocols: map[string]int{eth4: 17}, flags: map[string]int{"lost_segment": 1, "out_of_order": 1}, certs: 1, maxCap: 1514}},
		{"lost segment", Options{}, one(false, Drop(5)),
			want{frames: 16, protocols: map[string]int{eth4: 16}, flags: map[string]int{"lost_segment": 1, "ack_lost_segment": 1}, certs: 1, maxCap: 1514}},
		{"lost last segment of a flight", Options{}, one(false, Drop(6)),
			want{frames: 16, protocols: map[string]int{eth4: 16}, flags: map[string]int{"lost_segment": 1, "ack_lost_segment": 2}, certs: 2, maxCap: 1514}},
		{"delayed past the ACK that covers it", Options{}, one(false, Delay(5, 7)),
			want{frames: 17, protocols: map[string]int{eth4: 17}, flags: map[string]int{"lost_segment": 1, "ack_lost_segment": 1, "retransmission": 1, "spurious_retransmission": 1}, certs: 1, maxCap: 1514}},
		{"mirrored (span port)", Options{}, one(false, Mirror(5)),
			want{frames: 18, protocols: map[string]int{eth4: 18}, flags: map[string]int{"retransmission": 1}, certs: 2, maxCap: 1514}},
		{"delayed before the ACK that covers it", Options{}, one(false, Delay(5, 6)),
			want{frames: 17, protocols: map[string]int{eth4: 17}, flags: map[string]int{"lost_segment": 1, "out_of_order": 1}, certs: 1, maxCap: 1514}},
		{"retransmitted after its ACK", Options{}, one(false, Retransmit(8, 12)),
			want{frames: 18, protocols: map[string]int{eth4: 18}, flags: map[string]int{"retransmission": 1, "spurious_retransmission": 1}, certs: 2, maxCap: 1514}},
		{"overlap", Options{}, one(false, Overlap(5, 100)),
			want{frames: 17, protocols: map[string]int{eth4: 17}, flags: map[string]int{"out_of_order": 1, "ack_lost_segment": 1}, certs: 2, maxCap: 1514}},
		{"capture starts mid-stream", Options{}, one(false, StartAt(4)),
			want{frames: 13, protocols: map[string]int{eth4: 13}, certs: 2, maxCap: 1514}},
		{"capture ends", Options{}, one(false, Truncate(ms(2.1))),
			want{frames: 6, protocols: map[string]int{eth4: 6}, certs: 1, maxCap: 1514}},
		{"refused", Options{}, refused,
			want{frames: 2, protocols: map[string]int{eth4: 2}, maxCap: 74}},
		{"snaplen 128", Options{Snaplen: 128}, one(false, nil),
			want{frames: 17, protocols: map[string]int{eth4: 17}, cut: 5, maxCap: 128}},
		{"qinq", Options{VLANs: []uint16{100, 200}}, one(false, nil),
			want{frames: 17, protocols: map[string]int{"eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:tcp": 17}, certs: 2, maxCap: 1522}},
		{"sll ipv6", Options{Link: SLL}, one(true, nil),
			want{frames: 17, protocols: map[string]int{"sll:ethertype:ipv6:tcp": 17}, certs: 2, maxCap: 1536, outgoing: 9}},
		{"sll2 with the server local", Options{Link: SLL2, Local: netip.MustParseAddr("10.10.2.20")}, one(false, nil),
			want{frames: 17, protocols: map[string]int{"sll:ethertype:ip:tcp": 17}, certs: 2, maxCap: 1520, outgoing: 8, ifindex: 17}},
		{"raw ipv6", Options{Link: RawIP}, one(true, nil),
			want{frames: 17, protocols: map[string]int{"raw:ipv6:tcp": 17}, certs: 2, maxCap: 1520}},
		{"null big-endian nanosecond", Options{Link: Null, BigEndian: true, Nanosecond: true}, one(true, nil),
			want{frames: 17, protocols: map[string]int{"null:ipv6:tcp": 17}, certs: 2, maxCap: 1524}},
		{"pppoe vlan", Options{Link: PPPoE, VLANs: []uint16{7}}, one(false, nil),
			want{frames: 17, protocols: map[string]int{"eth:ethertype:vlan:ethertype:pppoes:ppp:ip:tcp": 17}, certs: 2, maxCap: 1526}},
		{"pcapng gzip big-endian two interfaces", Options{Format: PCAPNG, Gzip: true, BigEndian: true, Nanosecond: true, SecondInterface: linkPtr(RawIP)}, pair(false),
			want{frames: 33, protocols: map[string]int{eth4: 17, "raw:ip:tcp": 16}, certs: 4, maxCap: 1514, ifaces: map[string]int{"0": 17, "1": 16}}},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(path, writeFile(t, tt.opts, tt.input), 0o644); err != nil {
				t.Fatal(err)
			}
			got := runTshark(t, path)
			w := tt.want
			if w.flags == nil {
				w.flags = map[string]int{}
			}
			if w.ifaces == nil {
				w.ifaces = map[string]int{"": w.frames}
			}
			if got.frames != w.frames || got.certs != w.certs || got.cut != w.cut || got.maxCap != w.maxCap ||
				got.outgoing != w.outgoing || got.ifindex != w.ifindex ||
				!maps.Equal(got.protocols, w.protocols) || !maps.Equal(got.flags, w.flags) || !maps.Equal(got.ifaces, w.ifaces) {
				t.Errorf("tshark sees\n%+v\nwant\n%+v", got, w)
			}
			if got.badSums != 0 {
				t.Errorf("%d frames with bad checksums", got.badSums)
			}
		})
	}
}
