package diagnose

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/siptls/siptls/internal/english"
	"slices"
	"strings"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsdecrypt"
	"github.com/siptls/siptls/tlsparse"
)

// mark is a frame and time at which something happened (zero frame:
// never). The time is kept as Unix nanoseconds: a connection holds a few
// dozen marks, and time.Time is half again as large.
type mark struct {
	frame uint64
	ns    int64
}

func newMark(frame uint64, t time.Time) mark { return mark{frame, t.UnixNano()} }

func (m mark) seen() bool { return m.frame != 0 }

// time returns the mark's capture time, in UTC.
func (m mark) time() time.Time { return time.Unix(0, m.ns).UTC() }

// rawEvent is a timeline entry before roles are final: it keeps the pcap
// direction, which becomes a Side when the connection ends.
type rawEvent struct {
	mark
	dir  pcap.Dir
	kind EventKind
	what string
}

// dirState is the TLS state of one direction (index pcap.Dir).
type dirState struct {
	defrag      tlsparse.Defragmenter
	stopped     bool   // Data returned false: no more payload
	broken      bool   // a parse error: stop reading TLS in this direction
	opaque      uint64 // bytes that were not TLS records
	records     uint64
	ccs         mark // ChangeCipherSpec
	finished    mark // first encrypted handshake record after CCS (Finished)
	appData     mark // first application data record
	appRecords  uint64
	appBytes    uint64
	lastMsg     Message // last handshake message sent in this direction (its Side is set when the roles are known)
	lastMsgMark mark
	history     []sent   // handshake messages, ChangeCipherSpec and Finished, in order (at most maxHistory)
	partial     []string // handshake messages that lost bytes to a gap ("Certificate message")
	certMsg     mark     // Certificate message
	cut         mark
	gap         mark
	gapBytes    uint64
	gaps        int // gap events
	sslv2       bool
	sslv2After  uint64 // SSLv2 records after the SSLv2 ServerHello
	sslv2First  mark
	enc13       uint64 // TLS 1.3 encrypted records after ServerHello
	enc13First  mark
	lastRecLen  int  // length of the last record's fragment
	lastRecMark mark // frame of the last record
}

// sent is one message a direction sent, for "right after" sentences.
type sent struct {
	name string
	m    mark
}

// maxHistory bounds the messages remembered per direction.
const maxHistory = 32

// setMsg records the last handshake message of the direction.
func (ds *dirState) setMsg(msg Message, m mark) {
	ds.lastMsg, ds.lastMsgMark = msg, m
	ds.remember(msg.Name(), m)
}

// remember adds a message to the history; once it is full, the last entry
// is replaced, so the latest message before a close is always there.
func (ds *dirState) remember(name string, m mark) {
	if len(ds.history) == maxHistory {
		ds.history[maxHistory-1] = sent{name, m}
		return
	}
	if n := len(ds.history); n > 0 && n == cap(ds.history) && n < 8 {
		// At the second message, room for a whole handshake (a TLS 1.2
		// direction sends up to 7 messages); the first alone takes room
		// for one, as most connections of a ClientHello flood send no
		// more, and 50,000 of them are tracked at once.
		ds.history = slices.Grow(ds.history, 8-n)
	}
	ds.history = append(ds.history, sent{name, m})
}

// before returns the last message the direction sent before frame f.
func (ds *dirState) before(f uint64) (sent, bool) {
	for i := len(ds.history) - 1; i >= 0; i-- {
		if ds.history[i].m.frame < f {
			return ds.history[i], true
		}
	}
	return sent{}, false
}

// connState is everything the analyzer tracks about one live connection.
type connState struct {
	a       *Analyzer
	pc      *pcap.Conn
	capture int         // index of the capture the connection is in
	conn    *Connection // nil until first needed (see c)

	swapped bool // pcap's Client is the TLS server
	fromSYN bool // roles come from the SYN

	syn       mark
	synCount  int
	synack    mark
	midstream bool

	dirs   [2]*dirState // allocated when a direction first carries something (see dir)
	events []rawEvent

	clientHello   mark
	clientHelloBy pcap.Dir
	hrr           mark // HelloRetryRequest
	hsDone        mark // the Finished that completed a TLS 1.2 (or older) handshake
	serverHello   mark
	version       tlsparse.Version
	tls13         bool
	certReq       mark
	emptyCert     mark
	alert         *rawAlert
	findings      []Finding
	notTLS        bool
	resync        [2]mark          // framing resumed after a gap (pcap.EventResync)
	fin, rst      [2]mark          // a direction's first FIN and RST: here, not in dirState, so that a connection closed before any TLS byte (a connect scan) costs no dirState
	clientMax     tlsparse.Version // highest version the ClientHello offered (0: none seen)
	sni           string
	capped        bool // a cap of the analyzer's own (not pcap's) cut the connection short
	budgetHit     bool // that cap was the Budget across all connections

	// What decryption with a key log needs (Options.KeyLog).
	clientRandom, serverRandom []byte
	suite                      uint16
	encryptThenMAC             bool
	extendedMasterSecret       bool
	keys                       *connKeys // nil until the first encrypted record with a key log
	// With --rsa-key: the handshake so far (for an extended master
	// secret), and the secrets recovered from the ClientKeyExchange.
	transcript    []byte
	sipLost       mark // the first decrypted record whose SIP a gap took (skipHoled)
	transcriptOff bool
	rsaTried      bool
	// handshake13Read: a TLS 1.3 handshake's messages were decrypted.
	handshake13Read bool
	rsaSecrets      *tlsdecrypt.Secrets
}

