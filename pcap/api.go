package pcap

import (
	"net/netip"
	"time"
)

// Framer looks at the start of the buffered, in-order bytes of one direction of
// a connection and decides how they split into units:
//
//   - n > 0: the next unit is n bytes long; it is delivered once n bytes are buffered.
//   - n == 0: more bytes are needed to decide.
//   - n < 0: the first -n bytes are not framable (for example STARTTLS plaintext
//     before the TLS records); they are delivered as one opaque unit.
//
// A TLS framer returns the record length from the 5-byte record header.
type Framer func(b []byte) int

// Dir is the direction of a packet or a unit within a connection.
type Dir uint8

const (
	// ClientToServer is the direction from Conn.Client to Conn.Server.
	ClientToServer Dir = iota
	// ServerToClient is the direction from Conn.Server to Conn.Client.
	ServerToClient
)

// RoleSource tells how the reader decided which end is the client.
type RoleSource uint8

const (
	// RoleFromSYN: the client sent the SYN (or, without a SYN, the server sent SYN-ACK).
	RoleFromSYN RoleSource = iota
	// RoleFromPort: no SYN was seen; the end on a watched port is the server.
	RoleFromPort
	// RoleGuessed: no SYN and no watched port; the lower port is the server.
	RoleGuessed
)

// Conn identifies one TCP connection. A SYN on a tracked 4-tuple with a
// different initial sequence number (or from the other end) ends the old Conn
// and starts a new one; a repeated SYN with the same ISN is a retransmission.
// A packet on a 4-tuple whose Conn has been ended starts a new Conn, unless
// it comes within Options.QuietTime of a closed Conn's last packet
// (CaptureInfo.LatePackets) or after the Conn was evicted
// (CaptureInfo.EvictedPackets) and is not a SYN.
type Conn struct {
	ID     uint64         // 1-based, in order of the connection's first packet in the file
	Client netip.AddrPort // the end that opened the connection (see Roles)
	Server netip.AddrPort
	Roles  RoleSource
	// FirstFrame and FirstTime are those of the connection's first packet.
	FirstFrame uint64
	FirstTime  time.Time
	// ClientISN is the client's initial sequence number, known (ISNKnown)
	// from its SYN, or from the acknowledgment in the server's SYN-ACK when
	// only that was captured. ServerISN is the server's, from its SYN-ACK
	// (0 when that was not captured). Captures of the same connection taken
	// on both ends show the same ISNs, which is how they are matched.
	ClientISN, ServerISN uint32
	ISNKnown             bool
}

// EventKind is a TCP-level event on a connection.
type EventKind uint8

const (
	EventSYN            EventKind = iota + 1 // SYN without ACK (the first one; retransmissions are EventSYNRetransmit)
	EventSYNRetransmit                       // the same SYN again (same ISN)
	EventSYNACK                              // SYN+ACK (retransmissions are EventRetransmission)
	EventHandshakeACK                        // the client's first ACK of the server's SYN (a bare ACK, or the first data if the ACK was not captured)
	EventMidstream                           // the first packet seen is not a SYN: the connection began before the capture
	EventFIN                                 // a FIN (the first from that direction)
	EventRST                                 // the first RST from a direction
	EventRetransmission                      // a segment whose bytes were all seen already (also a repeated SYN-ACK)
	EventOutOfOrder                          // a segment that arrived ahead of a missing one
	EventOverlap                             // a segment that re-sends bytes already captured (held, or the last two segments delivered) with different content; the first copy is kept
	EventGap                                 // bytes that will never be seen; Event.GapBytes says how many
	EventCut                                 // a segment of this connection was cut short by the capture's snaplen
	EventCapHit                              // a buffering limit was hit; Event.Detail says which
	EventResync                              // framing resumed after a gap at a boundary the following units confirm; GapBytes is how many bytes were skipped to find it
)

