package tlsparse

import (
	"bytes"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// HandshakeHeaderLen is the length of a handshake message header: msg_type
// and a 24-bit length.
const HandshakeHeaderLen = 4

// Message is a parsed handshake message. The concrete types are the pointer
// types *ClientHello, *ServerHello, *Certificate, *CertificateRequest,
// *ServerKeyExchange, *ServerHelloDone, *ClientKeyExchange,
// *CertificateVerify, *Finished, *NewSessionTicket, *EncryptedExtensions,
// *CertificateStatus, *HelloRequest and *Unknown.
type Message interface {
	// HandshakeType returns the msg_type the message was parsed from.
	HandshakeType() HandshakeType
}

// ParseHandshake parses one complete handshake message, 4-byte header
// included, as returned by Defragmenter.Add. v is the negotiated version
// (ServerHello.Version), or 0 before the ServerHello is known; Certificate,
// CertificateRequest, CertificateVerify, ServerKeyExchange and
// NewSessionTicket use it to choose between the TLS 1.3 and the older wire
// formats.
//
// The returned message and every slice in it alias msg. Errors are
// *ParseError values wrapping ErrTruncated (including for every strict prefix
// of a valid message), ErrTrailingBytes or ErrMalformed.
func ParseHandshake(msg []byte, v Version) (Message, error) {
	if len(msg) < HandshakeHeaderLen {
		var t HandshakeType
		if len(msg) > 0 {
			t = HandshakeType(msg[0])
		}
		return nil, &ParseError{Type: t, Field: "length", Offset: len(msg), Err: ErrTruncated}
	}
	t := HandshakeType(msg[0])
	n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	switch {
	case len(msg) < HandshakeHeaderLen+n:
		return nil, &ParseError{Type: t, Field: "body", Offset: len(msg), Err: ErrTruncated}
	case len(msg) > HandshakeHeaderLen+n:
		return nil, &ParseError{Type: t, Field: "body", Offset: HandshakeHeaderLen + n, Err: ErrTrailingBytes}
	}
	// Limit the capacity so offsets computed from it are exact.
	msg = msg[:len(msg):len(msg)]
	r := &reader{base: msg, typ: t}
	body := cryptobyte.String(msg[HandshakeHeaderLen:])
	var m Message
	var ok bool
	switch t {
	case TypeHelloRequest:
		m, ok = &HelloRequest{Raw: msg}, r.end(body, "body")
	case TypeClientHello:
		m, ok = parseClientHello(r, body)
	case TypeServerHello:
		m, ok = parseServerHello(r, body)
	case TypeNewSessionTicket:
		m, ok = parseNewSessionTicket(r, body, v)
	case TypeEncryptedExtensions:
		m, ok = parseEncryptedExtensions(r, body)
	case TypeCertificate:
		m, ok = parseCertificate(r, body, v)
	case TypeServerKeyExchange:
		m, ok = parseServerKeyExchange(msg, v), true
	case TypeCertificateRequest:
		m, ok = parseCertificateRequest(r, body, v)
	case TypeServerHelloDone:
		m, ok = &ServerHelloDone{Raw: msg}, r.end(body, "body")
	case TypeCertificateVerify:
		m, ok = parseCertificateVerify(r, body, v)
	case TypeClientKeyExchange:
		m, ok = &ClientKeyExchange{Raw: msg, Body: msg[HandshakeHeaderLen:]}, true
	case TypeFinished:
		m, ok = &Finished{Raw: msg, VerifyData: msg[HandshakeHeaderLen:]}, true
	case TypeCertificateStatus:
		m, ok = parseCertificateStatus(r, body)
	default:
		m, ok = &Unknown{Type: t, Raw: msg}, true
	}
	if !ok {
		return nil, r.err
	}
	return m, nil
}

// ClientHello is the ClientHello message (RFC 8446 section 4.1.2, RFC 5246
// section 7.4.1.2). The fields after Extensions are decoded from the first
// occurrence of their extension; problems an analyzer should report, such as
// duplicate extensions or an SNI with a trailing dot, are in Findings.
type ClientHello struct {
	Raw                      []byte
	LegacyVersion            Version
	Random                   []byte
	LegacySessionID          []byte
	CipherSuites             []CipherSuite
	LegacyCompressionMethods []uint8
	// Extensions holds every extension in wire order, unknown ones
	// included. It is nil when the message has no extensions block at all
	// (allowed before TLS 1.2) and empty when the block is empty.
	Extensions []Extension

	ServerName           string
	ALPNProtocols        []string
	SupportedVersions    []Version
	SupportedGroups      []NamedGroup
	SignatureAlgorithms  []SignatureScheme
	KeyShares            []KeyShareEntry
	StatusRequest        bool
	ExtendedMasterSecret bool
	SessionTicket        bool
	// SecureRenegotiation is true when the renegotiation_info extension or
	// the TLS_EMPTY_RENEGOTIATION_INFO_SCSV cipher suite is present.
	SecureRenegotiation bool

	Findings []Finding
}

// HandshakeType returns TypeClientHello.
func (*ClientHello) HandshakeType() HandshakeType { return TypeClientHello }

// MaxVersion returns the highest version the client offers: the highest
// known entry of supported_versions (TLS 1.3 drafts rank below TLS 1.3, GREASE
// and unknown values are ignored), or LegacyVersion when the extension is
// absent or holds no known version.
func (m *ClientHello) MaxVersion() Version {
	best := Version(0)
	for _, v := range m.SupportedVersions {
		if v.rank() > best.rank() {
			best = v
		}
	}
	if best == 0 {
		return m.LegacyVersion
	}
	return best
}

func parseClientHello(r *reader, s cryptobyte.String) (*ClientHello, bool) {
	m := &ClientHello{Raw: r.base}
	var version uint16
	var sid, suites, comp cryptobyte.String
	if !r.u16(&s, "legacy_version", &version) ||
		!r.bytes(&s, 32, "random", &m.Random) ||
		!r.vec8(&s, "legacy_session_id", &sid) ||
		!r.vec16(&s, "cipher_suites", &suites) ||
		!r.vec8(&s, "legacy_compression_methods", &comp) {
		return nil, false
	}
	m.LegacyVersion = Version(version)
	m.LegacySessionID = sid
	var ok bool
	if m.CipherSuites, ok = uintList[CipherSuite](r, suites, "cipher_suites", 2); !ok {
		return nil, false
	}
	m.SecureRenegotiation = slices.Contains(m.CipherSuites, TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
	m.LegacyCompressionMethods = comp
	if m.Extensions, ok = r.helloExtensions(&s); !ok {
		return nil, false
	}

	m.Findings = helloFindings(m.LegacyVersion, sid)
	if bytes.IndexByte(comp, 0) < 0 {
		m.Findings = append(m.Findings, Finding{Code: FindingNoNullCompression,
			Detail: "legacy_compression_methods does not offer null"})
	}
	m.Findings = append(m.Findings, m.decodeExtensions()...)
	return m, true
}

// helloExtensions reads the extensions block that ends a ClientHello or
// ServerHello and reports whether nothing follows it. The block may be absent
// (RFC 5246 section 7.4.1.2), and then there are no extensions.
func (r *reader) helloExtensions(s *cryptobyte.String) ([]Extension, bool) {
	var exts []Extension
	if !s.Empty() {
		var ok bool
		if exts, ok = r.readExtensions(s); !ok {
			return nil, false
		}
	}
	if !r.end(*s, "extensions") {
		return nil, false
	}
	return exts, true
}

// helloFindings returns the findings about a hello's legacy_version and
// legacy_session_id, which may not be longer than 32 bytes.
func helloFindings(v Version, sid []byte) []Finding {
	f := versionFinding("legacy_version", v)
	if len(sid) > 32 {
		f = append(f, Finding{Code: FindingSessionIDTooLong,
			Detail: fmt.Sprintf("legacy_session_id is %d bytes", len(sid))})
	}
	return f
}

// decodeExtensions sets the fields that m's known extensions carry and
// returns the findings about them.
func (m *ClientHello) decodeExtensions() []Finding {
	d := &extDecoder{}
	for _, e := range m.Extensions {
		if !d.first(e) {
			continue
		}
		switch e.Type {
		case ExtServerName: // RFC 6066 section 3
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				var ok bool
				m.ServerName, ok = readServerName(r, s, &d.findings)
				return ok
			})
		case ExtALPN: // RFC 7301 section 3.1
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				var ok bool
				m.ALPNProtocols, ok = readALPN(r, s)
				return ok
			})
		case ExtSupportedVersions: // RFC 8446 section 4.2.1
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				var list cryptobyte.String
				if !r.vec8(s, "versions", &list) {
					return false
				}
				if list.Empty() {
					return r.malformed(list, "versions")
				}
				vals, ok := uintList[uint16](r, list, "versions", 2)
				for _, v := range vals {
					m.SupportedVersions = append(m.SupportedVersions, Version(v))
					d.findings = append(d.findings, versionFinding("supported_versions entry", Version(v))...)
				}
				return ok
			})
		case ExtSupportedGroups: // RFC 8446 section 4.2.7
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				vals, ok := readU16Vec16(r, s, "named_group_list")
				for _, v := range vals {
					m.SupportedGroups = append(m.SupportedGroups, NamedGroup(v))
				}
				return ok
			})
		case ExtSignatureAlgorithms: // RFC 8446 section 4.2.3
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				var ok bool
				m.SignatureAlgorithms, ok = readSignatureAlgorithms(r, s, "supported_signature_algorithms")
				return ok
			})
		case ExtKeyShare, extKeyShareDraft: // RFC 8446 section 4.2.8
			if e.Type == extKeyShareDraft && d.has(ExtKeyShare) {
				continue
			}
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				var list cryptobyte.String
				if !r.vec16(s, "client_shares", &list) {
					return false
				}
				m.KeyShares = []KeyShareEntry{}
				for !list.Empty() {
					ks, ok := readKeyShareEntry(r, &list)
					if !ok {
						return false
					}
					m.KeyShares = append(m.KeyShares, ks)
				}
				return true
			})
		case ExtStatusRequest: // RFC 6066 section 8
			m.StatusRequest = true
		case ExtExtendedMasterSecret: // RFC 7627 section 5.1
			m.ExtendedMasterSecret = true
		case ExtSessionTicket: // RFC 5077 section 3.2
			m.SessionTicket = true
		case ExtRenegotiationInfo: // RFC 5746 section 3.2
			m.SecureRenegotiation = true
		}
	}
	return d.findings
}

