package tlsparse

import "golang.org/x/crypto/cryptobyte"

// reader wraps cryptobyte reads so that a || chain of them, as in crypto/tls,
// also remembers which field failed and where. Every read method reports
// whether the read was successful; after the first failure err is set and
// later failures do not overwrite it.
type reader struct {
	base []byte // the whole input; every String read is a subslice of it
	typ  HandshakeType
	err  error
}

// offset returns the position of s within r.base, using the fact that
// cryptobyte Strings are reslices of the input that keep its capacity.
func (r *reader) offset(s cryptobyte.String) int {
	o := cap(r.base) - cap(s)
	if o < 0 || o > len(r.base) {
		return len(r.base)
	}
	return o
}

// fail records the first error and returns false.
func (r *reader) fail(s cryptobyte.String, field string, err error) bool {
	if r.err == nil {
		r.err = &ParseError{Type: r.typ, Field: field, Offset: r.offset(s), Err: err}
	}
	return false
}

func (r *reader) u8(s *cryptobyte.String, field string, out *uint8) bool {
	return s.ReadUint8(out) || r.fail(*s, field, ErrTruncated)
}

func (r *reader) u16(s *cryptobyte.String, field string, out *uint16) bool {
	return s.ReadUint16(out) || r.fail(*s, field, ErrTruncated)
}

func (r *reader) u32(s *cryptobyte.String, field string, out *uint32) bool {
	return s.ReadUint32(out) || r.fail(*s, field, ErrTruncated)
}

func (r *reader) bytes(s *cryptobyte.String, n int, field string, out *[]byte) bool {
	return s.ReadBytes(out, n) || r.fail(*s, field, ErrTruncated)
}

// vec8, vec16 and vec24 read a length-prefixed vector into a sub-String.
func (r *reader) vec8(s *cryptobyte.String, field string, out *cryptobyte.String) bool {
	return s.ReadUint8LengthPrefixed(out) || r.fail(*s, field, ErrTruncated)
}

func (r *reader) vec16(s *cryptobyte.String, field string, out *cryptobyte.String) bool {
	return s.ReadUint16LengthPrefixed(out) || r.fail(*s, field, ErrTruncated)
}

func (r *reader) vec24(s *cryptobyte.String, field string, out *cryptobyte.String) bool {
	return s.ReadUint24LengthPrefixed(out) || r.fail(*s, field, ErrTruncated)
}

// end checks that s has been consumed entirely.
func (r *reader) end(s cryptobyte.String, field string) bool {
	return s.Empty() || r.fail(s, field, ErrTrailingBytes)
}

// malformed records ErrMalformed at s.
func (r *reader) malformed(s cryptobyte.String, field string) bool {
	return r.fail(s, field, ErrMalformed)
}

// uintList reads a list of size-byte big-endian values (2 for cipher suites,
// versions and groups, 3 for SSLv2 cipher specs) that fills s exactly.
func uintList[T ~uint16 | ~uint32](r *reader, s cryptobyte.String, field string, size int) ([]T, bool) {
	if len(s)%size != 0 {
		return nil, r.malformed(s, field)
	}
	out := make([]T, 0, len(s)/size)
	for i := 0; i < len(s); i += size {
		var v T
		for _, b := range s[i : i+size] {
			v = v<<8 | T(b)
		}
		out = append(out, v)
	}
	return out, true
}
