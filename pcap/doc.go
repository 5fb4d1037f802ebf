// Package pcap reads packet capture files and reassembles the TCP
// connections in them into framed units for the siptls diagnosis.
//
// It is the only siptls package that imports gopacket. Read and ReadFile
// accept classic pcap (either byte order, microsecond or nanosecond
// timestamps; read with gopacket's pcapgo) and pcapng (several sections of
// either byte order, several interfaces and link types, if_tsresol and
// if_tsoffset; read with a block reader of its own), plain or gzip
// compressed. ReadFile opens the file with OpenFile, which opens only
// regular files (following symbolic links): a directory, named pipe,
// device or socket is refused with an *InputError, and a named pipe does
// not block the open. Link types: Ethernet (802.1Q and QinQ VLAN tags,
// PPPoE sessions), Linux cooked v1 and v2, raw IP (101, 228, 229 and the
// DLT values 12 and 14), and BSD loopback (0 and 108); IPv4 and IPv6 with
// extension headers skipped. Packets are decoded with one set of
// preallocated gopacket layers; a packet that cannot be decoded is counted
// in CaptureInfo.Undecodable, never fatal. IP fragments are counted, not
// reassembled.
//
// # Lifecycle
//
// Read streams the file once. For each TCP segment with a port in
// Options.Ports (5061 by default; every port with AnyPort) it finds or
// creates a Conn, reports TCP events to Handler.Event (SYN, SYN-ACK,
// handshake ACK, midstream start, FIN, RST, retransmission, out-of-order,
// overlap, gap, cut segment, buffer cap), and appends the segment's bytes to
// its direction in sequence order. The Framer cuts the in-order bytes into
// units; each unit is delivered to Handler.Data (its bytes valid until Data
// returns: units whole in a segment are not copied), with the frame of
// its first byte and the frame and time of the packet that completed it (as
// Wireshark shows a reassembled PDU). When Data returns false the direction
// is no longer buffered, only counted. Handler.End is called exactly once
// per Conn: when a closed connection (FIN both ways or RST) has been quiet
// for Options.Linger of capture time (3 s by default; its 4-tuple is
// then remembered for Options.QuietTime, 60 s, so that late packets are
// counted and not taken for a new connection), when its 4-tuple is reused by a new SYN,
// when it is evicted because MaxConns connections are open, or at the end
// of the file, in Conn.ID order. All calls come from the calling goroutine,
// in capture order.
//
// ReadSharded reads a capture with several readers and Handlers, one
// goroutine each, every one tracking the connections whose 4-tuple hashes
// to it; what their End calls return reaches one function in the order,
// and with the IDs, that Read would have given (see ReadSharded).
//
// Each ConnStats also carries, per direction, the evidence of which end is
// the capture host, collected without allocating: the TTL (hop limit) of
// the first packet and whether it changed, the TCP checksums of the first
// MaxChecksumChecks whole segments (a host with transmit-checksum offload
// captures its own segments with wrong ones), and the shortest reaction
// time: from a new segment to the first packet of the other direction that
// acknowledges it. Package diagnose weighs them.
//
// Roles: the sender of the SYN is the client (or the receiver of a SYN-ACK
// when the SYN is missing); without either, the end on a watched port is
// the server, and failing that the end with the lower port.
//
// # Holes, gaps and resynchronisation
//
// Out-of-order segments are held until the hole before them fills. An
// acknowledgment from the peer of bytes the capture never showed ("ACKed
// unseen segment") is only a hint: on virtual machines and multi-queue NICs
// the segment often shows up after the ACK that covers it. A hole becomes a
// gap (EventGap) when the connection ends, when the bytes held behind a hole
// the peer acknowledged reach MaxBuffer (a hole not yet acknowledged reaching
// MaxBuffer is a cap hit instead), or where the snaplen cut a segment
// (EventCut). When bytes are overlapped, the first bytes seen win, as in
// Wireshark, and EventOverlap reports a second copy with other content (of
// held bytes, or of the last two segments delivered).
//
// A gap never makes bytes look contiguous. When it falls inside the unit
// being filled, the unit keeps its place: the missing bytes are zero and
// listed in Data.Missing, and framing carries on at the next unit, whose
// start the unit's length gave. When it hides where a unit starts, framing
// is lost: the reader resynchronises, taking a unit start only where
// Options.SyncFramer accepts the unit there and the unit right after it (or
// that unit ends exactly where the direction ends), reports EventResync with
// the bytes it skipped, and delivers the next unit with AfterGap set. A
// direction whose start was not captured (EventMidstream) starts the same
// way.
//
// # Limits
//
// Memory does not grow with the file: at most MaxBuffer bytes are held per
// direction (a unit longer than that is reported as a gap and skipped; each
// held piece also costs 64 bytes of it), at most Budget's bytes across all
// connections (a direction whose growth exceeds it stops being buffered,
// with EventCapHit and ConnStats.BudgetHit), a closed connection is ended
// after Linger, keeping only a tombstone of its 4-tuple for QuietTime, and
// at most MaxConns are tracked; connections that stay
// open and idle are kept until MaxConns forces the least recently active
// out (ConnStats.Evicted), after which their packets are counted
// (CaptureInfo.EvictedPackets), not taken for new connections. A direction
// that never carried a byte costs no buffers. The file is read once, ahead
// of the analysis by a second goroutine, which splits it into records and
// decodes their packets in batches; a third decompresses a gzip stream a
// chunk ahead of it. Packets are decoded without allocating: the only
// allocations per unit are its copy and its Data. A Handler that returns false from Data once it has
// seen what it needs (for TLS, the handshake) saves most of that.
//
// A record longer than MaxRecord is reported as damage, before it is read.
// In pcapng every block's declared length is checked before its body is
// read: a multiple of 4 and at least 12, at most MaxRecord plus 64 KiB for a
// packet block (EPB, SPB and the obsolete OPB, read into one reused
// buffer), 1 MiB for a section header or interface description, and 16
// MiB, Wireshark's limit, for the blocks that are skipped without being
// kept (name resolution, interface statistics, decryption secrets, custom
// and unknown blocks); its two length fields must agree. Interfaces are
// kept as they are described, at most 65,536 per section; a section of a
// major version other than 1 is skipped. A pcap record whose captured
// length exceeds its original length is read anyway, as Wireshark does,
// with a warning; a record of captured length 0 is counted in
// CaptureInfo.EmptyRecords (not as cut by the snaplen), with a warning.
// Bad input yields an *InputError; a file cut off (inside a record, or
// right after a whole record header) or damaged after some records still
// reports everything read before the bad record, End included, with the
// error, which names the bad frame. Read never panics on any input; the
// Framer and the Handler are the caller's code.
//
// Frame numbers count records as Wireshark does: in pcapng, EPB, SPB and
// OPB packet blocks, and also custom blocks (0xBAD, 0x40000BAD) and systemd
// journal export blocks (counted as OtherPackets), whatever their size.
//
// Not done: IP fragment reassembly, TCP inside tunnels (GRE, GTP, VXLAN,
// ICMP errors), link types other than those above, and overlaps against
// bytes that were already delivered (only held bytes are compared).
package pcap