// extKeyShareDraft is the code point TLS 1.3 drafts 22 and earlier used for
// key_share; the registry now lists it as reserved. It is decoded as
// key_share when no key_share (51) precedes it.
const extKeyShareDraft ExtensionType = 40

// helloRetryRequestRandom is the Random of a HelloRetryRequest, the SHA-256
// of "HelloRetryRequest" (RFC 8446 section 4.1.3).
var helloRetryRequestRandom = [32]byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
	0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
	0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// ServerHello is the ServerHello message (RFC 8446 section 4.1.3, RFC 5246
// section 7.4.1.3), which in TLS 1.3 may be a HelloRetryRequest. When
// LegacyVersion is a TLS 1.3 draft code point (0x7fNN), the message has the
// layout of drafts 21 and earlier, without legacy_session_id and
// legacy_compression_method.
type ServerHello struct {
	Raw                     []byte
	LegacyVersion           Version
	Random                  []byte
	LegacySessionID         []byte
	CipherSuite             CipherSuite
	LegacyCompressionMethod uint8
	// Extensions holds every extension in wire order; nil when the message
	// has no extensions block.
	Extensions []Extension

	// SupportedVersion is the version selected in supported_versions, 0 if
	// the extension is absent.
	SupportedVersion Version
	// KeyShare is the server's key_share. In a HelloRetryRequest only Group
	// (the selected_group) is set.
	KeyShare KeyShareEntry
	// ALPNProtocol is the protocol selected with ALPN, "" if none.
	ALPNProtocol         string
	ExtendedMasterSecret bool
	SecureRenegotiation  bool

	Findings []Finding
}

