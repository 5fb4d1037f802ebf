package pcap

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// swapPcap turns a little-endian pcap file into a big-endian one.
func swapPcap(b []byte) []byte {
	out := append([]byte(nil), b...)
	sw32 := func(o int) { binary.BigEndian.PutUint32(out[o:], binary.LittleEndian.Uint32(b[o:])) }
	sw16 := func(o int) { binary.BigEndian.PutUint16(out[o:], binary.LittleEndian.Uint16(b[o:])) }
	sw32(0)
	sw16(4)
	sw16(6)
	for _, o := range []int{8, 12, 16, 20} {
		sw32(o)
	}
	for o := 24; o+16 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[o+8:]))
		for i := 0; i < 4; i++ {
			sw32(o + 4*i)
		}
		o += 16 + n
	}
	return out
}

var simpleConv = cat(handshake, []pkt{
	{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
	{flags: "PA", seq: 1, ack: 4, data: "2c"},
})

func simpleWant(client, server string) []string {
	return []string{
		"ev 1 c>s SYN f1", "ev 1 s>c SYN-ACK f2", "ev 1 c>s handshake ACK f3",
		`data 1 c>s "3ab" f4-4 off=0`, `data 1 s>c "2c" f5-5 off=0`,
		fmt.Sprintf("end 1 %s>%s from SYN", client, server),
	}
}

func TestLinkTypes(t *testing.T) {
	v4 := defaultConv()
	v6 := conv{client: "[2001:db8::1]:40000", server: "[2001:db8::2]:5061", cisn: 7, sisn: 9}
	tests := []struct {
		name     string
		base     conv
		set      func(*conv)
		wantLink string
	}{
		{"Ethernet", v4, func(c *conv) { c.link = layers.LinkTypeEthernet }, "Ethernet"},
		{"Ethernet IPv6", v6, func(c *conv) { c.link = layers.LinkTypeEthernet }, "Ethernet"},
		{"IPv6 hop-by-hop header", v6, func(c *conv) { c.link = layers.LinkTypeEthernet; c.hopByHop = true }, "Ethernet"},
		{"802.1Q VLAN", v4, func(c *conv) { c.link = layers.LinkTypeEthernet; c.vlans = 1 }, "Ethernet"},
		{"QinQ", v4, func(c *conv) { c.link = layers.LinkTypeEthernet; c.vlans = 2 }, "Ethernet"},
		{"PPPoE", v4, func(c *conv) { c.link = layers.LinkTypeEthernet; c.pppoe = true }, "Ethernet"},
		{"PPPoE IPv6", v6, func(c *conv) { c.link = layers.LinkTypeEthernet; c.pppoe = true }, "Ethernet"},
		{"Linux cooked v1", v4, func(c *conv) { c.link = layers.LinkTypeLinuxSLL }, "Linux cooked v1"},
		{"Linux cooked v2", v6, func(c *conv) { c.link = layers.LinkTypeLinuxSLL2 }, "Linux cooked v2"},
		{"raw IPv4 (101)", v4, func(c *conv) { c.link = layers.LinkTypeRaw }, "Raw IP"},
		{"raw IPv6 (101)", v6, func(c *conv) { c.link = layers.LinkTypeRaw }, "Raw IP"},
		{"raw IPv4 (228)", v4, func(c *conv) { c.link = layers.LinkTypeIPv4 }, "Raw IPv4"},
		{"raw IPv6 (229)", v6, func(c *conv) { c.link = layers.LinkTypeIPv6 }, "Raw IPv6"},
		{"raw IP (DLT 12)", v4, func(c *conv) { c.link = layers.LinkType(12) }, "Raw IP"},
		{"raw IP (DLT 14)", v6, func(c *conv) { c.link = layers.LinkType(14) }, "Raw IP"},
		{"BSD NULL", v4, func(c *conv) { c.link = layers.LinkTypeNull }, "BSD loopback"},
		{"BSD NULL IPv6", v6, func(c *conv) { c.link = layers.LinkTypeNull }, "BSD loopback"},
		{"OpenBSD LOOP", v4, func(c *conv) { c.link = layers.LinkTypeLoop }, "BSD loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := tt.base
			tt.set(&cv)
			file := writePcap(t, cv.link, cv.records(t, simpleConv), false)
			rec := newRecorder()
			info, err := readBytes(t, file, Options{}, rec)
			if err != nil {
				t.Fatal(err)
			}
			want := simpleWant(strings.NewReplacer("[", "", "]", "").Replace(cv.client), cv.server)
			want[5] = fmt.Sprintf("end 1 %s>%s from SYN", rec.conns[0].Client, rec.conns[0].Server)
			if rec.conns[0].Client.String() != cv.client || rec.conns[0].Server.String() != cv.server {
				t.Errorf("conn %s>%s, want %s>%s", rec.conns[0].Client, rec.conns[0].Server, cv.client, cv.server)
			}
			if got := strings.Join(rec.lines, "\n"); got != strings.Join(want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
			if !reflect.DeepEqual(info.LinkTypes, []string{tt.wantLink}) {
				t.Errorf("LinkTypes %q, want %q", info.LinkTypes, tt.wantLink)
			}
			if info.TCPPackets != 5 || info.Undecodable != 0 || info.OtherPackets != 0 {
				t.Errorf("TCP %d, undecodable %d, other %d; want 5, 0, 0", info.TCPPackets, info.Undecodable, info.OtherPackets)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	cv := defaultConv()
	recs := cv.records(t, simpleConv)
	le := writePcap(t, layers.LinkTypeEthernet, recs, false)
	ns := writePcap(t, layers.LinkTypeEthernet, recs, true)
	v6 := conv{client: "[2001:db8::1]:40000", server: "[2001:db8::2]:5061", cisn: 7, sisn: 9, link: layers.LinkTypeLinuxSLL2}
	// two interfaces of different link types: the IPv4 conversation on
	// Ethernet, the IPv6 one on Linux cooked v2, interleaved
	recs6 := v6.records(t, simpleConv)
	var mixed []record
	for i := range recs {
		mixed = append(mixed, recs[i], recs6[i])
	}
	ng := writePcapng(t, mixed)
	tests := []struct {
		name       string
		file       []byte
		format     string
		compressed bool
		nano       bool
		links      []string
		conns      uint64
	}{
		{"pcap little-endian", le, "pcap", false, false, []string{"Ethernet"}, 1},
		{"pcap big-endian", swapPcap(le), "pcap", false, false, []string{"Ethernet"}, 1},
		{"pcap nanoseconds", ns, "pcap", false, true, []string{"Ethernet"}, 1},
		{"pcap nanoseconds big-endian", swapPcap(ns), "pcap", false, true, []string{"Ethernet"}, 1},
		{"pcap gzip", gzipBytes(t, le), "pcap", true, false, []string{"Ethernet"}, 1},
		{"pcapng two link types", ng, "pcapng", false, false, []string{"Ethernet", "Linux cooked v2"}, 2},
		{"pcapng gzip", gzipBytes(t, ng), "pcapng", true, false, []string{"Ethernet", "Linux cooked v2"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			info, err := readBytes(t, tt.file, Options{}, rec)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != tt.format || info.Compressed != tt.compressed || info.Nanosecond != tt.nano {
				t.Errorf("format %q compressed %v nano %v, want %q %v %v", info.Format, info.Compressed, info.Nanosecond, tt.format, tt.compressed, tt.nano)
			}
			if !reflect.DeepEqual(info.LinkTypes, tt.links) {
				t.Errorf("LinkTypes %q, want %q", info.LinkTypes, tt.links)
			}
			if info.Conns != tt.conns || info.Packets != uint64(5*tt.conns) {
				t.Errorf("conns %d packets %d, want %d %d", info.Conns, info.Packets, tt.conns, 5*tt.conns)
			}
			if info.Snaplen != 65535 {
				t.Errorf("snaplen %d, want 65535", info.Snaplen)
			}
			if !info.First.Equal(t0) || !info.Last.Equal(t0.Add(4e6)) {
				t.Errorf("first %v last %v, want %v and 4ms later", info.First, info.Last, t0)
			}
			if tt.conns == 1 {
				if got, want := strings.Join(rec.lines, "\n"), strings.Join(simpleWant(cv.client, cv.server), "\n"); got != want {
					t.Errorf("got:\n%s\nwant:\n%s", got, want)
				}
				return
			}
			// interleaved: frame numbers count records of both interfaces
			want := []string{
				`data 1 c>s "3ab" f7-7 off=0`, `data 2 c>s "3ab" f8-8 off=0`,
				`data 1 s>c "2c" f9-9 off=0`, `data 2 s>c "2c" f10-10 off=0`,
			}
			var got []string
			for _, l := range rec.lines {
				if strings.HasPrefix(l, "data") {
					got = append(got, l)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