type rawAlert struct {
	dir         pcap.Dir
	mark        mark
	level       tlsparse.AlertLevel
	code        tlsparse.AlertDescription
	name        string
	encrypted   bool
	closeNotify bool // encrypted, after application data: most likely close_notify
	decrypted   bool // encrypted on the wire, read with the key log (encrypted is false)
}

func newConnState(a *Analyzer, c *pcap.Conn) *connState {
	return &connState{a: a, pc: c, capture: a.capture, fromSYN: c.Roles == pcap.RoleFromSYN}
}

// c returns the Connection being built, made on first use: most of it is
// filled when the connection ends, and a connection that carries nothing
// until then (a SYN flood) does not hold one meanwhile.
func (st *connState) c() *Connection {
	if st.conn == nil {
		st.conn = &Connection{
			ID:         st.pc.ID,
			Capture:    st.capture,
			Start:      st.pc.FirstTime,
			StartFrame: st.pc.FirstFrame,
		}
	}
	return st.conn
}

// dir returns the TLS state of a direction, made on first use: a
// connection that never carries a byte (a SYN flood) costs no dirState.
func (st *connState) dir(d pcap.Dir) *dirState {
	if st.dirs[d] == nil {
		st.dirs[d] = &dirState{}
		st.dirs[d].defrag.Max = st.a.maxMessage()
	}
	return st.dirs[d]
}

// side maps a pcap direction to the side that sent it.
func (st *connState) side(d pcap.Dir) Side {
	s := Client
	if d == pcap.ServerToClient {
		s = Server
	}
	if st.swapped {
		s = s.Peer()
	}
	return s
}

// dirOf maps a side to the pcap direction it sends in.
func (st *connState) dirOf(s Side) pcap.Dir {
	if st.side(pcap.ClientToServer) == s {
		return pcap.ClientToServer
	}
	return pcap.ServerToClient
}

func (st *connState) event(d pcap.Dir, kind EventKind, frame uint64, t time.Time, what string) {
	if len(st.events) >= st.a.opts.MaxEvents {
		st.c().EventsDropped++
		return
	}
	if len(st.events) == cap(st.events) {
		hello := st.clientHello.seen() || st.serverHello.seen()
		st.events = slices.Grow(st.events, eventsGrowth(cap(st.events), st.a.opts.MaxEvents, hello))
	}
	st.events = append(st.events, rawEvent{mark: newMark(frame, t), dir: d, kind: kind, what: what})
}

// eventsGrowth is how many more events a timeline of capacity n makes room
// for: 4 first (a refused SYN or a flood costs little), then 8 while no
// hello was seen (a connection closed before any TLS byte, as a connect
// scan's, has 5 or 6 events), room for a whole TLS handshake once one was
// (24: a mutual-TLS connection has about 20 events), then doubling up to
// max.
func eventsGrowth(n, max int, hello bool) int {
	switch {
	case n == 0:
		return min(4, max)
	case n < 8 && !hello:
		return min(8, max) - n
	case n < 24:
		return min(24, max) - n
	}
	return min(2*n, max) - n
}

func (st *connState) finding(code FindingCode, frame uint64, format string, args ...any) {
	if len(st.findings) >= 32 {
		return
	}
	st.findings = append(st.findings, Finding{Code: code, Frame: frame, Detail: fmt.Sprintf(format, args...)})
}

// noteClose records the first FIN or RST of a direction in at, with its
// timeline entry; later ones change nothing.
func (st *connState) noteClose(ev *pcap.Event, at *mark, m mark, kind EventKind, what string) {
	if !at.seen() {
		*at = m
		st.event(ev.Dir, kind, ev.Frame, ev.Time, what)
	}
}