// HandshakeType returns TypeServerHello, also for a HelloRetryRequest.
func (*ServerHello) HandshakeType() HandshakeType { return TypeServerHello }

// IsHelloRetryRequest reports whether m is a TLS 1.3 HelloRetryRequest,
// recognised by its special Random (RFC 8446 section 4.1.3).
func (m *ServerHello) IsHelloRetryRequest() bool {
	return bytes.Equal(m.Random, helloRetryRequestRandom[:])
}

// Version returns the negotiated version: SupportedVersion if set, else
// LegacyVersion.
func (m *ServerHello) Version() Version {
	if m.SupportedVersion != 0 {
		return m.SupportedVersion
	}
	return m.LegacyVersion
}

func parseServerHello(r *reader, s cryptobyte.String) (*ServerHello, bool) {
	m := &ServerHello{Raw: r.base}
	var version, suite uint16
	var sid cryptobyte.String
	if !r.u16(&s, "legacy_version", &version) ||
		!r.bytes(&s, 32, "random", &m.Random) {
		return nil, false
	}
	if Version(version).IsTLS13Draft() {
		// draft-ietf-tls-tls13-21 and earlier: the version field holds the
		// selected draft and there is no legacy_session_id nor
		// legacy_compression_method.
		if !r.u16(&s, "cipher_suite", &suite) {
			return nil, false
		}
	} else if !r.vec8(&s, "legacy_session_id", &sid) ||
		!r.u16(&s, "cipher_suite", &suite) ||
		!r.u8(&s, "legacy_compression_method", &m.LegacyCompressionMethod) {
		return nil, false
	}
	m.LegacyVersion, m.LegacySessionID, m.CipherSuite = Version(version), sid, CipherSuite(suite)
	var ok bool
	if m.Extensions, ok = r.helloExtensions(&s); !ok {
		return nil, false
	}

	m.Findings = helloFindings(m.LegacyVersion, sid)
	if m.LegacyCompressionMethod != 0 {
		m.Findings = append(m.Findings, Finding{Code: FindingNoNullCompression,
			Detail: fmt.Sprintf("legacy_compression_method is %d", m.LegacyCompressionMethod)})
	}
	// RFC 8446 section 4.1.3: a TLS 1.3 server negotiating TLS 1.2 or
	// below sets the last 8 bytes of Random to "DOWNGRD" and 0x01 or 0x00.
	if tail := m.Random[24:]; bytes.Equal(tail[:7], []byte("DOWNGRD")) && tail[7] <= 1 {
		below := "TLS 1.2"
		if tail[7] == 0 {
			below = "TLS 1.1 or below"
		}
		m.Findings = append(m.Findings, Finding{Code: FindingDowngradeSentinel,
			Detail: fmt.Sprintf("server random ends with the RFC 8446 downgrade marker: the server supports TLS 1.3 but negotiated %s", below)})
	}
	m.Findings = append(m.Findings, m.decodeExtensions()...)
	return m, true
}