// Event is one TCP-level event of a tracked connection.
type Event struct {
	Conn     *Conn
	Kind     EventKind
	Dir      Dir
	Frame    uint64
	Time     time.Time
	Seq      uint32 // the segment's sequence number
	Len      int    // payload bytes in the segment (as captured)
	GapBytes uint64 // for EventGap and EventCut: how many bytes are missing or dropped; for EventResync: how many were skipped
	Detail   string // free text for EventCapHit and similar
	// For EventOverlap: the stream offset of the first differing byte and
	// the frame whose copy of it is kept (the first captured).
	Offset    uint64
	KeptFrame uint64
}

// Range is a byte range [Start, End) within a unit.
type Range struct{ Start, End int }

// Data is one framed unit of in-order bytes from one direction.
type Data struct {
	Conn *Conn
	Dir  Dir
	// Bytes are the unit's bytes, valid only until Data returns: they are
	// the packet as read, or a buffer the reader reuses. A Handler that
	// keeps any of them copies them.
	Bytes      []byte
	Opaque     bool   // the Framer rejected these bytes (n < 0)
	Offset     uint64 // stream offset of Bytes[0] from the first payload byte of this direction
	FirstFrame uint64 // frame that carried Bytes[0]
	Frame      uint64 // frame that completed the unit
	Time       time.Time
	// AfterGap is set on the first unit after framing was lost (a gap that
	// hid a unit boundary, then EventResync), and on the first unit of a
	// direction whose first bytes were not captured (after EventMidstream or
	// a missing SYN-ACK). A gap that falls inside one unit does not set it:
	// that unit is delivered with Missing, and the next one is framed as usual.
	AfterGap bool
	// BodySkipped is how many bytes of the unit follow Bytes and are not
	// given (Options.HeadOnly asked for its first bytes only); 0 otherwise.
	BodySkipped int
	// Missing lists the byte ranges of Bytes that the capture does not have,
	// in order; they are zero in Bytes. The unit's start (where the Framer
	// read its length) was always captured.
	Missing []Range
}

// Passed is a run of units of one direction that Options.HeadOnly passed
// over whole, in order: how many, their bytes, and the last of them.
type Passed struct {
	Dir   Dir
	Units uint64
	Bytes uint64    // the units' lengths, as the Framer gave them
	Len   int       // the last unit's length
	Frame uint64    // the frame that gave the last unit's last byte read (as Data.Frame)
	Time  time.Time // and its time
}

// ConnStats counts what the reader saw on a connection, per direction (index Dir).
type ConnStats struct {
	Packets     [2]uint64
	Bytes       [2]uint64 // TCP payload bytes seen (captured length), retransmissions excluded
	Undelivered [2]uint64 // payload bytes counted but not delivered (after Data returned false)
	Retransmits [2]uint64
	OutOfOrder  [2]uint64
	Gaps        [2]uint64
	CutSegments [2]uint64
	Skipped     [2]uint64 // bytes seen but dropped: partial units at a gap, bytes before a resynchronisation
	Pending     [2]uint64 // bytes of an incomplete unit left at End
	LastFrame   uint64
	LastTime    time.Time
	CapHit      bool // a per-direction buffer cap was hit on this connection
	// BudgetHit is set when a direction stopped being read because the
	// Budget across all connections was reached (CapHit is set too).
	BudgetHit bool
	// Evicted is set when the connection was ended early, still open,
	// because MaxConns connections were tracked at once. Its later packets
	// are counted in CaptureInfo.EvictedPackets, not taken for a new Conn
	// (for the last 65,536 connections evicted).
	Evicted bool

	// Evidence of which end is the capture host (package diagnose weighs it).
	// TTL is the IPv4 TTL or IPv6 hop limit of the direction's first packet;
	// TTLChanged is set when a later packet of the direction had another.
	TTL        [2]uint8
	TTLChanged [2]bool
	// ChecksumChecked counts the segments whose TCP checksum was verified
	// (the first MaxChecksumChecks whole ones of at most MaxChecksumIPLen
	// bytes) and ChecksumBad those that were wrong: a host with
	// transmit-checksum offload captures its own segments before the NIC
	// fills their checksum in.
	ChecksumChecked [2]uint8
	ChecksumBad     [2]uint8
	// Reaction is the shortest time from a new segment of the other
	// direction to the first packet of this direction that acknowledged it,
	// as captured, and Reactions how many such pairs there were. The
	// capture host's own reactions take its processing time only; the
	// peer's also take the round trip from the capture point.
	Reaction  [2]time.Duration
	Reactions [2]uint32
	// HandshakeReaction is the direction's reaction in the TCP handshake:
	// SYN→SYN-ACK for the server, SYN-ACK→ACK for the client; set when
	// HandshakeReacted is (not when a SYN or SYN-ACK was retransmitted).
	HandshakeReaction [2]time.Duration
	HandshakeReacted  [2]bool
}

