package tlsparse

// MaxRecordLength is the largest record payload RecordLen accepts:
// 2^14 + 2048, the TLS 1.2 limit for TLSCiphertext (RFC 5246 section 6.2.3).
const MaxRecordLength = 1<<14 + 2048

// RecordHeaderLen is the length of a TLS record header.
const RecordHeaderLen = 5

// Record is one TLS record (RFC 8446 section 5.1, TLSPlaintext or
// TLSCiphertext). Fragment aliases the input of ParseRecord.
type Record struct {
	Type     ContentType
	Version  Version
	Fragment []byte
}

// RecordLen frames a TLS byte stream. b must start at a record boundary. It
// returns the total length (5 + length) of the record once the 5-byte header
// is present and plausible: content type 20 to 24, major version 3, minor
// version 0 to 4, length at most MaxRecordLength. It returns 0 if fewer than
// 5 bytes are present and those present are still a plausible start, and -1
// as soon as the bytes present are not a TLS record header (so a plaintext
// stream is recognised without waiting for 5 bytes). It never panics.
func RecordLen(b []byte) int {
	if len(b) >= 1 && (b[0] < byte(ContentChangeCipherSpec) || b[0] > byte(ContentHeartbeat)) {
		return -1
	}
	if len(b) >= 2 && b[1] != 3 {
		return -1
	}
	if len(b) >= 3 && b[2] > 4 {
		return -1
	}
	if len(b) < RecordHeaderLen {
		return 0
	}
	n := int(b[3])<<8 | int(b[4])
	if n > MaxRecordLength {
		return -1
	}
	return RecordHeaderLen + n
}

// ParseRecord parses exactly one TLS record, header included, as framed by
// RecordLen. A header RecordLen rejects gives ErrNotRecord; fewer bytes than
// the header declares give ErrTruncated, more give ErrTrailingBytes.
func ParseRecord(b []byte) (Record, error) {
	n := RecordLen(b)
	switch {
	case n < 0:
		return Record{}, &ParseError{Field: "record header", Err: ErrNotRecord}
	case n == 0:
		return Record{}, &ParseError{Field: "record header", Offset: 0, Err: ErrTruncated}
	case len(b) < n:
		return Record{}, &ParseError{Field: "record fragment", Offset: RecordHeaderLen, Err: ErrTruncated}
	case len(b) > n:
		return Record{}, &ParseError{Field: "record", Offset: n, Err: ErrTrailingBytes}
	}
	return Record{
		Type:     ContentType(b[0]),
		Version:  Version(b[1])<<8 | Version(b[2]),
		Fragment: b[RecordHeaderLen:n:n],
	}, nil
}