func (st *connState) tcpEvent(ev *pcap.Event) {
	m := newMark(ev.Frame, ev.Time)
	switch ev.Kind {
	case pcap.EventSYN:
		st.syn, st.synCount = m, 1
		st.event(ev.Dir, EventTCP, ev.Frame, ev.Time, "SYN")
	case pcap.EventSYNRetransmit:
		st.synCount++
		st.event(ev.Dir, EventTCP, ev.Frame, ev.Time, "SYN (retransmission)")
	case pcap.EventSYNACK:
		st.synack = m
		st.event(ev.Dir, EventTCP, ev.Frame, ev.Time, "SYN-ACK")
		// A FIN or RST before the SYN-ACK ended an earlier attempt (for
		// example the client's RST to a stale ACK); the connection starts now.
		st.fin, st.rst = [2]mark{}, [2]mark{}
	case pcap.EventHandshakeACK:
		st.event(ev.Dir, EventTCP, ev.Frame, ev.Time, "ACK (TCP connection established)")
	case pcap.EventMidstream:
		st.midstream = true
		st.event(ev.Dir, EventNote, ev.Frame, ev.Time, "first packet is not a SYN: the connection began before the capture")
	case pcap.EventFIN:
		st.noteClose(ev, &st.fin[ev.Dir], m, EventFIN, "FIN")
	case pcap.EventRST:
		st.noteClose(ev, &st.rst[ev.Dir], m, EventRST, "RST")
	case pcap.EventGap:
		ds := st.dir(ev.Dir)
		if !ds.gap.seen() {
			ds.gap = m
		}
		ds.gapBytes += ev.GapBytes
		ds.gaps++
		if ev.GapBytes > 0 {
			st.event(ev.Dir, EventNote, ev.Frame, ev.Time, fmt.Sprintf("gap: %d bytes missing from the capture", ev.GapBytes))
		} else {
			st.event(ev.Dir, EventNote, ev.Frame, ev.Time, "gap: bytes missing from the capture")
		}
	case pcap.EventCut:
		ds := st.dir(ev.Dir)
		if !ds.cut.seen() {
			ds.cut = m
			st.event(ev.Dir, EventNote, ev.Frame, ev.Time, fmt.Sprintf("packet cut by the capture's snap length (%d payload bytes kept)", ev.Len))
		}
	case pcap.EventCapHit:
		st.finding(FindingCapHit, ev.Frame, "%s", ev.Detail)
	case pcap.EventOverlap:
		st.finding(FindingOverlapConflict, ev.Frame, "bytes at stream offset %d differ between frames %d and %d; frame %d's copy is the one read, as in Wireshark", ev.Offset, ev.KeptFrame, ev.Frame, ev.KeptFrame)
	case pcap.EventResync:
		if !st.resync[ev.Dir].seen() {
			st.resync[ev.Dir] = m
		}
		if ev.GapBytes > 0 {
			st.event(ev.Dir, EventNote, ev.Frame, ev.Time, fmt.Sprintf("TLS records found again after %d unreadable bytes (confirmed by the records that follow)", ev.GapBytes))
		}
	}
}

// data handles one framed unit and reports whether more payload is wanted.
func (st *connState) data(d *pcap.Data) bool {
	ds := st.dir(d.Dir)
	m := newMark(d.Frame, d.Time)
	if d.Opaque {
		return st.opaqueData(d)
	}
	if ds.broken {
		return false
	}
	if d.AfterGap && ds.records > 0 {
		st.endLostMessage(d.Dir)
	}
	ds.records++
	b := d.Bytes
	if b[0]&0x80 != 0 || st.version == tlsparse.VersionSSL20 {
		st.sslv2Record(d.Dir, m, b)
		return true
	}
	if d.BodySkipped > 0 {
		return st.passedOver(d.Dir, m, b, d.BodySkipped)
	}
	rec, err := tlsparse.ParseRecord(b)
	if err != nil {
		st.finding(FindingMalformedRecord, d.Frame, "%v", err)
		ds.broken = true
		return false
	}
	ds.lastRecLen, ds.lastRecMark = len(rec.Fragment), m
	missing := fragmentHoles(d.Missing)
	if len(missing) == 0 {
		if plain, typ, ok := st.decryptRecord(d.Dir, m, rec); ok {
			return st.clearRecord(d.Dir, m, rec, plain, typ)
		}
	} else if st.skipHoled(d.Dir, m, rec) {
		// It cannot be opened, but the direction is decrypted: it is read
		// on, as any decrypted one, for the records after the hole.
		st.record(d.Dir, m, rec, missing)
		return true
	}
	return st.record(d.Dir, m, rec, missing)
}

// record handles a record as the capture shows it (not decrypted), with
// the ranges of its fragment the capture lost, and reports whether more
// payload is wanted.
func (st *connState) record(dir pcap.Dir, m mark, rec tlsparse.Record, missing []tlsparse.Range) bool {
	switch rec.Type {
	case tlsparse.ContentChangeCipherSpec:
		st.ccsRecord(dir, m)
	case tlsparse.ContentAlert:
		if len(missing) > 0 {
			st.event(dir, EventAlert, m.frame, m.time(), "alert (its bytes were not captured)")
			break
		}
		st.alertRecord(dir, m, rec)
	case tlsparse.ContentHandshake:
		return st.handshakeRecord(dir, m, rec, missing)
	case tlsparse.ContentApplicationData:
		return st.appDataRecord(dir, m, rec)
	default:
		st.event(dir, EventTLS, m.frame, m.time(), fmt.Sprintf("%s record", rec.Type))
	}
	return true
}

// passedOver handles a record of which only the header was asked for
// (Analyzer.headOnly): application data of a decrypted direction past its
// bound, whose first record passed over was already seen whole. It is what
// data does with such a record after decryptRecord passed it over, without
// the checks headOnly made: its sequence number is used up, and it counts
// as application data. The record stands in with a fragment of zeros of
// its length, which is all that is read of it.
func (st *connState) passedOver(dir pcap.Dir, m mark, head []byte, skipped int) bool {
	rec := tlsparse.Record{Type: tlsparse.ContentType(head[0]), Version: tlsparse.Version(head[1])<<8 | tlsparse.Version(head[2]),
		Fragment: st.a.zeros[:len(head)-tlsparse.RecordHeaderLen+skipped]}
	ds := st.dir(dir)
	ds.lastRecLen, ds.lastRecMark = len(rec.Fragment), m
	st.keys.dirs[dir].dec.Skip(nil)
	return st.clearRecord(dir, m, rec, nil, tlsparse.ContentApplicationData)
}

