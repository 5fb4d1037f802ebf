package capgen

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// stepsFrom decodes fuzz input into steps: 4 bytes each, kind, side, time
// since the previous step in units of 100µs, and a data length in units of 23 bytes.
func stepsFrom(b []byte) []Step {
	var steps []Step
	at := time.Duration(0)
	payload := bytes.Repeat([]byte{0xab}, 255*23)
	for len(b) >= 4 {
		at += time.Duration(b[2]) * 100 * time.Microsecond
		st := Step{At: at, Kind: StepKind(b[0] % 7), Side: Side(b[1])}
		if st.Kind == Data {
			st.Bytes = payload[:int(b[3])*23]
		}
		steps = append(steps, st)
		b = b[4:]
	}
	return steps
}

// FuzzPacketsOf checks that any script, even a nonsensical one (unknown kinds
// and sides, data before SYN), gives packets in time order whose data
// reassembles to what was written, and that the Writer frames them.
func FuzzPacketsOf(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 2, 1, 10, 0, 3, 0, 1, 0, 0, 0, 1, 200, 0, 1, 5, 30, 4, 0, 10, 0, 4, 1, 10, 0, 3, 0, 10, 0})
	f.Add([]byte{0, 0, 0, 255, 0, 1, 0, 255, 5, 0, 0, 0, 0, 0, 0, 7})
	f.Add([]byte{1, 0, 0, 0, 5, 1, 3, 0})
	f.Add([]byte{6, 7, 255, 255, 0, 2, 0, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := conv(len(b)%2 == 1, stepsFrom(b)...)
		for _, mss := range []int{0, 100} {
			ps := PacketsOf(c, mss)
			var got, want [2]bytes.Buffer
			for _, s := range c.Steps {
				if s.Kind == Data {
					want[s.Side&1].Write(s.Bytes)
				}
			}
			for i, p := range ps {
				if i > 0 && p.Time.Before(ps[i-1].Time) {
					t.Fatalf("packet %d goes back in time", i)
				}
				if p.Side > Server {
					t.Fatalf("packet %d from side %d", i, p.Side)
				}
				got[p.Side].Write(p.Payload)
			}
			for s := range 2 {
				if !bytes.Equal(got[s].Bytes(), want[s].Bytes()) {
					t.Fatalf("side %d: %d bytes sent, %d written", s, got[s].Len(), want[s].Len())
				}
			}
		}
		w, err := NewWriter(io.Discard, Options{Format: PCAPNG, Link: SLL2, Snaplen: 128})
		if err != nil {
			t.Fatal(err)
		}
		w.AddMangled(c, Chain(Duplicate(len(b)%5), Overlap(len(b)%7, 50), Swap(1, 2)))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
