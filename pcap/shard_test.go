package pcap

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// transcripts is a Handler that writes what it receives of each
// connection as lines of text, without the connection's ID, and gives a
// connection's lines at its End.
type transcripts struct {
	framer Framer
	lines  map[*Conn][]string
}

func newTranscripts() *transcripts { return &transcripts{lines: map[*Conn][]string{}} }

func (tr *transcripts) Event(ev *Event) {
	tr.lines[ev.Conn] = append(tr.lines[ev.Conn], fmt.Sprintf("ev %s %s f%d seq=%d len=%d gap=%d at=%d kept=%d %s",
		dirName(ev.Dir), ev.Kind, ev.Frame, ev.Seq, ev.Len, ev.GapBytes, ev.Offset, ev.KeptFrame, ev.Detail))
}

func (tr *transcripts) Data(d *Data) bool {
	tr.lines[d.Conn] = append(tr.lines[d.Conn], fmt.Sprintf("data %s %q f%d-%d off=%d skipped=%d opaque=%v aftergap=%v%s",
		dirName(d.Dir), d.Bytes, d.FirstFrame, d.Frame, d.Offset, d.BodySkipped, d.Opaque, d.AfterGap, missingText(d.Missing)))
	return true
}

func (tr *transcripts) End(c *Conn, st *ConnStats) string {
	lines := tr.lines[c]
	delete(tr.lines, c)
	id := *c
	id.ID = 0
	return fmt.Sprintf("%+v\n%+v\n%s", id, *st, strings.Join(lines, "\n"))
}

// readTranscripts reads b with Read and returns each connection's ID and
// transcript, in the order of its End.
func readTranscripts(t testing.TB, b []byte, opts Options) ([]string, *CaptureInfo, error) {
	t.Helper()
	tr := newTranscripts()
	var out []string
	info, err := Read(bytes.NewReader(b), "test", opts, handlerFunc{tr, func(c *Conn, s string) {
		out = append(out, fmt.Sprintf("%d %s", c.ID, s))
	}})
	return out, info, err
}

// readShardedTranscripts does what readTranscripts does with ReadSharded.
func readShardedTranscripts(t testing.TB, b []byte, opts Options, n int) ([]string, *CaptureInfo, error) {
	t.Helper()
	shards := make([]Shard[string], n)
	for i := range shards {
		shards[i] = Shard[string]{Options: opts, Handler: newTranscripts()}
	}
	var out []string
	info, err := ReadSharded(bytes.NewReader(b), "test", shards, func(id uint64, s string) {
		out = append(out, fmt.Sprintf("%d %s", id, s))
	})
	return out, info, err
}

// handlerFunc makes a Handler of transcripts, handing each End's transcript to end.
type handlerFunc struct {
	tr  *transcripts
	end func(c *Conn, s string)
}

func (h handlerFunc) Event(ev *Event)            { h.tr.Event(ev) }
func (h handlerFunc) Data(d *Data) bool          { return h.tr.Data(d) }
func (h handlerFunc) End(c *Conn, st *ConnStats) { h.end(c, h.tr.End(c, st)) }

