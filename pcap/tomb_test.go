package pcap

import (
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// qaExchange is a question and its answer after the handshake, and
// qaClosed the whole connection: handshake, exchange, FIN both ways.
var (
	qaExchange = []pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "q"}, {flags: "PA", seq: 1, ack: 2, data: "a"}}
	qaClosed   = cat(handshake, qaExchange, []pkt{
		{c2s: true, flags: "FA", seq: 2, ack: 2},
		{flags: "FA", seq: 2, ack: 3},
		{c2s: true, flags: "A", seq: 3, ack: 3},
	})
)

// TestLateAfterClose: a closed connection is ended Linger after its last
// packet, and its 4-tuple is remembered for QuietTime: later packets are
// late (counted, not a new connection) unless they are a new SYN; after
// QuietTime they start a new connection, as before.
func TestLateAfterClose(t *testing.T) {
	reset := cat(handshake, qaExchange, []pkt{{c2s: true, flags: "R", seq: 2}})
	tests := []struct {
		name      string
		base      []pkt
		later     []pkt
		wantConns uint64
		wantLate  uint64
		wantPkts  uint64 // packets of connection 1
	}{
		{"within Linger: part of the connection", qaClosed, []pkt{{flags: "FA", seq: 2, ack: 3, at: 2 * time.Second}}, 1, 0, 9},
		{"retransmitted FIN after Linger: late", qaClosed, []pkt{{flags: "FA", seq: 2, ack: 3, at: 10 * time.Second}}, 1, 1, 8},
		{"answer to a reset after Linger: late", reset, []pkt{{flags: "PA", seq: 2, ack: 2, data: "x", at: 5 * time.Second}}, 1, 1, 6},
		{"retransmitted SYN of the same ISN: late", qaClosed, []pkt{{c2s: true, flags: "S", at: 10 * time.Second}}, 1, 1, 8},
		{"SYN with another ISN: a new connection", qaClosed, []pkt{{c2s: true, flags: "S", seq: 7777, at: 10 * time.Second}}, 2, 0, 8},
		{"SYN from the server's end: a new connection", qaClosed, []pkt{{flags: "S", seq: 7777, at: 10 * time.Second}}, 2, 0, 8},
		{"after QuietTime: a new connection", qaClosed, []pkt{{flags: "A", seq: 3, ack: 3, at: 2 * time.Minute}}, 2, 0, 8},
		{"late packets keep the tombstone fresh", qaClosed, []pkt{
			{flags: "FA", seq: 2, ack: 3, at: 50 * time.Second},
			{flags: "FA", seq: 2, ack: 3, at: 100 * time.Second},
		}, 1, 2, 8},
		{"reset before any byte: kept for QuietTime", cat(handshake, []pkt{{c2s: true, flags: "R", seq: 1}}),
			[]pkt{{flags: "A", seq: 1, ack: 1, at: 30 * time.Second}}, 1, 0, 5},
		{"its own SYN again after a reset: the same connection, open again", cat(handshake, []pkt{{c2s: true, flags: "R", seq: 1}}), cat(
			[]pkt{{c2s: true, flags: "S", at: 5 * time.Second}, {flags: "SA", ack: 1, at: 5 * time.Second}},
			[]pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "q", at: 6 * time.Second}, {flags: "PA", seq: 1, ack: 2, data: "a", at: 6 * time.Second}},
			[]pkt{{c2s: true, flags: "R", seq: 2, at: 30 * time.Second}}), 1, 0, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := defaultConv()
			rec := newRecorder()
			info, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, cv.records(t, cat(tt.base, tt.later)), false), Options{}, rec)
			if err != nil {
				t.Fatal(err)
			}
			st := rec.stats[1]
			if got := st.Packets[0] + st.Packets[1]; info.Conns != tt.wantConns || info.LatePackets != tt.wantLate || got != tt.wantPkts {
				t.Errorf("%d connections, %d late packets, %d packets in connection 1; want %d, %d and %d",
					info.Conns, info.LatePackets, got, tt.wantConns, tt.wantLate, tt.wantPkts)
			}
		})
	}
}

// TestTombstonesBounded: at most max tombstones are kept, the oldest
// forgotten first, and neither the ring nor the map grows without bound.
func TestTombstonesBounded(t *testing.T) {
	var ts tombstones
	now := t0
	for i := range 10000 {
		c := &conn{key: connKey{ap: uint16(i), bp: uint16(i >> 16)}, last: now}
		ts.add(c, 100)
		now = now.Add(time.Millisecond)
	}
	if ts.live != 100 {
		t.Errorf("%d tombstones kept, want 100", ts.live)
	}
	if !ts.late(connKey{ap: 9999}, true, false, 0, now, time.Minute) {
		t.Error("the newest tombstone was forgotten")
	}
	if ts.late(connKey{ap: 9899}, true, false, 0, now, time.Minute) {
		t.Error("the 101st newest tombstone is still kept")
	}
	if len(ts.ring)-ts.head > 200 || cap(ts.ring) > 1000 || len(ts.at) > 2*100+1024+1 {
		t.Errorf("ring holds %d entries (%d live, capacity %d), map %d", len(ts.ring), len(ts.ring)-ts.head, cap(ts.ring), len(ts.at))
	}
	ts.expire(now.Add(time.Hour), time.Minute)
	if ts.live != 0 || ts.late(connKey{ap: 9999}, true, false, 0, now.Add(time.Hour), 2*time.Hour) {
		t.Errorf("%d tombstones left after QuietTime", ts.live)
	}
	// Expiring many leaves the map to be rebuilt, not to grow.
	for i := range 100000 {
		c := &conn{key: connKey{ap: uint16(i), bp: uint16(i >> 16)}, last: now}
		ts.add(c, 100000)
		now = now.Add(time.Second)
		ts.expire(now, time.Minute)
	}
	if ts.live != 60 || len(ts.at) > 2*ts.live+1024+1 || cap(ts.ring) > 4096 {
		t.Errorf("after 100,000 tombstones of a minute each, a second apart: %d live, map %d, ring capacity %d", ts.live, len(ts.at), cap(ts.ring))
	}
}

// TestCaptureTimeBackwards: a packet stamped before one read earlier (a
// capture merged from interfaces whose clocks differ) does not take the
// capture's time back. A closed connection's Linger counts from the
// capture's time at its last packet, so its retransmitted FIN, stamped
// 5 s after its close but still 5 s before the latest time read, is part
// of it, not late; and a connection read later ends at the same frame
// whatever other connections were read.
func TestCaptureTimeBackwards(t *testing.T) {
	ahead := portRecords(t, 40002, 10*time.Second, []pkt{{c2s: true, flags: "S"}})
	behind := portRecords(t, 40001, 0, cat(qaClosed, []pkt{{flags: "FA", seq: 2, ack: 3, at: 5 * time.Second}}))
	recs := append(ahead, behind...)
	rec := newRecorder()
	info, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{}, rec)
	if err != nil {
		t.Fatal(err)
	}
	st := rec.stats[2]
	if got := st.Packets[0] + st.Packets[1]; info.LatePackets != 0 || got != 9 {
		t.Errorf("%d late packets, %d packets in the connection stamped behind; want 0 and 9", info.LatePackets, got)
	}
	if !info.Last.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("CaptureInfo.Last = %v, want the latest stamp %v", info.Last, t0.Add(10*time.Second))
	}
}
