package diagnose

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsparse"
)

// Verdict is the outcome of one connection. Its values are a contract with
// users' scripts: they appear as the JSON field "verdict".
type Verdict string

// The verdicts, in the order reports list them.
const (
	VerdictOK         Verdict = "ok"
	VerdictFailed     Verdict = "failed"
	VerdictRefused    Verdict = "refused"
	VerdictNoAnswer   Verdict = "no_answer"
	VerdictIncomplete Verdict = "incomplete"
	VerdictTruncated  Verdict = "truncated"
	VerdictNotTLS     Verdict = "not_tls"
)

// Verdicts returns every verdict in report order.
func Verdicts() []Verdict {
	return []Verdict{VerdictOK, VerdictFailed, VerdictRefused, VerdictNoAnswer, VerdictIncomplete, VerdictTruncated, VerdictNotTLS}
}

// Reason is the machine code that explains a verdict (JSON field "reason").
type Reason string

// Reason codes. Each belongs to one verdict, named in its comment.
const (
	// ReasonApplicationData (ok): the handshake finished and application
	// data flowed both ways, or one way and then the connection closed in a
	// way that is not a rejection (see ReasonClosedAfterHandshake).
	ReasonApplicationData Reason = "application_data"
	// ReasonIdleClose (ok): the handshake finished, application data did not
	// flow both ways, and a side closed the connection after it had been
	// idle for at least PromptClose: an idle timeout, not a rejection.
	ReasonIdleClose Reason = "idle_close"
	// ReasonClosedWithoutData (ok): the handshake finished and a side closed
	// the connection promptly without application data, but not the way a
	// rejection looks: the server asked for no client certificate, so the
	// X.509 Subject Name check of a CUCM trunk does not apply (a probe or a
	// health check closes like this).
	ReasonClosedWithoutData Reason = "closed_without_data"
	// ReasonFatalAlert (failed): a side sent a fatal alert during the handshake.
	ReasonFatalAlert Reason = "fatal_alert"
	// ReasonEmptyClientCertificate (failed): the server asked for a certificate,
	// the client sent an empty Certificate message, and the handshake failed.
	ReasonEmptyClientCertificate Reason = "empty_client_certificate"
	// ReasonResetDuringHandshake (failed): a side reset the TCP connection during the handshake.
	ReasonResetDuringHandshake Reason = "reset_during_handshake"
	// ReasonClosedDuringHandshake (failed): a side closed (FIN) during the handshake.
	ReasonClosedDuringHandshake Reason = "closed_during_handshake"
	// ReasonClosedAfterHandshake (failed): the server asked for a client
	// certificate, the handshake finished, then within PromptClose a side
	// closed the connection (FIN, RST or an encrypted alert) before any
	// application data, or the server closed it right after the client's
	// first application data without answering; typical of an X.509
	// Subject Name mismatch in the SIP Trunk Security Profile. For TLS 1.3,
	// where the handshake is encrypted, a server that answers the client's
	// flight with one alert-sized record and closes.
	ReasonClosedAfterHandshake Reason = "closed_after_handshake"
	// ReasonSYNReset (refused): the SYN was answered by a RST.
	ReasonSYNReset Reason = "syn_reset"
	// ReasonSYNUnanswered (no_answer): the SYN was never answered.
	ReasonSYNUnanswered Reason = "syn_unanswered"
	// ReasonCaptureEnded (incomplete): the capture ended before the outcome was visible.
	ReasonCaptureEnded Reason = "capture_ended"
	// ReasonMidstream (incomplete): the capture started after the handshake
	// began (no SYN and no hello captured): whatever happened later (an
	// encrypted alert, a close) cannot be judged without the handshake.
	ReasonMidstream Reason = "midstream"
	// ReasonCapHit (incomplete): a --max-buffer or --max-conns cap cut the
	// connection's analysis short; the summary names the cap.
	ReasonCapHit Reason = "cap_hit"
	// ReasonGap (incomplete): bytes missing from the capture hide the outcome.
	ReasonGap Reason = "gap"
	// ReasonTLS13Hidden (incomplete): TLS 1.3 encrypts the handshake after
	// ServerHello and the capture does not show how it ended.
	ReasonTLS13Hidden Reason = "tls13_hidden"
	// ReasonSnaplen (truncated): packets were cut by the capture's snap length.
	ReasonSnaplen Reason = "snaplen"
	// ReasonNotTLS (not_tls): the connection carried bytes that are not TLS records.
	ReasonNotTLS Reason = "not_tls"
	// ReasonMalformed (failed): a TLS handshake message could not be parsed
	// and a side then closed or reset the connection. Without that close
	// the verdict is incomplete/capture_ended, with the message named.
	ReasonMalformed Reason = "malformed"
)

