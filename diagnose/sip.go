package diagnose

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/siptls/siptls/pcap"
)

// SIPMessage is a SIP message read from a connection's decrypted
// application data (--keylog). Bodies (SDP) are not kept.
type SIPMessage struct {
	Frame     uint64 // the frame that completed the message
	Time      time.Time
	From      Side
	StartLine string // "INVITE sip:3001@10.20.1.22:5061 SIP/2.0", "SIP/2.0 503 Service Unavailable"
	CallID    string
	CSeq      string // "101 INVITE"
	Status    int    // the response code; 0 for a request
}

// The default bounds of decryption (Options.DecryptBytes and
// Options.SIPMessages): what a call's signalling needs, not a whole
// trunk's day. 8 KiB a direction holds a connection's first call whole
// (a CUCM INVITE with its SDP is about 2 KB, its 200 OK as much, and
// the 100, 180, ACK, BYE and 200 under 1 KB each) and usually the next;
// a connection is decrypted only when its handshake was captured, so the
// first calls are those that opened it. Past it, the summary says where
// decryption stopped. With it a capture costs at most about twice its
// time without keys (docs/bench.md).
const (
	DefaultDecryptBytes = 8 << 10 // per direction
	DefaultSIPMessages  = 64      // per connection
)

// Bounds of one SIP message in a decrypted stream.
const (
	maxSIPHeader = 16 << 10 // a header block longer than this is not SIP
	maxSIPBody   = 64 << 10 // nor a Content-Length above this
)

// decryptBytes is Options.DecryptBytes with its default: how many bytes
// of application data a direction has decrypted (a record that starts
// below it is decrypted whole).
func (a *Analyzer) decryptBytes() int {
	switch n := a.opts.DecryptBytes; {
	case n == 0:
		return DefaultDecryptBytes
	case n < 0:
		return 0
	default:
		return n
	}
}

// sipMessages is Options.SIPMessages with its default.
func (a *Analyzer) sipMessages() int {
	if a.opts.SIPMessages <= 0 {
		return DefaultSIPMessages
	}
	return a.opts.SIPMessages
}

// sipStream frames the SIP messages of one direction's decrypted bytes by
// their Content-Length (several per record, and one across records).
type sipStream struct {
	buf  []byte
	read int  // bytes taken so far
	off  bool // not SIP, or past the bound: no more is read
	full bool // off because read reached Options.DecryptBytes
}

// feedSIP adds decrypted application data of dir, in record m, and reads
// the SIP messages it completes.
func (st *connState) feedSIP(dir pcap.Dir, m mark, plain []byte) {
	s := &st.keys.dirs[dir].sip
	if s.off {
		return
	}
	s.read += len(plain)
	// A record that holds whole messages is read where it is; only a
	// message begun in an earlier record is read from the buffer.
	data := plain
	if len(s.buf) > 0 {
		s.buf = append(s.buf, plain...)
		data = s.buf
	}
	for {
		data = bytes.TrimLeft(data, "\r\n") // keep-alive CRLFs between messages
		c := st.c()
		keep := len(c.SIP) < st.a.sipMessages()
		msg, n, ok := parseSIP(data, keep)
		if !ok {
			s.off = true
			break
		}
		if n == 0 {
			break // more bytes needed
		}
		data = data[n:]
		msg.Frame, msg.Time, msg.From = m.frame, m.time(), Side(dir)
		if keep {
			if c.SIP == nil {
				c.SIP = make([]SIPMessage, 0, min(8, st.a.sipMessages())) // a call's worth
			}
			c.SIP = append(c.SIP, msg)
		} else {
			c.SIPDropped++
		}
	}
	if len(data) > maxSIPHeader+maxSIPBody {
		s.off = true
	}
	if s.off {
		s.buf = nil
		return
	}
	s.buf = append(s.buf[:0], data...) // what is left of a message, for the next record
}