// manyConns builds a capture of n connections of several shapes on 50
// client ports (so that 4-tuples are reused, within QuietTime and after
// it), their packets interleaved in time, with some records stamped
// before the one read before them: every seventh connection is stamped
// by a clock 2 s behind (as if captured on another interface).
func manyConns(t testing.TB, n int) []byte {
	exchange := []pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5abcd"}, {flags: "PA", seq: 1, ack: 6, data: "3xy"}}
	shapes := [][]pkt{
		cat(handshake, exchange, []pkt{{c2s: true, flags: "FA", seq: 6, ack: 4}, {flags: "FA", seq: 4, ack: 7}, {c2s: true, flags: "A", seq: 7, ack: 5}}),
		cat(handshake, []pkt{{flags: "R", seq: 1, ack: 1}}),
		cat(handshake, exchange),
		{{c2s: true, flags: "PA", seq: 100, ack: 100, data: "2z4abc"}, {flags: "A", seq: 100, ack: 106}},
		cat(handshake, exchange, []pkt{{c2s: true, flags: "R", seq: 6, ack: 4}, {flags: "PA", seq: 4, ack: 6, data: "2q", at: 5 * time.Second}}),
		{{c2s: true, flags: "S"}, {c2s: true, flags: "S", at: time.Second}, {c2s: true, flags: "S", at: 3 * time.Second}},
	}
	var recs []record
	var behind []bool
	for i := range n {
		cv := defaultConv()
		cv.client = fmt.Sprintf("10.0.%d.1:%d", i%3, 40000+i%50)
		cv.cisn, cv.sisn = uint32(1000+i*7), uint32(5000+i*11)
		cv.start = t0.Add(time.Duration(i) * 157 * time.Millisecond)
		ps := slices.Clone(shapes[i%len(shapes)])
		for j := range ps {
			if ps[j].at == 0 {
				ps[j].at = time.Duration(j*(1+i%4)) * 10 * time.Millisecond
			}
		}
		rs := cv.records(t, ps)
		recs = append(recs, rs...)
		for range rs {
			behind = append(behind, i%7 == 3)
		}
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return recs[x].ci.Timestamp.Compare(recs[y].ci.Timestamp) })
	sorted := make([]record, len(recs))
	for i, j := range order {
		sorted[i] = recs[j]
		if behind[j] {
			sorted[i].ci.Timestamp = sorted[i].ci.Timestamp.Add(-2 * time.Second)
		}
	}
	recs = sorted
	for i := 5; i+1 < len(recs); i += 37 {
		// read out of time order: a record stamped before the one before it
		recs[i], recs[i+1] = recs[i+1], recs[i]
	}
	return writePcap(t, layers.LinkTypeEthernet, recs, false)
}

// TestReadSharded: ReadSharded gives emit what Read gives a Handler's End,
// connection by connection, in the same order and with the same IDs, and
// the same CaptureInfo, however many shards, on captures of every shape.
func TestReadSharded(t *testing.T) {
	type input struct {
		name string
		b    []byte
	}
	inputs := []input{{"many connections", manyConns(t, 600)}}
	cv := defaultConv()
	inputs = append(inputs, input{"pcapng", writePcapng(t, cv.records(t, simpleConv))})
	files, _ := filepath.Glob("testdata/*.pcap*")
	more, _ := filepath.Glob("../testdata/*.pcap*")
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{p, b})
	}
	optsOf := map[string]Options{
		"digits":   {Framer: digitFramer, Ports: []uint16{5061}},
		"tls, any": {Framer: tlsFramer, AnyPort: true},
	}
	for _, in := range inputs {
		for oname, opts := range optsOf {
			want, wantInfo, wantErr := readTranscripts(t, in.b, opts)
			for _, n := range []int{1, 2, 3, 7} {
				t.Run(fmt.Sprintf("%s/%s/%d", in.name, oname, n), func(t *testing.T) {
					got, info, err := readShardedTranscripts(t, in.b, opts, n)
					if fmt.Sprint(err) != fmt.Sprint(wantErr) {
						t.Errorf("error %v, want %v", err, wantErr)
					}
					if !reflect.DeepEqual(info, wantInfo) {
						t.Errorf("CaptureInfo\n%+v\nwant\n%+v", info, wantInfo)
					}
					if len(got) != len(want) {
						t.Fatalf("%d connections ended, want %d", len(got), len(want))
					}
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("end %d:\n%s\nwant\n%s", i, got[i], want[i])
						}
					}
				})
			}
		}
	}
}

