package capgen

import (
	"bytes"
	"net/netip"
	"testing"
)

// TestAppendEthernetFrame checks that AppendEthernetFrame gives the frame a
// Writer with Link Ethernet writes for the same packet, from either side.
func TestAppendEthernetFrame(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
	}{
		{"ipv4", "10.0.0.1:40000", "10.0.0.2:5061"},
		{"ipv6", "[2001:db8::1]:40000", "[2001:db8::2]:5061"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Conversation{Client: netip.MustParseAddrPort(tt.client), Server: netip.MustParseAddrPort(tt.server), ClientISN: 0x12345678, ServerISN: 0x9abcdef0}
			var w Writer
			fi, err := w.frameInfoOf(&c, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, side := range []Side{Client, Server} {
				p := Packet{Side: side, Flags: FlagPSH | FlagACK, Seq: 1000, Ack: 2000, Window: 0xffff, Payload: []byte("hello")}
				src, dst := fi.ends[side], fi.ends[1-side]
				ipid := fi.ipid[side]
				want := w.appendFrame(nil, &fi, &p)
				got := AppendEthernetFrame(nil, Endpoint{src.ap, src.mac}, Endpoint{dst.ap, dst.mac}, ipid, &p)
				if !bytes.Equal(got, want) {
					t.Errorf("side %d:\n got %x\nwant %x", side, got, want)
				}
			}
		})
	}
}
