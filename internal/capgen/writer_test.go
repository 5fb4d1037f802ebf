package capgen

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func linkPtr(l Link) *Link { return &l }

func TestNewWriterErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   Options
		wantErr string // the OptionError's Field; "" for no error
	}{
		{"zero options", Options{}, ""},
		{"everything", Options{Format: PCAPNG, Nanosecond: true, BigEndian: true, Gzip: true, Link: PPPoE, SecondInterface: linkPtr(SLL2), VLANs: []uint16{100, 200}, Snaplen: 128, MSS: 536}, ""},
		{"unknown format", Options{Format: 7}, "Format"},
		{"unknown link", Options{Link: 42}, "Link"},
		{"three VLAN tags", Options{VLANs: []uint16{1, 2, 3}}, "VLANs"},
		{"VLAN 0", Options{VLANs: []uint16{0}}, "VLANs"},
		{"VLAN 4095", Options{VLANs: []uint16{4095}}, "VLANs"},
		{"negative snaplen", Options{Snaplen: -1}, "Snaplen"},
		{"huge MSS", Options{MSS: 70000}, "MSS"},
		{"second interface in pcap", Options{SecondInterface: linkPtr(SLL)}, "SecondInterface"},
		{"unknown second interface", Options{Format: PCAPNG, SecondInterface: linkPtr(99)}, "SecondInterface"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewWriter(io.Discard, tt.input)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				return
			}
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Field != tt.wantErr {
				t.Fatalf("got %v, want an OptionError for %s", err, tt.wantErr)
			}
		})
	}
}

func TestConversationErrors(t *testing.T) {
	mixed := conv(false, handshake()...)
	mixed.Server = netip.MustParseAddrPort("[2001:db8::20]:5061")
	tests := []struct {
		name    string
		input   Conversation
		wantErr string
	}{
		{"good", conv(false, handshake()...), ""},
		{"mapped IPv4 on one side only", func() Conversation {
			c := conv(false, handshake()...)
			c.Server = netip.MustParseAddrPort("[::ffff:10.10.2.20]:5061")
			return c
		}(), ""},
		{"mixed families", mixed, "capgen: conversation 0: client and server address families differ"},
		{"no addresses", Conversation{Steps: handshake()}, "capgen: conversation 0: missing client or server address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewWriter(io.Discard, Options{})
			if err != nil {
				t.Fatal(err)
			}
			w.Add(tt.input)
			err = w.Close()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *ConversationError
			if !errors.As(err, &ce) || err.Error() != tt.wantErr {
				t.Fatalf("got %v, want %s", err, tt.wantErr)
			}
		})
	}
	w, _ := NewWriter(io.Discard, Options{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.Add(conv(false, handshake()...))
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v, want ErrClosed", err)
	}
}

// written is one conversation as given to a Writer in a test.
type written struct {
	c Conversation
	m Mangle // nil: Add, else AddMangled
}

// expected returns the packets a Writer should write for ws, in file order.
func expected(ws []written, mss int) []Packet {
	type tagged struct {
		p   Packet
		idx int
	}
	var all []tagged
	for i, w := range ws {
		ps := PacketsOf(w.c, mss)
		if w.m != nil {
			ps = w.m(ps)
		}
		for _, p := range ps {
			all = append(all, tagged{p, i})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].p.Time.Before(all[j].p.Time) })
	out := make([]Packet, len(all))
	for i, t := range all {
		out[i] = t.p
	}
	return out
}

