package capgen

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// mangleBase is 10 packets: handshake, a 50-byte request, its ACK, a 250-byte
// answer in three segments (indexes 5, 6, 7) and two ACKs of it.
func mangleBase() []Packet {
	return PacketsOf(conv(false, append(handshake(),
		Step{ms(2), Client, Data, make([]byte, 50)},
		Step{ms(3), Server, Data, make([]byte, 250)})...), 100)
}

func TestMangles(t *testing.T) {
	base := strings.Split(strings.TrimSpace(summaries(mangleBase())), "\n")
	if len(base) != 10 {
		t.Fatalf("base has %d packets:\n%s", len(base), strings.Join(base, "\n"))
	}
	// lines builds an expected listing from base lines and literal ones.
	lines := func(parts ...any) string {
		var b strings.Builder
		for _, p := range parts {
			switch p := p.(type) {
			case int:
				b.WriteString(base[p])
			case string:
				b.WriteString(p)
			}
			b.WriteByte('\n')
		}
		return b.String()
	}
	tests := []struct {
		name  string
		input Mangle
		want  string
	}{
		{"nil chain", Chain(), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"swap keeps the time slots", Swap(5, 6), lines(0, 1, 2, 3, 4,
			"S ACK seq=101 ack=51 len=100 +3ms",
			"S ACK seq=1 ack=51 len=100 +3.001ms", 7, 8, 9)},
		{"duplicate halfway to the next packet", Duplicate(6), lines(0, 1, 2, 3, 4, 5, 6,
			"S ACK seq=101 ack=51 len=100 +3.0015ms", 7, 8, 9)},
		{"duplicate the last packet 200 ms later", Duplicate(9), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
			"C ACK seq=51 ack=251 len=0 +203.202ms")},
		{"drop", Drop(6), lines(0, 1, 2, 3, 4, 5, 7, 8, 9)},
		{"overlap the next segment", Overlap(5, 30), lines(0, 1, 2, 3, 4, 5,
			"S ACK seq=71 ack=51 len=130 +3.001ms", 7, 8, 9)},
		{"overlap skips the other side's packets", Overlap(3, 20), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"overlap capped at the packet's length", Overlap(6, 1000), lines(0, 1, 2, 3, 4, 5, 6,
			"S PSH|ACK seq=101 ack=51 len=150 +3.002ms", 8, 9)},
		{"delay past the ACK that covers it", Delay(5, 8), lines(0, 1, 2, 3, 4, 6, 7, 8,
			"S ACK seq=1 ack=51 len=100 +3.032ms", 9)},
		{"delay after the last packet", Delay(6, 9), lines(0, 1, 2, 3, 4, 5, 7, 8, 9,
			"S ACK seq=101 ack=51 len=100 +3.203ms")},
		{"delay never passes the next packet's time", Delay(5, 6), lines(0, 1, 2, 3, 4, 6,
			"S ACK seq=1 ack=51 len=100 +3.002ms", 7, 8, 9)},
		{"mirror 1µs later", Mirror(8), lines(0, 1, 2, 3, 4, 5, 6, 7, 8,
			"C ACK seq=51 ack=201 len=0 +3.032ms", 9)},
		{"mirror capped at the next packet's time", Mirror(6), lines(0, 1, 2, 3, 4, 5, 6,
			"S ACK seq=101 ack=51 len=100 +3.002ms", 7, 8, 9)},
		{"retransmit with what the sender has received since", Retransmit(3, 8), lines(0, 1, 2, 3, 4, 5, 6, 7, 8,
			"C PSH|ACK seq=1 ack=251 len=50 +3.032ms", 9)},
		{"retransmit before anything new keeps the ack", Retransmit(3, 4), lines(0, 1, 2, 3, 4,
			"C PSH|ACK seq=1 ack=1 len=50 +2.201ms", 5, 6, 7, 8, 9)},
		{"truncate", Truncate(ms(3.001)), lines(0, 1, 2, 3, 4, 5, 6)},
		{"start mid-stream", StartAt(4), lines(4, 5, 6, 7, 8, 9)},
		{"chain applies in order", Chain(Drop(0), Swap(4, 5)), lines(1, 2, 3, 4,
			"S ACK seq=101 ack=51 len=100 +3ms",
			"S ACK seq=1 ack=51 len=100 +3.001ms", 7, 8, 9)},
		{"swap out of range", Swap(0, 10), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"drop out of range", Drop(-1), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"duplicate out of range", Duplicate(10), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"delay backwards", Delay(6, 5), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"delay out of range", Delay(5, 10), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"mirror out of range", Mirror(10), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"retransmit out of range", Retransmit(-1, 3), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"start past the end", StartAt(11), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"truncate everything after the first", Truncate(0), lines(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaries(tt.input(mangleBase()))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestMangleTimesStayOrdered checks the helpers' promise that timestamps never
// go backwards, for every index.
func TestMangleTimesStayOrdered(t *testing.T) {
	n := len(mangleBase())
	for i := -1; i <= n; i++ {
		for _, m := range []Mangle{Swap(i, i+1), Duplicate(i), Drop(i), Overlap(i, 10), StartAt(i), Truncate(time.Duration(i) * time.Millisecond),
			Delay(i, i+1), Delay(i, n-1), Delay(0, i), Mirror(i), Retransmit(i, n-1), Retransmit(0, i)} {
			ps := m(mangleBase())
			for k := 1; k < len(ps); k++ {
				if ps[k].Time.Before(ps[k-1].Time) {
					t.Fatalf("index %d: packet %d goes back in time:\n%s", i, k, summaries(ps))
				}
			}
		}
	}
}

// TestMirrorIsExact checks that a mirrored packet is written as the same bytes
// (IPv4 identification included) while the packets after it keep counting.
func TestMirrorIsExact(t *testing.T) {
	b := writeFile(t, Options{}, []written{{tlsConv(t, 0, false), Mirror(5)}})
	pk := readBack(t, b, PCAP)
	if len(pk) != 18 {
		t.Fatalf("%d packets, want 18", len(pk))
	}
	if a, c := pk[5].pkt.Data(), pk[6].pkt.Data(); !bytes.Equal(a, c) {
		t.Errorf("the mirrored frame differs from the original:\n% x\n% x", a, c)
	}
	id := func(i int) uint16 { return pk[i].pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4).Id }
	if id(7) != id(6)+1 {
		t.Errorf("IP ID after the mirror = %d, want %d", id(7), id(6)+1)
	}
	if d := pk[6].ci.Timestamp.Sub(pk[5].ci.Timestamp); d != time.Microsecond {
		t.Errorf("mirror %v after the original, want 1µs", d)
	}
}

// TestRetransmitTimestamps checks the TCP timestamps of a retransmission: the
// sender's clock has moved on, and it echoes the peer's latest value.
func TestRetransmitTimestamps(t *testing.T) {
	base := mangleBase()
	got := Retransmit(3, 8)(mangleBase())[9]
	if want := base[3].TSval + 1; got.TSval != want {
		t.Errorf("TSval = %d, want %d (1 ms later)", got.TSval, want)
	}
	if want := base[7].TSval; got.TSecr != want {
		t.Errorf("TSecr = %d, want the server's latest %d", got.TSecr, want)
	}
	if got.Copy {
		t.Error("a retransmission is marked Copy")
	}
}