// PromptClose is how soon after the handshake (or after the client's first
// application data) a close must come to count as a rejection: a CUCM node
// that refuses a peer's certificate name closes within milliseconds, while
// idle timeouts are seconds to hours.
const PromptClose = 2 * time.Second

// Side is one end of a connection: the TLS client or the TLS server. It is
// the one type for that role across siptls (pcap.Dir is a direction of
// packets, not a role). Neither is not an end: it is the AbortedBy of a
// connection that no side aborted, and never indexes Connection.Stats.
type Side uint8

// The two sides, and Neither.
const (
	Client Side = iota
	Server
	Neither
)

// String returns "client", "server" or "none" (Neither).
func (s Side) String() string {
	switch s {
	case Client:
		return "client"
	case Server:
		return "server"
	}
	return "none"
}

// MarshalText returns String: a side is a word in JSON.
func (s Side) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// AppendText implements encoding.TextAppender: it appends String.
func (s Side) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// UnmarshalText reads what MarshalText writes.
func (s *Side) UnmarshalText(b []byte) error {
	switch string(b) {
	case "client":
		*s = Client
	case "server":
		*s = Server
	case "none":
		*s = Neither
	default:
		return fmt.Errorf("diagnose: unknown side %q", b)
	}
	return nil
}

// Peer returns the opposite side; the peer of Neither is Neither.
func (s Side) Peer() Side {
	switch s {
	case Client:
		return Server
	case Server:
		return Client
	}
	return Neither
}

// Event is one line of a connection's timeline.
type Event struct {
	Frame uint64
	Time  time.Time
	From  Side
	Kind  EventKind
	What  string // the line's text, e.g. "alert fatal unknown_ca"
}

// EventKind is what an Event is, so that writers need not read its text.
type EventKind uint8

// The kinds of events.
const (
	// EventTLS is a TLS record or handshake message (not an alert).
	EventTLS EventKind = iota
	// EventTCP is a SYN, SYN-ACK or the ACK that establishes the connection.
	EventTCP
	// EventFIN is a TCP FIN.
	EventFIN
	// EventRST is a TCP RST.
	EventRST
	// EventAlert is a TLS alert, readable or encrypted.
	EventAlert
	// EventNote is what the capture shows about itself: a gap, a packet cut
	// by the snap length, a connection that began before the capture,
	// bytes that are not TLS.
	EventNote
)

// Alert is a TLS alert seen on a connection.
type Alert struct {
	Level       tlsparse.AlertLevel       // 0 when encrypted
	Code        tlsparse.AlertDescription // 0 when encrypted
	Name        string                    // RFC name, e.g. "unknown_ca"; "encrypted_alert" when unreadable
	SentBy      Side
	Frame       uint64
	Time        time.Time
	Encrypted   bool     // sent after ChangeCipherSpec (or in TLS 1.3): level and description are not visible unless Decrypted
	Decrypted   bool     // read with the key log: Level, Code and Name are the real ones
	After       *Message // the handshake message it answers, or nil
	AfterFrame  uint64   // the frame of that message (0 if none)
	Description string   // what the alert means for a CUCM engineer
}

// Message names one handshake message of a connection: the side that sent
// it and its type. A TLS 1.3 HelloRetryRequest has the Type
// tlsparse.TypeHelloRetryRequest (on the wire it is a ServerHello).
type Message struct {
	Side Side
	Type tlsparse.HandshakeType
	// SSLv2 marks the SSLv2-format ServerHello, which is no TLS handshake
	// message (its Type is tlsparse.TypeServerHello).
	SSLv2 bool
}

