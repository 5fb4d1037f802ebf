package tlsparse

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// msgOf builds a handshake message of type typ whose body is written by body.
func msgOf(typ HandshakeType, body func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddUint8(uint8(typ))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { body(b) })
	return b.BytesOrPanic()
}

// ext writes one extension with the given data.
func ext(typ ExtensionType, data func(b *cryptobyte.Builder)) func(b *cryptobyte.Builder) {
	return func(b *cryptobyte.Builder) {
		b.AddUint16(uint16(typ))
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			if data != nil {
				data(b)
			}
		})
	}
}

func rawExt(typ ExtensionType, data ...byte) func(b *cryptobyte.Builder) {
	return ext(typ, func(b *cryptobyte.Builder) { b.AddBytes(data) })
}

func sni(names ...string) func(b *cryptobyte.Builder) {
	return ext(ExtServerName, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, n := range names {
				b.AddUint8(0)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(n)) })
			}
		})
	})
}

func u16Ext(typ ExtensionType, prefix8 bool, vals ...uint16) func(b *cryptobyte.Builder) {
	return ext(typ, func(b *cryptobyte.Builder) {
		list := func(b *cryptobyte.Builder) {
			for _, v := range vals {
				b.AddUint16(v)
			}
		}
		if prefix8 {
			b.AddUint8LengthPrefixed(list)
		} else {
			b.AddUint16LengthPrefixed(list)
		}
	})
}

// helloOpts describes a ClientHello to build.
type helloOpts struct {
	version     uint16
	sessionID   []byte
	suites      []byte // raw cipher_suites contents
	compression []byte
	noExtBlock  bool
	exts        []func(b *cryptobyte.Builder)
	trailing    []byte
}

func clientHello(o helloOpts) []byte {
	if o.version == 0 {
		o.version = 0x0303
	}
	if o.suites == nil {
		o.suites = []byte{0x00, 0x2f, 0xc0, 0x2f}
	}
	if o.compression == nil {
		o.compression = []byte{0}
	}
	return msgOf(TypeClientHello, func(b *cryptobyte.Builder) {
		b.AddUint16(o.version)
		b.AddBytes(make([]byte, 32))
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(o.sessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(o.suites) })
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(o.compression) })
		if !o.noExtBlock {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, e := range o.exts {
					e(b)
				}
			})
		}
		b.AddBytes(o.trailing)
	})
}

