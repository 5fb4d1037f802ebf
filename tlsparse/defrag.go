package tlsparse

// DefaultMaxHandshake is the cap on one handshake message that a zero
// Defragmenter.Max means: 1 MiB.
const DefaultMaxHandshake = 1 << 20

// Defragmenter reassembles handshake messages from the fragments of
// consecutive handshake records of one direction (RFC 8446 section 5.1: a
// message may span records and a record may hold several messages). The zero
// value is ready to use. A Defragmenter is not safe for concurrent use.
//
// A capture may miss bytes. A fragment given with its missing ranges
// (AddPartial) still delimits messages as long as their headers are
// present, and the messages come out with their own missing ranges; a
// missing header, or a loss the caller cannot size (Lost), loses the
// message framing until a fragment starts with a plausible message header.
type Defragmenter struct {
	// Max caps the declared length of one handshake message body; 0 means
	// DefaultMaxHandshake. A larger declared length makes Add fail with
	// ErrTooLarge before anything is buffered for it.
	Max int

	buf     []byte
	missing []Range // of buf
	lost    bool    // message framing lost: wait for a fragment that starts a message
	err     error
}

// Add appends the fragment of one handshake record and returns every
// handshake message it completes, each with its 4-byte header. A message
// that lay whole in fragment is a slice of it, so it stays valid as long as
// the caller keeps fragment unchanged; one assembled from several fragments
// is in a buffer the Defragmenter no longer uses. Callers may keep them. Once a message declares a length over Max, Add
// returns the messages completed before it together with a *ParseError
// wrapping ErrTooLarge, and keeps returning that error: the caller should stop
// parsing this direction. Add is for streams without missing bytes; see
// AddPartial.
func (d *Defragmenter) Add(fragment []byte) ([][]byte, error) {
	as, err := d.AddPartial(fragment, nil)
	var msgs [][]byte
	for _, a := range as {
		msgs = append(msgs, a.Raw)
	}
	return msgs, err
}

// AddPartial is Add for a fragment some of whose bytes the capture does not
// have: missing lists them (sorted, relative to fragment; they are expected
// to be zero). It returns the messages the fragment completes, each with
// the ranges of it that are missing. When the header of the next message
// falls in a missing range, the message framing is lost: the buffered bytes
// are dropped and the next message is taken from the start of the first
// later fragment that starts with a plausible header.
func (d *Defragmenter) AddPartial(fragment []byte, missing []Range) ([]Assembled, error) {
	// A new slice each time: one kept for the next call would hold the
	// last messages, and the records under them, for as long as the
	// connection lasts (13 MiB at the 50,000-connection cap of a flood).
	return d.AppendPartial(nil, fragment, missing)
}

// AppendPartial is AddPartial appending the messages to msgs, and returning
// the extended slice: a caller that reads many connections in turn may
// reuse one slice for all of them, clearing it after each call so that it
// holds no message (and no record under one) longer than needed.
func (d *Defragmenter) AppendPartial(msgs []Assembled, fragment []byte, missing []Range) ([]Assembled, error) {
	if d.err != nil {
		return msgs, d.err
	}
	max := d.max()
	if d.lost {
		if len(fragment) < HandshakeHeaderLen || overlaps(missing, 0, HandshakeHeaderLen) || !plausibleHeader(fragment, max) {
			return msgs, nil
		}
		d.lost = false
	}
	// Messages are cut from the fragment itself when nothing is
	// buffered (the common case: a record holds whole messages), and
	// from the buffer only when a message began in an earlier record.
	src, srcMissing := fragment, missing
	if len(d.buf) > 0 {
		base := len(d.buf)
		d.buf = append(d.buf, fragment...)
		d.missing = addRanges(d.missing, missing, base)
		src, srcMissing = d.buf, d.missing
	} else if len(missing) > 0 {
		srcMissing = addRanges(nil, missing, 0)
	}
	off := 0
	for len(src)-off >= HandshakeHeaderLen {
		if overlaps(srcMissing, off, off+HandshakeHeaderLen) {
			d.loseFraming()
			return msgs, nil
		}
		h := src[off:]
		n := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
		if n > max {
			d.err = &ParseError{Type: HandshakeType(h[0]), Field: "length", Offset: 1, Err: ErrTooLarge}
			d.buf, d.missing = nil, nil
			return msgs, d.err
		}
		if len(h) < HandshakeHeaderLen+n {
			break
		}
		// The message aliases the fragment, or a buffer the
		// Defragmenter lets go of below: it is not copied.
		end := HandshakeHeaderLen + n
		msgs = append(msgs, Assembled{Raw: h[:end:end], Missing: clip(srcMissing, off, off+end)})
		off += HandshakeHeaderLen + n
	}
	if overlaps(srcMissing, off, min(off+HandshakeHeaderLen, len(src))) {
		d.loseFraming() // part of the next header is already missing
		return msgs, nil
	}
	// Keep only the unconsumed tail, in a buffer of its own size: a
	// Defragmenter between messages holds nothing, however large the
	// flight it read.
	if rest := src[off:]; len(rest) == 0 {
		d.buf, d.missing = nil, nil
	} else if off > 0 || len(d.buf) == 0 {
		d.missing = clip(srcMissing, off, len(src))
		d.buf = append(make([]byte, 0, len(rest)), rest...)
	}
	return msgs, nil
}

func (d *Defragmenter) max() int {
	if d.Max <= 0 {
		return DefaultMaxHandshake
	}
	return d.Max
}

func (d *Defragmenter) loseFraming() {
	d.buf, d.missing = nil, nil
	d.lost = true
}

// Lost tells the Defragmenter that bytes of the handshake stream were lost
// at this point in a number the caller cannot tell (a hole that hid record
// headers). A message begun before the loss is returned, with the rest of
// it marked missing; the next message is taken from the start of the first
// later fragment that starts with a plausible header. Lost returns nil when
// no message was begun or its header was incomplete.
func (d *Defragmenter) Lost() *Assembled {
	defer d.loseFraming()
	if d.err != nil || len(d.buf) < HandshakeHeaderLen || overlaps(d.missing, 0, HandshakeHeaderLen) {
		return nil
	}
	n := int(d.buf[1])<<16 | int(d.buf[2])<<8 | int(d.buf[3])
	raw := make([]byte, HandshakeHeaderLen+n)
	copy(raw, d.buf)
	m := addRanges(clip(d.missing, 0, len(d.buf)), []Range{{len(d.buf), len(raw)}}, 0)
	return &Assembled{Raw: raw, Missing: m}
}

// Pending returns the number of buffered bytes that do not yet form a
// complete handshake message.
func (d *Defragmenter) Pending() int { return len(d.buf) }
