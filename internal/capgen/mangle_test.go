package capgen

import (
	"strings"
	"testing"
	"time"
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
		{"truncate", Truncate(ms(3.001)), lines(0, 1, 2, 3, 4, 5, 6)},
		{"start mid-stream", StartAt(4), lines(4, 5, 6, 7, 8, 9)},
		{"chain applies in order", Chain(Drop(0), Swap(4, 5)), lines(1, 2, 3, 4,
			"S ACK seq=101 ack=51 len=100 +3ms",
			"S ACK seq=1 ack=51 len=100 +3.001ms", 7, 8, 9)},
		{"swap out of range", Swap(0, 10), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"drop out of range", Drop(-1), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"duplicate out of range", Duplicate(10), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
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
		for _, m := range []Mangle{Swap(i, i+1), Duplicate(i), Drop(i), Overlap(i, 10), StartAt(i), Truncate(time.Duration(i) * time.Millisecond)} {
			ps := m(mangleBase())
			for k := 1; k < len(ps); k++ {
				if ps[k].Time.Before(ps[k-1].Time) {
					t.Fatalf("index %d: packet %d goes back in time:\n%s", i, k, summaries(ps))
				}
			}
		}
	}
}
