package capgen

import (
	"bytes"
	"strings"
	"testing"
)

func TestPacketsOf(t *testing.T) {
	tests := []struct {
		name  string
		steps []Step
		mss   int
		want  string
	}{
		{
			name:  "handshake",
			steps: handshake(),
			want: `C SYN seq=0 ack=0 len=0 +0s
S SYN|ACK seq=0 ack=1 len=0 +1ms
C ACK seq=1 ack=1 len=0 +1.05ms
`,
		},
		{
			name: "request and quick answer: no pure ACKs",
			steps: append(handshake(),
				Step{ms(2), Client, Data, make([]byte, 300)},
				Step{ms(2.1), Server, Data, make([]byte, 100)},
				Step{ms(2.2), Client, Data, make([]byte, 50)}),
			want: `C SYN seq=0 ack=0 len=0 +0s
S SYN|ACK seq=0 ack=1 len=0 +1ms
C ACK seq=1 ack=1 len=0 +1.05ms
C PSH|ACK seq=1 ack=1 len=300 +2ms
S PSH|ACK seq=1 ack=301 len=100 +2.1ms
C PSH|ACK seq=301 ack=101 len=50 +2.2ms
S ACK seq=101 ack=351 len=0 +2.4ms
`,
		},
		{
			name:  "write cut at the MSS, ACK every second segment and at the end",
			steps: append(handshake(), Step{ms(2), Server, Data, make([]byte, 1000)}),
			mss:   300,
			want: `C SYN seq=0 ack=0 len=0 +0s
S SYN|ACK seq=0 ack=1 len=0 +1ms
C ACK seq=1 ack=1 len=0 +1.05ms
S ACK seq=1 ack=1 len=300 +2ms
S ACK seq=301 ack=1 len=300 +2.001ms
S ACK seq=601 ack=1 len=300 +2.002ms
S PSH|ACK seq=901 ack=1 len=100 +2.003ms
C ACK seq=1 ack=601 len=0 +2.031ms
C ACK seq=1 ack=1001 len=0 +2.203ms
`,
		},
		{
			name: "close: FIN acknowledged, then the peer's FIN and the last ACK",
			steps: append(handshake(),
				Step{ms(3), Client, FIN, nil},
				Step{ms(4), Server, FIN, nil},
				Step{ms(5), Client, ACK, nil}),
			want: `C SYN seq=0 ack=0 len=0 +0s
S SYN|ACK seq=0 ack=1 len=0 +1ms
C ACK seq=1 ack=1 len=0 +1.05ms
C FIN|ACK seq=1 ack=1 len=0 +3ms
S ACK seq=1 ack=2 len=0 +3.2ms
S FIN|ACK seq=1 ack=2 len=0 +4ms
C ACK seq=2 ack=2 len=0 +5ms
`,
		},
		{
			name:  "refused: SYN answered by RST",
			steps: []Step{{0, Client, SYN, nil}, {ms(0.3), Server, RST, nil}},
			want: `C SYN seq=0 ack=0 len=0 +0s
S RST|ACK seq=-5000 ack=1 len=0 +300µs
`,
		},
		{
			name:  "unanswered: SYN retransmitted",
			steps: []Step{{0, Client, SYN, nil}, {ms(1000), Client, SYN, nil}},
			want: `C SYN seq=0 ack=0 len=0 +0s
C SYN seq=0 ack=0 len=0 +1s
`,
		},
		{
			name: "reset after data",
			steps: append(handshake(),
				Step{ms(2), Client, Data, make([]byte, 10)},
				Step{ms(3), Server, RST, nil}),
			want: `C SYN seq=0 ack=0 len=0 +0s
S SYN|ACK seq=0 ack=1 len=0 +1ms
C ACK seq=1 ack=1 len=0 +1.05ms
C PSH|ACK seq=1 ack=1 len=10 +2ms
S ACK seq=1 ack=11 len=0 +2.2ms
S RST|ACK seq=1 ack=11 len=0 +3ms
`,
		},
		{
			name: "steps out of order are sorted; empty data is nothing",
			steps: []Step{{ms(1), Server, SYNACK, nil}, {0, Client, SYN, nil},
				{ms(1.05), Client, Data, nil}},
			want: `C SYN seq=0 ack=0 len=0 +0s
S SYN|ACK seq=0 ack=1 len=0 +1ms
`,
		},
		{
			name: "a step never starts before the previous step's last segment; its segment supersedes a pending ACK",
			steps: append(handshake(),
				Step{ms(2), Client, Data, make([]byte, 30)},
				Step{ms(2), Server, Data, make([]byte, 10)}),
			mss: 10,
			want: `C SYN seq=0 ack=0 len=0 +0s
S SYN|ACK seq=0 ack=1 len=0 +1ms
C ACK seq=1 ack=1 len=0 +1.05ms
C ACK seq=1 ack=1 len=10 +2ms
C ACK seq=11 ack=1 len=10 +2.001ms
C PSH|ACK seq=21 ack=1 len=10 +2.002ms
S PSH|ACK seq=1 ack=31 len=10 +2.002ms
C ACK seq=31 ack=11 len=0 +2.202ms
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaries(PacketsOf(conv(false, tt.steps...), tt.mss))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestPacketsOfPayload checks that the segments of every write put back
// together give the bytes written, and that every segment is in time order
// with consistent sequence numbers.
func TestPacketsOfPayload(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		c := tlsConv(t, 0, v6)
		for _, mss := range []int{0, 100, 536, 1448, 9000} {
			ps := PacketsOf(c, mss)
			var got [2]bytes.Buffer
			var want [2]bytes.Buffer
			for _, s := range c.Steps {
				if s.Kind == Data {
					want[s.Side].Write(s.Bytes)
				}
			}
			next := [2]uint32{testClientISN + 1, testServerISN + 1}
			for i, p := range ps {
				if i > 0 && p.Time.Before(ps[i-1].Time) {
					t.Fatalf("mss %d: packet %d earlier than the one before", mss, i)
				}
				limit := mss
				if limit == 0 {
					limit = defaultMSS
				}
				if len(p.Payload) > limit {
					t.Errorf("mss %d: packet %d has %d bytes", mss, i, len(p.Payload))
				}
				if len(p.Payload) > 0 {
					if p.Seq != next[p.Side] {
						t.Fatalf("mss %d: packet %d seq %d, want %d", mss, i, p.Seq, next[p.Side])
					}
					next[p.Side] += uint32(len(p.Payload))
				}
				got[p.Side].Write(p.Payload)
			}
			for s := range 2 {
				if !bytes.Equal(got[s].Bytes(), want[s].Bytes()) {
					t.Errorf("mss %d side %d: reassembled bytes differ", mss, s)
				}
			}
		}
	}
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		input Flags
		want  string
	}{
		{0, "none"},
		{FlagSYN | FlagACK, "SYN|ACK"},
		{FlagFIN | FlagPSH | FlagACK, "FIN|PSH|ACK"},
		{FlagRST, "RST"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.input.String(); got != tt.want {
				t.Errorf("got %q", got)
			}
			if strings.Contains(tt.want, "SYN") != (tt.input&FlagSYN != 0) {
				t.Error("inconsistent")
			}
		})
	}
}