// decodeExtensions sets the fields that m's known extensions carry and
// returns the findings about them.
func (m *ServerHello) decodeExtensions() []Finding {
	hrr := m.IsHelloRetryRequest()
	d := &extDecoder{}
	for _, e := range m.Extensions {
		if !d.first(e) {
			continue
		}
		switch e.Type {
		case ExtSupportedVersions: // RFC 8446 section 4.2.1
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				var v uint16
				ok := r.u16(s, "selected_version", &v)
				m.SupportedVersion = Version(v)
				if ok {
					d.findings = append(d.findings, versionFinding("supported_versions", m.SupportedVersion)...)
				}
				return ok
			})
		case ExtKeyShare, extKeyShareDraft: // RFC 8446 section 4.2.8
			if e.Type == extKeyShareDraft && d.has(ExtKeyShare) {
				continue
			}
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				if hrr {
					var g uint16
					ok := r.u16(s, "selected_group", &g)
					m.KeyShare.Group = NamedGroup(g)
					return ok
				}
				var ok bool
				m.KeyShare, ok = readKeyShareEntry(r, s)
				return ok
			})
		case ExtALPN: // RFC 7301 section 3.1
			d.decode(e, func(r *reader, s *cryptobyte.String) bool {
				protos, ok := readALPN(r, s)
				if ok && len(protos) != 1 {
					return r.malformed(*s, "protocol_name_list")
				}
				if ok {
					m.ALPNProtocol = protos[0]
				}
				return ok
			})
		case ExtExtendedMasterSecret:
			m.ExtendedMasterSecret = true
		case ExtRenegotiationInfo:
			m.SecureRenegotiation = true
		}
	}
	return d.findings
}