// TestManyConnsShape: the capture TestReadSharded relies on has what it is
// made for: reused 4-tuples, late packets, refused and open connections
// and records stamped out of order.
func TestManyConnsShape(t *testing.T) {
	b := manyConns(t, 600)
	_, info, err := readTranscripts(t, b, Options{Framer: digitFramer})
	if err != nil {
		t.Fatal(err)
	}
	if info.Conns < 500 || info.LatePackets == 0 {
		t.Errorf("%d connections, %d late packets; want at least 500 and some", info.Conns, info.LatePackets)
	}
	got, _, _ := readTranscripts(t, b, Options{Framer: digitFramer})
	var eof, reused int
	for _, s := range got {
		if strings.Contains(s, "SYN") && strings.Contains(s, "RST") {
			reused++
		}
		if !strings.Contains(s, "FIN") && !strings.Contains(s, "RST") {
			eof++
		}
	}
	if eof == 0 || reused == 0 {
		t.Errorf("%d connections open at the end, %d reset; want some of each", eof, reused)
	}
}

// TestReadShardedErrors: bad input gives ReadSharded Read's error and the
// connections found before it.
func TestReadShardedErrors(t *testing.T) {
	b := manyConns(t, 40)
	for _, cut := range []int{len(b) - 7, len(b) / 2, 30, 3, 0} {
		want, wantInfo, wantErr := readTranscripts(t, b[:cut], Options{Framer: digitFramer})
		got, info, err := readShardedTranscripts(t, b[:cut], Options{Framer: digitFramer}, 3)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(info, wantInfo) {
			t.Errorf("cut at %d: %d connections, error %v; want %d and %v", cut, len(got), err, len(want), wantErr)
		}
	}
	for _, bad := range [][]Shard[string]{nil, make([]Shard[string], 2), make([]Shard[string], MaxShards+1)} {
		if _, err := ReadSharded(bytes.NewReader(b), "x", bad, func(uint64, string) {}); err != ErrShards {
			t.Errorf("%d shards without Framer or Handler: error %v, want ErrShards", len(bad), err)
		}
	}
	ok := []Shard[string]{{Options: Options{Framer: digitFramer}, Handler: newTranscripts()}}
	if _, err := ReadSharded(bytes.NewReader(b), "x", ok, nil); err != ErrShards {
		t.Errorf("no emit function: error %v, want ErrShards", err)
	}
}

// TestShardOf: both directions of a connection go to one shard, and the
// shards share connections out about evenly.
func TestShardOf(t *testing.T) {
	const n = 4
	var count [n]int
	for i := range 4000 {
		var s segment
		s.src[15], s.src[14] = byte(i), byte(i>>8)
		s.dst[15] = 2
		s.sp, s.dp = uint16(40000+i), 5061
		r := s
		r.src, r.dst, r.sp, r.dp = s.dst, s.src, s.dp, s.sp
		a, b := shardOf(&s, n), shardOf(&r, n)
		if a != b {
			t.Fatalf("connection %d: shard %d one way, %d the other", i, a, b)
		}
		count[a]++
	}
	for i, c := range count {
		if c < 800 || c > 1200 {
			t.Errorf("shard %d has %d of 4000 connections", i, c)
		}
	}
}

// FuzzReadSharded: on any input, ReadSharded gives what Read gives, with
// 1 to 4 shards (the last byte chooses).
func FuzzReadSharded(f *testing.F) {
	cv := defaultConv()
	f.Add(writePcap(f, layers.LinkTypeEthernet, cv.records(f, simpleConv), false))
	f.Add(writePcapng(f, cv.records(f, simpleConv)))
	f.Add(manyConns(f, 30))
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		opts := Options{AnyPort: true, Framer: tlsFramer, MaxBuffer: 512}
		n := 3
		if len(b) > 0 {
			n = 1 + int(b[len(b)-1]&3)
			if b[len(b)-1]&4 != 0 {
				opts.Framer = digitFramer
			}
		}
		want, wantInfo, wantErr := readTranscripts(t, b, opts)
		got, info, err := readShardedTranscripts(t, b, opts, n)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("error %v, want %v", err, wantErr)
		}
		if !reflect.DeepEqual(info, wantInfo) {
			t.Fatalf("CaptureInfo\n%+v\nwant\n%+v", info, wantInfo)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%d shards: ends\n%s\nwant\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