// manyExts returns n empty extensions of distinct unassigned types
// (0xfe00 on).
func manyExts(n int) []func(*cryptobyte.Builder) {
	var out []func(*cryptobyte.Builder)
	for i := range n {
		out = append(out, ext(ExtensionType(0xfe00+i), func(*cryptobyte.Builder) {}))
	}
	return out
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// chSummary is the part of a ClientHello the table compares.
type chSummary struct {
	ServerName  string
	ALPN        []string
	Versions    []Version
	Max         Version
	Groups      []NamedGroup
	KeyShares   []NamedGroup
	NumExts     int
	NilExts     bool
	SecureReneg bool
	Findings    []string
}

func summarizeCH(m *ClientHello) chSummary {
	s := chSummary{ServerName: m.ServerName, ALPN: m.ALPNProtocols, Versions: m.SupportedVersions, Max: m.MaxVersion(),
		Groups: m.SupportedGroups, NumExts: len(m.Extensions), NilExts: m.Extensions == nil,
		SecureReneg: m.SecureRenegotiation, Findings: codes(m.Findings)}
	for _, k := range m.KeyShares {
		s.KeyShares = append(s.KeyShares, k.Group)
	}
	return s
}

func TestParseClientHello(t *testing.T) {
	keyShare := ext(ExtKeyShare, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(0x1a1a)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
			b.AddUint16(uint16(GroupX25519))
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
		})
	})
	alpn := ext(ExtALPN, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, p := range []string{"sip", "h2"} {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
			}
		})
	})
	tests := []struct {
		name    string
		input   []byte
		want    chSummary
		wantErr error
	}{
		{name: "no extensions block (TLS 1.0)", input: clientHello(helloOpts{version: 0x0301, noExtBlock: true}),
			want: chSummary{Max: VersionTLS10, NilExts: true}},
		{name: "empty extensions block", input: clientHello(helloOpts{}),
			want: chSummary{Max: VersionTLS12}},
		{name: "TLS 1.3 offer", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){
			sni("cucm-pub.example.com"), alpn,
			u16Ext(ExtSupportedVersions, true, 0x3a3a, 0x0304, 0x0303),
			u16Ext(ExtSupportedGroups, false, 0x3a3a, uint16(GroupX25519), uint16(GroupSecp256r1)),
			keyShare,
		}}), want: chSummary{ServerName: "cucm-pub.example.com", ALPN: []string{"sip", "h2"},
			Versions: []Version{0x3a3a, VersionTLS13, VersionTLS12}, Max: VersionTLS13,
			Groups: []NamedGroup{0x3a3a, GroupX25519, GroupSecp256r1}, KeyShares: []NamedGroup{0x1a1a, GroupX25519}, NumExts: 5}},
		{name: "draft and unknown versions", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){
			u16Ext(ExtSupportedVersions, true, 0x0305, 0x7f17, 0x0303),
		}}), want: chSummary{Versions: []Version{0x0305, 0x7f17, VersionTLS12}, Max: 0x7f17, NumExts: 1,
			Findings: []string{FindingUnknownVersion}}},
		{name: "draft key_share code point 40", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){
			u16Ext(ExtSupportedVersions, true, 0x7f10),
			ext(40, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint16(uint16(GroupX25519))
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
				})
			}),
		}}), want: chSummary{Versions: []Version{0x7f10}, Max: 0x7f10, KeyShares: []NamedGroup{GroupX25519}, NumExts: 2}},
		{name: "duplicate extension keeps the first", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){
			sni("a.example"), sni("b.example"),
		}}), want: chSummary{ServerName: "a.example", Max: VersionTLS12, NumExts: 2, Findings: []string{FindingDuplicateExtension}}},
		{name: "duplicate extension after 40 others (types counted in a map)", input: clientHello(helloOpts{exts: append(append(
			[]func(*cryptobyte.Builder){sni("a.example")}, manyExts(40)...), sni("b.example"), ext(0xfe05, func(*cryptobyte.Builder) {}))}),
			want: chSummary{ServerName: "a.example", Max: VersionTLS12, NumExts: 43, Findings: []string{FindingDuplicateExtension, FindingDuplicateExtension}}},
		{name: "SNI trailing dot", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){sni("cucm.example.com.")}}),
			want: chSummary{ServerName: "cucm.example.com.", Max: VersionTLS12, NumExts: 1, Findings: []string{FindingSNITrailingDot}}},
		{name: "SNI IP literal and two names", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){sni("10.1.1.1", "x")}}),
			want: chSummary{ServerName: "10.1.1.1", Max: VersionTLS12, NumExts: 1, Findings: []string{FindingSNIMultipleNames, FindingSNIIPLiteral}}},
		{name: "malformed SNI is a finding", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){
			rawExt(ExtServerName, 0, 5, 0, 0, 9, 'a'),
		}}), want: chSummary{Max: VersionTLS12, NumExts: 1, Findings: []string{FindingMalformedExtension}}},
		{name: "supported_versions with a trailing byte is a finding", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){
			rawExt(ExtSupportedVersions, 2, 3, 4, 0),
		}}), want: chSummary{Versions: []Version{VersionTLS13}, Max: VersionTLS13, NumExts: 1, Findings: []string{FindingMalformedExtension}}},
		{name: "SCSV, long session id, no null compression, unknown legacy version",
			input: clientHello(helloOpts{version: 0x0400, sessionID: make([]byte, 33), suites: []byte{0x00, 0xff}, compression: []byte{1}}),
			want:  chSummary{Max: 0x0400, SecureReneg: true, Findings: []string{FindingUnknownVersion, FindingSessionIDTooLong, FindingNoNullCompression}}},
		{name: "odd cipher_suites", input: clientHello(helloOpts{suites: []byte{0, 0x2f, 0}}), wantErr: ErrMalformed},
		{name: "trailing byte after extensions", input: clientHello(helloOpts{trailing: []byte{0}}), wantErr: ErrTrailingBytes},
		{name: "extension longer than the block", input: clientHello(helloOpts{exts: []func(*cryptobyte.Builder){
			func(b *cryptobyte.Builder) { b.AddBytes([]byte{0, 0, 0, 9, 1}) },
		}}), wantErr: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, ok := parseAs[*ClientHello](t, tt.input, 0, tt.wantErr)
			if !ok {
				return
			}
			got := summarizeCH(ch)
			if !chEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func chEqual(a, b chSummary) bool {
	return a.ServerName == b.ServerName && slices.Equal(a.ALPN, b.ALPN) && slices.Equal(a.Versions, b.Versions) &&
		a.Max == b.Max && slices.Equal(a.Groups, b.Groups) && slices.Equal(a.KeyShares, b.KeyShares) &&
		a.NumExts == b.NumExts && a.NilExts == b.NilExts && a.SecureReneg == b.SecureReneg && slices.Equal(a.Findings, b.Findings)
}

func serverHello(random []byte, suite uint16, exts ...func(b *cryptobyte.Builder)) []byte {
	return msgOf(TypeServerHello, func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		b.AddBytes(random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {})
		b.AddUint16(suite)
		b.AddUint8(0)
		if exts != nil {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, e := range exts {
					e(b)
				}
			})
		}
	})
}

