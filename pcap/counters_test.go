package pcap

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func TestConnStats(t *testing.T) {
	cv := defaultConv()
	pkts := cat(handshake, []pkt{
		{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
		{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},             // retransmission
		{c2s: true, flags: "PA", seq: 7, ack: 1, data: "2c"},              // out of order
		{c2s: true, flags: "PA", seq: 4, ack: 1, data: "3de"},             // fills the hole
		{flags: "PA", seq: 1, ack: 9, data: "9abcdefgh", snaplen: 54 + 3}, // cut: 6 bytes missing, a hole in its unit
		{flags: "PA", seq: 10, ack: 9, data: "1"},
		{c2s: true, flags: "PA", seq: 9, ack: 11, data: "4x"}, // left pending at End
	})
	rec := newRecorder()
	info, err := readBytes(t, writePcap(t, cv.link, cv.records(t, pkts), false), Options{}, rec)
	if err != nil {
		t.Fatal(err)
	}
	st := rec.stats[1]
	want := ConnStats{
		Packets:     [2]uint64{7, 3},
		Bytes:       [2]uint64{10, 4},
		Retransmits: [2]uint64{1, 0},
		OutOfOrder:  [2]uint64{1, 0},
		Gaps:        [2]uint64{0, 1},
		CutSegments: [2]uint64{0, 1},
		Pending:     [2]uint64{2, 0},
		LastFrame:   10,
		LastTime:    t0.Add(9 * time.Millisecond),
		// the helpers write TTL 64 and right checksums; the cut segment is
		// not checked; the segment that fills the hole is not new, so the
		// server's ACK of it is no reaction
		TTL:               [2]uint8{64, 64},
		ChecksumChecked:   [2]uint8{4, 2},
		Reaction:          [2]time.Duration{time.Millisecond, time.Millisecond},
		Reactions:         [2]uint32{2, 1},
		HandshakeReaction: [2]time.Duration{time.Millisecond, time.Millisecond},
		HandshakeReacted:  [2]bool{true, true},
	}
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Errorf("stats\n got %+v\nwant %+v", st, want)
	}
	if info.CutPackets != 1 || info.TCPPackets != 10 {
		t.Errorf("cut %d tcp %d", info.CutPackets, info.TCPPackets)
	}
}

func TestUndeliveredAfterStop(t *testing.T) {
	cv := defaultConv()
	pkts := cat(handshake, []pkt{
		{c2s: true, flags: "PA", seq: 1, ack: 1, data: "1"},
		{c2s: true, flags: "PA", seq: 2, ack: 1, data: "3ab"},
		{c2s: true, flags: "PA", seq: 8, ack: 1, data: "zz"},
		{c2s: true, flags: "PA", seq: 5, ack: 1, data: "xyz"},
	})
	rec := newRecorder()
	rec.stopAt = 1
	if _, err := readBytes(t, writePcap(t, cv.link, cv.records(t, pkts), false), Options{}, rec); err != nil {
		t.Fatal(err)
	}
	st := rec.stats[1]
	if st.Undelivered[0] != 8 || st.Bytes[0] != 9 {
		t.Errorf("undelivered %d bytes %d, want 8 9", st.Undelivered[0], st.Bytes[0])
	}
}

func TestMaxConns(t *testing.T) {
	var recs []record
	for i := 0; i < 5; i++ {
		recs = append(recs, portRecords(t, 40000+i, time.Duration(i)*time.Second, []pkt{{c2s: true, flags: "S"}})...)
	}
	// the first connection stays active
	recs = append(recs, portRecords(t, 40000, 10*time.Second, []pkt{{c2s: true, flags: "S"}})...)
	rec := newRecorder()
	info, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{MaxConns: 2}, rec)
	if err != nil {
		t.Fatal(err)
	}
	var ends []string
	for _, l := range rec.lines {
		if strings.HasPrefix(l, "end") {
			ends = append(ends, strings.Fields(l)[1])
		}
	}
	// conns 1..3 are evicted when 3..5 arrive; the last SYN (same ISN as
	// conn 1, which is gone) starts conn 6
	if got := strings.Join(ends, " "); got != "1 2 3 4 5 6" {
		t.Errorf("end order %s", got)
	}
	if info.ConnsEvicted != 4 || info.Conns != 6 || len(info.Warnings) != 1 {
		t.Errorf("evicted %d conns %d warnings %q", info.ConnsEvicted, info.Conns, info.Warnings)
	}
}