// opaqueData counts bytes that are not TLS records, notes the first of
// them on the timeline if no record came before, and reports whether more
// payload is wanted: not once maxOpaque such bytes were seen.
func (st *connState) opaqueData(d *pcap.Data) bool {
	ds := st.dir(d.Dir)
	ds.opaque += uint64(len(d.Bytes))
	if ds.records == 0 && ds.opaque == uint64(len(d.Bytes)) {
		st.event(d.Dir, EventNote, d.Frame, d.Time, fmt.Sprintf("%d bytes that are not TLS", len(d.Bytes)))
	}
	return ds.opaque < maxOpaque
}

// endLostMessage is called when framing was lost in a hole and found
// again: a message begun before the hole ends there, with the rest of it
// missing, and is handled as it stands.
func (st *connState) endLostMessage(dir pcap.Dir) {
	ds := st.dir(dir)
	st.a.budget.Charge(-ds.defrag.Pending())
	if a := ds.defrag.Lost(); a != nil {
		st.handshake(dir, ds.lastRecMark, *a)
	}
}

// fragmentHoles returns the holes of a record, given relative to the
// record, relative to its fragment instead: a hole in the header alone is
// dropped, and one that starts in the header starts at the fragment.
func fragmentHoles(holes []pcap.Range) []tlsparse.Range {
	var missing []tlsparse.Range
	for _, r := range holes {
		if r.End > tlsparse.RecordHeaderLen {
			missing = append(missing, tlsparse.Range{Start: max(r.Start, tlsparse.RecordHeaderLen) - tlsparse.RecordHeaderLen, End: r.End - tlsparse.RecordHeaderLen})
		}
	}
	return missing
}

// ccsRecord handles a ChangeCipherSpec record: the first one of a
// direction before TLS 1.3 is kept and shown; in TLS 1.3 it is the
// middlebox-compatibility CCS, which means nothing.
func (st *connState) ccsRecord(dir pcap.Dir, m mark) {
	if st.tls13 {
		return // middlebox compatibility CCS: meaningless in TLS 1.3
	}
	if ds := st.dir(dir); !ds.ccs.seen() {
		ds.ccs = m
		ds.remember("ChangeCipherSpec", m)
		st.event(dir, EventTLS, m.frame, m.time(), "ChangeCipherSpec")
	}
}

// handshakeRecord handles a handshake record and reports whether more
// payload is wanted. After ChangeCipherSpec the record is the encrypted
// Finished; before it, its messages are reassembled and handled. The
// direction stops being read when the buffer budget, the message cap or a
// malformed message ends what can be read from it.
func (st *connState) handshakeRecord(dir pcap.Dir, m mark, rec tlsparse.Record, missing []tlsparse.Range) bool {
	ds := st.dir(dir)
	if ds.ccs.seen() {
		if !ds.finished.seen() {
			ds.finished = m
			ds.remember("Finished", m)
			st.event(dir, EventTLS, m.frame, m.time(), "encrypted handshake message (Finished)")
		}
		return true
	}
	before := ds.defrag.Pending()
	// The analyzer's slice for the messages, taken while they are read
	// (a nested call makes its own) and cleared after, so that it keeps
	// no message, and no record under one, of this connection.
	msgs, err := ds.defrag.AppendPartial(st.a.msgs, rec.Fragment, missing)
	st.a.msgs = nil
	over := st.a.budget.Charge(ds.defrag.Pending() - before)
	// The messages this record completed are read whatever happens to
	// the one it began.
	for _, msg := range msgs {
		st.handshake(dir, m, msg)
	}
	clear(msgs)
	st.a.msgs = msgs[:0]
	if over {
		// The bytes buffered across all connections reached their
		// budget while the unfinished message grew: drop it and stop
		// reading this direction.
		st.a.budget.Charge(-ds.defrag.Pending())
		st.a.budget.Hit()
		ds.defrag = tlsparse.Defragmenter{}
		st.capped, st.budgetHit = true, true
		st.finding(FindingCapHit, m.frame, "the %d bytes buffered across all connections (--max-buffer-total) were reached while a handshake message of this connection was read; its direction stopped being read", st.a.budget.Max())
		ds.broken = true
		return false
	}
	if err == nil {
		return true
	}
	ds.broken = true
	if pe := (*tlsparse.ParseError)(nil); errors.As(err, &pe) && errors.Is(err, tlsparse.ErrTooLarge) && !strings.HasPrefix(pe.Type.String(), "unknown(") {
		// A message of a known type longer than the buffer cap is not
		// read: the cap, not the peer, stops the analysis here. (An
		// unknown type with a huge length is malformed, below.)
		st.capped = true
		st.finding(FindingCapHit, m.frame, "a handshake message declares more than the %d bytes a message may buffer (--max-buffer); it is not read", st.a.maxMessage())
		return false
	}
	st.finding(FindingMalformedHandshake, m.frame, "%v", err)
	return false
}

// appDataRecord handles an application data record and reports whether
// more payload is wanted. While a TLS 1.3 handshake is hidden, the record
// belongs to it; after, it is counted as application data.
func (st *connState) appDataRecord(dir pcap.Dir, m mark, rec tlsparse.Record) bool {
	if st.tls13 && !st.tls13Done() {
		st.tls13Record(dir, m)
		return true
	}
	return st.markAppData(dir, m, rec)
}

