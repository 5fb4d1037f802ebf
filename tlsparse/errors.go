package tlsparse

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors wrapped by *ParseError. Test for them with errors.Is.
var (
	// ErrTruncated means the input ends before a length-prefixed field,
	// vector or message it declares.
	ErrTruncated = errors.New("truncated")
	// ErrTrailingBytes means bytes are left over after a message, a record
	// or a vector that must be consumed exactly.
	ErrTrailingBytes = errors.New("trailing bytes")
	// ErrTooLarge means a declared length exceeds the caller's or the
	// protocol's limit.
	ErrTooLarge = errors.New("declared length too large")
	// ErrNotRecord means the bytes do not start with a plausible TLS (or
	// SSLv2) record header.
	ErrNotRecord = errors.New("not a TLS record header")
	// ErrMalformed means the framing is sound but a field violates its
	// syntax: an odd-length list of 16-bit values, a zero-length vector the
	// RFC forbids, an unexpected message type.
	ErrMalformed = errors.New("malformed")
	// ErrEncryptedAlert means an alert record fragment is not exactly two
	// bytes long, which in practice means it is encrypted.
	ErrEncryptedAlert = errors.New("alert fragment is not 2 bytes (encrypted alert)")
)

// ParseError reports where and why a record or a message could not be
// parsed.
type ParseError struct {
	// Type is the handshake message type being parsed. It is 0 for
	// record-layer, alert and SSLv2 errors, whose Field then starts with
	// "record", "alert" or "sslv2".
	Type HandshakeType
	// Field is the RFC name of the field being read, e.g. "cipher_suites"
	// or "extensions.key_share".
	Field string
	// Offset is the byte offset of the failing field from the start of the
	// input (the message including its 4-byte header, or the record
	// including its header).
	Offset int
	// Err is one of the sentinel errors of this package.
	Err error
}

// Error returns a one-line description such as
// "tlsparse: ClientHello: cipher_suites at offset 43: truncated".
func (e *ParseError) Error() string {
	where := e.Type.String() + ": "
	if e.Type == 0 && (strings.HasPrefix(e.Field, "record") || strings.HasPrefix(e.Field, "alert") || strings.HasPrefix(e.Field, "sslv2")) {
		where = ""
	}
	return fmt.Sprintf("tlsparse: %s%s at offset %d: %v", where, e.Field, e.Offset, e.Err)
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// Finding is something a strict TLS stack would reject or a protocol
// violation an engineer should see, found in a message whose framing is
// nevertheless sound, so parsing went on.
type Finding struct {
	// Code is a stable snake_case identifier, one of the Finding* constants.
	Code string
	// Detail is a human-readable explanation naming the field or value.
	Detail string
}

// Finding codes.
const (
	// FindingDuplicateExtension: an extension type occurs more than once in
	// one message (RFC 8446 section 4.2 forbids it); only the first one is
	// decoded.
	FindingDuplicateExtension = "duplicate_extension"
	// FindingMalformedExtension: an extension's own syntax is wrong although
	// its length fits the message; it is kept in Extensions but not decoded.
	FindingMalformedExtension = "malformed_extension"
	// FindingSNITrailingDot: the server_name host_name ends with ".", which
	// RFC 6066 section 3 forbids.
	FindingSNITrailingDot = "sni_trailing_dot"
	// FindingSNIIPLiteral: the server_name host_name is an IP address, which
	// RFC 6066 section 3 forbids.
	FindingSNIIPLiteral = "sni_ip_literal"
	// FindingSNIMultipleNames: more than one host_name in server_name.
	FindingSNIMultipleNames = "sni_multiple_names"
	// FindingSNIEmpty: server_name with an empty list or an empty name.
	FindingSNIEmpty = "sni_empty"
	// FindingUnknownVersion: a version field holds a value that is not SSL
	// 3.0, TLS 1.0 to 1.3, a TLS 1.3 draft or GREASE.
	FindingUnknownVersion = "unknown_version"
	// FindingSessionIDTooLong: legacy_session_id is longer than 32 bytes.
	FindingSessionIDTooLong = "session_id_too_long"
	// FindingNoNullCompression: a ClientHello whose compression methods do not
	// include null (0), or a ServerHello selecting another method.
	FindingNoNullCompression = "no_null_compression"
	// FindingDowngradeSentinel: the ServerHello random ends with the RFC 8446
	// section 4.1.3 downgrade marker.
	FindingDowngradeSentinel = "downgrade_sentinel"
	// FindingEmptyCertificate: a certificate entry of length zero.
	FindingEmptyCertificate = "empty_certificate"
	// FindingEmptyDistinguishedName: a certificate_authorities entry of length
	// zero.
	FindingEmptyDistinguishedName = "empty_distinguished_name"
)