// parseSIP reads the SIP message at the start of b: it returns the message
// and its length, n 0 when b does not hold all of it yet, or ok false when
// b does not start with a SIP message. Without keep, only the length and
// the status are read (a message past Options.SIPMessages, only counted):
// no string is made. The header is read in one pass, line by line (lines
// end in CRLF; a bare LF is part of its line), up to the empty line.
func parseSIP(b []byte, keep bool) (msg SIPMessage, n int, ok bool) {
	if len(b) == 0 {
		return msg, 0, true
	}
	if !plausibleSIP(b) {
		return SIPMessage{}, 0, false
	}
	var start, callID, cseq []byte
	length, line, from := 0, 0, 0
	first, bad := true, false // bad: not SIP, said once the header is whole
	for {
		i := bytes.IndexByte(b[from:], '\n')
		if i < 0 {
			return SIPMessage{}, 0, len(b) <= maxSIPHeader
		}
		lf := from + i
		from = lf + 1
		if lf == 0 || b[lf-1] != '\r' {
			continue // a bare LF: the line goes on
		}
		l := b[line : lf-1]
		line = from
		switch {
		case first:
			first, start = false, l
			bad = !sipStartLine(l, &msg)
			continue
		case len(l) == 0:
			n = from + length // the empty line ends the header
		case !sipHeaderInitial[l[0]]:
			continue // Via, From, To, Contact...: not read
		default:
			name, value, found := bytes.Cut(l, []byte(":"))
			if !found {
				continue
			}
			value = bytes.TrimSpace(value)
			switch name = bytes.TrimSpace(name); {
			case headerIs(name, "content-length"), headerIs(name, "l"):
				v, err := strconv.Atoi(string(value))
				if err != nil || v < 0 || v > maxSIPBody {
					bad = true
				}
				length = v
			case !keep:
			case headerIs(name, "call-id"), headerIs(name, "i"):
				callID = value
			case headerIs(name, "cseq"):
				cseq = value
			}
			continue
		}
		break
	}
	if bad {
		return SIPMessage{}, 0, false
	}
	if len(b) < n {
		return SIPMessage{}, 0, true
	}
	if keep {
		msg.StartLine, msg.CallID, msg.CSeq = sipStrings(start, callID, cseq)
	}
	return msg, n, true
}

// sipStartLine checks a SIP start line, and sets msg.Status for a
// response: "SIP/2.0 503 Service Unavailable" (a code from 100 to 699), or
// "METHOD Request-URI SIP/2.0" (HTTP's "PRI * HTTP/2.0", "GET / HTTP/1.1"
// are not SIP).
func sipStartLine(l []byte, msg *SIPMessage) bool {
	if status, found := bytes.CutPrefix(l, []byte("SIP/2.0 ")); found {
		code, _, _ := bytes.Cut(status, []byte(" "))
		msg.Status, _ = strconv.Atoi(string(code))
		return msg.Status >= 100 && msg.Status <= 699
	}
	// three fields, as bytes.Fields counts them
	fields, last := 0, []byte(nil)
	for i := 0; i < len(l); {
		if asciiSpace[l[i]] {
			i++
			continue
		}
		j := i
		for j < len(l) && !asciiSpace[l[j]] {
			if l[j] >= utf8.RuneSelf {
				f := bytes.Fields(l) // a non-ASCII space may part fields
				return len(f) == 3 && string(f[2]) == "SIP/2.0"
			}
			j++
		}
		fields++
		last, i = l[i:j], j
	}
	return fields == 3 && string(last) == "SIP/2.0"
}

// asciiSpace marks the ASCII bytes bytes.Fields parts fields at.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// sipStrings makes a kept message's start line, Call-ID and CSeq (its
// white space runs made one space each) in one string.
func sipStrings(start, callID, cseq []byte) (string, string, string) {
	var b strings.Builder
	b.Grow(len(start) + len(callID) + len(cseq))
	b.Write(start)
	b.Write(callID)
	at := b.Len()
	for f := range bytes.FieldsSeq(cseq) {
		if b.Len() > at {
			b.WriteByte(' ')
		}
		b.Write(f)
	}
	s := b.String()
	return s[:len(start)], s[len(start):at], s[at:]
}

