package tlsparse

import (
	"fmt"
	"strings"
)

//go:generate sh -c "go run golang.org/x/tools/cmd/stringer@latest -type=HandshakeType -linecomment -output=handshaketype_string.go && sed -e 's/^func (i HandshakeType) String() string/func (i HandshakeType) name() string/' handshaketype_string.go > handshaketype_string.go.tmp && mv handshaketype_string.go.tmp handshaketype_string.go"
//go:generate sh -c "go run golang.org/x/tools/cmd/stringer@latest -type=ContentType -linecomment -output=contenttype_string.go && sed -e 's/^func (i ContentType) String() string/func (i ContentType) name() string/' contenttype_string.go > contenttype_string.go.tmp && mv contenttype_string.go.tmp contenttype_string.go"

// HandshakeType is the msg_type of a handshake message, from the IANA "TLS
// HandshakeType" registry (RFC 8446 section 4).
//
// Its String method returns the name in CamelCase as Wireshark shows it
// ("ClientHello", "ServerHelloDone", ...), or "unknown(N)". A TLS 1.3
// HelloRetryRequest is a ServerHello on the wire (see
// ServerHello.IsHelloRetryRequest); the value 6 that drafts used for it is
// named "HelloRetryRequest" only because the registry reserves it.
type HandshakeType uint8

// Handshake message types.
const (
	TypeHelloRequest             HandshakeType = 0   // HelloRequest
	TypeClientHello              HandshakeType = 1   // ClientHello
	TypeServerHello              HandshakeType = 2   // ServerHello
	TypeHelloVerifyRequest       HandshakeType = 3   // HelloVerifyRequest
	TypeNewSessionTicket         HandshakeType = 4   // NewSessionTicket
	TypeEndOfEarlyData           HandshakeType = 5   // EndOfEarlyData
	TypeHelloRetryRequest        HandshakeType = 6   // HelloRetryRequest
	TypeEncryptedExtensions      HandshakeType = 8   // EncryptedExtensions
	TypeRequestConnectionID      HandshakeType = 9   // RequestConnectionId
	TypeNewConnectionID          HandshakeType = 10  // NewConnectionId
	TypeCertificate              HandshakeType = 11  // Certificate
	TypeServerKeyExchange        HandshakeType = 12  // ServerKeyExchange
	TypeCertificateRequest       HandshakeType = 13  // CertificateRequest
	TypeServerHelloDone          HandshakeType = 14  // ServerHelloDone
	TypeCertificateVerify        HandshakeType = 15  // CertificateVerify
	TypeClientKeyExchange        HandshakeType = 16  // ClientKeyExchange
	TypeClientCertificateRequest HandshakeType = 17  // ClientCertificateRequest
	TypeFinished                 HandshakeType = 20  // Finished
	TypeCertificateURL           HandshakeType = 21  // CertificateURL
	TypeCertificateStatus        HandshakeType = 22  // CertificateStatus
	TypeSupplementalData         HandshakeType = 23  // SupplementalData
	TypeKeyUpdate                HandshakeType = 24  // KeyUpdate
	TypeCompressedCertificate    HandshakeType = 25  // CompressedCertificate
	TypeEKTKey                   HandshakeType = 26  // EktKey
	TypeNextProtocol             HandshakeType = 67  // NextProtocol
	TypeMessageHash              HandshakeType = 254 // MessageHash
)

// String returns the CamelCase name of t, or "unknown(N)".
func (t HandshakeType) String() string { return nameOrDecimal(t, "HandshakeType(") }

// ContentType is the type of a TLS record (RFC 8446 section 5.1).
//
// Its String method returns the RFC name ("handshake", "alert", ...) or
// "unknown(N)".
type ContentType uint8