// Handler receives what the reader finds. Calls come in capture order from
// the goroutine that called Read. The *Event and *Data are the reader's and
// valid only during the call (the reader reuses them, not to allocate two
// objects per unit): a Handler that keeps one keeps a copy. Data.Bytes and
// Data.Missing are the Handler's to keep. *Conn and *ConnStats are the
// reader's too (ConnStats is final when End is called).
type Handler interface {
	// Event reports a TCP-level event.
	Event(ev *Event)
	// Data delivers the next unit of one direction. Returning false stops
	// delivery of payload for that direction; the reader keeps counting bytes
	// and reporting FIN and RST.
	Data(d *Data) bool
	// End is called once per connection when it is finished: after FIN/RST and
	// quiet time, when its 4-tuple is reused, when it is evicted, or at the end
	// of the capture.
	End(c *Conn, st *ConnStats)
}

// Options control reading.
type Options struct {
	// Ports are the TCP ports whose connections are tracked (either end).
	// Empty means 5061, unless AnyPort is set.
	Ports []uint16
	// AnyPort tracks every TCP connection; the Framer decides what is TLS.
	AnyPort bool
	// Framer cuts each direction into units. Required.
	Framer Framer
	// ConnFramer, if set, is asked once per direction of each new Conn for
	// the Framer of that direction (nil: Framer), so that framing can follow
	// what the caller learned of the connection (for siptls: SSL 2.0
	// records once an SSLv2 hello was seen).
	ConnFramer func(c *Conn, d Dir) Framer
	// SyncFramer frames candidate units where framing resumes after a gap
	// that hid a unit boundary, or in a direction whose start was not
	// captured (nil: Framer). It should look only at the first bytes of its
	// input and accept only what is clearly a unit start (for TLS, a record
	// header and not, say, an SSLv2 header that random bytes often resemble):
	// a boundary is taken only when the unit it frames is followed by
	// another one it also accepts, or ends exactly where the direction ends.
	SyncFramer Framer
	// MaxConns caps the connections tracked at once (0: DefaultMaxConns). When the
	// cap is hit the least recently active connection is ended early.
	MaxConns int
	// MaxBuffer caps the bytes held per direction: out-of-order segments plus
	// an incomplete unit (0: 256 KiB). A unit larger than this is delivered as
	// a gap, never silently.
	MaxBuffer int
	// Budget bounds the bytes buffered across all connections (nil: a
	// Budget of DefaultMaxBufferTotal for this Read). A direction whose
	// growth takes it over the budget stops being buffered, with EventCapHit.
	Budget *Budget
	// NoPrefetch reads the input (and decompresses it) in the goroutine
	// that calls Read. By default a goroutine of its own reads ahead, splits
	// the records and decodes the packets (and another decompresses), which
	// puts a second core to work on one capture; a caller
	// that already reads several captures at once keeps its cores busy
	// without it, and spares the hand-over between goroutines.
	NoPrefetch bool
	// Linger is how long, in capture time, a closed connection (FIN both
	// ways or RST) stays tracked after its last packet before End is called
	// (0: DefaultLinger, 3 s: the packets in flight when it closed, and a
	// retransmitted FIN). Capture time is the latest timestamp read so
	// far: a packet stamped before one read earlier does not take it back.
	// It is at most QuietTime.
	Linger time.Duration
	// HeadOnly, if set, is asked at the start of each unit the Framer
	// framed, with the unit's first bytes (at least those the Framer read,
	// at most the unit), how many of them the Handler needs: 0 for the
	// whole unit; k > 0, less than the unit, to be given only its first k
	// bytes (Data.BodySkipped says how many follow), the rest being passed
	// over as it arrives, never buffered; k < 0 (with Passed set), the
	// whole unit passed over without a Data call: counted, and told to
	// Passed. siptls uses it for the records of a decrypted direction past
	// its decryption bound, whose headers alone still count (alerts among
	// them) and whose bodies are not needed. The first unit after a gap is
	// never passed over whole: k < 0 gives it whole.
	HeadOnly func(c *Conn, d Dir, head []byte) int
	// Passed, with HeadOnly, is told of the units HeadOnly passed over
	// whole, a run of them at a time, before anything else of their
	// connection is given to the Handler (a Data, an Event, End).
	Passed func(c *Conn, p *Passed)
	// PassAgain, if set, saves asking HeadOnly again: once HeadOnly passed
	// a unit over whole, the direction's next units are passed over whole
	// without asking while PassAgain(prev, head) holds, prev being the
	// first bytes (up to 8) of the unit HeadOnly passed over, and until
	// anything of the connection reaches the Handler (a Data, an Event,
	// Passed, End). It says which units HeadOnly would surely answer alike
	// (siptls: application data records too long to be alerts).
	PassAgain func(prev, head []byte) bool
	// TLSKeys, if set, receives the TLS key log (NSS format) of each pcapng
	// Decryption Secrets Block, as `editcap --inject-secrets` embeds it,
	// when the reader meets it: before the packets it decrypts.
	TLSKeys func(log []byte)
	// QuietTime is how long, in capture time, the 4-tuple of a closed
	// connection that was ended is remembered after its last packet (0:
	// DefaultQuietTime): its late packets (retransmissions, last ACKs) are
	// counted in CaptureInfo.LatePackets, and only a new SYN starts a new
	// Conn on it. Later packets of its 4-tuple start a new Conn.
	QuietTime time.Duration

	// ChecksumAhead has the goroutine that reads ahead (see NoPrefetch)
	// work out the CRC-32 of each tracked segment's payload, which the
	// reassembly keeps to spot a retransmission with other bytes, rather
	// than the goroutine that calls the Handler. It pays when the Handler
	// is the slower of the two (siptls: when it decrypts); when most bytes
	// are passed over (HeadOnly), reading ahead is, and it costs.
	ChecksumAhead bool

	// batchRecords is the number of records a batch read ahead holds
	// (0: batchRecords); tests set it to move the batches' boundaries.
	batchRecords int
}

