package pcap

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// TestSnaplen128 is a capture taken with CUCM's default `size=128`: every
// TLS record is cut. Each is delivered whole, with what the snaplen cut off
// marked Missing (the holes fall inside the records, whose headers were
// captured), so nothing is skipped.
func TestSnaplen128(t *testing.T) {
	hello := make([]byte, 517)
	hello[0], hello[1], hello[2], hello[3], hello[4] = 22, 3, 1, 2, 0 // 5 + 512
	cert := make([]byte, 1400)
	cert[0], cert[1], cert[2], cert[3], cert[4] = 22, 3, 3, 0x0a, 0 // 5 + 2560: spans two segments
	cv := defaultConv()
	pkts := cat(handshake, []pkt{
		{c2s: true, flags: "PA", seq: 1, ack: 1, data: string(hello), snaplen: 128},
		{flags: "PA", seq: 1, ack: 518, data: string(cert), snaplen: 128},
		{flags: "PA", seq: 1401, ack: 518, data: string(cert[:1165]), snaplen: 128},
		{c2s: true, flags: "RA", seq: 518, ack: 2566},
	})
	file := writePcap(t, layers.LinkTypeEthernet, cv.records(t, pkts), false)
	binary.LittleEndian.PutUint32(file[16:], 128)
	rec := newRecorder()
	info, err := readBytes(t, file, Options{Framer: tlsFramer}, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ev 1 c>s SYN f1", "ev 1 s>c SYN-ACK f2", "ev 1 c>s handshake ACK f3",
		"ev 1 c>s cut by snaplen f4 gap=443",
		"ev 1 c>s gap f4 gap=443",
		`data 1 c>s "\x16\x03\x01\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" f4-4 off=0 len=517 missing=74-517`,
		"ev 1 s>c cut by snaplen f5 gap=1326",
		"ev 1 s>c gap f5 gap=1326",
		"ev 1 s>c cut by snaplen f6 gap=1091",
		"ev 1 s>c gap f6 gap=1091",
		`data 1 s>c "\x16\x03\x03\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" f5-6 off=0 len=2565 missing=74-1400,1474-2565`,
		"ev 1 c>s RST f7",
		"end 1 10.0.0.1:40000>10.0.0.2:5061 from SYN",
	}
	if got := strings.Join(rec.lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	st := rec.stats[1]
	if info.Snaplen != 128 || info.CutPackets != 3 || st.CutSegments != [2]uint64{1, 2} || st.Skipped != [2]uint64{0, 0} {
		t.Errorf("snaplen %d cut %d segments %v skipped %v", info.Snaplen, info.CutPackets, st.CutSegments, st.Skipped)
	}
}

// TestEmptyRecord: a record of captured length 0 is not a snaplen cut: it
// is counted as an empty record, with its own warning.
func TestEmptyRecord(t *testing.T) {
	cv := defaultConv()
	recs := cv.records(t, simpleConv)
	empty := recs[1]
	empty.data = nil
	empty.ci.CaptureLength = 0
	recs = append(recs[:2:2], append([]record{empty}, recs[2:]...)...)
	info, err := readBytes(t, writePcap(t, layers.LinkTypeEthernet, recs, false), Options{}, newRecorder())
	if err != nil {
		t.Fatal(err)
	}
	if info.CutPackets != 0 || info.EmptyRecords != 1 || info.Packets != uint64(len(recs)) {
		t.Errorf("cut %d, empty %d, packets %d of %d", info.CutPackets, info.EmptyRecords, info.Packets, len(recs))
	}
	if w := strings.Join(info.Warnings, "\n"); !strings.Contains(w, "1 record holds no captured byte (captured length 0)") {
		t.Errorf("warnings %q", w)
	}
}