// Name returns the message's name without the side: "Certificate",
// "SSLv2 ServerHello".
func (m Message) Name() string {
	if m.SSLv2 {
		return "SSLv2 " + m.Type.String()
	}
	return m.Type.String()
}

// String returns the side and the name, e.g. "client Certificate"; the
// nil Message is "".
func (m *Message) String() string {
	if m == nil {
		return ""
	}
	return m.Side.String() + " " + m.Name()
}

// IsCertificate reports whether m is a Certificate message (compressed or
// not).
func (m *Message) IsCertificate() bool {
	return m != nil && !m.SSLv2 && (m.Type == tlsparse.TypeCertificate || m.Type == tlsparse.TypeCompressedCertificate)
}

// Certificate is one certificate presented on a connection.
type Certificate struct {
	SentBy Side
	Index  int // position in the Certificate message: 0 is the leaf
	Frame  uint64
	Time   time.Time
	Info   *certinfo.Info
}

// PartialCertificate is a certificate that the capture did not show whole:
// a segment inside it was lost. Its position in the chain is known from the
// lengths before it, and the names and serial are read from the bytes
// before the first hole when they are there.
type PartialCertificate struct {
	SentBy Side
	Index  int // position in the Certificate message: 0 is the leaf
	Frame  uint64
	Time   time.Time
	Length int // declared DER length
	// Missing are the byte ranges of the DER that were not captured.
	Missing []ByteRange
	// Subject, Issuer and Serial as far as the bytes before the first hole
	// show them ("" when they are beyond it).
	Subject, Issuer, Serial string
}

// ByteRange is a range [Start, End) of bytes.
type ByteRange struct{ Start, End int }

// CertificateRequest is what a TLS server asked of the client.
type CertificateRequest struct {
	Frame                  uint64
	CertificateTypes       []string
	SignatureAlgorithms    []string
	CertificateAuthorities []string // RFC 4514, in wire order
	Length                 int      // bytes of the certificate_authorities list
	Unreadable             int      // names that could not be decoded
}

// Finding is something noteworthy about a connection that is not its verdict:
// a malformed message, a duplicate extension, a cap that was hit.
type Finding struct {
	Code   FindingCode
	Frame  uint64
	Detail string
}

// FindingCode is the machine code of a Finding (JSON field "code"). Its
// values are a contract with users' scripts: the constants below, and the
// tlsparse.Finding* codes of a hello message, which pass through unchanged.
type FindingCode string

// Finding codes of diagnose.
const (
	// FindingMalformedRecord: bytes in a TLS stream could not be framed as a
	// record; the direction stops being read.
	FindingMalformedRecord FindingCode = "malformed_record"
	// FindingMalformedHandshake: a handshake message could not be parsed.
	FindingMalformedHandshake FindingCode = "malformed_handshake"
	// FindingOverlapConflict: retransmitted bytes differ from the first
	// copy; the first copy is the one read, as in Wireshark.
	FindingOverlapConflict FindingCode = "overlap_conflict"
	// FindingCapHit: a --max-buffer, --max-buffer-total or --max-conns cap
	// cut the connection's analysis short.
	FindingCapHit FindingCode = "cap_hit"
	// FindingWarningAlert: a side sent an alert of level warning (other
	// than close_notify), which does not end the handshake.
	FindingWarningAlert FindingCode = "warning_alert"
	// FindingNoKey: a key log was given (--keylog) but holds no secret for
	// this session's ClientHello random; its records stay encrypted.
	FindingNoKey FindingCode = "no_key"
	// FindingDecryptFailed: a record did not authenticate with the key
	// log's secret: a key of another session, or bytes the capture
	// damaged. The direction is not decrypted any further.
	FindingDecryptFailed FindingCode = "decrypt_failed"
	// FindingCannotDecrypt: the session's cipher suite or key exchange is
	// one siptls does not decrypt.
	FindingCannotDecrypt FindingCode = "cannot_decrypt"
	// FindingStaleCopyLikely: the server's CertificateRequest names the
	// issuer of the client's certificate (of a self-signed one: its own
	// name) among the CAs it accepts, yet the server rejected that
	// certificate with a fatal alert: its CallManager-trust likely holds
	// an older certificate of that name with another key. A likely cause,
	// not a verdict: the capture shows names, not what the server holds
	// (see staleCopyHint for when it is given).
	FindingStaleCopyLikely FindingCode = "stale_copy_likely"
)

