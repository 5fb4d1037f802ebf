package pcap

import (
	"fmt"
	"strings"
	"testing"
)

// TestHeadOnly: Options.HeadOnly gives a unit's head alone (k > 0, with
// Data.BodySkipped), or passes it over whole (k < 0): counted in runs told
// to Options.Passed before anything else of the connection (a Data, an
// Event, End), never buffered, and never the first unit after a gap.
// Digit-framed units: those starting with 5 are passed over whole, with 4
// given by their first byte, the others whole. Each case runs again with
// Options.PassAgain (a 5 after a 5 is passed over without asking): the
// same lines, and HeadOnly asked asks times.
func TestHeadOnly(t *testing.T) {
	tests := []struct {
		name string
		pkts []pkt
		want []string
		asks int // with PassAgain
	}{
		{
			name: "a run passed over, told before the next unit",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "2a5abcd5efgh"},
				{c2s: true, flags: "PA", seq: 13, ack: 1, data: "5ijkl3xy"},
			}),
			want: opened(
				`data 1 c>s "2a" f4-4 off=0`,
				"passed 1 c>s units=3 bytes=15 len=5 f5",
				`data 1 c>s "3xy" f5-5 off=17`,
				end1),
			asks: 3, // 2a, the first 5, 3xy
		},
		{
			name: "a unit passed over across segments, then a head alone, then the FIN",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5ab"},
				{c2s: true, flags: "PA", seq: 4, ack: 1, data: "cd4x"},
				{c2s: true, flags: "PA", seq: 8, ack: 1, data: "yz"},
				{c2s: true, flags: "FA", seq: 10, ack: 1},
			}),
			want: opened(
				"passed 1 c>s units=1 bytes=5 len=5 f4",
				`data 1 c>s "4" f5-5 off=5 skipped=3`,
				"ev 1 c>s FIN f7",
				end1),
			asks: 2,
		},
		{
			name: "passed over at the end: told before End",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5abcd"},
				{flags: "PA", seq: 1, ack: 6, data: "5vwxy"},
			}),
			want: opened(
				"passed 1 c>s units=1 bytes=5 len=5 f4",
				"passed 1 s>c units=1 bytes=5 len=5 f5",
				end1),
			asks: 2,
		},
		{
			name: "the first unit after a gap is given whole",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5abcd"},
				{c2s: true, flags: "PA", seq: 11, ack: 1, data: "5klmn"},
				{flags: "A", seq: 1, ack: 16}, // the gap was sent: the capture lost it
			}),
			want: opened(
				"passed 1 c>s units=1 bytes=5 len=5 f4",
				"ev 1 c>s out of order f5",
				"ev 1 c>s gap f5 gap=5",
				"ev 1 c>s resync f5",
				`data 1 c>s "5klmn" f5-5 off=10 aftergap`,
				end1),
			asks: 2, // after the gap, asked again
		},
	}
	for _, tt := range tests {
		for _, again := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/PassAgain=%v", tt.name, again), func(t *testing.T) {
				cv := defaultConv()
				file := writePcap(t, cv.link, cv.records(t, tt.pkts), false)
				rec := newRecorder()
				asks := 0
				opts := Options{
					HeadOnly: func(c *Conn, d Dir, head []byte) int {
						asks++
						switch head[0] {
						case '5':
							return -1
						case '4':
							return 1
						}
						return 0
					},
					Passed: func(c *Conn, p *Passed) {
						rec.lines = append(rec.lines, fmt.Sprintf("passed %d %s units=%d bytes=%d len=%d f%d", c.ID, dirName(p.Dir), p.Units, p.Bytes, p.Len, p.Frame))
					},
				}
				if again {
					opts.PassAgain = func(prev, head []byte) bool { return prev[0] == '5' && head[0] == '5' }
				}
				if _, err := readBytes(t, file, opts, rec); err != nil {
					t.Fatal(err)
				}
				if got, want := strings.Join(rec.lines, "\n"), strings.Join(tt.want, "\n"); got != want {
					t.Errorf("got:\n%s\nwant:\n%s", got, want)
				}
				if again && asks != tt.asks {
					t.Errorf("HeadOnly asked %d times, want %d", asks, tt.asks)
				}
			})
		}
	}
}