func TestParseServerHello(t *testing.T) {
	zero := make([]byte, 32)
	downgrade := append(make([]byte, 24), "DOWNGRD\x01"...)
	type shSummary struct {
		Version  Version
		HRR      bool
		Group    NamedGroup
		KeyLen   int
		ALPN     string
		Findings []string
	}
	tests := []struct {
		name    string
		input   []byte
		want    shSummary
		wantErr error
	}{
		{name: "TLS 1.2 without extensions", input: serverHello(zero, 0x002f), want: shSummary{Version: VersionTLS12}},
		{name: "TLS 1.3", input: serverHello(zero, 0x1301, rawExt(ExtSupportedVersions, 3, 4),
			ext(ExtKeyShare, func(b *cryptobyte.Builder) {
				b.AddUint16(uint16(GroupX25519))
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
			})), want: shSummary{Version: VersionTLS13, Group: GroupX25519, KeyLen: 32}},
		{name: "HelloRetryRequest", input: serverHello(helloRetryRequestRandom[:], 0x1301, rawExt(ExtSupportedVersions, 3, 4),
			rawExt(ExtKeyShare, 0, 0x18)), want: shSummary{Version: VersionTLS13, HRR: true, Group: GroupSecp384r1}},
		{name: "draft version", input: serverHello(zero, 0x1301, rawExt(ExtSupportedVersions, 0x7f, 0x10)),
			want: shSummary{Version: 0x7f10}},
		{name: "downgrade sentinel and ALPN", input: serverHello(downgrade, 0xc02f, ext(ExtALPN, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("sip")) })
			})
		})), want: shSummary{Version: VersionTLS12, ALPN: "sip", Findings: []string{FindingDowngradeSentinel}}},
		{name: "ALPN with two protocols is a finding", input: serverHello(zero, 0xc02f, rawExt(ExtALPN, 0, 6, 2, 'h', '2', 2, 'h', '3')),
			want: shSummary{Version: VersionTLS12, Findings: []string{FindingMalformedExtension}}},
		{name: "duplicate supported_versions", input: serverHello(zero, 0x1301, rawExt(ExtSupportedVersions, 3, 4), rawExt(ExtSupportedVersions, 3, 3)),
			want: shSummary{Version: VersionTLS13, Findings: []string{FindingDuplicateExtension}}},
		{name: "truncated random", input: msgOf(TypeServerHello, func(b *cryptobyte.Builder) { b.AddBytes([]byte{3, 3, 1, 2}) }), wantErr: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh, ok := parseAs[*ServerHello](t, tt.input, 0, tt.wantErr)
			if !ok {
				return
			}
			got := shSummary{sh.Version(), sh.IsHelloRetryRequest(), sh.KeyShare.Group, len(sh.KeyShare.KeyExchange), sh.ALPNProtocol, codes(sh.Findings)}
			if got.Version != tt.want.Version || got.HRR != tt.want.HRR || got.Group != tt.want.Group || got.KeyLen != tt.want.KeyLen ||
				got.ALPN != tt.want.ALPN || !slices.Equal(got.Findings, tt.want.Findings) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseCertificate(t *testing.T) {
	certA, certB := []byte{0x30, 0x03, 1, 2, 3}, []byte{0x30, 0x01, 9}
	tls12 := msgOf(TypeCertificate, func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range [][]byte{certA, certB, {}} {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
			}
		})
	})
	tls13 := msgOf(TypeCertificate, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{7, 7}) })
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(certA) })
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { rawExt(ExtStatusRequest, 1, 0, 0, 1, 0x30)(b) })
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(certB) })
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {})
		})
	})
	tests := []struct {
		name     string
		input    []byte
		v        Version
		want     [][]byte
		wantCtx  []byte
		wantExts []int
		findings []string
		wantErr  error
	}{
		{name: "TLS 1.2 chain with an empty entry", input: tls12, v: VersionTLS12, want: [][]byte{certA, certB, {}}, wantExts: []int{0, 0, 0},
			findings: []string{FindingEmptyCertificate}},
		{name: "before ServerHello uses the TLS 1.2 form", input: tls12, v: 0, want: [][]byte{certA, certB, {}}, wantExts: []int{0, 0, 0},
			findings: []string{FindingEmptyCertificate}},
		{name: "TLS 1.3", input: tls13, v: VersionTLS13, want: [][]byte{certA, certB}, wantCtx: []byte{7, 7}, wantExts: []int{1, 0}},
		{name: "TLS 1.3 draft", input: tls13, v: 0x7f1c, want: [][]byte{certA, certB}, wantCtx: []byte{7, 7}, wantExts: []int{1, 0}},
		{name: "TLS 1.3 message read as TLS 1.2", input: tls13, v: VersionTLS12, wantErr: ErrTruncated},
		{name: "TLS 1.2 message read as TLS 1.3", input: tls12, v: VersionTLS13, wantErr: ErrTruncated},
		{name: "empty list", input: msgOf(TypeCertificate, func(b *cryptobyte.Builder) { b.AddUint24(0) }), v: VersionTLS12, want: [][]byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := parseAs[*Certificate](t, tt.input, tt.v, tt.wantErr)
			if !ok {
				return
			}
			if !slices.EqualFunc(c.DER(), tt.want, bytes.Equal) || !bytes.Equal(c.CertificateRequestContext, tt.wantCtx) ||
				!slices.Equal(codes(c.Findings), tt.findings) {
				t.Errorf("got DER %x ctx %x findings %v", c.DER(), c.CertificateRequestContext, c.Findings)
			}
			for i, e := range c.CertificateList {
				if i < len(tt.wantExts) && len(e.Extensions) != tt.wantExts[i] {
					t.Errorf("entry %d has %d extensions, want %d", i, len(e.Extensions), tt.wantExts[i])
				}
			}
		})
	}
}

