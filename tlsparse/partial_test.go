package tlsparse

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// chain is a Certificate message (TLS 1.2 form) of four certificates of
// 10, 20, 30 and 40 bytes: cert_data of entry i starts at 4+3+3 and is
// filled with byte i+1. Offsets: entry 0 at 10..20, entry 1 at 23..43,
// entry 2 at 46..76, entry 3 at 79..119.
func chain() []byte {
	return msgOf(TypeCertificate, func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for i := range 4 {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(bytes.Repeat([]byte{byte(i + 1)}, 10*(i+1))) })
			}
		})
	})
}

// holes zeroes the missing ranges of a copy of b.
func holes(b []byte, missing ...Range) []byte {
	b = bytes.Clone(b)
	for _, m := range missing {
		clear(b[m.Start:m.End])
	}
	return b
}

func partsText(pc *PartialCertificate) string {
	s := fmt.Sprintf("list=%d lost=%d", pc.CertificatesLength, pc.LostAt)
	for _, e := range pc.Entries {
		if e.CertData != nil {
			s += fmt.Sprintf(" [%d: %d bytes at %d]", e.Index, len(e.CertData), e.Offset)
		} else {
			s += fmt.Sprintf(" [%d: %d bytes at %d, %d present, missing %v]", e.Index, e.Length, e.Offset, len(e.Present), e.Missing)
		}
	}
	return s
}

func TestParsePartialCertificate(t *testing.T) {
	full := chain()
	tls13 := msgOf(TypeCertificate, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {})
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for i := range 2 {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(bytes.Repeat([]byte{9}, 8)) })
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, i)) })
			}
		})
	})
	tests := []struct {
		name    string
		msg     []byte
		missing []Range
		v       Version
		want    string
		wantErr error
	}{
		{name: "nothing missing", msg: full, want: "list=112 lost=-1 [0: 10 bytes at 10] [1: 20 bytes at 23] [2: 30 bytes at 46] [3: 40 bytes at 79]"},
		{name: "a hole inside the third certificate", msg: full, missing: []Range{{50, 60}},
			want: "list=112 lost=-1 [0: 10 bytes at 10] [1: 20 bytes at 23] [2: 30 bytes at 46, 4 present, missing [{4 14}]] [3: 40 bytes at 79]"},
		{name: "a hole over two certificates, lengths intact", msg: full, missing: []Range{{30, 43}, {46, 47}},
			want: "list=112 lost=-1 [0: 10 bytes at 10] [1: 20 bytes at 23, 7 present, missing [{7 20}]] [2: 30 bytes at 46, 0 present, missing [{0 1}]] [3: 40 bytes at 79]"},
		{name: "a hole over a length: later entries cannot be delimited", msg: full, missing: []Range{{40, 45}},
			want: "list=112 lost=43 [0: 10 bytes at 10] [1: 20 bytes at 23, 17 present, missing [{17 20}]]"},
		{name: "the list length missing", msg: full, missing: []Range{{5, 6}}, want: "list=-1 lost=4"},
		{name: "the tail missing", msg: full, missing: []Range{{100, 119}},
			want: "list=112 lost=-1 [0: 10 bytes at 10] [1: 20 bytes at 23] [2: 30 bytes at 46] [3: 40 bytes at 79, 21 present, missing [{21 40}]]"},
		{name: "TLS 1.3 entries with extensions", msg: tls13, v: VersionTLS13, missing: []Range{{12, 13}},
			want: "list=27 lost=-1 [0: 8 bytes at 11, 1 present, missing [{1 2}]] [1: 8 bytes at 24]"},
		{name: "header missing", msg: full, missing: []Range{{2, 3}}, wantErr: ErrTruncated},
		{name: "not a Certificate", msg: msgOf(TypeFinished, func(b *cryptobyte.Builder) { b.AddUint8(1) }), wantErr: ErrMalformed},
		{name: "an entry longer than the list", msg: holes(func() []byte { b := bytes.Clone(full); b[9] = 200; return b }(), Range{50, 51}), missing: []Range{{50, 51}}, wantErr: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc, err := ParsePartialCertificate(holes(tt.msg, tt.missing...), tt.missing, tt.v)
			if wantedErr(t, err, tt.wantErr) {
				return
			}
			if got := partsText(pc); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestParsePartialCertificateAgrees checks, for holes at every position,
// that every entry reported whole is the entry the complete message has at
// that index.
func TestParsePartialCertificateAgrees(t *testing.T) {
	full := chain()
	m, err := ParseHandshake(full, VersionTLS12)
	if err != nil {
		t.Fatal(err)
	}
	want := m.(*Certificate).DER()
	for s := HandshakeHeaderLen; s < len(full); s++ {
		for _, n := range []int{1, 3, 17} {
			hole := []Range{{s, min(s+n, len(full))}}
			pc, err := ParsePartialCertificate(holes(full, hole...), hole, VersionTLS12)
			if err != nil {
				t.Fatalf("hole %v: %v", hole, err)
			}
			for _, e := range pc.Entries {
				if e.CertData != nil && !bytes.Equal(e.CertData, want[e.Index]) {
					t.Fatalf("hole %v: entry %d differs", hole, e.Index)
				}
				if e.CertData == nil && len(e.Missing) == 0 {
					t.Fatalf("hole %v: entry %d neither whole nor missing", hole, e.Index)
				}
			}
		}
	}
}

func TestDefragmenterPartial(t *testing.T) {
	full := chain()                                                  // 119 bytes
	done := msgOf(TypeServerHelloDone, func(*cryptobyte.Builder) {}) // 4 bytes
	type add struct {
		frag    []byte
		missing []Range
		lost    bool // call Lost before this fragment
	}
	show := func(as []Assembled) string {
		s := ""
		for _, a := range as {
			s += fmt.Sprintf("[%s %d %v]", HandshakeType(a.Raw[0]), len(a.Raw), a.Missing)
		}
		return s
	}
	tests := []struct {
		name string
		adds []add
		want string
	}{
		{
			name: "a hole inside a message spanning two records",
			adds: []add{{frag: holes(full[:60], Range{50, 60}), missing: []Range{{50, 60}}}, {frag: append(bytes.Clone(full[60:]), done...)}},
			want: "|[Certificate 119 [{50 60}]][ServerHelloDone 4 []]",
		},
		{
			name: "the next header missing: framing lost until a record starts a message",
			adds: []add{
				{frag: append(bytes.Clone(full), holes(done, Range{0, 2})...), missing: []Range{{119, 121}}},
				{frag: []byte{1, 2, 3}},
				{frag: done},
			},
			want: "[Certificate 119 []]||[ServerHelloDone 4 []]",
		},
		{
			name: "Lost: the begun message comes out with its rest missing",
			adds: []add{{frag: full[:70]}, {lost: true, frag: []byte{0xff, 0, 0, 0}}, {frag: done}},
			want: "|[Certificate 119 [{70 119}]]||[ServerHelloDone 4 []]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Defragmenter
			var got []string
			for _, a := range tt.adds {
				if a.lost {
					var lost []Assembled
					if l := d.Lost(); l != nil {
						lost = append(lost, *l)
					}
					got = append(got, show(lost))
				}
				as, err := d.AddPartial(a.frag, a.missing)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, show(as))
			}
			if s := fmt.Sprint(joinBars(got)); s != tt.want {
				t.Errorf("got  %s\nwant %s", s, tt.want)
			}
		})
	}
}

func joinBars(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "|"
		}
		out += x
	}
	return out
}
