package tlsparse

// DefaultMaxHandshake is the cap on one handshake message that a zero
// Defragmenter.Max means: 1 MiB.
const DefaultMaxHandshake = 1 << 20

// Defragmenter reassembles handshake messages from the fragments of
// consecutive handshake records of one direction (RFC 8446 section 5.1: a
// message may span records and a record may hold several messages). The zero
// value is ready to use. A Defragmenter is not safe for concurrent use.
type Defragmenter struct {
	// Max caps the declared length of one handshake message body; 0 means
	// DefaultMaxHandshake. A larger declared length makes Add fail with
	// ErrTooLarge before anything is buffered for it.
	Max int

	buf []byte
	err error
}

// Add appends the fragment of one handshake record and returns every
// handshake message it completes, each with its 4-byte header and copied,
// so callers may keep them. Once a message declares a length over Max, Add
// returns the messages completed before it together with a *ParseError
// wrapping ErrTooLarge, and keeps returning that error: the caller should stop
// parsing this direction.
func (d *Defragmenter) Add(fragment []byte) ([][]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	max := d.Max
	if max <= 0 {
		max = DefaultMaxHandshake
	}
	d.buf = append(d.buf, fragment...)
	var msgs [][]byte
	off := 0
	for len(d.buf)-off >= 4 {
		h := d.buf[off:]
		n := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
		if n > max {
			d.err = &ParseError{Type: HandshakeType(h[0]), Field: "length", Offset: 1, Err: ErrTooLarge}
			d.buf = nil
			return msgs, d.err
		}
		if len(h) < 4+n {
			break
		}
		msg := make([]byte, 4+n)
		copy(msg, h)
		msgs = append(msgs, msg)
		off += 4 + n
	}
	// Keep only the unconsumed tail, in a fresh buffer once it is small, so
	// a long-lived Defragmenter does not pin a large array.
	rest := d.buf[off:]
	switch {
	case len(rest) == 0:
		d.buf = d.buf[:0]
		if cap(d.buf) > 64<<10 {
			d.buf = nil
		}
	case off > 0:
		d.buf = append([]byte(nil), rest...)
	}
	return msgs, nil
}

// Pending returns the number of buffered bytes that do not yet form a
// complete handshake message.
func (d *Defragmenter) Pending() int { return len(d.buf) }