// markAppData records an application data record of dir and reports
// whether more payload is wanted.
func (st *connState) markAppData(dir pcap.Dir, m mark, rec tlsparse.Record) bool {
	ds := st.dir(dir)
	if !ds.appData.seen() {
		ds.appData = m
		st.event(dir, EventTLS, m.frame, m.time(), "application data")
	}
	ds.appRecords++
	ds.appBytes += uint64(len(rec.Fragment))
	// Once both directions carried application data, nothing in the
	// payload can change the verdict: stop buffering this direction.
	other := st.dir(1 - dir)
	return !(other.appData.seen())
}

func (st *connState) alertRecord(dir pcap.Dir, m mark, rec tlsparse.Record) {
	ds := st.dir(dir)
	ra := &rawAlert{dir: dir, mark: m}
	al, err := tlsparse.ParseAlert(rec.Fragment)
	if ds.ccs.seen() || err != nil {
		ra.encrypted = true
		ra.name = "encrypted_alert"
		if ds.appData.seen() || st.dir(1-dir).appData.seen() || st.midstream && !st.clientHello.seen() && !st.serverHello.seen() {
			// After application data, or in a session already established
			// when the capture started, an alert is almost always the
			// close_notify that ends the session; its level is encrypted too.
			ra.closeNotify = true
			st.event(dir, EventAlert, m.frame, m.time(), "encrypted alert (most likely close_notify)")
		} else {
			st.event(dir, EventAlert, m.frame, m.time(), "encrypted alert")
		}
	} else {
		st.clearAlert(dir, m, al, false)
		return
	}
	st.keepAlert(ra)
}

// clearAlert records an alert whose level and description are known: sent
// in the clear, or decrypted with the key log (encrypted on the wire).
func (st *connState) clearAlert(dir pcap.Dir, m mark, al tlsparse.Alert, decrypted bool) {
	ra := &rawAlert{dir: dir, mark: m, level: al.Level, code: al.Description, name: al.Description.String(), decrypted: decrypted}
	what := fmt.Sprintf("alert %s %s", al.Level, al.Description)
	if decrypted {
		what += " (decrypted)"
	}
	st.event(dir, EventAlert, m.frame, m.time(), what)
	st.keepAlert(ra)
}

// keepAlert keeps the first fatal (or encrypted) alert; a warning
// (close_notify included) is kept only until a fatal one comes.
func (st *connState) keepAlert(ra *rawAlert) {
	if st.alert == nil || (st.alert.level == 1 && ra.level != 1) {
		st.alert = ra
	}
}

// handshake handles one handshake message, which may miss bytes.
func (st *connState) handshake(dir pcap.Dir, m mark, a tlsparse.Assembled) {
	ds := st.dir(dir)
	msg := a.Raw
	typ := tlsparse.HandshakeType(msg[0])
	if !a.Complete() {
		st.noteTranscript(a) // the session hash of an RSA key exchange cannot be had
		st.partialHandshake(dir, m, a)
		ds.setMsg(Message{Type: typ}, m)
		return
	}
	st.noteTranscript(a)
	if typ == tlsparse.TypeClientKeyExchange && st.side(dir) == Client {
		st.rsaExchange(m, msg[tlsparse.HandshakeHeaderLen:])
	}
	if st.cachedHandshake(dir, m, typ, msg) {
		return
	}
	parsed, err := tlsparse.ParseHandshake(msg, st.version)
	if err != nil {
		st.finding(FindingMalformedHandshake, m.frame, "%s: %v", typ, err)
		st.event(dir, EventTLS, m.frame, m.time(), fmt.Sprintf("%s (malformed: %v)", typ, err))
		ds.setMsg(Message{Type: typ}, m)
		return
	}
	what, msgType := typ.String(), typ
	switch h := parsed.(type) {
	case *tlsparse.ClientHello:
		what = st.noteClientHello(dir, m, h)
	case *tlsparse.ServerHello:
		if h.IsHelloRetryRequest() {
			what, msgType = st.noteHelloRetryRequest(m, h), tlsparse.TypeHelloRetryRequest
			break
		}
		what = st.noteServerHello(m, h)
	case *tlsparse.Certificate:
		cm := st.certMsgOf(h)
		st.a.certMsgs.put(msg, st.version, cm)
		what = st.noteCertificate(dir, m, cm)
	case *tlsparse.CertificateRequest:
		rm := certReqMsg{cr: newCertificateRequest(h),
			what: fmt.Sprintf("CertificateRequest (%s)", english.Plural(len(h.CertificateAuthorities), "CA name", "CA names"))}
		st.a.certReqs.put(msg, st.version, rm)
		what = st.noteCertificateRequest(m, rm)
	}
	ds.setMsg(Message{Type: msgType}, m)
	st.event(dir, EventTLS, m.frame, m.time(), what)
}