// CertificateEntry is one certificate of a Certificate message. In TLS 1.2
// and below Extensions is always nil.
type CertificateEntry struct {
	// CertData is the DER certificate (or raw public key) as sent.
	CertData   []byte
	Extensions []Extension
}

// Certificate is the Certificate message (RFC 8446 section 4.4.2, RFC 5246
// section 7.4.2), in the TLS 1.3 form when the version passed to
// ParseHandshake is TLS 1.3 or a draft, else in the TLS 1.2 form.
type Certificate struct {
	Raw []byte
	// CertificateRequestContext is set only in the TLS 1.3 form.
	CertificateRequestContext []byte
	// CertificateList is in the order sent (sender's own certificate first)
	// and empty when the sender has no certificate.
	CertificateList []CertificateEntry
	// CertificatesLength is the declared length of the certificate_list.
	CertificatesLength int
	Findings           []Finding
}

// HandshakeType returns TypeCertificate.
func (*Certificate) HandshakeType() HandshakeType { return TypeCertificate }

// DER returns the CertData of every entry, in order.
func (m *Certificate) DER() [][]byte {
	out := make([][]byte, len(m.CertificateList))
	for i, e := range m.CertificateList {
		out[i] = e.CertData
	}
	return out
}

func parseCertificate(r *reader, s cryptobyte.String, v Version) (*Certificate, bool) {
	m := &Certificate{Raw: r.base, CertificateList: []CertificateEntry{}}
	tls13 := v.IsTLS13()
	if tls13 {
		var ctx cryptobyte.String
		if !r.vec8(&s, "certificate_request_context", &ctx) {
			return nil, false
		}
		m.CertificateRequestContext = ctx
	}
	var list cryptobyte.String
	if !r.vec24(&s, "certificate_list", &list) || !r.end(s, "certificate_list") {
		return nil, false
	}
	m.CertificatesLength = len(list)
	for !list.Empty() {
		var e CertificateEntry
		var cert cryptobyte.String
		if !r.vec24(&list, "certificate_list.cert_data", &cert) {
			return nil, false
		}
		e.CertData = cert
		if tls13 {
			var ok bool
			if e.Extensions, ok = r.readExtensions(&list); !ok {
				return nil, false
			}
		}
		if len(cert) == 0 {
			m.Findings = append(m.Findings, Finding{Code: FindingEmptyCertificate,
				Detail: fmt.Sprintf("certificate %d is empty", len(m.CertificateList))})
		}
		m.CertificateList = append(m.CertificateList, e)
	}
	return m, true
}

