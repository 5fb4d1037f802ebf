package pcap

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// TestISN checks the initial sequence numbers a Conn carries, by which one
// connection is matched across captures.
func TestISN(t *testing.T) {
	tests := []struct {
		name                string
		input               []pkt
		wantClient, wantSrv uint32
		wantKnown           bool
	}{
		{"SYN and SYN-ACK", []pkt{{c2s: true, flags: "S"}, {flags: "SA", ack: 1}, {c2s: true, flags: "A", seq: 1, ack: 1}}, 1000, 2000, true},
		{"SYN only", []pkt{{c2s: true, flags: "S"}}, 1000, 0, true},
		{"SYN-ACK only: the client's from its acknowledgment", []pkt{{flags: "SA", ack: 1}, {c2s: true, flags: "A", seq: 1, ack: 1}}, 1000, 2000, true},
		{"midstream", []pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "x"}}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := defaultConv()
			cv.cisn, cv.sisn = 1000, 2000
			rec := newRecorder()
			if _, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, cv.records(t, tt.input), false), Options{}, rec); err != nil {
				t.Fatal(err)
			}
			if len(rec.conns) != 1 {
				t.Fatalf("%d connections", len(rec.conns))
			}
			c := rec.conns[0]
			if c.ClientISN != tt.wantClient || c.ServerISN != tt.wantSrv || c.ISNKnown != tt.wantKnown {
				t.Errorf("ISNs client %d server %d known %v, want %d %d %v", c.ClientISN, c.ServerISN, c.ISNKnown, tt.wantClient, tt.wantSrv, tt.wantKnown)
			}
		})
	}
}