func TestCounters(t *testing.T) {
	cv := defaultConv()
	recs := cv.records(t, simpleConv)
	other := defaultConv()
	other.server = "10.0.0.2:443" // not watched
	recs = append(recs, other.records(t, []pkt{{c2s: true, flags: "S"}})...)
	frag := append([]byte(nil), recs[3].data...)
	frag[14+6] |= 0x20 // IPv4 more fragments
	bad := append([]byte(nil), recs[3].data[:14+10]...)
	ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Second), CaptureLength: len(frag), Length: len(frag)}
	recs = append(recs, record{data: frag, ci: ci})
	ci.CaptureLength, ci.Length = len(bad), len(bad)
	recs = append(recs, record{data: bad, ci: ci})
	rec := newRecorder()
	info, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if info.Packets != 8 || info.TCPPackets != 5 || info.OtherPackets != 2 || info.Undecodable != 1 || info.Conns != 1 {
		t.Errorf("packets %d tcp %d other %d undecodable %d conns %d", info.Packets, info.TCPPackets, info.OtherPackets, info.Undecodable, info.Conns)
	}
	if len(info.Warnings) != 1 || !strings.Contains(info.Warnings[0], "1 IP fragments") {
		t.Errorf("warnings %q", info.Warnings)
	}
	// AnyPort tracks the 443 connection too
	rec = newRecorder()
	info, _ = readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{AnyPort: true}, rec)
	if info.Conns != 2 || info.TCPPackets != 6 {
		t.Errorf("AnyPort: conns %d tcp %d", info.Conns, info.TCPPackets)
	}
	// Ports replaces 5061
	rec = newRecorder()
	info, _ = readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{Ports: []uint16{443}}, rec)
	if info.Conns != 1 || info.TCPPackets != 1 {
		t.Errorf("Ports 443: conns %d tcp %d", info.Conns, info.TCPPackets)
	}
}

func TestPcapngUnsupportedLinkType(t *testing.T) {
	cv := defaultConv()
	recs := cv.records(t, simpleConv)
	for i := range recs {
		recs[i].linkType = layers.LinkType(147)
	}
	rec := newRecorder()
	_, err := readBytes(t, writePcapng(t, recs), Options{}, rec)
	if err == nil || !strings.Contains(err.Error(), "link type user-defined (DLT_USER0) (147)") {
		t.Errorf("only unsupported interfaces: %v", err)
	}
	// one supported interface among others: a warning
	mixed := append(cv.records(t, simpleConv), recs[0])
	info, err := readBytes(t, writePcapng(t, mixed), Options{}, newRecorder())
	if err != nil || len(info.Warnings) != 1 || info.OtherPackets != 1 || info.Conns != 1 {
		t.Errorf("mixed: err %v warnings %q other %d", err, info.Warnings, info.OtherPackets)
	}
}

// TestLargeUnit: a unit larger than the up-front allocation grows as its
// segments arrive and is delivered whole.
func TestLargeUnit(t *testing.T) {
	const n = 100000
	data := strings.Repeat("x", n)
	pkts := append([]pkt(nil), handshake...)
	for o := 0; o < n; o += 1400 {
		pkts = append(pkts, pkt{c2s: true, flags: "PA", seq: uint32(1 + o), ack: 1, data: data[o:min(o+1400, n)]})
	}
	cv := defaultConv()
	h := &discard{}
	if _, err := Read(bytes.NewReader(writePcap(t, cv.link, cv.records(t, pkts), false)), "t",
		Options{Framer: func([]byte) int { return n }}, h); err != nil {
		t.Fatal(err)
	}
	if h.units != 1 || h.bytes != n {
		t.Errorf("%d units, %d bytes", h.units, h.bytes)
	}
}