// CertificateRequest is the CertificateRequest message, in the TLS 1.3 form
// (RFC 8446 section 4.3.2) when the version passed to ParseHandshake is TLS
// 1.3 or a draft, else in the TLS 1.2 form (RFC 5246 section 7.4.4; without
// SignatureAlgorithms before TLS 1.2). In the TLS 1.3 form,
// SignatureAlgorithms and CertificateAuthorities are decoded from the
// signature_algorithms and certificate_authorities extensions. With version
// 0 (unknown), the TLS 1.2 layout is tried first, then the older one.
type CertificateRequest struct {
	Raw []byte

	// CertificateTypes is the TLS 1.2 certificate_types list
	// (1 rsa_sign, 2 dss_sign, 64 ecdsa_sign, ...).
	CertificateTypes    []uint8
	SignatureAlgorithms []SignatureScheme
	// CertificateAuthorities holds the DER of each DistinguishedName, the
	// complete list, in order.
	CertificateAuthorities [][]byte
	// AuthoritiesLength is the declared length in bytes of the
	// certificate_authorities list.
	AuthoritiesLength int

	// CertificateRequestContext and Extensions are set only in the TLS 1.3
	// form.
	CertificateRequestContext []byte
	Extensions                []Extension

	Findings []Finding
}

// HandshakeType returns TypeCertificateRequest.
func (*CertificateRequest) HandshakeType() HandshakeType { return TypeCertificateRequest }

func parseCertificateRequest(r *reader, s cryptobyte.String, v Version) (*CertificateRequest, bool) {
	m := &CertificateRequest{Raw: r.base}
	if v.IsTLS13() {
		var ctx cryptobyte.String
		var ok bool
		if !r.vec8(&s, "certificate_request_context", &ctx) {
			return nil, false
		}
		m.CertificateRequestContext = ctx
		if m.Extensions, ok = r.readExtensions(&s); !ok || !r.end(s, "extensions") {
			return nil, false
		}
		d := &extDecoder{}
		for _, e := range m.Extensions {
			if !d.first(e) {
				continue
			}
			switch e.Type {
			case ExtSignatureAlgorithms:
				d.decode(e, func(r *reader, s *cryptobyte.String) bool {
					var ok bool
					m.SignatureAlgorithms, ok = readSignatureAlgorithms(r, s, "supported_signature_algorithms")
					return ok
				})
			case ExtCertificateAuthorities:
				d.decode(e, func(r *reader, s *cryptobyte.String) bool {
					var ok bool
					m.CertificateAuthorities, m.AuthoritiesLength, ok = readAuthorities(r, s, "authorities", &d.findings)
					return ok
				})
			}
		}
		m.Findings = d.findings
		return m, true
	}
	if v == 0 {
		// Version unknown: the TLS 1.2 layout if it parses, else the older
		// one.
		trial := &reader{base: r.base, typ: r.typ}
		if m, ok := parseCertificateRequest(trial, s, VersionTLS12); ok {
			return m, true
		}
		v = VersionTLS11
	}
	var types cryptobyte.String
	if !r.vec8(&s, "certificate_types", &types) {
		return nil, false
	}
	m.CertificateTypes = types
	if v == VersionTLS12 {
		var ok bool
		if m.SignatureAlgorithms, ok = readSignatureAlgorithms(r, &s, "supported_signature_algorithms"); !ok {
			return nil, false
		}
	}
	var ok bool
	if m.CertificateAuthorities, m.AuthoritiesLength, ok = readAuthorities(r, &s, "certificate_authorities", &m.Findings); !ok {
		return nil, false
	}
	if !r.end(s, "certificate_authorities") {
		return nil, false
	}
	return m, true
}

// ServerKeyExchange is the ServerKeyExchange message (RFC 5246 section
// 7.4.3, RFC 8422 section 5.4). Its layout depends on the key exchange of the
// cipher suite, which the message does not name; the ECDHE fields are filled
// in only when the whole body parses as ECParameters with a named curve,
// an ECPoint and a signature. The message never fails to parse beyond its
// header.
type ServerKeyExchange struct {
	Raw []byte
	// Body is the message body after the 4-byte header.
	Body []byte

	// ECDHE reports whether the body was recognised as ECDHE parameters.
	ECDHE bool
	// CurveType is the ECCurveType (3 = named_curve).
	CurveType  uint8
	NamedCurve NamedGroup
	PublicKey  []byte
	// Algorithm is the signature scheme (TLS 1.2 only).
	Algorithm SignatureScheme
	Signature []byte
}

