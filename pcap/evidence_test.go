package pcap

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// evPkt is a hand-built segment with the capture-host evidence to write into it.
type evPkt struct {
	pkt
	ttl    uint8 // IPv4 TTL or IPv6 hop limit (0: the helpers' 64)
	badSum bool  // spoil the TCP checksum, as transmit-checksum offload leaves it
}

// evidenceRecords builds the records of an Ethernet conversation and writes
// each packet's TTL and checksum mangle into them.
func evidenceRecords(t *testing.T, cv conv, ps []evPkt) []record {
	t.Helper()
	plain := make([]pkt, len(ps))
	for i, p := range ps {
		plain[i] = p.pkt
	}
	recs := cv.records(t, plain)
	for i, p := range ps {
		b := recs[i].data
		ip := 14
		var tcpAt int
		if b[ip]>>4 == 4 {
			if p.ttl != 0 {
				b[ip+8] = p.ttl
			}
			tcpAt = ip + int(b[ip]&0xf)*4
		} else {
			if p.ttl != 0 {
				b[ip+7] = p.ttl
			}
			tcpAt = ip + 40
		}
		if p.badSum {
			b[tcpAt+16] ^= 0x5a
		}
	}
	return recs
}

// evidenceOf keeps the fields of st that evidence.go fills.
func evidenceOf(st ConnStats) ConnStats {
	return ConnStats{
		TTL: st.TTL, TTLChanged: st.TTLChanged, ChecksumChecked: st.ChecksumChecked, ChecksumBad: st.ChecksumBad,
		Reaction: st.Reaction, Reactions: st.Reactions, HandshakeReaction: st.HandshakeReaction, HandshakeReacted: st.HandshakeReacted,
	}
}