// cachedHandshake handles msg, a whole message, from what was made of the
// same bytes on an earlier connection, and reports whether it could.
func (st *connState) cachedHandshake(dir pcap.Dir, m mark, typ tlsparse.HandshakeType, msg []byte) bool {
	var what string
	switch typ {
	case tlsparse.TypeCertificate:
		cm, ok := st.a.certMsgs.get(msg, st.version)
		if !ok {
			return false
		}
		what = st.noteCertificate(dir, m, cm)
	case tlsparse.TypeCertificateRequest:
		rm, ok := st.a.certReqs.get(msg, st.version)
		if !ok {
			return false
		}
		what = st.noteCertificateRequest(m, rm)
	default:
		return false
	}
	st.dir(dir).setMsg(Message{Type: typ}, m)
	st.event(dir, EventTLS, m.frame, m.time(), what)
	return true
}

// noteCertificateRequest records the CertificateRequest received in m and
// returns its timeline entry.
func (st *connState) noteCertificateRequest(m mark, rm certReqMsg) string {
	st.certReq = m
	cr := rm.cr
	cr.Frame = m.frame
	st.c().CertificateRequest = &cr
	return rm.what
}

// noteClientHello records what a ClientHello tells: the first one fixes
// the client (it may swap the roles pcap guessed), and each one before a
// HelloRetryRequest gives the highest version offered and the SNI. A
// second ClientHello, after a HelloRetryRequest, changes nothing. It
// returns the timeline line.
func (st *connState) noteClientHello(dir pcap.Dir, m mark, h *tlsparse.ClientHello) string {
	if st.clientHello.seen() && st.hrr.seen() {
		return fmt.Sprintf("second ClientHello, after the HelloRetryRequest (up to %s)", h.MaxVersion())
	}
	if !st.clientHello.seen() {
		st.clientHello, st.clientHelloBy = m, dir
		st.clientRandom = bytes.Clone(h.Random)
		if !st.fromSYN && dir == pcap.ServerToClient {
			st.swapped = !st.swapped
		}
	}
	st.clientMax, st.sni = h.MaxVersion(), h.ServerName
	what := st.a.lines.line(lineKey{kind: lineClientHello, a: uint16(h.MaxVersion()), n: len(h.CipherSuites), s: h.ServerName}, func() string {
		what := fmt.Sprintf("ClientHello (up to %s, %s", h.MaxVersion(), english.Plural(len(h.CipherSuites), "cipher suite", "cipher suites"))
		if h.ServerName != "" {
			what += ", SNI " + h.ServerName
		}
		return what + ")"
	})
	for _, f := range h.Findings {
		st.finding(FindingCode(f.Code), m.frame, "%s", f.Detail)
	}
	return what
}

// noteHelloRetryRequest records a HelloRetryRequest and returns its
// timeline line. RFC 8446 section 4.1.4: TLS 1.3 from here on, so the
// middlebox-compatibility ChangeCipherSpec that may follow, and the
// client's, mean nothing, and the second ClientHello and the real
// ServerHello are plaintext handshake messages.
func (st *connState) noteHelloRetryRequest(m mark, h *tlsparse.ServerHello) string {
	st.hrr = m
	st.tls13 = true
	st.c().HelloRetryRequest = true
	what := fmt.Sprintf("HelloRetryRequest (%s", h.CipherSuite)
	if h.KeyShare.Group != 0 {
		what += ", asks for a key share for " + h.KeyShare.Group.String()
	}
	return what + ")"
}

// noteServerHello records the version, cipher suite and ALPN protocol a
// ServerHello chose, and whether the handshake is TLS 1.3 (a draft
// version, 0x7fXX, included), whose certificates the capture cannot show.
// It returns the timeline line.
func (st *connState) noteServerHello(m mark, h *tlsparse.ServerHello) string {
	st.serverHello = m
	st.version = h.Version()
	st.serverRandom, st.suite = bytes.Clone(h.Random), uint16(h.CipherSuite)
	st.extendedMasterSecret = h.ExtendedMasterSecret
	for _, e := range h.Extensions {
		st.encryptThenMAC = st.encryptThenMAC || e.Type == tlsparse.ExtEncryptThenMAC
	}
	st.c().TLSVersion = st.version.String()
	st.c().CipherSuite = h.CipherSuite.String()
	st.c().ALPN = h.ALPNProtocol
	st.tls13 = st.version == tlsparse.VersionTLS13 || (st.version>>8 == 0x7f)
	if st.tls13 {
		st.c().CertificatesHidden = true
	}
	return st.a.lines.line(lineKey{kind: lineServerHello, a: uint16(st.version), b: uint16(h.CipherSuite)}, func() string {
		return fmt.Sprintf("ServerHello (%s, %s)", st.version, h.CipherSuite)
	})
}

// noteCertificate keeps the certificates of a Certificate message (as many
// as there is room for) and returns the timeline line, which names the
// first maxNames of them. An empty one answers a CertificateRequest with
// no certificate, which is what the verdict looks at.
func (st *connState) noteCertificate(dir pcap.Dir, m mark, cm certMsg) string {
	st.dir(dir).certMsg = m
	if len(cm.infos) == 0 {
		if st.certReq.seen() {
			st.emptyCert = m
		}
		return cm.what
	}
	// SentBy holds the pcap direction until finish knows the roles
	// (a ClientHello may still swap them) and turns it into a Side.
	side := dir
	if c := st.c(); c.Certificates == nil {
		// room for the peer's chain too, as mutual TLS sends one
		c.Certificates = make([]Certificate, 0, min(2*len(cm.infos), maxCertificates))
	}
	for i, info := range cm.infos {
		if !st.room() {
			continue
		}
		st.c().Certificates = append(st.c().Certificates, Certificate{SentBy: Side(side), Index: i, Frame: m.frame, Time: m.time(), Info: info})
	}
	return cm.what
}

