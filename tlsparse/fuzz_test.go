package tlsparse

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// fuzzSeeds returns the recorded fixture streams and their handshake
// messages, as golang.org/x/image's png fuzz test seeds from testdata.
func fuzzSeeds(f *testing.F) (streams [][]byte, msgs []versionedMsg) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "handshakes", "*.hex"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures in testdata/handshakes (%v)", err)
	}
	for _, p := range paths {
		streams = append(streams, readHex(f, p))
	}
	return streams, fixtureMessages(f)
}

// fuzzMessages returns the handshake messages of fuzzSeeds shorter than 4096
// bytes: the seeds of FuzzParseHandshake, FuzzDefragmenter and FuzzPartial.
func fuzzMessages(f *testing.F) []versionedMsg {
	_, msgs := fuzzSeeds(f)
	return slices.DeleteFunc(msgs, func(m versionedMsg) bool { return len(m.msg) >= 4096 })
}

func FuzzRecordLen(f *testing.F) {
	streams, _ := fuzzSeeds(f)
	for _, s := range streams {
		f.Add(s[:min(len(s), 64)])
	}
	f.Add([]byte{22, 3, 1})
	f.Add([]byte("EHLO example.com\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := RecordLen(b)
		switch {
		case n > 0:
			if n < RecordHeaderLen || n > RecordHeaderLen+MaxRecordLength || len(b) < RecordHeaderLen {
				t.Fatalf("RecordLen = %d for %d bytes", n, len(b))
			}
			rec, err := ParseRecord(b[:min(n, len(b))])
			if len(b) >= n && (err != nil || len(rec.Fragment) != n-RecordHeaderLen) {
				t.Fatalf("RecordLen = %d but ParseRecord: %v, %d-byte fragment", n, err, len(rec.Fragment))
			}
			if len(b) < n && !errors.Is(err, ErrTruncated) {
				t.Fatalf("short record: err = %v", err)
			}
		case n == 0:
			if len(b) >= RecordHeaderLen {
				t.Fatalf("RecordLen = 0 with %d bytes", len(b))
			}
		default:
			if _, err := ParseRecord(b); !errors.Is(err, ErrNotRecord) {
				t.Fatalf("RecordLen = -1 but ParseRecord: %v", err)
			}
		}
		// A longer input never changes a decision already made.
		if n != 0 && RecordLen(append(bytes.Clone(b), 0, 0, 0, 0, 0)) != n {
			t.Fatalf("RecordLen changed with more bytes")
		}
		SSLv2RecordLen(b)
		IsSSLv2ClientHello(b)
	})
}

func FuzzParseHandshake(f *testing.F) {
	for _, m := range fuzzMessages(f) {
		f.Add(m.msg, uint16(m.v))
	}
	f.Add([]byte{1, 0, 0, 0}, uint16(0))
	versions := []Version{0, VersionTLS10, VersionTLS12, VersionTLS13}
	f.Fuzz(func(t *testing.T, msg []byte, v uint16) {
		for _, ver := range append(versions, Version(v)) {
			m, err := ParseHandshake(msg, ver)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(msg) {
					t.Fatalf("bad error %#v", err)
				}
				if m != nil {
					t.Fatalf("message and error both returned")
				}
				continue
			}
			if !bytes.Equal(rawOf(m), msg) || m.HandshakeType() != HandshakeType(msg[0]) {
				t.Fatalf("Raw or type does not match the input")
			}
			describe(m) // exercises every String method on parsed values
		}
		// The SSLv2 parsers take whole records; feed them the same bytes.
		ParseSSLv2ClientHello(msg)
		ParseSSLv2ServerHello(msg)
		ParseSSLv2Error(msg)
	})
}