// HandshakeType returns TypeServerKeyExchange.
func (*ServerKeyExchange) HandshakeType() HandshakeType { return TypeServerKeyExchange }

func parseServerKeyExchange(msg []byte, v Version) *ServerKeyExchange {
	m := &ServerKeyExchange{Raw: msg, Body: msg[HandshakeHeaderLen:]}
	s := cryptobyte.String(m.Body)
	var curveType uint8
	var curve uint16
	var point, sig cryptobyte.String
	if !s.ReadUint8(&curveType) || curveType != 3 || !s.ReadUint16(&curve) ||
		!s.ReadUint8LengthPrefixed(&point) || point.Empty() {
		return m
	}
	var alg uint16
	// Before TLS 1.2 there is no algorithm field; with v unknown (0), try
	// the TLS 1.2 layout first.
	withAlg := v == VersionTLS12 || v == 0
	rest := s
	if withAlg && (!rest.ReadUint16(&alg) || !rest.ReadUint16LengthPrefixed(&sig) || !rest.Empty()) {
		withAlg, rest, alg = false, s, 0
		if v == VersionTLS12 {
			return m
		}
	}
	if !withAlg && (!rest.ReadUint16LengthPrefixed(&sig) || !rest.Empty()) {
		return m
	}
	m.ECDHE, m.CurveType, m.NamedCurve, m.PublicKey = true, curveType, NamedGroup(curve), point
	m.Algorithm, m.Signature = SignatureScheme(alg), sig
	return m
}

// ServerHelloDone is the empty ServerHelloDone message (RFC 5246 section
// 7.4.5).
type ServerHelloDone struct{ Raw []byte }

// HandshakeType returns TypeServerHelloDone.
func (*ServerHelloDone) HandshakeType() HandshakeType { return TypeServerHelloDone }

// HelloRequest is the empty HelloRequest message (RFC 5246 section 7.4.1.1).
type HelloRequest struct{ Raw []byte }

// HandshakeType returns TypeHelloRequest.
func (*HelloRequest) HandshakeType() HandshakeType { return TypeHelloRequest }

// ClientKeyExchange is the ClientKeyExchange message (RFC 5246 section
// 7.4.7). Its layout depends on the key exchange, so only the body is kept.
type ClientKeyExchange struct {
	Raw  []byte
	Body []byte
}

// HandshakeType returns TypeClientKeyExchange.
func (*ClientKeyExchange) HandshakeType() HandshakeType { return TypeClientKeyExchange }

// CertificateVerify is the CertificateVerify message (RFC 8446 section
// 4.4.3, RFC 5246 section 7.4.8). Algorithm is set for TLS 1.2 and 1.3 (and,
// when the version is unknown, if the body has that layout).
type CertificateVerify struct {
	Raw       []byte
	Algorithm SignatureScheme
	Signature []byte
}

// HandshakeType returns TypeCertificateVerify.
func (*CertificateVerify) HandshakeType() HandshakeType { return TypeCertificateVerify }

func parseCertificateVerify(r *reader, s cryptobyte.String, v Version) (*CertificateVerify, bool) {
	m := &CertificateVerify{Raw: r.base}
	withAlg := v == VersionTLS12 || v.IsTLS13()
	if v == 0 {
		// Unknown version: the TLS 1.2 layout if it fits exactly.
		t := s
		var alg uint16
		var sig cryptobyte.String
		withAlg = t.ReadUint16(&alg) && t.ReadUint16LengthPrefixed(&sig) && t.Empty()
	}
	var sig cryptobyte.String
	if withAlg {
		var alg uint16
		if !r.u16(&s, "algorithm", &alg) {
			return nil, false
		}
		m.Algorithm = SignatureScheme(alg)
	}
	if !r.vec16(&s, "signature", &sig) || !r.end(s, "signature") {
		return nil, false
	}
	m.Signature = sig
	return m, true
}