// certMsgOf parses the certificates of a Certificate message (through the
// analyzer's certinfo.Cache) and writes its timeline entry.
func (st *connState) certMsgOf(h *tlsparse.Certificate) certMsg {
	ders := h.DER()
	if len(ders) == 0 {
		return certMsg{what: "Certificate (empty: no certificate)"}
	}
	cm := certMsg{infos: make([]*certinfo.Info, len(ders))}
	names := make([]string, 0, min(len(ders), maxNames))
	for i, der := range ders {
		cm.infos[i] = st.a.cache.Get(der)
		if len(names) < maxNames {
			names = append(names, certLabel(cm.infos[i]))
		}
	}
	cm.what = fmt.Sprintf("Certificate (%s: %s%s)", english.Plural(len(ders), "certificate", "certificates"), strings.Join(names, "; "), more(len(ders), len(names)))
	return cm
}

// newCertificateRequest is the CertificateRequest a server sent, as the
// report shows it: certificate types and signature algorithms by name,
// and the CA names it lists as distinguished names (those that cannot be
// read are counted in Unreadable).
func newCertificateRequest(h *tlsparse.CertificateRequest) CertificateRequest {
	cr := CertificateRequest{Length: h.AuthoritiesLength}
	for _, t := range h.CertificateTypes {
		cr.CertificateTypes = append(cr.CertificateTypes, certTypeName(t))
	}
	for _, s := range h.SignatureAlgorithms {
		cr.SignatureAlgorithms = append(cr.SignatureAlgorithms, s.String())
	}
	for _, raw := range h.CertificateAuthorities {
		dn, err := certinfo.FormatDN(raw)
		if err != nil {
			cr.Unreadable++
			continue
		}
		cr.CertificateAuthorities = append(cr.CertificateAuthorities, dn)
	}
	return cr
}

// partialHandshake handles a handshake message some of whose bytes the
// capture lost. Only a Certificate message is read from such bytes: every
// certificate whose bytes are all present, in its place in the chain, and
// the partly missing ones with what their first bytes show. Nothing is
// guessed from any other message.
func (st *connState) partialHandshake(dir pcap.Dir, m mark, a tlsparse.Assembled) {
	typ := tlsparse.HandshakeType(a.Raw[0])
	lost := fmt.Sprintf("%d of its %d bytes not captured", a.MissingBytes(), len(a.Raw))
	if ds := st.dir(dir); len(ds.partial) < 4 {
		ds.partial = append(ds.partial, typ.String()+" message")
	}
	if typ != tlsparse.TypeCertificate {
		st.event(dir, EventTLS, m.frame, m.time(), fmt.Sprintf("%s (%s)", typ, lost))
		return
	}
	ds := st.dir(dir)
	ds.certMsg = m
	pc, err := tlsparse.ParsePartialCertificate(a.Raw, a.Missing, st.version)
	if err != nil {
		st.finding(FindingMalformedHandshake, m.frame, "%s: %v", typ, err)
		st.event(dir, EventTLS, m.frame, m.time(), fmt.Sprintf("Certificate (%s; malformed: %v)", lost, err))
		return
	}
	side := Side(dir) // the pcap direction until finish knows the roles
	var names []string
	for _, e := range pc.Entries {
		if !st.room() {
			continue
		}
		if e.CertData != nil {
			info := st.a.cache.Get(e.CertData)
			st.c().Certificates = append(st.c().Certificates, Certificate{SentBy: side, Index: e.Index, Frame: m.frame, Time: m.time(), Info: info})
			names = append(names, certLabel(info))
			continue
		}
		p := PartialCertificate{SentBy: side, Index: e.Index, Frame: m.frame, Time: m.time(), Length: e.Length}
		for _, r := range e.Missing {
			p.Missing = append(p.Missing, ByteRange{r.Start, r.End})
		}
		if len(e.Present) > 0 {
			// The tolerant reader walks a certificate cut short as far as
			// its bytes go; only the fields it reached are kept.
			info := certinfo.Parse(e.Present)
			p.Subject, p.Issuer, p.Serial = info.Subject, info.Issuer, info.Serial
		}
		st.c().PartialCertificates = append(st.c().PartialCertificates, p)
		names = append(names, fmt.Sprintf("certificate %d partly missing (bytes %d-%d of %d not captured)", e.Index+1, e.Missing[0].Start, e.Missing[len(e.Missing)-1].End, e.Length))
	}
	what := fmt.Sprintf("Certificate (%s", lost)
	if len(names) > 0 {
		what += ": " + strings.Join(names, "; ")
	}
	if pc.LostAt >= 0 && !slices.Contains(st.c().CertificatesLost, side) {
		st.c().CertificatesLost = append(st.c().CertificatesLost, side)
		what += fmt.Sprintf("; the certificates from byte %d on cannot be delimited", pc.LostAt)
	}
	st.event(dir, EventTLS, m.frame, m.time(), what+")")
}

// maxCertificates bounds the certificates (whole and partial) kept per
// connection: a handful of chains is what TLS sends; a peer that sends
// Certificate messages for ever is counted, not kept.
const maxCertificates = 64