func TestParseCertificateRequest(t *testing.T) {
	dns := [][]byte{{0x30, 0x00}, {0x30, 0x02, 0x31, 0x00}, {}}
	addDNs := func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, dn := range dns {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(dn) })
			}
		})
	}
	tls12 := msgOf(TypeCertificateRequest, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 64}) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(0x0804); b.AddUint16(0x0403) })
		addDNs(b)
	})
	tls11 := msgOf(TypeCertificateRequest, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{1}) })
		addDNs(b)
	})
	tls13 := msgOf(TypeCertificateRequest, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {})
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			u16Ext(ExtSignatureAlgorithms, false, 0x0804, 0x0403)(b)
			ext(ExtCertificateAuthorities, addDNs)(b)
			rawExt(0x1234, 1)(b)
		})
	})
	tests := []struct {
		name     string
		input    []byte
		v        Version
		types    []uint8
		sigs     []SignatureScheme
		numExts  int
		findings []string
		wantErr  error
	}{
		{name: "TLS 1.2", input: tls12, v: VersionTLS12, types: []uint8{1, 64}, sigs: []SignatureScheme{SigRSAPSSRSAESHA256, SigECDSAP256SHA256},
			findings: []string{FindingEmptyDistinguishedName}},
		{name: "TLS 1.1 has no signature algorithms", input: tls11, v: VersionTLS11, types: []uint8{1},
			findings: []string{FindingEmptyDistinguishedName}},
		{name: "TLS 1.3", input: tls13, v: VersionTLS13, sigs: []SignatureScheme{SigRSAPSSRSAESHA256, SigECDSAP256SHA256}, numExts: 3,
			findings: []string{FindingEmptyDistinguishedName}},
		{name: "TLS 1.2 message read as TLS 1.1", input: tls12, v: VersionTLS11, wantErr: ErrTruncated},
		{name: "TLS 1.2 message, version unknown", input: tls12, v: 0, types: []uint8{1, 64}, sigs: []SignatureScheme{SigRSAPSSRSAESHA256, SigECDSAP256SHA256},
			findings: []string{FindingEmptyDistinguishedName}},
		{name: "TLS 1.1 message, version unknown", input: tls11, v: 0, types: []uint8{1},
			findings: []string{FindingEmptyDistinguishedName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr, ok := parseAs[*CertificateRequest](t, tt.input, tt.v, tt.wantErr)
			if !ok {
				return
			}
			if !slices.Equal(cr.CertificateTypes, tt.types) || !slices.Equal(cr.SignatureAlgorithms, tt.sigs) ||
				len(cr.Extensions) != tt.numExts || !slices.Equal(codes(cr.Findings), tt.findings) {
				t.Errorf("got %+v", cr)
			}
			if !slices.EqualFunc(cr.CertificateAuthorities, dns, bytes.Equal) || cr.AuthoritiesLength != 2+2+2+4+2+0 {
				t.Errorf("authorities %x (declared %d)", cr.CertificateAuthorities, cr.AuthoritiesLength)
			}
		})
	}
}

