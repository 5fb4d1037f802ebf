package tlsparse

import (
	"fmt"
	"testing"
)

func TestNames(t *testing.T) {
	tests := []struct {
		name  string
		input fmt.Stringer
		want  string
	}{
		{"cipher suite", TLS_RSA_WITH_AES_128_CBC_SHA, "TLS_RSA_WITH_AES_128_CBC_SHA"},
		{"cipher suite 0xc030", CipherSuite(0xc030), "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
		{"TLS 1.3 suite", CipherSuite(0x1301), "TLS_AES_128_GCM_SHA256"},
		{"SSLv3 FORTEZZA", CipherSuite(0x001d), "SSL_FORTEZZA_KEA_WITH_FORTEZZA_CBC_SHA"},
		{"SCSV", CipherSuite(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
		{"fallback SCSV", CipherSuite(0x5600), "TLS_FALLBACK_SCSV"},
		{"pre-RFC ChaCha", CipherSuite(0xcc13), "OLD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
		{"GREASE suite", CipherSuite(0xdada), "GREASE"},
		{"unknown suite", CipherSuite(0x0a0b), "0x0a0b"},
		{"named group", GroupX25519MLKEM768, "X25519MLKEM768"},
		{"secp256r1", NamedGroup(23), "secp256r1"},
		{"ffdhe2048", NamedGroup(0x100), "ffdhe2048"},
		{"GREASE group", NamedGroup(0x2a2a), "GREASE"},
		{"unknown group", NamedGroup(0x4588), "0x4588"},
		{"signature scheme", SigRSAPSSRSAESHA256, "rsa_pss_rsae_sha256"},
		{"ecdsa", SignatureScheme(0x0403), "ecdsa_secp256r1_sha256"},
		{"TLS 1.2 pair", SignatureScheme(0x0402), "dsa_sha256"},
		{"unknown scheme", SignatureScheme(0xfe00), "0xfe00"},
		{"extension", ExtALPN, "application_layer_protocol_negotiation"},
		{"extension 0xff01", ExtensionType(0xff01), "renegotiation_info"},
		{"ECH", ExtensionType(0xfe0d), "encrypted_client_hello"},
		{"GREASE extension", ExtensionType(0xfafa), "GREASE"},
		{"NPN is not registered", ExtensionType(0x3374), "0x3374"},
		{"handshake type", TypeServerHelloDone, "ServerHelloDone"},
		{"certificate_status", HandshakeType(22), "CertificateStatus"},
		{"unknown handshake type", HandshakeType(99), "unknown(99)"},
		{"content type", ContentHandshake, "handshake"},
		{"unknown content type", ContentType(99), "unknown(99)"},
		{"alert", AlertBadCertificate, "bad_certificate"},
		{"alert 121", AlertDescription(121), "ech_required"},
		{"unknown alert", AlertDescription(255), "unknown(255)"},
		{"alert level", AlertLevelFatal, "fatal"},
		{"SSL 2.0", VersionSSL20, "SSL 2.0"},
		{"SSL 3.0", VersionSSL30, "SSL 3.0"},
		{"TLS 1.0", VersionTLS10, "TLS 1.0"},
		{"TLS 1.3", VersionTLS13, "TLS 1.3"},
		{"draft 16", Version(0x7f10), "TLS 1.3 (draft 16)"},
		{"GREASE version", Version(0x7a7a), "GREASE"},
		{"DTLS 1.2 is unknown here", Version(0xfefd), "0xfefd"},
		{"SSLv2 unknown spec", SSLv2CipherSpec(0x0a0b0c), "0x0a0b0c"},
		{"SSLv2 error", SSLv2Error{Code: 9}, "0x0009"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.input.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestGREASE checks the sixteen RFC 8701 values and a few near misses.
func TestGREASE(t *testing.T) {
	n := 0
	for v := 0; v <= 0xffff; v++ {
		if isGREASE(uint16(v)) {
			n++
			if v&0xff != 0x0a|(v&0xf0) || v>>8 != v&0xff {
				t.Errorf("0x%04x is not an RFC 8701 value", v)
			}
		}
	}
	if n != 16 {
		t.Errorf("%d GREASE values, want 16", n)
	}
}