// maxNames bounds the certificate names one timeline line lists.
const maxNames = 8

// room reports whether one more certificate may be kept, and counts it as
// dropped otherwise.
func (st *connState) room() bool {
	if len(st.c().Certificates)+len(st.c().PartialCertificates) < maxCertificates {
		return true
	}
	st.c().CertificatesDropped++
	return false
}

// more is ", and N more" when shown of total were listed.
func more(total, shown int) string {
	if total > shown {
		return fmt.Sprintf(", and %d more", total-shown)
	}
	return ""
}

// sslv2Record handles an SSLv2-format record.
func (st *connState) sslv2Record(dir pcap.Dir, m mark, b []byte) {
	ds := st.dir(dir)
	ds.sslv2 = true
	if ch, err := tlsparse.ParseSSLv2ClientHello(b); err == nil {
		if !st.clientHello.seen() {
			st.clientHello, st.clientHelloBy = m, dir
			if !st.fromSYN && dir == pcap.ServerToClient {
				st.swapped = !st.swapped
			}
		}
		st.clientMax = ch.MaxVersion()
		ds.setMsg(Message{Type: tlsparse.TypeClientHello}, m)
		st.event(dir, EventTLS, m.frame, m.time(), fmt.Sprintf("SSLv2-format ClientHello (up to %s)", ch.MaxVersion()))
		return
	}
	if sh, err := tlsparse.ParseSSLv2ServerHello(b); err == nil {
		st.serverHello = m
		st.version = tlsparse.VersionSSL20
		st.c().TLSVersion = st.version.String()
		ds.setMsg(Message{Type: tlsparse.TypeServerHello, SSLv2: true}, m)
		what := "SSLv2 ServerHello"
		if len(sh.Certificate) > 0 && st.room() {
			info := st.a.cache.Get(sh.Certificate)
			st.c().Certificates = append(st.c().Certificates, Certificate{SentBy: Side(dir), Index: 0, Frame: m.frame, Time: m.time(), Info: info})
			ds.certMsg = m
			what += " (certificate: " + certLabel(info) + ")"
		}
		st.event(dir, EventTLS, m.frame, m.time(), what)
		return
	}
	if st.serverHello.seen() && st.version == tlsparse.VersionSSL20 {
		// After SERVER-HELLO: CLIENT-MASTER-KEY, then records encrypted
		// with the session keys (the rest of the handshake, then data).
		if ds.sslv2After == 0 {
			ds.sslv2First = m
		}
		ds.sslv2After++
		if ds.sslv2After > 1 {
			return // the timeline shows the first; the count tells the rest
		}
	}
	st.event(dir, EventTLS, m.frame, m.time(), "SSLv2 record")
}

// looksTLS reports whether the bytes of the connection were TLS: a hello
// was parsed (TLS or SSLv2), or a direction carried a TLS record (in a
// session whose handshake was not captured, a record is only taken where
// the records after it, or the end of the direction, confirm it; see
// pcap.Options.SyncFramer). Records found after bytes that are not TLS
// (an HTTP body holds such bytes by chance) count only with a hello: that
// is STARTTLS. SSLv2-format records alone do not count: random bytes often
// look like their 2-byte headers.
func (st *connState) looksTLS() bool {
	if st.clientHello.seen() || st.serverHello.seen() || st.hrr.seen() {
		return true
	}
	for _, ds := range st.dirs {
		if ds != nil && ds.records > 0 && ds.opaque == 0 && !ds.broken && !ds.sslv2 {
			return true
		}
	}
	return false
}

// tls13Record tracks encrypted records while a TLS 1.3 handshake is hidden.
func (st *connState) tls13Record(dir pcap.Dir, m mark) {
	st.count13(dir, m)
	if st.dir(dir).enc13 > 1 {
		return
	}
	if st.side(dir) == Server {
		st.event(dir, EventTLS, m.frame, m.time(), "encrypted handshake (EncryptedExtensions … Finished; certificates not visible)")
	} else {
		st.event(dir, EventTLS, m.frame, m.time(), "encrypted handshake (client Finished, and Certificate if asked)")
	}
}

// tls13Done reports whether a TLS 1.3 handshake is over as far as the
// records show: the client's encrypted flight followed the server's, and a
// later record came from each side.
func (st *connState) tls13Done() bool {
	srv, cli := st.dir(st.dirOf(Server)), st.dir(st.dirOf(Client))
	return srv.enc13 > 0 && cli.enc13 > 0 && cli.enc13First.frame > srv.enc13First.frame && srv.lastRecMark.frame > cli.enc13First.frame
}

func certLabel(info *certinfo.Info) string {
	if info.SubjectCN != "" {
		return "CN=" + info.SubjectCN
	}
	if info.Subject != "" {
		return info.Subject
	}
	return "unreadable certificate"
}

func certTypeName(t uint8) string {
	switch t {
	case 1:
		return "rsa_sign"
	case 2:
		return "dss_sign"
	case 3:
		return "rsa_fixed_dh"
	case 4:
		return "dss_fixed_dh"
	case 64:
		return "ecdsa_sign"
	case 65:
		return "rsa_fixed_ecdh"
	case 66:
		return "ecdsa_fixed_ecdh"
	}
	return fmt.Sprintf("unknown(%d)", t)
}