func writeFile(t testing.TB, opts Options, ws []written) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ws {
		if x.m != nil {
			w.AddMangled(x.c, x.m)
		} else {
			w.Add(x.c)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readBack reads a capture with pcapgo and decodes every frame with gopacket.
type readPacket struct {
	ci   gopacket.CaptureInfo
	link layers.LinkType
	pkt  gopacket.Packet
}

func readBack(t *testing.T, b []byte, format Format) []readPacket {
	t.Helper()
	switch format {
	case PCAP:
		r, err := pcapgo.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return readAll(t, r.ReadPacketData, func(gopacket.CaptureInfo) (layers.LinkType, error) { return r.LinkType(), nil })
	case PCAPNG:
		r, err := pcapgo.NewNgReader(bytes.NewReader(b), pcapgo.NgReaderOptions{WantMixedLinkType: true, ErrorOnMismatchingLinkType: true})
		if err != nil {
			t.Fatal(err)
		}
		out := readAll(t, r.ReadPacketData, func(ci gopacket.CaptureInfo) (layers.LinkType, error) {
			iface, err := r.Interface(ci.InterfaceIndex)
			return iface.LinkType, err
		})
		if r.SectionInfo().Application != appName || r.SectionInfo().Hardware != appName || r.SectionInfo().OS != appName {
			t.Errorf("section info %+v", r.SectionInfo())
		}
		return out
	}
	return nil
}

// readAll decodes every packet that next returns until io.EOF, each with
// the link type linkOf gives it.
func readAll(t *testing.T, next func() ([]byte, gopacket.CaptureInfo, error), linkOf func(gopacket.CaptureInfo) (layers.LinkType, error)) []readPacket {
	t.Helper()
	var out []readPacket
	for {
		data, ci, err := next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		lt, err := linkOf(ci)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, readPacket{ci, lt, gopacket.NewPacket(data, lt, gopacket.Default)})
	}
}

// checksumOK verifies the IPv4 header checksum and the TCP checksum of an
// uncut frame's network layer.
func checksumOK(pkt gopacket.Packet) error {
	nl := pkt.NetworkLayer()
	tl := pkt.TransportLayer()
	if nl == nil || tl == nil {
		return errors.New("no IP or TCP layer")
	}
	hdr := nl.LayerContents()
	seg := append(append([]byte(nil), tl.LayerContents()...), tl.LayerPayload()...)
	var s uint32
	switch ip := nl.(type) {
	case *layers.IPv4:
		if fold(sum(hdr, 0)) != 0xffff {
			return errors.New("bad IPv4 header checksum")
		}
		s = sum(ip.SrcIP.To4(), 0)
		s = sum(ip.DstIP.To4(), s)
	case *layers.IPv6:
		s = sum(ip.SrcIP, 0)
		s = sum(ip.DstIP, s)
	}
	s += uint32(len(seg)) + ipProtoTCP
	if fold(sum(seg, s)) != 0xffff {
		return errors.New("bad TCP checksum")
	}
	return nil
}

func TestReadBack(t *testing.T) {
	two := func(v6 bool, m Mangle) []written {
		a := tlsConv(t, 0, v6)
		b := tlsConv(t, 30, v6)
		b.Client = netip.AddrPortFrom(b.Client.Addr(), 40001)
		b.Start = t0.Add(ms(2.5))
		b.ClientISN, b.ServerISN = 0xfffffff0, 77 // sequence numbers wrap
		return []written{{a, nil}, {b, m}}
	}
	tests := []struct {
		name     string
		opts     Options
		input    []written
		wantLink []layers.LinkType // per conversation
	}{
		{"pcap ethernet ipv4", Options{}, two(false, nil), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcap ethernet ipv6 vlan", Options{VLANs: []uint16{42}}, two(true, nil), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcap qinq nanosecond big-endian", Options{VLANs: []uint16{100, 200}, Nanosecond: true, BigEndian: true}, two(false, nil), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcap gzip sll", Options{Gzip: true, Link: SLL}, two(false, Duplicate(4)), []layers.LinkType{layers.LinkTypeLinuxSLL}},
		{"pcap sll2 ipv6", Options{Link: SLL2}, two(true, Drop(5)), []layers.LinkType{layers.LinkTypeLinuxSLL2}},
		{"pcap raw", Options{Link: RawIP}, two(false, Swap(6, 7)), []layers.LinkType{layers.LinkTypeRaw}},
		{"pcap null ipv6 big-endian", Options{Link: Null, BigEndian: true}, two(true, nil), []layers.LinkType{layers.LinkTypeNull}},
		{"pcap pppoe ipv4", Options{Link: PPPoE}, two(false, Overlap(5, 100)), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcap small mss", Options{MSS: 200}, two(false, nil), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcap snaplen 128", Options{Snaplen: 128}, two(false, nil), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcapng", Options{Format: PCAPNG}, two(false, nil), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcapng nanosecond big-endian gzip", Options{Format: PCAPNG, Nanosecond: true, BigEndian: true, Gzip: true}, two(true, StartAt(3)), []layers.LinkType{layers.LinkTypeEthernet}},
		{"pcapng two interfaces", Options{Format: PCAPNG, Link: Ethernet, SecondInterface: linkPtr(SLL)}, two(false, nil), []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL}},
		{"pcapng pppoe and null", Options{Format: PCAPNG, Link: PPPoE, SecondInterface: linkPtr(Null)}, two(true, nil), []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeNull}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := writeFile(t, tt.opts, tt.input)
			got := readBack(t, b, tt.opts.Format)
			want := expected(tt.input, tt.opts.MSS)
			if len(got) != len(want) {
				t.Fatalf("%d packets, want %d", len(got), len(want))
			}
			snaplen := tt.opts.Snaplen
			if snaplen == 0 {
				snaplen = DefaultSnaplen
			}
			res := time.Microsecond
			if tt.opts.Nanosecond {
				res = time.Nanosecond
			}
			for i, g := range got {
				w := want[i]
				where := fmt.Sprintf("packet %d (%s)", i+1, summary(w))
				if !g.ci.Timestamp.Equal(w.Time.Truncate(res)) {
					t.Errorf("%s: time %v", where, g.ci.Timestamp)
				}
				if g.ci.CaptureLength != min(g.ci.Length, snaplen) || g.ci.CaptureLength > snaplen {
					t.Errorf("%s: captured %d of %d", where, g.ci.CaptureLength, g.ci.Length)
				}
				if n := len(tt.opts.VLANs); n > 0 {
					var ids []uint16
					for _, l := range g.pkt.Layers() {
						if q, ok := l.(*layers.Dot1Q); ok {
							ids = append(ids, q.VLANIdentifier)
						}
					}
					if fmt.Sprint(ids) != fmt.Sprint(tt.opts.VLANs) {
						t.Errorf("%s: VLANs %v", where, ids)
					}
				}
				tcp, ok := g.pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
				if !ok {
					t.Fatalf("%s: no TCP layer: %v", where, g.pkt)
				}
				// The second conversation (client port 40001) is on the second interface, if any.
				conv := min(int(tcp.SrcPort+tcp.DstPort-5061-40000), len(tt.wantLink)-1)
				if g.link != tt.wantLink[conv] {
					t.Errorf("%s: link %v, want %v", where, g.link, tt.wantLink[conv])
				}
				if tcp.Seq != w.Seq || tcp.Ack != w.Ack || tcp.SYN != (w.Flags&FlagSYN != 0) || tcp.ACK != (w.Flags&FlagACK != 0) ||
					tcp.FIN != (w.Flags&FlagFIN != 0) || tcp.RST != (w.Flags&FlagRST != 0) || tcp.PSH != (w.Flags&FlagPSH != 0) {
					t.Errorf("%s: TCP seq %d ack %d flags %v", where, tcp.Seq, tcp.Ack, tcp)
				}
				if g.ci.CaptureLength == g.ci.Length {
					if !bytes.Equal(tcp.Payload, w.Payload) {
						t.Errorf("%s: payload differs", where)
					}
					if err := checksumOK(g.pkt); err != nil {
						t.Errorf("%s: %v", where, err)
					}
				} else if !bytes.HasPrefix(w.Payload, tcp.Payload) {
					t.Errorf("%s: cut payload is not a prefix", where)
				}
				wantPort := uint16(5061)
				if w.Side == Server {
					if tcp.SrcPort != layers.TCPPort(wantPort) {
						t.Errorf("%s: source port %d", where, tcp.SrcPort)
					}
				} else if tcp.DstPort != layers.TCPPort(wantPort) {
					t.Errorf("%s: destination port %d", where, tcp.DstPort)
				}
				if w.Flags&FlagSYN != 0 {
					if len(tcp.Options) != 5 || tcp.Options[0].OptionType != layers.TCPOptionKindMSS || tcp.Options[4].OptionType != layers.TCPOptionKindWindowScale {
						t.Errorf("%s: SYN options %v", where, tcp.Options)
					}
				}
			}
		})
	}
}