// headerIs reports whether the header name is lower, a lower-case ASCII
// name, in any case (header names are ASCII tokens).
func headerIs(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// sipHeaderInitial marks the bytes a line of a header that parseSIP reads
// may start with: the first letters of Call-ID, i, CSeq, Content-Length
// and l (any case), and whatever bytes.TrimSpace strips before a name
// (ASCII white space, and the first byte of any non-ASCII character).
var sipHeaderInitial = func() (t [256]bool) {
	for _, c := range "cCiIlL \t\n\v\f\r" {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// plausibleSIP reports whether b starts like a SIP start line: a response
// ("SIP/2.0 ") or a request whose method is upper-case letters.
func plausibleSIP(b []byte) bool {
	if bytes.HasPrefix(b, []byte("SIP/2.0 ")) || bytes.HasPrefix([]byte("SIP/2.0 "), b) {
		return true
	}
	for i, c := range b {
		switch {
		case c == ' ':
			return i > 0
		case c < 'A' || c > 'Z':
			return false
		}
	}
	return true // only letters so far
}

// sipSummary sums the SIP messages up, request by request in order, each
// with the responses to it: "INVITE 3001 → 100, 180, 200; ACK; BYE → 200",
// "INVITE 3001 → no answer". When decryption stopped at its bound (bound
// bytes per direction, --decrypt-bytes) in frame stopped (0: it did not),
// or dropped later messages were not kept
// (Options.SIPMessages), or SIP was lost to a gap in the capture in frame
// lost (0: none was), a request is said to have "no answer read" and the
// summary ends with what was not read.
func sipSummary(msgs []SIPMessage, stopped uint64, bound int, dropped int, lost uint64) string {
	// A transaction is its first message (the request, or a response to a
	// request before the capture), found again by its Call-ID and CSeq; a
	// connection keeps few messages (Options.SIPMessages), so the
	// transactions are searched from the latest, without a map.
	var firstBuf, ofBuf [DefaultSIPMessages]int
	first := firstBuf[:0] // each transaction's first message
	of := ofBuf[:0]       // each message's transaction
	if len(msgs) > len(ofBuf) {
		of = make([]int, 0, len(msgs))
	}
	for i := range msgs {
		m := &msgs[i]
		t := len(first) - 1
		for ; t >= 0; t-- {
			if f := &msgs[first[t]]; f.CSeq == m.CSeq && f.CallID == m.CallID { // CSeqs are short, and tell most apart
				break
			}
		}
		if t < 0 {
			t = len(first)
			first = append(first, i)
		}
		of = append(of, t)
	}
	var b strings.Builder
	b.Grow(24 * len(first))
	next := func() {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
	}
	var num [20]byte
	for t, i := range first {
		next()
		ack := false
		if f := &msgs[i]; f.Status == 0 {
			method, uri, _ := strings.Cut(f.StartLine, " ")
			b.WriteString(method)
			ack = method == "ACK"
			if user := sipUser(uri); method == "INVITE" && user != "" {
				b.WriteByte(' ')
				b.WriteString(user)
			}
		} else {
			b.WriteByte('(')
			b.WriteString(f.CSeq)
			b.WriteByte(')')
		}
		codes := 0
		for j := i; j < len(msgs); j++ {
			if of[j] != t || msgs[j].Status == 0 {
				continue
			}
			if codes == 0 {
				b.WriteString(" → ")
			} else {
				b.WriteString(", ")
			}
			codes++
			b.Write(strconv.AppendInt(num[:0], int64(msgs[j].Status), 10))
		}
		switch {
		case codes > 0 || ack:
		case stopped != 0 || dropped > 0 || lost != 0:
			b.WriteString(" → no answer read")
		default:
			b.WriteString(" → no answer")
		}
	}
	if dropped > 0 {
		next()
		fmt.Fprintf(&b, "%d later SIP messages not kept", dropped)
	}
	if lost != 0 {
		next()
		fmt.Fprintf(&b, "SIP lost to a gap in the capture in frame %d", lost)
	}
	if stopped != 0 {
		next()
		b.WriteString(stoppedAt(bound, stopped) + ", later SIP not read")
	}
	return b.String()
}

// stoppedAt says where decryption stopped at its bound of bound bytes per
// direction, and the flag that moves it, for the SIP summary and the
// connection's.
func stoppedAt(bound int, frame uint64) string {
	return fmt.Sprintf("decryption stopped at its bound (--decrypt-bytes %d per direction) in frame %d", bound, frame)
}

// sipUser is the user part of a request URI ("3001" of
// "sip:3001@10.20.1.22:5061").
func sipUser(uri string) string {
	uri = strings.TrimPrefix(strings.TrimPrefix(uri, "sips:"), "sip:")
	user, _, found := strings.Cut(uri, "@")
	if !found {
		return ""
	}
	return user
}

// sipVerdict adds what the SIP inside says to an ok connection's summary:
// the messages in short, and a call that failed in SIP although TLS was
// fine.
func (st *connState) sipVerdict() {
	c := st.c()
	if len(c.SIP) == 0 {
		if c.DecryptStoppedFrame != 0 && c.Verdict == VerdictOK {
			c.Summary += " Decrypted SIP: none read before " + stoppedAt(st.a.decryptBytes(), c.DecryptStoppedFrame) + "."
		}
		return
	}
	c.SIPSummary = sipSummary(c.SIP, c.DecryptStoppedFrame, st.a.decryptBytes(), c.SIPDropped, st.sipLost.frame)
	if c.Verdict != VerdictOK {
		return
	}
	for _, m := range c.SIP {
		if m.Status >= 400 && strings.HasSuffix(m.CSeq, " INVITE") {
			c.Summary += fmt.Sprintf(" TLS was fine: the call failed in SIP, %s from the %s in frame %d (decrypted: %s).",
				strings.TrimPrefix(m.StartLine, "SIP/2.0 "), m.From, m.Frame, c.SIPSummary)
			return
		}
	}
	c.Summary += " Decrypted SIP: " + c.SIPSummary + "."
}

// CallOutcome returns the final response (200 to 699) to the first INVITE
// among msgs, or 0 when none was read.
func CallOutcome(msgs []SIPMessage) int {
	for _, m := range msgs {
		if m.Status >= 200 && strings.HasSuffix(m.CSeq, " INVITE") {
			return m.Status
		}
	}
	return 0
}