// Finished is the Finished message (RFC 8446 section 4.4.4).
type Finished struct {
	Raw        []byte
	VerifyData []byte
}

// HandshakeType returns TypeFinished.
func (*Finished) HandshakeType() HandshakeType { return TypeFinished }

// NewSessionTicket is the NewSessionTicket message, in the TLS 1.3 form (RFC
// 8446 section 4.6.1) when the version is TLS 1.3 or a draft, else in the
// RFC 5077 section 3.3 form (LifetimeHint and Ticket only).
type NewSessionTicket struct {
	Raw []byte
	// LifetimeHint is ticket_lifetime_hint (RFC 5077) or ticket_lifetime
	// (TLS 1.3), in seconds.
	LifetimeHint uint32
	AgeAdd       uint32
	Nonce        []byte
	Ticket       []byte
	Extensions   []Extension
}

// HandshakeType returns TypeNewSessionTicket.
func (*NewSessionTicket) HandshakeType() HandshakeType { return TypeNewSessionTicket }

func parseNewSessionTicket(r *reader, s cryptobyte.String, v Version) (*NewSessionTicket, bool) {
	m := &NewSessionTicket{Raw: r.base}
	var nonce, ticket cryptobyte.String
	if !r.u32(&s, "ticket_lifetime", &m.LifetimeHint) {
		return nil, false
	}
	if v.IsTLS13() {
		if !r.u32(&s, "ticket_age_add", &m.AgeAdd) || !r.vec8(&s, "ticket_nonce", &nonce) {
			return nil, false
		}
		m.Nonce = nonce
	}
	if !r.vec16(&s, "ticket", &ticket) {
		return nil, false
	}
	m.Ticket = ticket
	if v.IsTLS13() {
		var ok bool
		if m.Extensions, ok = r.readExtensions(&s); !ok {
			return nil, false
		}
	}
	if !r.end(s, "ticket") {
		return nil, false
	}
	return m, true
}

// EncryptedExtensions is the TLS 1.3 EncryptedExtensions message (RFC 8446
// section 4.3.1).
type EncryptedExtensions struct {
	Raw        []byte
	Extensions []Extension
	Findings   []Finding
}

// HandshakeType returns TypeEncryptedExtensions.
func (*EncryptedExtensions) HandshakeType() HandshakeType { return TypeEncryptedExtensions }

func parseEncryptedExtensions(r *reader, s cryptobyte.String) (*EncryptedExtensions, bool) {
	m := &EncryptedExtensions{Raw: r.base}
	var ok bool
	if m.Extensions, ok = r.readExtensions(&s); !ok || !r.end(s, "extensions") {
		return nil, false
	}
	d := &extDecoder{}
	for _, e := range m.Extensions {
		d.first(e)
	}
	m.Findings = d.findings
	return m, true
}

// CertificateStatus is the CertificateStatus message (RFC 6066 section 8,
// RFC 6961 section 2.2). For status_type ocsp (1) Response is the DER
// OCSPResponse; for other types it is the rest of the body.
type CertificateStatus struct {
	Raw        []byte
	StatusType uint8
	Response   []byte
}

// HandshakeType returns TypeCertificateStatus.
func (*CertificateStatus) HandshakeType() HandshakeType { return TypeCertificateStatus }

func parseCertificateStatus(r *reader, s cryptobyte.String) (*CertificateStatus, bool) {
	m := &CertificateStatus{Raw: r.base}
	if !r.u8(&s, "status_type", &m.StatusType) {
		return nil, false
	}
	if m.StatusType != 1 {
		m.Response = s
		return m, true
	}
	var resp cryptobyte.String
	if !r.vec24(&s, "response", &resp) || !r.end(s, "response") {
		return nil, false
	}
	m.Response = resp
	return m, true
}

// Unknown is any other handshake message, kept raw.
type Unknown struct {
	Type HandshakeType
	Raw  []byte
}

// HandshakeType returns m.Type.
func (m *Unknown) HandshakeType() HandshakeType { return m.Type }