// TestDeterministic writes the same input twice and expects the same bytes,
// and a different MSS to give different bytes.
func TestDeterministic(t *testing.T) {
	ws := []written{{tlsConv(t, 0, false), nil}, {tlsConv(t, 1, true), Duplicate(3)}}
	for _, opts := range []Options{{}, {Format: PCAPNG, Gzip: true}} {
		a := sha256.Sum256(writeFile(t, opts, ws))
		b := sha256.Sum256(writeFile(t, opts, ws))
		if a != b {
			t.Errorf("%+v: two runs differ", opts)
		}
		opts.MSS = 500
		if c := sha256.Sum256(writeFile(t, opts, ws)); c == a {
			t.Errorf("%+v: MSS made no difference", opts)
		}
	}
}

// TestWriteStream checks that streamed conversations come out merged by time,
// exactly as if they had all been added.
func TestWriteStream(t *testing.T) {
	var ws []written
	for i := range 20 {
		c := tlsConv(t, i%3, i%2 == 1)
		c.Start = t0.Add(time.Duration(i) * ms(1.7))
		c.Client = netip.AddrPortFrom(c.Client.Addr(), uint16(40000+i))
		ws = append(ws, written{c, nil})
	}
	all := writeFile(t, Options{}, ws)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Add(ws[0].c)
	i := 1
	err = w.WriteStream(func() (Conversation, bool) {
		if i == len(ws) {
			return Conversation{}, false
		}
		i++
		return ws[i-1].c, true
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), all) {
		t.Error("streamed file differs from the file of added conversations")
	}
	if got, want := w.Packets(), len(expected(ws, 0)); got != want {
		t.Errorf("%d packets, want %d", got, want)
	}
}
