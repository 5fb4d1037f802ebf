package pcap

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// TestBatches reads one capture as classic pcap (with the goroutine that
// reads ahead and without) and as pcapng: two record readers under the
// same batches. The capture fills
// batches both ways: by bytes (segments of 60,000 bytes on the tracked
// port, so that a record overflows the room left in a batch's arena) and
// by count (runs of small segments), with segments on an untracked port,
// whose bytes a batch does not keep, in between. All three must give the
// Handler the same lines and count the same packets.
func TestBatches(t *testing.T) {
	big := strings.Repeat("7", 60000)
	var recs []record
	for i := range 50 {
		tracked := portRecords(t, 40000+i, time.Duration(i)*time.Second, cat(handshake, []pkt{
			{c2s: true, flags: "PA", seq: 1, ack: 1, data: big},
			{flags: "PA", seq: 1, ack: 60001, data: "2c"},
		}))
		other := defaultConv()
		other.client, other.server = fmt.Sprintf("10.0.0.3:%d", 50000+i), "10.0.0.4:8080"
		other.start = t0.Add(time.Duration(i)*time.Second + time.Millisecond)
		var small []pkt
		for j := range 40 {
			small = append(small, pkt{c2s: j%2 == 0, flags: "PA", seq: 1 + uint32(j/2), ack: 1 + uint32(j/2), data: "x"})
		}
		untracked := other.records(t, cat(handshake, small))
		recs = append(recs, tracked...)
		recs = append(recs, untracked...)
	}
	if len(recs) < 3*batchRecords {
		t.Fatalf("%d records: too few to fill batches by count", len(recs))
	}
	var bytes int
	for _, r := range recs {
		bytes += len(r.data)
	}
	if bytes < 3*batchBytes {
		t.Fatalf("%d bytes: too few to fill batches by size", bytes)
	}
	read := func(file []byte, noPrefetch bool) ([]string, CaptureInfo) {
		rec := newRecorder()
		info, err := readBytes(t, file, Options{Framer: digitFramer, NoPrefetch: noPrefetch}, rec)
		if err != nil {
			t.Fatal(err)
		}
		info.Format = ""
		return rec.lines, *info
	}
	ngLines, ngInfo := read(writePcapng(t, recs), false)
	if ngInfo.Conns != 50 || ngInfo.OtherPackets != 50*43 {
		t.Fatalf("pcapng: %d connections, %d other packets; want 50 and %d", ngInfo.Conns, ngInfo.OtherPackets, 50*43)
	}
	// pcapng keeps the interface's snap length; the pcap writer's header
	// declares the same 65535.
	pcapFile := writePcap(t, recs[0].linkType, recs, true)
	for _, noPrefetch := range []bool{false, true} {
		lines, info := read(pcapFile, noPrefetch)
		if !reflect.DeepEqual(lines, ngLines) {
			t.Errorf("NoPrefetch %v: pcap gives %d lines, pcapng %d, or they differ", noPrefetch, len(lines), len(ngLines))
		}
		info.Nanosecond = ngInfo.Nanosecond
		if fmt.Sprintf("%+v", info) != fmt.Sprintf("%+v", ngInfo) {
			t.Errorf("NoPrefetch %v: CaptureInfo\npcap:   %+v\npcapng: %+v", noPrefetch, info, ngInfo)
		}
	}
}

// FuzzReadAhead reads one input several ways: ahead in batches of the
// default size, inline in batches of one record, and ahead in batches of
// three with the segments' checksums worked out ahead, on every port or on
// the default one. Where the batches end, and
// which goroutine fills them, must change nothing: the Handler's lines,
// the CaptureInfo and the error must be the same.
func FuzzReadAhead(f *testing.F) {
	cv := defaultConv()
	recs := cv.records(f, simpleConv)
	f.Add(writePcap(f, layers.LinkTypeEthernet, recs, false), true)
	f.Add(writePcapng(f, recs), false)
	f.Add(gzipBytes(f, writePcapng(f, recs)), true)
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 {
			f.Add(b, true)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, anyPort bool) {
		read := func(noPrefetch bool, batch int, sums bool) string {
			rec := newRecorder()
			opts := Options{AnyPort: anyPort, Framer: tlsFramer, MaxBuffer: 512, MaxConns: 4, NoPrefetch: noPrefetch, batchRecords: batch, ChecksumAhead: sums}
			opts.TLSKeys = func(log []byte) { rec.lines = append(rec.lines, fmt.Sprintf("keys %q", log)) }
			info, err := Read(bytes.NewReader(b), "fuzz", opts, rec)
			return fmt.Sprintf("%s\n%+v\nerr: %v", strings.Join(rec.lines, "\n"), *info, err)
		}
		want := read(false, 0, false)
		for _, w := range []struct {
			noPrefetch bool
			batch      int
			sums       bool
		}{{true, 1, false}, {false, 3, true}} {
			if got := read(w.noPrefetch, w.batch, w.sums); got != want {
				t.Fatalf("NoPrefetch %v, batches of %d records, ChecksumAhead %v: not what batches of %d read ahead give\ngot:\n%s\nwant:\n%s", w.noPrefetch, w.batch, w.sums, batchRecords, got, want)
			}
		}
	})
}

// TestKeepOverflow: a record larger than the room left in a batch's arena
// moves the arena, and the copies kept before it keep their bytes.
func TestKeepOverflow(t *testing.T) {
	b := newBatch(0)
	first := bytes.Repeat([]byte{'a'}, batchBytes-1)
	second := bytes.Repeat([]byte{'b'}, MaxRecord)
	k1 := b.keep(first)
	if b.full() {
		t.Fatalf("full after %d of %d bytes", len(b.arena), batchBytes)
	}
	k2 := b.keep(second)
	if !bytes.Equal(k1, first) || !bytes.Equal(k2, second) {
		t.Fatal("a copy lost its bytes when the arena moved")
	}
	if &k1[0] == &b.arena[0] {
		t.Fatal("the arena did not move: the test no longer overflows it")
	}
	if !b.full() {
		t.Fatal("not full past batchBytes")
	}
	if len(k1) != cap(k1) || len(k2) != cap(k2) {
		t.Fatal("a copy's capacity runs past its bytes")
	}
}