// Record content types.
const (
	ContentChangeCipherSpec ContentType = 20 // change_cipher_spec
	ContentAlert            ContentType = 21 // alert
	ContentHandshake        ContentType = 22 // handshake
	ContentApplicationData  ContentType = 23 // application_data
	ContentHeartbeat        ContentType = 24 // heartbeat
	ContentTLS12CID         ContentType = 25 // tls12_cid
	ContentACK              ContentType = 26 // ack
)

// String returns the RFC name of c, or "unknown(N)".
func (c ContentType) String() string { return nameOrDecimal(c, "ContentType(") }

// Version is a protocol version as carried in record headers, hello messages
// and the supported_versions extension.
type Version uint16

// Protocol versions.
const (
	VersionSSL20 Version = 0x0002
	VersionSSL30 Version = 0x0300
	VersionTLS10 Version = 0x0301
	VersionTLS11 Version = 0x0302
	VersionTLS12 Version = 0x0303
	VersionTLS13 Version = 0x0304
)

// String returns "SSL 2.0", "SSL 3.0", "TLS 1.0" to "TLS 1.3",
// "TLS 1.3 (draft N)" for the 0x7fNN draft code points, "GREASE" for RFC 8701
// values, and "0x%04x" otherwise.
func (v Version) String() string {
	switch v {
	case VersionSSL20:
		return "SSL 2.0"
	case VersionSSL30:
		return "SSL 3.0"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	if v.IsTLS13Draft() {
		return fmt.Sprintf("TLS 1.3 (draft %d)", uint8(v))
	}
	if isGREASE(uint16(v)) {
		return "GREASE"
	}
	return fmt.Sprintf("0x%04x", uint16(v))
}

// IsTLS13Draft reports whether v is one of the 0x7fNN code points that
// pre-RFC 8446 drafts of TLS 1.3 used.
func (v Version) IsTLS13Draft() bool { return v>>8 == 0x7f }

// IsTLS13 reports whether v is TLS 1.3 or one of its drafts, that is whether
// messages negotiated with v use the TLS 1.3 formats.
func (v Version) IsTLS13() bool { return v == VersionTLS13 || v.IsTLS13Draft() }

// Known reports whether v is SSL 2.0, SSL 3.0, TLS 1.0 to 1.3 or a TLS 1.3
// draft.
func (v Version) Known() bool { return v.rank() > 0 }

// rank orders the known versions; drafts sort between TLS 1.2 and TLS 1.3.
// Unknown versions and GREASE rank 0.
func (v Version) rank() int {
	switch {
	case v == VersionSSL20:
		return 1
	case v >= VersionSSL30 && v <= VersionTLS12:
		return 2 + int(v-VersionSSL30)
	case v.IsTLS13Draft():
		return 10
	case v == VersionTLS13:
		return 11
	}
	return 0
}

// isGREASE reports whether v is one of the sixteen RFC 8701 values
// 0x0a0a, 0x1a1a, ..., 0xfafa.
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// registry8 is a one-byte IANA registry type: its stringer-generated name
// method returns the registered name of a value, or "Type(N)" for a value the
// registry does not list.
type registry8 interface {
	~uint8
	name() string
}

// registry16 is registry8 for the two-byte registries.
type registry16 interface {
	~uint16
	name() string
}

// nameOrDecimal returns the registered name of v, or "unknown(N)" when v's
// name method gives stringer's fallback, which starts with prefix ("Type(").
func nameOrDecimal[T registry8](v T, prefix string) string {
	name := v.name()
	if strings.HasPrefix(name, prefix) {
		return fmt.Sprintf("unknown(%d)", uint8(v))
	}
	return name
}

// nameOrHex returns "GREASE" for the RFC 8701 values, the registered name of
// v, or "0x%04x" when v's name method gives stringer's fallback, which starts
// with prefix ("Type(").
func nameOrHex[T registry16](v T, prefix string) string {
	if isGREASE(uint16(v)) {
		return "GREASE"
	}
	name := v.name()
	if strings.HasPrefix(name, prefix) {
		return fmt.Sprintf("0x%04x", uint16(v))
	}
	return name
}