// CaptureInfo describes a capture file.
type CaptureInfo struct {
	Path       string
	Size       int64  // bytes on disk (compressed size for gzip)
	Format     string // "pcap", "pcapng"
	Compressed bool   // gzip
	Nanosecond bool   // pcap with nanosecond timestamps
	LinkTypes  []string
	Snaplen    uint32 // largest snaplen declared by the file's headers (0 if none)
	Packets    uint64 // packet records read (the last frame number)
	CutPackets uint64 // records whose captured length is less than the original length (and not 0)
	// EmptyRecords counts records that hold no captured byte (captured
	// length 0): not a snaplen cut, nothing to decode. They are counted in
	// OtherPackets too, with a warning.
	EmptyRecords uint64
	First, Last  time.Time
	TCPPackets   uint64 // TCP packets on tracked connections
	OtherPackets uint64 // everything else: counted, not analysed
	Undecodable  uint64 // packets whose headers could not be decoded
	Conns        uint64 // connections tracked
	ConnsEvicted uint64 // connections ended early because MaxConns was hit
	// EvictedPackets counts later packets of connections ended early while
	// open: they are not analysed, nor taken for new connections.
	EvictedPackets uint64
	// LatePackets counts packets that came after their closed connection
	// was ended (Options.Linger): retransmissions and last ACKs. They are
	// not analysed, nor taken for new connections.
	LatePackets uint64
	// OtherConns is set by the caller, not by Read: connections whose
	// bytes were not the protocol the caller analyses (for siptls, not TLS
	// on a port analysed only because of --any-port). They are counted,
	// not reported one by one.
	OtherConns uint64
	Warnings   []string
}