func TestEvidence(t *testing.T) {
	us := time.Microsecond
	ms := time.Millisecond
	v4 := defaultConv()
	v6 := defaultConv()
	v6.client, v6.server = "[fd00::11]:40000", "[fd00::21]:5061"
	big := strings.Repeat("x", 1500)
	tests := []struct {
		name string
		cv   conv
		pkts []evPkt
		want ConnStats
	}{
		{
			name: "on the client: routed server, offload on the client",
			cv:   v4,
			pkts: []evPkt{
				{pkt{c2s: true, flags: "S", at: 1 * us}, 0, true},
				{pkt{flags: "SA", ack: 1, at: 4 * ms}, 62, false},
				{pkt{c2s: true, flags: "A", seq: 1, ack: 1, at: 4*ms + 30*us}, 0, true},
				{pkt{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab", at: 4*ms + 60*us}, 0, true},
				{pkt{flags: "A", seq: 1, ack: 4, at: 8 * ms}, 62, false},
				{pkt{flags: "PA", seq: 1, ack: 4, data: "2c", at: 9 * ms}, 62, false},
				{pkt{c2s: true, flags: "A", seq: 4, ack: 3, at: 9*ms + 50*us}, 0, true},
			},
			want: ConnStats{
				TTL:             [2]uint8{64, 62},
				ChecksumChecked: [2]uint8{4, 3},
				ChecksumBad:     [2]uint8{4, 0},
				// client: SYN-ACK→ACK 30 µs, "2c"→ACK 50 µs; server: SYN→SYN-ACK, "3ab"→ACK
				Reaction:          [2]time.Duration{30 * us, 4*ms - 60*us},
				Reactions:         [2]uint32{2, 2},
				HandshakeReaction: [2]time.Duration{30 * us, 4*ms - 1*us},
				HandshakeReacted:  [2]bool{true, true},
			},
		},
		{
			name: "on the server, IPv6 hop limit",
			cv:   v6,
			pkts: []evPkt{
				{pkt{c2s: true, flags: "S", at: 1 * us}, 61, false},
				{pkt{flags: "SA", ack: 1, at: 20 * us}, 0, false},
				{pkt{c2s: true, flags: "A", seq: 1, ack: 1, at: 3 * ms}, 61, false},
			},
			want: ConnStats{
				TTL:               [2]uint8{61, 64},
				ChecksumChecked:   [2]uint8{2, 1},
				Reaction:          [2]time.Duration{3*ms - 20*us, 19 * us},
				Reactions:         [2]uint32{1, 1},
				HandshakeReaction: [2]time.Duration{3*ms - 20*us, 19 * us},
				HandshakeReacted:  [2]bool{true, true},
			},
		},
		{
			name: "TTL changes; only the first four segments are checked",
			cv:   v4,
			pkts: []evPkt{
				{pkt{c2s: true, flags: "S"}, 0, false},
				{pkt{flags: "SA", ack: 1}, 63, false},
				{pkt{c2s: true, flags: "A", seq: 1, ack: 1}, 0, false},
				{pkt{c2s: true, flags: "PA", seq: 1, ack: 1, data: "1"}, 0, false},
				{pkt{c2s: true, flags: "PA", seq: 2, ack: 1, data: "1"}, 0, false},
				{pkt{c2s: true, flags: "PA", seq: 3, ack: 1, data: "1"}, 0, true},
				{pkt{flags: "A", seq: 1, ack: 4}, 60, false},
			},
			want: ConnStats{
				TTL:               [2]uint8{64, 63},
				TTLChanged:        [2]bool{false, true},
				ChecksumChecked:   [2]uint8{4, 2},
				Reaction:          [2]time.Duration{ms, 1 * ms},
				Reactions:         [2]uint32{1, 2},
				HandshakeReaction: [2]time.Duration{ms, ms},
				HandshakeReacted:  [2]bool{true, true},
			},
		},
		{
			name: "cut and large segments are not checked",
			cv:   v4,
			pkts: []evPkt{
				{pkt{c2s: true, flags: "PA", seq: 1, ack: 1, data: "abcdef", snaplen: 57}, 0, true},
				{pkt{c2s: true, flags: "PA", seq: 7, ack: 1, data: big}, 0, true},
				{pkt{flags: "A", seq: 1, ack: 7 + 1500}, 0, false},
			},
			want: ConnStats{
				TTL:             [2]uint8{64, 64},
				ChecksumChecked: [2]uint8{0, 1},
				Reaction:        [2]time.Duration{0, ms},
				Reactions:       [2]uint32{0, 1},
			},
		},
		{
			name: "no handshake reaction to a retransmitted SYN",
			cv:   v4,
			pkts: []evPkt{
				{pkt{c2s: true, flags: "S", at: 1 * us}, 0, false},
				{pkt{c2s: true, flags: "S", at: 1 * time.Second}, 0, false},
				{pkt{flags: "SA", ack: 1, at: time.Second + 2*ms}, 0, false},
				{pkt{c2s: true, flags: "A", seq: 1, ack: 1, at: time.Second + 2*ms + 30*us}, 0, false},
			},
			want: ConnStats{
				TTL:               [2]uint8{64, 64},
				ChecksumChecked:   [2]uint8{3, 1},
				Reaction:          [2]time.Duration{30 * us, 0},
				Reactions:         [2]uint32{1, 0},
				HandshakeReaction: [2]time.Duration{30 * us, 0},
				HandshakeReacted:  [2]bool{true, false},
			},
		},
		{
			name: "no reaction to a retransmission, nor to a segment acknowledged before it was captured",
			cv:   v4,
			pkts: []evPkt{
				{pkt{c2s: true, flags: "PA", seq: 1, ack: 1, data: "ab", at: 0}, 0, false},
				{pkt{c2s: true, flags: "PA", seq: 1, ack: 1, data: "ab", at: 5 * ms}, 0, false},      // retransmission
				{pkt{flags: "A", seq: 1, ack: 3, at: 5*ms + 10*us}, 0, false},                        // answers the first copy
				{pkt{flags: "A", seq: 1, ack: 5, at: 6 * ms}, 0, false},                              // covers bytes not yet captured
				{pkt{c2s: true, flags: "PA", seq: 3, ack: 1, data: "cd", at: 6*ms + 5*us}, 0, false}, // reordered
				{pkt{flags: "A", seq: 1, ack: 5, at: 6*ms + 10*us}, 0, false},                        // not the first ACK of it
			},
			want: ConnStats{
				TTL:             [2]uint8{64, 64},
				ChecksumChecked: [2]uint8{3, 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			recs := evidenceRecords(t, tt.cv, tt.pkts)
			if _, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, true), Options{}, rec); err != nil {
				t.Fatal(err)
			}
			if len(rec.stats) != 1 {
				t.Fatalf("%d connections, want 1", len(rec.stats))
			}
			got := evidenceOf(rec.stats[1])
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("evidence\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTCPChecksumOK(t *testing.T) {
	cv := defaultConv()
	recs := cv.records(t, []pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "odd"}})
	b := recs[0].data[14:]
	b = b[:int(b[2])<<8|int(b[3])] // without the Ethernet padding
	if !tcpChecksumOK(b, b[20:], false) {
		t.Fatal("gopacket's checksum is judged wrong")
	}
	for i := 20; i < len(b); i++ {
		b[i] ^= 1
		if tcpChecksumOK(b, b[20:], false) {
			t.Errorf("a flipped bit in byte %d of the segment went unnoticed", i-20)
		}
		b[i] ^= 1
	}
}

// TestEvidenceAllocs checks that collecting the evidence does not allocate.
func TestEvidenceAllocs(t *testing.T) {
	c := &conn{}
	seg := []byte{0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	n := testing.AllocsPerRun(100, func() {
		c.react(ClientToServer, 1, 1, true, false, 10, 5)
		c.react(ServerToClient, 1, 11, true, false, 0, 9)
		tcpChecksumOK(seg, seg[:20], false)
	})
	if n != 0 {
		t.Errorf("%v allocations per packet", n)
	}
}