// TestHeldPiecesBounded: out-of-order segments whose bytes the snaplen cut
// entirely still count toward MaxBuffer (each held piece costs
// heldOverhead), so that a flood of them is capped instead of held for ever.
func TestHeldPiecesBounded(t *testing.T) {
	const n = 20000
	pkts := append([]pkt(nil), handshake...)
	// byte 1 is never sent: every later segment waits behind it
	for i := 0; i < n; i++ {
		pkts = append(pkts, pkt{c2s: true, flags: "PA", seq: uint32(2 + 10*i), ack: 1, data: "0123456789", snaplen: 54})
	}
	cv := defaultConv()
	rec := newRecorder()
	if _, err := readBytes(t, writePcap(t, cv.link, cv.records(t, pkts), false), Options{MaxBuffer: 64 << 10, Framer: digitFramer}, rec); err != nil {
		t.Fatal(err)
	}
	st := rec.stats[1]
	if !st.CapHit || st.OutOfOrder[0] == 0 {
		t.Errorf("cap hit %v, out of order %d: want the held pieces capped", st.CapHit, st.OutOfOrder[0])
	}
}

// TestEvictedContinuation: the later packets of a connection MaxConns ended
// while it was open are counted, not taken for new connections, and the
// ended one says it was evicted; a new SYN on its 4-tuple is a new one.
func TestEvictedContinuation(t *testing.T) {
	var recs []record
	conv := func(port int, at time.Duration, pkts []pkt) {
		recs = append(recs, portRecords(t, port, at, pkts)...)
	}
	conv(40000, 0, cat(handshake, []pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "1"}}))
	conv(40001, time.Second, handshake) // evicts 40000
	conv(40000, 2*time.Second, []pkt{{c2s: true, flags: "PA", seq: 2, ack: 1, data: "1"}, {flags: "PA", seq: 1, ack: 3, data: "1"}})
	conv(40000, 3*time.Second, []pkt{{c2s: true, flags: "S", seq: 9000}}) // a new connection
	rec := newRecorder()
	info, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{MaxConns: 1}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if info.Conns != 3 || info.EvictedPackets != 2 {
		t.Errorf("%d connections, %d packets after eviction; want 3 and 2", info.Conns, info.EvictedPackets)
	}
	if !rec.stats[1].Evicted || rec.stats[3].Evicted {
		t.Errorf("evicted flags %v %v %v", rec.stats[1].Evicted, rec.stats[2].Evicted, rec.stats[3].Evicted)
	}
}

// TestEvictedAnswers: a SYN-ACK answering a connection evicted after its
// SYN belongs to it (counted, not a new connection), and connections
// evicted beyond MaxConns are all remembered, not only the last MaxConns.
func TestEvictedAnswers(t *testing.T) {
	var recs []record
	conv := func(port int, at time.Duration, pkts []pkt) {
		recs = append(recs, portRecords(t, port, at, pkts)...)
	}
	for i, port := range []int{40000, 40001, 40002} { // each SYN evicts the one before
		conv(port, time.Duration(i)*time.Second, []pkt{{c2s: true, flags: "S", seq: 0}})
	}
	for i, port := range []int{40000, 40001} {
		conv(port, time.Duration(3+i)*time.Second, []pkt{{flags: "SA", seq: 0, ack: 1}})
	}
	rec := newRecorder()
	info, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{MaxConns: 1}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if info.Conns != 3 || info.EvictedPackets != 2 || info.ConnsEvicted != 2 {
		t.Errorf("%d connections, %d evicted, %d packets after eviction; want 3, 2 and 2", info.Conns, info.ConnsEvicted, info.EvictedPackets)
	}
}

// TestBudget: bytes held across connections are charged to the shared
// Budget and given back when the connections end; the direction whose
// growth exceeds it stops being buffered and reports a cap hit.
func TestBudget(t *testing.T) {
	var recs []record
	for i := 0; i < 3; i++ {
		// a unit of 9 bytes that never completes: 4 bytes held each
		recs = append(recs, portRecords(t, 40000+i, time.Duration(i)*time.Millisecond, cat(handshake, []pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "9abc"}}))...)
	}
	budget := NewBudget(10)
	rec := newRecorder()
	if _, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{Framer: digitFramer, Budget: budget}, rec); err != nil {
		t.Fatal(err)
	}
	capped := 0
	for _, st := range rec.stats {
		if st.CapHit {
			capped++
		}
	}
	if capped != 1 || budget.Hits() != 1 || budget.Used() != 0 {
		t.Errorf("%d connections capped, %d budget hits, %d bytes still charged; want 1, 1, 0", capped, budget.Hits(), budget.Used())
	}
}
