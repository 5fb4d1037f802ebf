package tlsparse

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/golden"
)

// describe renders a parsed message as stable text for golden files. Random
// values and key material are reduced to their length; certificates and DNs
// to a short SHA-256 prefix.
func describe(m Message) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	sum := func(d []byte) string { h := sha256.Sum256(d); return fmt.Sprintf("%x", h[:6]) }
	exts := func(es []Extension) {
		var names []string
		for _, e := range es {
			names = append(names, fmt.Sprintf("%s(%d)", e.Type, len(e.Data)))
		}
		p("  extensions: %s", strings.Join(names, " "))
	}
	findings := func(fs []Finding) {
		for _, f := range fs {
			p("  finding: %s: %s", f.Code, f.Detail)
		}
	}
	p("%s (%d bytes)", m.HandshakeType(), len(rawOf(m)))
	switch m := m.(type) {
	case *ClientHello:
		p("  legacy_version: %s, random %d bytes, session_id %d bytes, compression %v", m.LegacyVersion, len(m.Random), len(m.LegacySessionID), m.LegacyCompressionMethods)
		p("  cipher_suites: %v", m.CipherSuites)
		exts(m.Extensions)
		p("  server_name: %q alpn: %q", m.ServerName, m.ALPNProtocols)
		p("  supported_versions: %v max: %s", m.SupportedVersions, m.MaxVersion())
		p("  supported_groups: %v", m.SupportedGroups)
		p("  signature_algorithms: %v", m.SignatureAlgorithms)
		var ks []string
		for _, k := range m.KeyShares {
			ks = append(ks, fmt.Sprintf("%s/%d", k.Group, len(k.KeyExchange)))
		}
		p("  key_shares: %v", ks)
		p("  status_request: %v ems: %v session_ticket: %v secure_renegotiation: %v", m.StatusRequest, m.ExtendedMasterSecret, m.SessionTicket, m.SecureRenegotiation)
		findings(m.Findings)
	case *ServerHello:
		p("  legacy_version: %s, version: %s, hello_retry_request: %v", m.LegacyVersion, m.Version(), m.IsHelloRetryRequest())
		p("  cipher_suite: %s, compression %d, session_id %d bytes", m.CipherSuite, m.LegacyCompressionMethod, len(m.LegacySessionID))
		exts(m.Extensions)
		p("  key_share: %s/%d alpn: %q ems: %v secure_renegotiation: %v", m.KeyShare.Group, len(m.KeyShare.KeyExchange), m.ALPNProtocol, m.ExtendedMasterSecret, m.SecureRenegotiation)
		findings(m.Findings)
	case *Certificate:
		p("  context %d bytes, certificates_length %d", len(m.CertificateRequestContext), m.CertificatesLength)
		for i, e := range m.CertificateList {
			p("  [%d] %d bytes sha256:%s extensions %d", i, len(e.CertData), sum(e.CertData), len(e.Extensions))
		}
		findings(m.Findings)
	case *CertificateRequest:
		p("  certificate_types: %v context %d bytes", m.CertificateTypes, len(m.CertificateRequestContext))
		if m.Extensions != nil {
			exts(m.Extensions)
		}
		p("  signature_algorithms: %v", m.SignatureAlgorithms)
		p("  certificate_authorities: %d, %d bytes", len(m.CertificateAuthorities), m.AuthoritiesLength)
		for i, ca := range m.CertificateAuthorities {
			if i < 3 || i == len(m.CertificateAuthorities)-1 {
				p("  [%d] %d bytes sha256:%s", i, len(ca), sum(ca))
			}
		}
		findings(m.Findings)
	case *ServerKeyExchange:
		p("  ecdhe: %v curve_type %d named_curve %s point %d bytes algorithm %s signature %d bytes", m.ECDHE, m.CurveType, m.NamedCurve, len(m.PublicKey), m.Algorithm, len(m.Signature))
	case *CertificateVerify:
		p("  algorithm: %s signature %d bytes", m.Algorithm, len(m.Signature))
	case *ClientKeyExchange:
		p("  body %d bytes", len(m.Body))
	case *NewSessionTicket:
		p("  lifetime %d ticket %d bytes", m.LifetimeHint, len(m.Ticket))
	case *CertificateStatus:
		p("  status_type %d response %d bytes", m.StatusType, len(m.Response))
	}
	return b.String()
}

// rawOf returns the Raw field of any message.
func rawOf(m Message) []byte {
	switch m := m.(type) {
	case *ClientHello:
		return m.Raw
	case *ServerHello:
		return m.Raw
	case *Certificate:
		return m.Raw
	case *CertificateRequest:
		return m.Raw
	case *ServerKeyExchange:
		return m.Raw
	case *ServerHelloDone:
		return m.Raw
	case *ClientKeyExchange:
		return m.Raw
	case *CertificateVerify:
		return m.Raw
	case *Finished:
		return m.Raw
	case *NewSessionTicket:
		return m.Raw
	case *EncryptedExtensions:
		return m.Raw
	case *CertificateStatus:
		return m.Raw
	case *HelloRequest:
		return m.Raw
	case *Unknown:
		return m.Raw
	}
	return nil
}

// checkGolden compares got with testdata/golden/name, rewriting it with
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), []byte(got), *update)
}