func TestParseOtherMessages(t *testing.T) {
	sig := func(alg bool) []byte {
		return msgOf(TypeCertificateVerify, func(b *cryptobyte.Builder) {
			if alg {
				b.AddUint16(uint16(SigRSAPSSRSAESHA256))
			}
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 2, 3}) })
		})
	}
	ecdhe := func(alg bool) []byte {
		return msgOf(TypeServerKeyExchange, func(b *cryptobyte.Builder) {
			b.AddUint8(3)
			b.AddUint16(uint16(GroupSecp256r1))
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{4, 1, 2}) })
			if alg {
				b.AddUint16(uint16(SigECDSAP256SHA256))
			}
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{9, 9}) })
		})
	}
	dhe := msgOf(TypeServerKeyExchange, func(b *cryptobyte.Builder) {
		for i := 0; i < 3; i++ {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{3, 1}) })
		}
		b.AddUint16(0x0401)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{1}) })
	})
	nst12 := msgOf(TypeNewSessionTicket, func(b *cryptobyte.Builder) {
		b.AddUint32(7200)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 2}) })
	})
	nst13 := msgOf(TypeNewSessionTicket, func(b *cryptobyte.Builder) {
		b.AddUint32(7200)
		b.AddUint32(5)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 2}) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { rawExt(ExtEarlyData, 0, 0, 0, 1)(b) })
	})
	status := msgOf(TypeCertificateStatus, func(b *cryptobyte.Builder) {
		b.AddUint8(1)
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x30, 0}) })
	})
	tests := []struct {
		name    string
		input   []byte
		v       Version
		want    string // %+v of the interesting fields
		wantErr error
	}{
		{name: "CertificateVerify TLS 1.2", input: sig(true), v: VersionTLS12, want: "rsa_pss_rsae_sha256 [1 2 3]"},
		{name: "CertificateVerify TLS 1.3", input: sig(true), v: VersionTLS13, want: "rsa_pss_rsae_sha256 [1 2 3]"},
		{name: "CertificateVerify TLS 1.0", input: sig(false), v: VersionTLS10, want: "0x0000 [1 2 3]"},
		{name: "CertificateVerify unknown version, 1.2 layout", input: sig(true), v: 0, want: "rsa_pss_rsae_sha256 [1 2 3]"},
		{name: "CertificateVerify unknown version, 1.0 layout", input: sig(false), v: 0, want: "0x0000 [1 2 3]"},
		{name: "CertificateVerify 1.0 layout read as 1.2", input: sig(false), v: VersionTLS12, wantErr: ErrTruncated},
		{name: "ServerKeyExchange ECDHE TLS 1.2", input: ecdhe(true), v: VersionTLS12, want: "true secp256r1 [4 1 2] ecdsa_secp256r1_sha256 [9 9]"},
		{name: "ServerKeyExchange ECDHE TLS 1.0", input: ecdhe(false), v: VersionTLS10, want: "true secp256r1 [4 1 2] 0x0000 [9 9]"},
		{name: "ServerKeyExchange ECDHE unknown version", input: ecdhe(false), v: 0, want: "true secp256r1 [4 1 2] 0x0000 [9 9]"},
		{name: "ServerKeyExchange DHE is not ECDHE", input: dhe, v: VersionTLS12, want: "false 0x0000 [] 0x0000 []"},
		{name: "NewSessionTicket TLS 1.2", input: nst12, v: VersionTLS12, want: "7200 0 [] [1 2] 0"},
		{name: "NewSessionTicket TLS 1.3", input: nst13, v: VersionTLS13, want: "7200 5 [0] [1 2] 1"},
		{name: "CertificateStatus", input: status, v: VersionTLS12, want: "1 [48 0]"},
		{name: "HelloRequest with a body", input: msgOf(TypeHelloRequest, func(b *cryptobyte.Builder) { b.AddUint8(0) }), wantErr: ErrTrailingBytes},
		{name: "ServerHelloDone", input: msgOf(TypeServerHelloDone, func(b *cryptobyte.Builder) {}), want: "ServerHelloDone"},
		{name: "KeyUpdate is Unknown", input: msgOf(TypeKeyUpdate, func(b *cryptobyte.Builder) { b.AddUint8(1) }), want: "KeyUpdate [24 0 0 1 1]"},
		{name: "3 bytes", input: []byte{1, 0, 0}, wantErr: ErrTruncated},
		{name: "empty", input: nil, wantErr: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := parseAs[Message](t, tt.input, tt.v, tt.wantErr)
			if !ok {
				return
			}
			var got string
			switch m := m.(type) {
			case *CertificateVerify:
				got = sprint(m.Algorithm, m.Signature)
			case *ServerKeyExchange:
				got = sprint(m.ECDHE, m.NamedCurve, m.PublicKey, m.Algorithm, m.Signature)
			case *NewSessionTicket:
				got = sprint(m.LifetimeHint, m.AgeAdd, m.Nonce, m.Ticket, len(m.Extensions))
			case *CertificateStatus:
				got = sprint(m.StatusType, m.Response)
			case *Unknown:
				got = sprint(m.Type, m.Raw)
			default:
				got = m.HandshakeType().String()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDraftServerHello(t *testing.T) {
	msg := msgOf(TypeServerHello, func(b *cryptobyte.Builder) {
		b.AddUint16(0x7f10)
		b.AddBytes(make([]byte, 32))
		b.AddUint16(0x1301)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			ext(ExtKeyShare, func(b *cryptobyte.Builder) {
				b.AddUint16(uint16(GroupX25519))
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
			})(b)
		})
	})
	m, err := ParseHandshake(msg, 0)
	if err != nil {
		t.Fatal(err)
	}
	sh := m.(*ServerHello)
	if sh.Version() != 0x7f10 || sh.CipherSuite != TLS_AES_128_GCM_SHA256 || sh.KeyShare.Group != GroupX25519 || len(sh.Findings) != 0 {
		t.Errorf("got %+v", sh)
	}
	for i := range msg {
		if _, err := ParseHandshake(msg[:i], 0); !errors.Is(err, ErrTruncated) {
			t.Fatalf("prefix %d: %v", i, err)
		}
	}
}
