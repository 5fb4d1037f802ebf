package tlsparse

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// sslv2Record wraps body in a 2-byte SSLv2 record header.
func sslv2Record(body []byte) []byte {
	n := len(body)
	return append([]byte{0x80 | byte(n>>8), byte(n)}, body...)
}

func sslv2ClientHello(version uint16, specs []uint32, sid, challenge []byte) []byte {
	var b cryptobyte.Builder
	b.AddUint8(SSLv2MsgClientHello)
	b.AddUint16(version)
	b.AddUint16(uint16(3 * len(specs)))
	b.AddUint16(uint16(len(sid)))
	b.AddUint16(uint16(len(challenge)))
	for _, s := range specs {
		b.AddUint24(s)
	}
	b.AddBytes(sid)
	b.AddBytes(challenge)
	return sslv2Record(b.BytesOrPanic())
}

func TestSSLv2ClientHello(t *testing.T) {
	challenge := bytes.Repeat([]byte{0xcc}, 16)
	compat := sslv2ClientHello(0x0301, []uint32{0x000039, 0x010080, 0x0000ff}, nil, challenge)
	v2 := sslv2ClientHello(0x0002, []uint32{0x0700c0, 0x020080}, []byte{1, 2}, challenge)
	tests := []struct {
		name    string
		input   []byte
		isHello bool
		version Version
		specs   []string
		suites  []CipherSuite
		sid     []byte
		wantErr error
	}{
		{name: "TLS 1.0 compatible hello", input: compat, isHello: true, version: VersionTLS10,
			specs:  []string{"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "SSL_CK_RC4_128_WITH_MD5", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
			suites: []CipherSuite{TLS_DHE_RSA_WITH_AES_256_CBC_SHA, TLS_EMPTY_RENEGOTIATION_INFO_SCSV}},
		{name: "SSL 2.0 hello", input: v2, isHello: true, version: VersionSSL20,
			specs: []string{"SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "SSL_CK_RC4_128_EXPORT40_WITH_MD5"}, sid: []byte{1, 2}},
		{name: "truncated", input: compat[:len(compat)-1], isHello: true, wantErr: ErrTruncated},
		{name: "trailing", input: append(slices.Clone(compat), 0), isHello: true, wantErr: ErrTrailingBytes},
		{name: "specs not a multiple of 3", input: sslv2Record([]byte{1, 3, 1, 0, 2, 0, 0, 0, 0, 0, 1}), isHello: true, wantErr: ErrMalformed},
		{name: "lengths beyond the record", input: sslv2Record([]byte{1, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 1}), isHello: true, wantErr: ErrTruncated},
		{name: "TLS record read as a 3-byte SSLv2 header", input: []byte{22, 3, 1, 0, 5, 1, 0, 0, 1, 0}, wantErr: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsSSLv2ClientHello(tt.input); got != tt.isHello {
				t.Errorf("IsSSLv2ClientHello = %v, want %v", got, tt.isHello)
			}
			m, err := ParseSSLv2ClientHello(tt.input)
			if wantedErr(t, err, tt.wantErr) {
				return
			}
			var specs []string
			for _, s := range m.CipherSpecs {
				specs = append(specs, s.String())
			}
			if m.MaxVersion() != tt.version || !slices.Equal(specs, tt.specs) || !slices.Equal(m.CipherSuites(), tt.suites) ||
				!bytes.Equal(m.SessionID, tt.sid) || !bytes.Equal(m.Challenge, challenge) {
				t.Errorf("got %+v (specs %v)", m, specs)
			}
			if n := SSLv2RecordLen(tt.input); n != len(tt.input) {
				t.Errorf("SSLv2RecordLen = %d, want %d", n, len(tt.input))
			}
		})
	}
}

func TestSSLv2ServerHelloAndError(t *testing.T) {
	cert := []byte{0x30, 0x03, 1, 2, 3}
	var b cryptobyte.Builder
	b.AddUint8(SSLv2MsgServerHello)
	b.AddUint8(0)
	b.AddUint8(1)
	b.AddUint16(0x0002)
	b.AddUint16(uint16(len(cert)))
	b.AddUint16(3)
	b.AddUint16(16)
	b.AddBytes(cert)
	b.AddUint24(0x010080)
	b.AddBytes(make([]byte, 16))
	rec := sslv2Record(b.BytesOrPanic())
	m, err := ParseSSLv2ServerHello(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Certificate, cert) || m.Version != VersionSSL20 || m.CertificateType != 1 ||
		len(m.CipherSpecs) != 1 || m.CipherSpecs[0] != 0x010080 || len(m.ConnectionID) != 16 {
		t.Errorf("got %+v", m)
	}
	for i := range rec {
		if _, err := ParseSSLv2ServerHello(rec[:i]); !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotRecord) {
			t.Fatalf("prefix %d: err = %v", i, err)
		}
	}
	if _, err := ParseSSLv2ClientHello(rec); !errors.Is(err, ErrMalformed) {
		t.Errorf("ServerHello parsed as ClientHello: err = %v", err)
	}

	// IsSSLv2ServerHello: the real record, and the ways random bytes with
	// the high bit set and message type 4 differ from one.
	mut := func(i int, v byte) []byte { c := bytes.Clone(rec); c[i] = v; return c }
	for _, tt := range []struct {
		name string
		in   []byte
		want bool
	}{
		{"server hello", rec, true},
		{"first 13 bytes", rec[:13], true},
		{"12 bytes", rec[:12], false},
		{"3-byte header", mut(0, rec[0]&0x7f), false},
		{"session id hit 2", mut(3, 2), false},
		{"certificate type 2", mut(4, 2), false},
		{"version 0x0300", mut(5, 3), false},
		{"record length off by one", mut(1, rec[1]+1), false},
		{"certificate length off by one", mut(8, rec[8]+1), false},
		{"client hello type", mut(2, SSLv2MsgClientHello), false},
	} {
		if got := IsSSLv2ServerHello(tt.in); got != tt.want {
			t.Errorf("%s: IsSSLv2ServerHello = %v, want %v", tt.name, got, tt.want)
		}
	}

	// 3-byte header with padding.
	padded := []byte{0x00, 0x05, 0x02, SSLv2MsgError, 0x00, 0x01, 0xee, 0xee}
	e, err := ParseSSLv2Error(padded)
	if err != nil || e.String() != "NO-CIPHER-ERROR" {
		t.Errorf("ParseSSLv2Error = %v, %v", e, err)
	}
}

func TestSSLv2RecordLen(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  int
	}{
		{name: "empty", input: nil, want: 0},
		{name: "one byte", input: []byte{0x80}, want: 0},
		{name: "2-byte header", input: []byte{0x80, 0x2e}, want: 2 + 0x2e},
		{name: "2-byte header, maximum", input: []byte{0xff, 0xff}, want: 2 + 0x7fff},
		{name: "2-byte header, zero", input: []byte{0x80, 0x00}, want: -1},
		{name: "3-byte header incomplete", input: []byte{0x00, 0x10}, want: 0},
		{name: "3-byte header", input: []byte{0x00, 0x10, 0x04}, want: 3 + 16},
		{name: "3-byte header, padding too long", input: []byte{0x00, 0x02, 0x04}, want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SSLv2RecordLen(tt.input); got != tt.want {
				t.Errorf("SSLv2RecordLen(% x) = %d, want %d", tt.input, got, tt.want)
			}
		})
	}
}
