package pcap

import (
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

func defaultConv() conv {
	return conv{client: "10.0.0.1:40000", server: "10.0.0.2:5061", cisn: 1000, sisn: 5000, link: layers.LinkTypeEthernet}
}

// TestReassembly pairs hand-built segments with the events, units and ends
// they must produce, in the style of gopacket's tcpassembly_test.go.
func TestReassembly(t *testing.T) {
	tests := []struct {
		name string
		conv func(*conv)
		opts Options
		stop int
		pkts []pkt
		want []string
	}{
		{
			name: "several units in one segment, a unit split across segments",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab5cd"},
				{c2s: true, flags: "PA", seq: 7, ack: 1, data: "ef"},
				{flags: "A", seq: 1, ack: 9},
			}),
			want: opened(
				`data 1 c>s "3ab" f4-4 off=0`,
				`data 1 c>s "5cdef" f4-5 off=3`,
				end1),
		},
		{
			name: "header split across segments",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "2x"},
				{flags: "PA", seq: 1, ack: 3, data: "4"},
				{flags: "PA", seq: 2, ack: 3, data: "ab"},
				{flags: "PA", seq: 4, ack: 3, data: "c"},
			}),
			want: opened(
				`data 1 c>s "2x" f4-4 off=0`,
				`data 1 s>c "4abc" f5-7 off=0`,
				end1),
		},
		{
			// tls12-39-connections-subjectaltname.pcap, frames 10-23: a stale
			// ACK from the server, the client's RST to it, the SYN again, and
			// only then the real SYN-ACK. The SYN-ACK fixes where the
			// server's bytes start; no gap may be reported.
			name: "stray server ACK before the SYN-ACK",
			pkts: []pkt{
				{c2s: true, flags: "S"},
				{flags: "A", seq: 1 << 30, ack: 1 << 29},
				{c2s: true, flags: "R", seq: 1 << 29, ack: 1 << 29},
				{c2s: true, flags: "S"},
				{flags: "SA", ack: 1},
				{c2s: true, flags: "A", seq: 1, ack: 1},
				{flags: "PA", seq: 1, ack: 1, data: "3ab"},
			},
			want: []string{"ev 1 c>s SYN f1", "ev 1 c>s RST f3", "ev 1 c>s SYN retransmission f4", "ev 1 s>c SYN-ACK f5", "ev 1 c>s handshake ACK f6",
				`data 1 s>c "3ab" f7-7 off=0`, end1},
		},
		{
			name: "reordering",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 4, ack: 1, data: "4def"},
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
			}),
			want: opened(
				"ev 1 c>s out of order f4",
				`data 1 c>s "3ab" f5-5 off=0`,
				`data 1 c>s "4def" f4-5 off=3`,
				end1),
		},
		{
			name: "unit completed by a held segment",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 4, ack: 1, data: "cd"},
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5ab"},
			}),
			want: opened(
				"ev 1 c>s out of order f4",
				`data 1 c>s "5abcd" f5-5 off=0`,
				end1),
		},
		{
			name: "duplicate and retransmission",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
				{c2s: true, flags: "PA", seq: 4, ack: 1, data: "2c"},
			}),
			want: opened(
				`data 1 c>s "3ab" f4-4 off=0`,
				"ev 1 c>s retransmission f5",
				`data 1 c>s "2c" f6-6 off=3`,
				end1),
		},
		{
			name: "a retransmission with other content than the delivered copy",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3xy"},
			}),
			want: opened(
				`data 1 c>s "3ab" f4-4 off=0`,
				"ev 1 c>s retransmission f5",
				"ev 1 c>s overlap f5 at=0 kept=f4",
				end1),
		},
		{
			name: "partial retransmission with new bytes",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "4ab"},
				{c2s: true, flags: "PA", seq: 2, ack: 1, data: "abc2d"},
			}),
			want: opened(
				`data 1 c>s "4abc" f4-5 off=0`,
				`data 1 c>s "2d" f5-5 off=4`,
				end1),
		},
		{
			name: "overlap: first bytes win",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 3, ack: 1, data: "XY"},
				{c2s: true, flags: "PA", seq: 3, ack: 1, data: "ZW9"},
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5a"},
			}),
			want: opened(
				"ev 1 c>s out of order f4",
				"ev 1 c>s out of order f5",
				"ev 1 c>s overlap f5 at=2 kept=f4",
				`data 1 c>s "5aXY9" f6-6 off=0`,
				end1),
		},
		{
			// the new part of a partly old segment, sent again alike: a
			// retransmission, not an overlap with other bytes
			name: "partly old, then its new part again",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5abcd"},
				{c2s: true, flags: "PA", seq: 4, ack: 1, data: "cd3xy"},
				{c2s: true, flags: "PA", seq: 6, ack: 1, data: "3xy"},
			}),
			want: opened(
				`data 1 c>s "5abcd" f4-4 off=0`,
				`data 1 c>s "3xy" f5-5 off=5`,
				"ev 1 c>s retransmission f6",
				end1),
		},
		{
			name: "missing SYN: roles from SYN-ACK",
			pkts: []pkt{
				{flags: "SA", ack: 1},
				{c2s: true, flags: "A", seq: 1, ack: 1},
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "2a"},
			},
			want: []string{
				"ev 1 s>c midstream f1",
				"ev 1 s>c SYN-ACK f1",
				"ev 1 c>s handshake ACK f2",
				`data 1 c>s "2a" f3-3 off=0`,
				end1,
			},
		},
		{
			name: "missing third ACK",
			pkts: []pkt{
				{c2s: true, flags: "S"},
				{flags: "SA", ack: 1},
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
				{flags: "PA", seq: 1, ack: 4, data: "1"},
			},
			want: []string{
				"ev 1 c>s SYN f1",
				"ev 1 s>c SYN-ACK f2",
				"ev 1 c>s handshake ACK f3",
				`data 1 c>s "3ab" f3-3 off=0`,
				`data 1 s>c "1" f4-4 off=0`,
				end1,
			},
		},
		{
			name: "midstream: roles from the watched port, resynchronised at a segment start",
			pkts: []pkt{
				{flags: "PA", seq: 100, ack: 100, data: "b3"},
				{flags: "PA", seq: 102, ack: 100, data: "3cd"},
			},
			want: []string{
				"ev 1 s>c midstream f1",
				// "b3" cannot start a unit that is followed by another:
				// framing resumes where "3cd" ends the direction exactly
				"ev 1 s>c resync f2 gap=2",
				`data 1 s>c "3cd" f2-2 off=2 aftergap`,
				"end 1 10.0.0.1:40000>10.0.0.2:5061 from port",
			},
		},
		{
			name: "midstream without a watched port: the lower port is the server",
			conv: func(c *conv) { c.client, c.server = "10.0.0.1:6000", "10.0.0.2:7000" },
			opts: Options{AnyPort: true},
			pkts: []pkt{{c2s: true, flags: "PA", seq: 5, ack: 5, data: "1"}},
			want: []string{
				"ev 1 s>c midstream f1",
				"ev 1 s>c resync f1",
				`data 1 s>c "1" f1-1 off=0 aftergap`,
				"end 1 10.0.0.2:7000>10.0.0.1:6000 guessed",
			},
		},
		{
			// The ACK is a hint, not proof: the segment it covers may still
			// show up (VMware guests, multi-queue NICs). It never does here,
			// so the hole is a gap at End: it completes the unit "4a..", and
			// hides the next boundary; "xy" cannot start a unit, "2z" ends
			// the direction exactly.
			name: "ACKed unseen segment never captured: a hole in a unit, then resync",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "4a"},
				// bytes 3..10 never captured
				{flags: "A", seq: 1, ack: 11},
				{c2s: true, flags: "PA", seq: 11, ack: 1, data: "xy"},
				{c2s: true, flags: "PA", seq: 13, ack: 1, data: "2z"},
			}),
			want: opened(
				"ev 1 c>s out of order f6",
				"ev 1 c>s out of order f7",
				"ev 1 c>s gap f6 gap=8",
				`data 1 c>s "4a\x00\x00" f4-6 off=0 missing=2-4`,
				"ev 1 c>s resync f7 gap=2",
				`data 1 c>s "2z" f7-7 off=12 aftergap`,
				end1),
		},
		{
			name: "segment captured after the ACK that covers it: no gap",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "4a"},
				{flags: "A", seq: 1, ack: 9},
				{c2s: true, flags: "PA", seq: 5, ack: 1, data: "2d2e"},
				{c2s: true, flags: "PA", seq: 3, ack: 1, data: "bc"},
			}),
			want: opened(
				"ev 1 c>s out of order f6",
				`data 1 c>s "4abc" f4-7 off=0`,
				`data 1 c>s "2d" f6-7 off=4`,
				`data 1 c>s "2e" f6-7 off=6`,
				end1),
		},
		{
			name: "a hole inside a unit costs that unit only",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "6ab"},
				// bytes 4..5 never captured
				{c2s: true, flags: "PA", seq: 6, ack: 1, data: "e2f"},
				{flags: "A", seq: 1, ack: 9},
			}),
			want: opened(
				"ev 1 c>s out of order f5",
				"ev 1 c>s gap f5 gap=2",
				`data 1 c>s "6ab\x00\x00e" f4-5 off=0 missing=3-5`,
				`data 1 c>s "2f" f5-5 off=6`,
				end1),
		},
		{
			name: "a hole over a boundary: framing resumes where two units confirm it",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "3ab"},
				// bytes 4..6 never captured: "4" of a unit "4cde"
				{c2s: true, flags: "PA", seq: 7, ack: 1, data: "e5xxx"},
				{c2s: true, flags: "PA", seq: 12, ack: 1, data: "x2y"},
				{flags: "A", seq: 1, ack: 15},
			}),
			want: opened(
				`data 1 c>s "3ab" f4-4 off=0`,
				"ev 1 c>s out of order f5",
				"ev 1 c>s out of order f6",
				"ev 1 c>s gap f5 gap=3",
				// "e" is not a unit start; "5xxx" + "x" is followed by "2y"
				"ev 1 c>s resync f5 gap=1",
				`data 1 c>s "5xxxx" f5-6 off=7 aftergap`,
				`data 1 c>s "2y" f6-6 off=12`,
				end1),
		},
		{
			name: "resync rejects a candidate whose next unit does not frame",
			conv: func(c *conv) { c.client, c.server = "10.0.0.1:40000", "10.0.0.2:5061" },
			pkts: []pkt{
				{flags: "PA", seq: 100, ack: 100, data: "3abx"},
				{flags: "PA", seq: 104, ack: 100, data: "2c1"},
			},
			want: []string{
				"ev 1 s>c midstream f1",
				// "3ab" is followed by "x", which frames no unit: not a boundary
				"ev 1 s>c resync f2 gap=4",
				`data 1 s>c "2c" f2-2 off=4 aftergap`,
				`data 1 s>c "1" f2-2 off=6`,
				"end 1 10.0.0.1:40000>10.0.0.2:5061 from port",
			},
		},
		{
			name: "bytes acknowledged but never captured at the end are a gap",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "5ab"},
				{flags: "A", seq: 1, ack: 6},
			}),
			want: opened(
				"ev 1 c>s gap f5 gap=2",
				`data 1 c>s "5ab\x00\x00" f4-5 off=0 missing=3-5`,
				end1),
		},
		{
			name: "ACKed unseen segment behind a held segment",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "2a"},
				{c2s: true, flags: "PA", seq: 6, ack: 1, data: "2b"},
				{flags: "A", seq: 1, ack: 8},
			}),
			want: opened(
				`data 1 c>s "2a" f4-4 off=0`,
				"ev 1 c>s out of order f5",
				"ev 1 c>s gap f5 gap=3",
				"ev 1 c>s resync f5",
				`data 1 c>s "2b" f5-5 off=5 aftergap`,
				end1),
		},
		{
			name: "gap at End: held segments delivered after the hole",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "2a"},
				{c2s: true, flags: "PA", seq: 6, ack: 1, data: "2b3cd"},
			}),
			want: opened(
				`data 1 c>s "2a" f4-4 off=0`,
				"ev 1 c>s out of order f5",
				"ev 1 c>s gap f5 gap=3",
				"ev 1 c>s resync f5",
				`data 1 c>s "2b" f5-5 off=5 aftergap`,
				`data 1 c>s "3cd" f5-5 off=7`,
				end1),
		},
		{
			name: "FIN from the client, then the server",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PFA", seq: 1, ack: 1, data: "1"},
				{flags: "FA", seq: 1, ack: 3},
				{c2s: true, flags: "A", seq: 3, ack: 2},
			}),
			want: opened(
				`data 1 c>s "1" f4-4 off=0`,
				"ev 1 c>s FIN f4",
				"ev 1 s>c FIN f5",
				end1),
		},
		{
			name: "FIN from the server first",
			pkts: cat(handshake, []pkt{
				{flags: "FA", seq: 1, ack: 1},
				{c2s: true, flags: "FA", seq: 1, ack: 2},
			}),
			want: opened("ev 1 s>c FIN f4", "ev 1 c>s FIN f5", end1),
		},
		{
			name: "RST from the client",
			pkts: cat(handshake, []pkt{{c2s: true, flags: "RA", seq: 1, ack: 1}}),
			want: opened("ev 1 c>s RST f4", end1),
		},
		{
			name: "RST from the server after data",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "1"},
				{flags: "RA", seq: 1, ack: 2},
			}),
			want: opened(`data 1 c>s "1" f4-4 off=0`, "ev 1 s>c RST f5", end1),
		},
		{
			name: "SYN answered by RST",
			pkts: []pkt{{c2s: true, flags: "S"}, {flags: "RA", ack: 1}},
			want: []string{"ev 1 c>s SYN f1", "ev 1 s>c RST f2", end1},
		},
		{
			name: "SYN retransmitted, never answered",
			pkts: []pkt{{c2s: true, flags: "S"}, {c2s: true, flags: "S", at: time.Second}, {c2s: true, flags: "S", at: 3 * time.Second}},
			want: []string{"ev 1 c>s SYN f1", "ev 1 c>s SYN retransmission f2", "ev 1 c>s SYN retransmission f3", end1},
		},
		{
			name: "port reuse: a new SYN with another ISN starts a new Conn",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "FA", seq: 1, ack: 1},
				{flags: "FA", seq: 1, ack: 2},
				{c2s: true, flags: "S", seq: 50000},
				{flags: "SA", seq: 7000, ack: 50001},
			}),
			want: opened(
				"ev 1 c>s FIN f4", "ev 1 s>c FIN f5",
				end1,
				"ev 2 c>s SYN f6", "ev 2 s>c SYN-ACK f7",
				"end 2 10.0.0.1:40000>10.0.0.2:5061 from SYN"),
		},
		{
			name: "closed connection ended after the quiet time",
			pkts: []pkt{
				{c2s: true, flags: "S"}, {flags: "RA", ack: 1},
				{c2s: true, flags: "A", seq: 1, at: 61 * time.Second},
			},
			want: []string{
				"ev 1 c>s SYN f1", "ev 1 s>c RST f2", end1,
				"ev 2 c>s midstream f3",
				"end 2 10.0.0.1:40000>10.0.0.2:5061 from port",
			},
		},
		{
			name: "sequence numbers wrap around",
			conv: func(c *conv) { c.cisn = 0xfffffffd },
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "4ab"},
				{c2s: true, flags: "PA", seq: 4, ack: 1, data: "c3de"},
				{flags: "A", seq: 1, ack: 8},
			}),
			want: opened(`data 1 c>s "4abc" f4-5 off=0`, `data 1 c>s "3de" f5-5 off=4`, end1),
		},
		{
			name: "snaplen cut: the cut bytes are a hole in their unit",
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "2a8bcdefgh", snaplen: 14 + 20 + 20 + 4},
				{c2s: true, flags: "PA", seq: 11, ack: 1, data: "2i"},
			}),
			want: opened(
				"ev 1 c>s cut by snaplen f4 gap=6",
				`data 1 c>s "2a" f4-4 off=0`,
				"ev 1 c>s gap f4 gap=6",
				`data 1 c>s "8b\x00\x00\x00\x00\x00\x00" f4-4 off=2 missing=2-8`,
				`data 1 c>s "2i" f5-5 off=10`,
				end1),
		},
		{
			name: "opaque bytes before units",
			pkts: cat(handshake, []pkt{{c2s: true, flags: "PA", seq: 1, ack: 1, data: "ab2c"}}),
			want: opened(
				`data 1 c>s "a" f4-4 off=0 opaque`,
				`data 1 c>s "b" f4-4 off=1 opaque`,
				`data 1 c>s "2c" f4-4 off=2`,
				end1),
		},
		{
			name: "Data returning false stops delivery",
			stop: 1,
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "1"},
				{c2s: true, flags: "PA", seq: 2, ack: 1, data: "1"},
				{flags: "PA", seq: 1, ack: 3, data: "1"},
				{c2s: true, flags: "FA", seq: 3, ack: 2},
			}),
			want: opened(
				`data 1 c>s "1" f4-4 off=0`,
				`data 1 s>c "1" f6-6 off=0`,
				"ev 1 c>s FIN f7",
				end1),
		},
		{
			name: "MaxBuffer: a unit larger than the buffer is a gap",
			opts: Options{MaxBuffer: 4},
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 1, ack: 1, data: "9abc"},
				{c2s: true, flags: "PA", seq: 5, ack: 1, data: "defgh2i"},
			}),
			want: opened(
				"ev 1 c>s buffer cap f4",
				"ev 1 c>s gap f4 gap=9",
				`data 1 c>s "2i" f5-5 off=9 aftergap`,
				end1),
		},
		{
			name: "MaxBuffer: held segments behind a hole (each costs its bytes and heldOverhead)",
			opts: Options{MaxBuffer: 2*heldOverhead + 4},
			pkts: cat(handshake, []pkt{
				{c2s: true, flags: "PA", seq: 3, ack: 1, data: "1"},
				{c2s: true, flags: "PA", seq: 4, ack: 1, data: "2a"},
				{c2s: true, flags: "PA", seq: 6, ack: 1, data: "2b"},
			}),
			want: opened(
				"ev 1 c>s out of order f4",
				"ev 1 c>s out of order f5",
				"ev 1 c>s out of order f6",
				"ev 1 c>s buffer cap f6",
				"ev 1 c>s gap f6 gap=2",
				"ev 1 c>s resync f4",
				`data 1 c>s "1" f4-6 off=2 aftergap`,
				`data 1 c>s "2a" f5-6 off=3`,
				`data 1 c>s "2b" f6-6 off=5`,
				end1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := defaultConv()
			if tt.conv != nil {
				tt.conv(&cv)
			}
			file := writePcap(t, cv.link, cv.records(t, tt.pkts), false)
			// the same with the checksums of segments worked out ahead
			for _, ahead := range []bool{false, true} {
				rec := newRecorder()
				rec.stopAt = tt.stop
				opts := tt.opts
				opts.ChecksumAhead = ahead
				if _, err := readBytes(t, file, opts, rec); err != nil {
					t.Fatal(err)
				}
				if got, want := strings.Join(rec.lines, "\n"), strings.Join(tt.want, "\n"); got != want {
					t.Errorf("ChecksumAhead %v: got:\n%s\nwant:\n%s", ahead, got, want)
				}
			}
		})
	}
}