// DirStats counts what one side sent.
type DirStats struct {
	Packets         uint64
	Bytes           uint64
	Records         uint64 // TLS records parsed
	AppDataRecords  uint64 // application_data records (counted while buffering)
	AppDataBytes    uint64
	Retransmissions uint64
	Gaps            uint64
	CutSegments     uint64
}

// Connection is the analysis of one TCP connection.
type Connection struct {
	ID      uint64 // 1-based within the capture, in order of first packet
	Capture int    // index into Analysis.Captures
	Client  netip.AddrPort
	Server  netip.AddrPort
	// RolesGuessed is set when no SYN or ClientHello showed which end is the client.
	RolesGuessed bool
	// ClientISN and ServerISN are the initial TCP sequence numbers of the
	// client and server (as pcap.Conn has them); ISNKnown is set when the
	// client's was captured. They match one connection across captures.
	ClientISN, ServerISN uint32
	ISNKnown             bool

	Start      time.Time
	StartFrame uint64
	End        time.Time
	EndFrame   uint64

	Verdict   Verdict
	Reason    Reason
	Summary   string
	AbortedBy Side // Neither when no side aborted the connection

	Alert *Alert // the alert that decided the verdict, or nil

	TLSVersion       string // negotiated, e.g. "TLS 1.2"; "" if no ServerHello
	ClientMaxVersion string // highest version the ClientHello offered
	CipherSuite      string // IANA name
	SNI              string
	ALPN             string
	Resumed          bool // abbreviated handshake (no Certificate, CCS right after ServerHello)

	HandshakeComplete bool
	HandshakeFrame    uint64 // frame that completed the handshake

	CertificateRequest *CertificateRequest
	Certificates       []Certificate
	// PartialCertificates are certificates that the capture lost bytes of;
	// they are not in Certificates, whose Index values then skip theirs.
	PartialCertificates []PartialCertificate
	// CertificatesDropped counts certificates not kept because the
	// connection carried more than 64 (a peer sending Certificate
	// messages for ever).
	CertificatesDropped int
	// CertificatesLost lists the sides whose Certificate message lost a
	// certificate length, so that the certificates after it could not be
	// delimited at all.
	CertificatesLost []Side
	// HelloRetryRequest is set when a TLS 1.3 server asked the client for
	// another key share (HelloRetryRequest, then a second ClientHello).
	HelloRetryRequest bool
	// EmptyClientCertificate: the client answered a CertificateRequest with no certificate.
	EmptyClientCertificate bool
	// CertificatesHidden: TLS 1.3; certificates are encrypted and not visible.
	CertificatesHidden bool
	// Decrypted: records of the connection were decrypted with a key log
	// (--keylog): its alerts are read in the clear, and a TLS 1.3
	// handshake's certificates are visible.
	Decrypted bool
	// SIP are the SIP messages of the decrypted application data (at most
	// Options.SIPMessages a connection, read from the first
	// Options.DecryptBytes of each direction; From is the sender),
	// SIPDropped those past the cap, and SIPSummary sums them up:
	// "INVITE 3001 → 100, 180, 200; ACK; BYE → 200".
	SIP        []SIPMessage
	SIPDropped int
	SIPSummary string
	// DecryptStoppedFrame is the first frame whose application data was
	// not decrypted because its direction had reached
	// Options.DecryptBytes (0: decryption did not stop): SIP after it was
	// not read, so a request without an answer may have had one.
	DecryptStoppedFrame uint64

	Events        []Event
	EventsDropped int
	Findings      []Finding
	Stats         [2]DirStats // index Side
	// Node is what the packets say about which end is the capture host
	// (weighed over a capture by NodeFinder).
	Node NodeEvidence
}

// Analysis is the result of analysing one or more captures.
type Analysis struct {
	Captures    []*pcap.CaptureInfo
	Errors      []error // input problems, one per file at most; results before them are kept
	Connections []*Connection
}
