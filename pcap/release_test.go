package pcap

import (
	"bytes"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/gopacket/gopacket/layers"
)

// holder is a Handler whose Framers hold a large object of their
// connection, as the analyzer's hold its whole state of the connection.
type holder struct {
	recorder
	held   map[uint64]weak.Pointer[[64 << 10]byte]
	gone   []uint64 // connections whose object was collected when the last one ended
	ended  int
	expect int
}

func (h *holder) connFramer(c *Conn, d Dir) Framer {
	obj := new([64 << 10]byte)
	if _, ok := h.held[c.ID]; !ok {
		h.held[c.ID] = weak.Make(obj)
	}
	return func(b []byte) int {
		obj[0]++
		return digitFramer(b)
	}
}

func (h *holder) End(c *Conn, st *ConnStats) {
	h.recorder.End(c, st)
	h.ended++
	if h.ended < h.expect {
		return
	}
	runtime.GC()
	for id := uint64(1); id < c.ID; id++ {
		if h.held[id].Value() == nil {
			h.gone = append(h.gone, id)
		}
	}
}

// TestEndedConnectionsLetGo checks that what a Handler's Framers hold of a
// connection can be collected as soon as the connection is ended, also at
// the end of the file, where every open connection is ended at once (the
// end of a ClientHello flood: 50,000 of them).
func TestEndedConnectionsLetGo(t *testing.T) {
	const n = 5
	var recs []record
	for i := range n {
		recs = append(recs, portRecords(t, 40000+i, time.Duration(i)*time.Millisecond, []pkt{
			{c2s: true, flags: "S"},
			{flags: "SA", ack: 1},
			{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
		})...)
	}
	h := &holder{recorder: *newRecorder(), held: map[uint64]weak.Pointer[[64 << 10]byte]{}, expect: n}
	if _, err := Read(bytes.NewReader(writePcap(t, layers.LinkTypeEthernet, recs, false)), "t.pcap", Options{Framer: digitFramer, ConnFramer: h.connFramer, Ports: []uint16{5061}}, h); err != nil {
		t.Fatal(err)
	}
	if h.ended != n {
		t.Fatalf("%d connections ended, want %d", h.ended, n)
	}
	if len(h.gone) != n-1 {
		t.Errorf("when the last connection ended, the objects of connections %v of the %d before it were collected, want all", h.gone, n-1)
	}
}
