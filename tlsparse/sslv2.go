package tlsparse

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// SSLv2 message types (draft-hickman-netscape-ssl-00, appendix).
const (
	SSLv2MsgError       = 0
	SSLv2MsgClientHello = 1
	SSLv2MsgServerHello = 4
)

// SSLv2RecordLen frames an SSLv2 byte stream, as RecordLen does for TLS. b
// must start at a record boundary. A header whose first byte has the high bit
// set is 2 bytes long (no padding); otherwise it is 3 bytes long, the third
// being the padding length. It returns the total record length (header
// included) once the header is present, 0 if more bytes are needed, and -1
// for a zero length or padding longer than the record. It never panics.
func SSLv2RecordLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	if b[0]&0x80 != 0 {
		n := int(b[0]&0x7f)<<8 | int(b[1])
		if n == 0 {
			return -1
		}
		return 2 + n
	}
	if len(b) < 3 {
		return 0
	}
	n := int(b[0]&0x3f)<<8 | int(b[1])
	if n == 0 || int(b[2]) > n {
		return -1
	}
	return 3 + n
}

// IsSSLv2ClientHello reports whether b starts with an SSLv2-format
// ClientHello (draft-hickman, or the RFC 5246 appendix E.2 backward-compatible
// form): a 2-byte record header, msg type 1 and version 0x0002 or 0x03xx
// (xx at most 4). Only the 2-byte header is recognised, which is what clients
// send and what cannot be confused with a TLS record header.
func IsSSLv2ClientHello(b []byte) bool {
	if len(b) < 5 || b[0]&0x80 == 0 || b[2] != SSLv2MsgClientHello {
		return false
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	if n < 9 {
		return false
	}
	return (b[3] == 0 && b[4] == 2) || (b[3] == 3 && b[4] <= 4)
}

// IsSSLv2ServerHello reports whether b starts with what can be an SSLv2
// SERVER-HELLO record: a 2-byte header, message type 4, a session-id-hit
// of 0 or 1, certificate type X.509 (1), version 0x0002, and a record
// length equal to the fixed fields plus the three lengths they declare.
// It needs the first 13 bytes; random bytes pass it about once in 2^40.
func IsSSLv2ServerHello(b []byte) bool {
	if len(b) < 13 || b[0]&0x80 == 0 || b[2] != SSLv2MsgServerHello || b[3] > 1 || b[4] != 1 || b[5] != 0 || b[6] != 2 {
		return false
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	u16 := func(i int) int { return int(b[i])<<8 | int(b[i+1]) }
	return n == 11+u16(7)+u16(9)+u16(11)
}

// SSLv2CipherSpec is a 3-byte SSLv2 cipher kind. Values whose first byte is
// 0 are TLS cipher suites offered in an SSLv2-format ClientHello.
type SSLv2CipherSpec uint32

// String returns the SSLv2 name ("SSL_CK_RC4_128_WITH_MD5"), the CipherSuite
// name for 0x00xxxx values, or "0x%06x".
func (c SSLv2CipherSpec) String() string {
	switch c {
	case 0x010080:
		return "SSL_CK_RC4_128_WITH_MD5"
	case 0x020080:
		return "SSL_CK_RC4_128_EXPORT40_WITH_MD5"
	case 0x030080:
		return "SSL_CK_RC2_128_CBC_WITH_MD5"
	case 0x040080:
		return "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"
	case 0x050080:
		return "SSL_CK_IDEA_128_CBC_WITH_MD5"
	case 0x060040:
		return "SSL_CK_DES_64_CBC_WITH_MD5"
	case 0x0700C0:
		return "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"
	}
	if c>>16 == 0 {
		return CipherSuite(c).String()
	}
	return fmt.Sprintf("0x%06x", uint32(c))
}

// SSLv2ClientHello is an SSLv2-format CLIENT-HELLO. All slices alias the
// input.
type SSLv2ClientHello struct {
	Raw []byte
	// Version is the version field: 0x0002 for SSL 2.0, 0x0300 to 0x0303 for
	// a backward-compatible hello of a newer client.
	Version     Version
	CipherSpecs []SSLv2CipherSpec
	SessionID   []byte
	Challenge   []byte
}

// MaxVersion returns the highest version the client offers; in an SSLv2
// hello that is the version field.
func (m *SSLv2ClientHello) MaxVersion() Version { return m.Version }

// CipherSuites returns the cipher specs that are TLS cipher suites (first
// byte 0), in order.
func (m *SSLv2ClientHello) CipherSuites() []CipherSuite {
	var out []CipherSuite
	for _, c := range m.CipherSpecs {
		if c>>16 == 0 {
			out = append(out, CipherSuite(c))
		}
	}
	return out
}

// SSLv2ServerHello is an SSLv2 SERVER-HELLO. All slices alias the input.
type SSLv2ServerHello struct {
	Raw             []byte
	SessionIDHit    uint8
	CertificateType uint8
	Version         Version
	// Certificate is the server certificate (DER for CertificateType 1).
	Certificate  []byte
	CipherSpecs  []SSLv2CipherSpec
	ConnectionID []byte
}

// SSLv2Error is an SSLv2 ERROR message.
type SSLv2Error struct {
	Code uint16
}

// String returns the draft's name ("NO-CIPHER-ERROR", ...) or "0x%04x".
func (e SSLv2Error) String() string {
	switch e.Code {
	case 1:
		return "NO-CIPHER-ERROR"
	case 2:
		return "NO-CERTIFICATE-ERROR"
	case 4:
		return "BAD-CERTIFICATE-ERROR"
	case 6:
		return "UNSUPPORTED-CERTIFICATE-TYPE-ERROR"
	}
	return fmt.Sprintf("0x%04x", e.Code)
}

// sslv2Body checks one whole SSLv2 record, header included, and returns its
// message body (padding excluded) with a reader positioned on it.
func sslv2Body(record []byte, want uint8, field string) (*reader, cryptobyte.String, bool) {
	record = record[:len(record):len(record)]
	r := &reader{base: record}
	n := SSLv2RecordLen(record)
	switch {
	case n < 0:
		return r, nil, r.fail(record, "sslv2 record header", ErrNotRecord)
	case n == 0:
		return r, nil, r.fail(record[len(record):], "sslv2 record header", ErrTruncated)
	case len(record) < n:
		return r, nil, r.fail(record[len(record):], "sslv2 record", ErrTruncated)
	case len(record) > n:
		return r, nil, r.fail(record[n:], "sslv2 record", ErrTrailingBytes)
	}
	hdr, pad := 2, 0
	if record[0]&0x80 == 0 {
		hdr, pad = 3, int(record[2])
	}
	s := cryptobyte.String(record[hdr : n-pad])
	var typ uint8
	if !r.u8(&s, field+".msg_type", &typ) {
		return r, nil, false
	}
	if typ != want {
		return r, nil, r.malformed(s, field+".msg_type")
	}
	return r, s, true
}

// ParseSSLv2ClientHello parses one SSLv2 record, header included, holding a
// CLIENT-HELLO. Errors are *ParseError values.
func ParseSSLv2ClientHello(record []byte) (*SSLv2ClientHello, error) {
	r, s, ok := sslv2Body(record, SSLv2MsgClientHello, "sslv2.client_hello")
	if !ok {
		return nil, r.err
	}
	m := &SSLv2ClientHello{Raw: r.base}
	var version, specLen, sidLen, chLen uint16
	var specs []byte
	if !r.u16(&s, "sslv2.client_hello.version", &version) ||
		!r.u16(&s, "sslv2.client_hello.cipher_specs_length", &specLen) ||
		!r.u16(&s, "sslv2.client_hello.session_id_length", &sidLen) ||
		!r.u16(&s, "sslv2.client_hello.challenge_length", &chLen) ||
		!r.bytes(&s, int(specLen), "sslv2.client_hello.cipher_specs", &specs) ||
		!r.bytes(&s, int(sidLen), "sslv2.client_hello.session_id", &m.SessionID) ||
		!r.bytes(&s, int(chLen), "sslv2.client_hello.challenge", &m.Challenge) ||
		!r.end(s, "sslv2.client_hello") {
		return nil, r.err
	}
	m.Version = Version(version)
	if m.CipherSpecs, ok = uintList[SSLv2CipherSpec](r, specs, "sslv2.client_hello.cipher_specs", 3); !ok {
		return nil, r.err
	}
	return m, nil
}

// ParseSSLv2ServerHello parses one SSLv2 record, header included, holding a
// SERVER-HELLO. Errors are *ParseError values.
func ParseSSLv2ServerHello(record []byte) (*SSLv2ServerHello, error) {
	r, s, ok := sslv2Body(record, SSLv2MsgServerHello, "sslv2.server_hello")
	if !ok {
		return nil, r.err
	}
	m := &SSLv2ServerHello{Raw: r.base}
	var version, certLen, specLen, connLen uint16
	var specs []byte
	if !r.u8(&s, "sslv2.server_hello.session_id_hit", &m.SessionIDHit) ||
		!r.u8(&s, "sslv2.server_hello.certificate_type", &m.CertificateType) ||
		!r.u16(&s, "sslv2.server_hello.version", &version) ||
		!r.u16(&s, "sslv2.server_hello.certificate_length", &certLen) ||
		!r.u16(&s, "sslv2.server_hello.cipher_specs_length", &specLen) ||
		!r.u16(&s, "sslv2.server_hello.connection_id_length", &connLen) ||
		!r.bytes(&s, int(certLen), "sslv2.server_hello.certificate", &m.Certificate) ||
		!r.bytes(&s, int(specLen), "sslv2.server_hello.cipher_specs", &specs) ||
		!r.bytes(&s, int(connLen), "sslv2.server_hello.connection_id", &m.ConnectionID) ||
		!r.end(s, "sslv2.server_hello") {
		return nil, r.err
	}
	m.Version = Version(version)
	if m.CipherSpecs, ok = uintList[SSLv2CipherSpec](r, specs, "sslv2.server_hello.cipher_specs", 3); !ok {
		return nil, r.err
	}
	return m, nil
}

// ParseSSLv2Error parses one SSLv2 record, header included, holding an
// ERROR message. Errors are *ParseError values.
func ParseSSLv2Error(record []byte) (SSLv2Error, error) {
	r, s, ok := sslv2Body(record, SSLv2MsgError, "sslv2.error")
	if !ok {
		return SSLv2Error{}, r.err
	}
	var e SSLv2Error
	if !r.u16(&s, "sslv2.error.error_code", &e.Code) || !r.end(s, "sslv2.error") {
		return SSLv2Error{}, r.err
	}
	return e, nil
}
