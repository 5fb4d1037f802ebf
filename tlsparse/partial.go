package tlsparse

// Range is a byte range [Start, End) of a record, a message or a
// certificate that the capture does not have.
type Range struct{ Start, End int }

// Assembled is a handshake message from a Defragmenter: its 4-byte header
// and body (Raw), and, when the capture lost some of its bytes, the ranges
// of Raw that are missing (zero in Raw). The header is never missing: a
// message whose header was lost cannot be delimited and is not returned.
type Assembled struct {
	Raw     []byte
	Missing []Range
}

// Complete reports whether every byte of the message is present.
func (a Assembled) Complete() bool { return len(a.Missing) == 0 }

// MissingBytes returns how many bytes of the message are missing.
func (a Assembled) MissingBytes() int { return rangesLen(a.Missing) }

func rangesLen(rs []Range) int {
	n := 0
	for _, r := range rs {
		n += r.End - r.Start
	}
	return n
}

// overlaps reports whether [s, e) meets any range of rs (sorted).
func overlaps(rs []Range, s, e int) bool {
	for _, r := range rs {
		if r.Start < e && s < r.End {
			return true
		}
	}
	return false
}

// clip returns the parts of rs within [s, e), shifted by -s.
func clip(rs []Range, s, e int) []Range {
	var out []Range
	for _, r := range rs {
		a, b := max(r.Start, s), min(r.End, e)
		if a < b {
			out = append(out, Range{a - s, b - s})
		}
	}
	return out
}

// addRanges appends rs shifted by off to dst, merging touching ranges.
func addRanges(dst, rs []Range, off int) []Range {
	for _, r := range rs {
		r = Range{r.Start + off, r.End + off}
		if n := len(dst); n > 0 && dst[n-1].End >= r.Start {
			dst[n-1].End = max(dst[n-1].End, r.End)
			continue
		}
		dst = append(dst, r)
	}
	return dst
}

// plausibleHeader reports whether b (at least 4 bytes) can start a
// handshake message: a type this package knows and a length within max.
func plausibleHeader(b []byte, max int) bool {
	switch HandshakeType(b[0]) {
	case TypeHelloRequest, TypeClientHello, TypeServerHello, TypeNewSessionTicket,
		TypeEncryptedExtensions, TypeCertificate, TypeServerKeyExchange, TypeCertificateRequest,
		TypeServerHelloDone, TypeCertificateVerify, TypeClientKeyExchange, TypeFinished,
		TypeCertificateStatus:
	default:
		return false
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	return n <= max
}

// CertificatePart is one entry of a Certificate message that the capture
// did not show whole, or did: see PartialCertificate.
type CertificatePart struct {
	// Index is the entry's position in the certificate_list (0: the sender's
	// own certificate).
	Index int
	// Offset is where the entry's cert_data starts in the message (after its
	// 3-byte length), Length its declared length.
	Offset, Length int
	// CertData is the DER when every byte of it is present, else nil.
	CertData []byte
	// Present is the cert_data up to its first missing byte (all of it when
	// CertData is set); a tolerant reader may still find the serial and the
	// names there.
	Present []byte
	// Missing lists the ranges of cert_data that the capture does not have,
	// relative to the start of cert_data; nil when CertData is set.
	Missing []Range
}

// PartialCertificate is what a Certificate message with missing bytes still
// shows. The 3-byte length before each certificate says where the next one
// starts, so every entry whose bytes are all present is recovered whatever
// is missing around it, in its position in the chain.
type PartialCertificate struct {
	Raw     []byte
	Missing []Range // of Raw
	// CertificatesLength is the declared length of the certificate_list,
	// -1 when that length was not captured.
	CertificatesLength int
	// Entries are the entries that could be delimited, in order. An entry
	// whose bytes are all present has CertData set; one that is partly
	// missing has Missing set.
	Entries []CertificatePart
	// LostAt is the offset in Raw from which no entry can be delimited
	// because a length field there is missing, or -1 when every entry was
	// delimited.
	LostAt int
}

// ParsePartialCertificate delimits the entries of a Certificate message
// (4-byte header included, TLS 1.3 form when v is TLS 1.3 or a draft) some
// of whose bytes are missing (missing, sorted, relative to msg). It does
// not parse the certificates. It fails only when the message is not a
// Certificate or its framing is inconsistent where the bytes are present.
func ParsePartialCertificate(msg []byte, missing []Range, v Version) (*PartialCertificate, error) {
	fail := func(field string, off int, err error) (*PartialCertificate, error) {
		return nil, &ParseError{Type: TypeCertificate, Field: field, Offset: off, Err: err}
	}
	if len(msg) < HandshakeHeaderLen || overlaps(missing, 0, HandshakeHeaderLen) {
		return fail("length", 0, ErrTruncated)
	}
	if HandshakeType(msg[0]) != TypeCertificate {
		return fail("msg_type", 0, ErrMalformed)
	}
	n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	if len(msg) != HandshakeHeaderLen+n {
		return fail("body", len(msg), ErrTruncated)
	}
	pc := &PartialCertificate{Raw: msg, Missing: missing, CertificatesLength: -1, LostAt: -1}
	have := func(s, e int) bool { return e <= len(msg) && !overlaps(missing, s, e) }
	u24 := func(o int) int { return int(msg[o])<<16 | int(msg[o+1])<<8 | int(msg[o+2]) }
	off := HandshakeHeaderLen
	if v.IsTLS13() {
		if !have(off, off+1) {
			pc.LostAt = off
			return pc, nil
		}
		off += 1 + int(msg[off]) // certificate_request_context
	}
	if !have(off, off+3) {
		pc.LostAt = off
		return pc, nil
	}
	pc.CertificatesLength = u24(off)
	off += 3
	end := off + pc.CertificatesLength
	if end != len(msg) {
		return fail("certificate_list", off-3, ErrMalformed)
	}
	for i := 0; off < end; i++ {
		if off+3 > end {
			return fail("certificate_list.cert_data", off, ErrTruncated)
		}
		if !have(off, off+3) {
			pc.LostAt = off
			return pc, nil
		}
		l := u24(off)
		s := off + 3
		if s+l > end {
			return fail("certificate_list.cert_data", off, ErrTruncated)
		}
		part := CertificatePart{Index: i, Offset: s, Length: l}
		if m := clip(missing, s, s+l); len(m) == 0 {
			part.CertData = msg[s : s+l : s+l]
			part.Present = part.CertData
		} else {
			part.Missing = m
			part.Present = msg[s : s+m[0].Start : s+m[0].Start]
		}
		pc.Entries = append(pc.Entries, part)
		off = s + l
		if v.IsTLS13() { // extensions of the entry
			if off+2 > end {
				return fail("certificate_list.extensions", off, ErrTruncated)
			}
			if !have(off, off+2) {
				pc.LostAt = off
				return pc, nil
			}
			off += 2 + (int(msg[off])<<8 | int(msg[off+1]))
			if off > end {
				return fail("certificate_list.extensions", off, ErrTruncated)
			}
		}
	}
	return pc, nil
}
