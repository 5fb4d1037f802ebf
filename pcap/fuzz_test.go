package pcap

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// nopHandler accepts everything and checks the call contract.
type checkHandler struct {
	t     *testing.T
	ended map[uint64]bool
	frame uint64
}

func (h *checkHandler) Event(ev *Event) {
	if h.ended[ev.Conn.ID] {
		h.t.Fatalf("event after End on conn %d", ev.Conn.ID)
	}
}

func (h *checkHandler) Data(d *Data) bool {
	if h.ended[d.Conn.ID] {
		h.t.Fatalf("data after End on conn %d", d.Conn.ID)
	}
	if len(d.Bytes) == 0 || d.FirstFrame > d.Frame {
		h.t.Fatalf("bad unit: %d bytes, frames %d-%d", len(d.Bytes), d.FirstFrame, d.Frame)
	}
	return true
}

func (h *checkHandler) End(c *Conn, st *ConnStats) {
	if h.ended[c.ID] {
		h.t.Fatalf("End twice on conn %d", c.ID)
	}
	h.ended[c.ID] = true
}

// FuzzRead feeds whole capture files to Read: it must not panic, must end
// every connection exactly once and must return an InputError or nil.
func FuzzRead(f *testing.F) {
	cv := defaultConv()
	seeds := [][]byte{
		writePcap(f, layers.LinkTypeEthernet, cv.records(f, simpleConv), false),
		writePcapng(f, cv.records(f, simpleConv)),
	}
	v6 := conv{client: "[2001:db8::1]:40000", server: "[2001:db8::2]:5061", cisn: 7, sisn: 9, link: layers.LinkTypeLinuxSLL2}
	seeds = append(seeds, writePcap(f, v6.link, v6.records(f, simpleConv), true))
	ppp := defaultConv()
	ppp.pppoe, ppp.vlans = true, 2
	seeds = append(seeds, writePcap(f, ppp.link, ppp.records(f, simpleConv), false))
	seeds = append(seeds, gzipBytes(f, seeds[0]))
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 {
			seeds = append(seeds, b)
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h := &checkHandler{t: t, ended: map[uint64]bool{}}
		opts := Options{AnyPort: true, Framer: tlsFramer, MaxBuffer: 512, MaxConns: 4}
		if len(b) > 0 && b[len(b)-1]&1 == 1 {
			opts.Framer = digitFramer
		}
		info, err := Read(bytes.NewReader(b), "fuzz", opts, h)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
		}
		if uint64(len(h.ended)) != info.Conns {
			t.Fatalf("%d conns, %d ended", info.Conns, len(h.ended))
		}
	})
}