func FuzzDefragmenter(f *testing.F) {
	for _, m := range fuzzMessages(f) {
		f.Add(m.msg, uint8(7), uint16(0))
	}
	f.Add([]byte{1, 0, 0, 2, 1, 2, 14, 0, 0, 0}, uint8(1), uint16(3))
	f.Fuzz(func(t *testing.T, stream []byte, step uint8, max uint16) {
		d := Defragmenter{Max: int(max)}
		var got [][]byte
		var err error
		chunk := int(step%64) + 1
		for off := 0; off < len(stream) && err == nil; off += chunk {
			var msgs [][]byte
			msgs, err = d.Add(stream[off:min(off+chunk, len(stream))])
			got = append(got, msgs...)
		}
		// AppendPartial into one slice reused across calls, as the
		// analyzer does, behind an entry it must keep: the same messages.
		d2 := Defragmenter{Max: int(max)}
		keep := Assembled{Raw: []byte("kept")}
		scratch := []Assembled{keep}
		var appended [][]byte
		var err2 error
		for off := 0; off < len(stream) && err2 == nil; off += chunk {
			scratch, err2 = d2.AppendPartial(scratch[:1], stream[off:min(off+chunk, len(stream))], nil)
			if len(scratch) == 0 || string(scratch[0].Raw) != "kept" {
				t.Fatalf("AppendPartial lost the entry before its own")
			}
			for _, a := range scratch[1:] {
				appended = append(appended, a.Raw)
			}
			clear(scratch[1:])
		}
		if (err == nil) != (err2 == nil) || len(appended) != len(got) {
			t.Fatalf("AppendPartial: %d messages, err %v; Add: %d, err %v", len(appended), err2, len(got), err)
		}
		for i := range got {
			if !bytes.Equal(appended[i], got[i]) {
				t.Fatalf("AppendPartial: message %d differs from Add's", i)
			}
		}
		// Reference: cut the whole stream at once.
		var want [][]byte
		lim := int(max)
		if lim == 0 {
			lim = DefaultMaxHandshake
		}
		rest, tooLarge := stream, false
		for len(rest) >= 4 {
			n := int(rest[1])<<16 | int(rest[2])<<8 | int(rest[3])
			if n > lim {
				tooLarge = true
				break
			}
			if len(rest) < 4+n {
				break
			}
			want = append(want, rest[:4+n])
			rest = rest[4+n:]
		}
		if tooLarge != errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want too large = %v", err, tooLarge)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d messages, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("message %d differs", i)
			}
		}
		if !tooLarge && d.Pending() != len(rest) {
			t.Fatalf("Pending = %d, want %d", d.Pending(), len(rest))
		}
	})
}

// FuzzPartial feeds a stream of handshake messages in chunks with one hole
// (zeroed, marked missing), calling Lost at a chunk boundary: it must never
// panic, every message it returns must have a sound header and missing
// ranges inside it, and every Certificate message goes through
// ParsePartialCertificate, whose whole entries must be the stream's bytes.
func FuzzPartial(f *testing.F) {
	for _, m := range fuzzMessages(f) {
		f.Add(m.msg, uint8(7), uint16(20), uint16(9), uint8(0))
	}
	f.Fuzz(func(t *testing.T, stream []byte, step uint8, holeAt, holeLen uint16, lostAt uint8) {
		chunk := int(step%64) + 1
		hs, he := min(int(holeAt), len(stream)), min(int(holeAt)+int(holeLen%512), len(stream))
		var d Defragmenter
		for i, off := 0, 0; off < len(stream); i, off = i+1, off+chunk {
			end := min(off+chunk, len(stream))
			frag := bytes.Clone(stream[off:end])
			var missing []Range
			if s, e := max(hs, off), min(he, end); s < e {
				clear(frag[s-off : e-off])
				missing = []Range{{s - off, e - off}}
			}
			var out []Assembled
			if lostAt != 0 && i == int(lostAt) {
				if a := d.Lost(); a != nil {
					out = append(out, *a)
				}
			}
			as, err := d.AddPartial(frag, missing)
			if err != nil {
				return
			}
			for _, a := range append(out, as...) {
				n := int(a.Raw[1])<<16 | int(a.Raw[2])<<8 | int(a.Raw[3])
				if len(a.Raw) != 4+n {
					t.Fatalf("message of %d bytes declares %d", len(a.Raw), n)
				}
				prev := HandshakeHeaderLen
				for _, m := range a.Missing {
					if m.Start < prev || m.End <= m.Start || m.End > len(a.Raw) {
						t.Fatalf("bad missing ranges %v in a %d-byte message", a.Missing, len(a.Raw))
					}
					prev = m.End
				}
				if HandshakeType(a.Raw[0]) != TypeCertificate {
					continue
				}
				for _, v := range []Version{VersionTLS12, VersionTLS13} {
					pc, err := ParsePartialCertificate(a.Raw, a.Missing, v)
					if err != nil {
						continue
					}
					for _, e := range pc.Entries {
						if e.CertData != nil && (e.Offset+e.Length > len(a.Raw) || !bytes.Equal(e.CertData, a.Raw[e.Offset:e.Offset+e.Length])) {
							t.Fatalf("entry %d is not the message's bytes", e.Index)
						}
					}
				}
			}
		}
	})
}
