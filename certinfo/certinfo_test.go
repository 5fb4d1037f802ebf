package certinfo

import (
	"encoding/asn1"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// tv is one attribute for the name builder: an OID, a universal tag and
// the content octets.
type tv struct {
	oid   asn1.ObjectIdentifier
	tag   cbasn1.Tag
	value string
}

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
)

// name builds a DER Name; each argument is one RDN in DER order.
func name(rdns ...[]tv) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, rdn := range rdns {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, a := range rdn {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(a.oid)
						b.AddASN1(a.tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.value)) })
					})
				}
			})
		}
	})
	return b.BytesOrPanic()
}

func rdn(a ...tv) []tv                             { return a }
func utf8v(oid asn1.ObjectIdentifier, v string) tv { return tv{oid, 12, v} }

func TestFormatDN(t *testing.T) {
	tests := []struct {
		name    string
		input   []byte
		want    string
		wantErr bool
	}{
		{name: "empty name", input: []byte{0x30, 0x00}, want: ""},
		{name: "reverse order", input: name(rdn(tv{oidC, 19, "US"}), rdn(utf8v(oidO, "Cisco")), rdn(utf8v(oidCN, "cucm7-pub.clus1.lab"))), want: "CN=cucm7-pub.clus1.lab,O=Cisco,C=US"},
		{name: "multi-valued RDN reversed like OpenSSL", input: name(rdn(utf8v(oidCN, "a"), utf8v(oidO, "b"), utf8v(oidOU, "c")), rdn(tv{oidC, 19, "US"})), want: "C=US,OU=c+O=b+CN=a"},
		{name: "repeated CN kept", input: name(rdn(utf8v(oidCN, "x")), rdn(utf8v(oidCN, "x"))), want: "CN=x,CN=x"},
		{name: "unknown OID dumped", input: name(rdn(tv{asn1.ObjectIdentifier{1, 2, 3, 4}, 12, "hi"})), want: "1.2.3.4=#0C026869"},
		{name: "specials escaped", input: name(rdn(utf8v(oidCN, `a,b+c"d\e<f>g;h=i`))), want: `CN=a\,b\+c\"d\\e\<f\>g\;h=i`},
		{name: "leading hash and spaces", input: name(rdn(utf8v(oidCN, "# x "))), want: `CN=\# x\ `},
		{name: "single hash not escaped", input: name(rdn(utf8v(oidCN, "#"))), want: "CN=#"},
		{name: "single space escaped", input: name(rdn(utf8v(oidCN, " "))), want: `CN=\ `},
		{name: "control characters", input: name(rdn(utf8v(oidCN, "a\x00\x1b[31m\x7f"))), want: `CN=a\00\1B[31m\7F`},
		{name: "UTF-8 kept", input: name(rdn(utf8v(oidCN, "Grüße 日本"))), want: "CN=Grüße 日本"},
		{name: "T61String as Latin-1", input: name(rdn(tv{oidCN, 20, "caf\xe9"})), want: "CN=café"},
		{name: "BMPString", input: name(rdn(tv{oidCN, 30, "\x00G\x00\xfc"})), want: "CN=Gü"},
		{name: "UniversalString", input: name(rdn(tv{oidCN, 28, "\x00\x01\xf6\x00"})), want: "CN=😀"},
		{name: "non-string value dumped", input: name(rdn(tv{oidO, cbasn1.INTEGER, "\x05"})), want: "O=#020105"},
		{name: "BMPString odd length", input: name(rdn(tv{oidCN, 30, "abc"})), wantErr: true},
		{name: "UniversalString beyond Unicode", input: name(rdn(tv{oidCN, 28, "\x00\x11\x00\x00"})), wantErr: true},
		{name: "not DER", input: []byte("CN=x"), wantErr: true},
		{name: "nil", input: nil, wantErr: true},
		{name: "trailing bytes", input: append(name(rdn(utf8v(oidCN, "x"))), 0), wantErr: true},
		{name: "empty RDN", input: []byte{0x30, 0x02, 0x31, 0x00}, wantErr: true},
		{name: "RDN not a SET", input: []byte{0x30, 0x02, 0x30, 0x00}, wantErr: true},
		{name: "attribute without value", input: []byte{0x30, 0x09, 0x31, 0x07, 0x30, 0x05, 0x06, 0x03, 0x55, 0x04, 0x03}, wantErr: true},
		{name: "truncated", input: name(rdn(utf8v(oidCN, "x")))[:8], wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FormatDN(tt.input)
			if (err != nil) != tt.wantErr {
				t.Fatalf("FormatDN() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				var ne *NameError
				if !errors.As(err, &ne) {
					t.Errorf("error %T is not a *NameError", err)
				}
				return
			}
			if got != tt.want {
				t.Errorf("FormatDN() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSerialFromContent(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{name: "sign byte dropped", input: []byte{0x00, 0x80, 0x01}, want: "8001"},
		{name: "even width kept", input: []byte{0x03, 0xe8}, want: "03e8"},
		{name: "negative", input: []byte{0xff, 0x38}, want: "-c8"},
		{name: "minus one", input: []byte{0xff}, want: "-01"},
		{name: "zero", input: []byte{0x00}, want: "00"},
		{name: "empty", input: nil, want: ""},
		{name: "long", input: []byte{0x01, 0x8e, 0xe9, 0x0f, 0xf6, 0xc3, 0x73, 0xe0, 0xee, 0x4e, 0x3f, 0x0a, 0xd2}, want: "018ee90ff6c373e0ee4e3f0ad2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := serialFromContent(tt.input); got != tt.want {
				t.Errorf("serialFromContent(%x) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

func readCert(t testing.TB, name string) []byte {
	t.Helper()
	der, err := os.ReadFile(filepath.Join("testdata", "certs", name+".der"))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		want      func(*Info) any
		wantValue any
	}{
		{"multi-server SAN", "cucm-multiserver-rsa", func(i *Info) any { return i.Names() }, []string{"cucm7-pub-ms.clus1.lab", "cucm7-pub.clus1.lab", "cucm7-sub1.clus1.lab"}},
		{"EKU in certificate order", "cucm-multiserver-rsa", func(i *Info) any { return i.ExtKeyUsage }, []string{"serverAuth", "clientAuth", "ipsecEndSystem", "1.3.6.1.4.1.9.9999.1"}},
		{"EKU order kept in fallback", "negative-serial", func(i *Info) any { return i.ExtKeyUsage }, []string{"clientAuth", "serverAuth"}},
		{"SAN in fallback", "negative-serial", func(i *Info) any { return i.DNSNames }, []string{"refused.example.com"}},
		{"key usage in fallback", "negative-serial", func(i *Info) any { return i.KeyUsage }, []string{"digitalSignature"}},
		{"basic constraints in fallback", "duplicate-extension", func(i *Info) any { return i.BasicConstraintsValid }, true},
		{"most specific CN", "repeated-cn", func(i *Info) any { return i.SubjectCN }, "third.example.com"},
		{"self-signed RSA", "cucm-multiserver-rsa", func(i *Info) any { return i.SelfSigned }, true},
		{"self-signed SHA-1", "openssl-sha1-rsa", func(i *Info) any { return i.SelfSigned }, true},
		{"self-signed Ed25519", "ed25519-ca", func(i *Info) any { return i.SelfSigned }, true},
		{"CA-signed", "cucm-callmanager", func(i *Info) any { return i.SelfSigned }, false},
		{"Ed25519 CA", "ed25519-ca", func(i *Info) any { return []any{i.KeyType, i.IsCA, i.KeyUsage, i.ExtKeyUsage} }, []any{"Ed25519", true, []string{"keyCertSign", "cRLSign"}, []string{"anyExtendedKeyUsage"}}},
		{"pre-1970 not before", "ed25519-ca", func(i *Info) any { return i.NotBefore }, time.Date(1965, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"explicit EC", "openssl-explicit-ec", func(i *Info) any { return []any{i.KeyType, i.Curve, i.KeyBits, i.Cert == nil} }, []any{"ECDSA", "explicit", 256, true}},
		{"negative serial", "negative-serial", func(i *Info) any { return []any{i.Serial, i.ParseError} }, []any{"-c8", "negative serial number"}},
		{"malformed SAN", "malformed-san", func(i *Info) any { return i.ParseError != "" && i.Subject == "CN=refused.example.com,C=US" }, true},
		{"duplicate extension", "duplicate-extension", func(i *Info) any { return strings.Contains(i.ParseError, "duplicate") }, true},
		{"GeneralizedTime before 2050", "generalizedtime-before-2050", func(i *Info) any { return []time.Time{i.NotBefore, i.NotAfter} }, []time.Time{time.Date(2015, 9, 1, 13, 33, 37, 0, time.UTC), time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)}},
		{"version", "cucm-callmanager", func(i *Info) any { return i.Version }, 3},
		{"signature algorithm", "ed25519-ca", func(i *Info) any { return i.SignatureAlgorithm }, "Ed25519"},
		{"signature algorithm in fallback", "negative-serial", func(i *Info) any { return i.SignatureAlgorithm }, "ECDSA-SHA256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.want(Parse(readCert(t, tt.input)))
			if !reflect.DeepEqual(got, tt.wantValue) {
				t.Errorf("got %#v, want %#v", got, tt.wantValue)
			}
		})
	}
}

// TestParseRefused checks what the tolerant reader gives for inputs that
// crypto/x509 refuses, down to bytes that are not DER at all.
func TestParseRefused(t *testing.T) {
	full := readCert(t, "cucm-multiserver-rsa")
	tests := []struct {
		name        string
		input       []byte
		wantSerial  string
		wantSubject string
	}{
		{name: "nil", input: nil},
		{name: "text", input: []byte("-----BEGIN CERTIFICATE-----")},
		{name: "empty sequence", input: []byte{0x30, 0x00}},
		{name: "tshark's 8-byte fragment", input: []byte{0x30, 0x82, 0x04, 0x00, 0x30, 0x82, 0x03, 0xe8}},
		{name: "cut after serial", input: full[:40], wantSerial: "8011223344556677"},
		{name: "cut after subject", input: full[:300], wantSerial: "8011223344556677", wantSubject: "CN=cucm7-pub-ms.clus1.lab,OU=UC,O=Cisco,C=US"},
		{name: "signature missing", input: full[:len(full)-5], wantSerial: "8011223344556677", wantSubject: "CN=cucm7-pub-ms.clus1.lab,OU=UC,O=Cisco,C=US"},
		{name: "trailing byte", input: append(append([]byte(nil), full...), 0), wantSerial: "8011223344556677", wantSubject: "CN=cucm7-pub-ms.clus1.lab,OU=UC,O=Cisco,C=US"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := Parse(tt.input)
			if info == nil {
				t.Fatal("Parse returned nil")
			}
			if info.ParseError == "" || info.Cert != nil {
				t.Fatalf("ParseError = %q, Cert = %v: want a refusal", info.ParseError, info.Cert)
			}
			if len(info.SHA256) != 64 || len(info.SHA1) != 40 {
				t.Errorf("fingerprints %q %q", info.SHA256, info.SHA1)
			}
			if info.Serial != tt.wantSerial || info.Subject != tt.wantSubject {
				t.Errorf("serial %q subject %q, want %q %q", info.Serial, info.Subject, tt.wantSerial, tt.wantSubject)
			}
		})
	}
}

// TestParsePrefixes checks that every strict prefix of every testdata
// certificate is refused without a panic, and still yields the serial
// once the serial bytes are all there.
func TestParsePrefixes(t *testing.T) {
	for _, file := range testdataCerts(t) {
		der, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		whole := Parse(der)
		for n := 0; n < len(der); n++ {
			info := Parse(der[:n])
			if info.ParseError == "" || info.Cert != nil {
				t.Fatalf("%s: prefix of %d bytes accepted", file, n)
			}
			if info.Serial != "" && info.Serial != whole.Serial {
				t.Fatalf("%s: prefix of %d bytes: serial %q, whole %q", file, n, info.Serial, whole.Serial)
			}
		}
		if whole.Serial != "" && Parse(der[:len(der)-1]).Serial != whole.Serial {
			t.Errorf("%s: serial lost when the last byte is cut", file)
		}
	}
}

func TestValidAt(t *testing.T) {
	info := &Info{NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name       string
		input      time.Time
		wantStatus Validity
		wantDays   int
	}{
		{"before", time.Date(2023, 12, 21, 12, 0, 0, 0, time.UTC), NotYetValid, 10},
		{"at not before", info.NotBefore, Valid, 366},
		{"inside", time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC), Valid, 2},
		{"at not after", info.NotAfter, Valid, 0},
		{"one second after", info.NotAfter.Add(time.Second), Expired, 0},
		{"long expired", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Expired, 365},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, days := info.ValidAt(tt.input)
			if status != tt.wantStatus || days != tt.wantDays {
				t.Errorf("ValidAt(%v) = %v, %d; want %v, %d", tt.input, status, days, tt.wantStatus, tt.wantDays)
			}
		})
	}
	for _, partial := range []*Info{{}, {NotBefore: info.NotBefore}, {NotAfter: info.NotAfter}} {
		if status, days := partial.ValidAt(info.NotAfter.AddDate(1, 0, 0)); status != ValidityUnknown || days != 0 {
			t.Errorf("ValidAt with dates %v, %v = %v, %d; want unknown, 0", partial.NotBefore, partial.NotAfter, status, days)
		}
	}
}

func TestValidityText(t *testing.T) {
	for v, want := range map[Validity]string{ValidityUnknown: "unknown", Valid: "valid", Expired: "expired", NotYetValid: "not_yet_valid"} {
		b, err := v.MarshalText()
		if err != nil || string(b) != want {
			t.Errorf("%d.MarshalText() = %q, %v; want %q", int(v), b, err, want)
		}
		var got Validity
		if err := got.UnmarshalText(b); err != nil || got != v {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, got, err, v)
		}
	}
	var v Validity
	if err := v.UnmarshalText([]byte("stale")); err == nil {
		t.Errorf("UnmarshalText(stale) = %v, nil; want an error", v)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name  string
		input Info
		want  []string
	}{
		{"CN and SANs", Info{SubjectCN: "CUCM-Pub.Lab", DNSNames: []string{"cucm-pub.lab", "cucm-sub.lab."}}, []string{"cucm-pub.lab", "cucm-sub.lab"}},
		{"no CN", Info{DNSNames: []string{"a.lab", "", "A.LAB"}}, []string{"a.lab"}},
		{"nothing", Info{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.input.Names(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Names() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	tests := []struct {
		name  string
		input Info
		want  string
	}{
		{"CN", Info{SubjectCN: "cucm7-pub.clus1.lab", SHA256: sha}, "cucm7-pub.clus1.lab"},
		{"unsafe CN", Info{SubjectCN: "../etc/pass wd:*", SHA256: sha}, "_._etc_pass_wd_wildcard"},
		{"wildcard", Info{SubjectCN: "*.example.com", SHA256: sha}, "wildcard.example.com"},
		{"SAN when no CN", Info{DNSNames: []string{"sub.lab"}, SHA256: sha}, "sub.lab"},
		{"IP SAN", Info{SubjectCN: "///", IPAddresses: []string{"2001:db8::1"}, SHA256: sha}, "2001_db8__1"},
		{"serial", Info{Serial: "-03e8", SHA256: sha}, "serial-03e8"},
		{"fingerprint", Info{SHA256: sha}, "sha256-abababababababab"},
		{"long CN cut", Info{SubjectCN: strings.Repeat("x", 300), SHA256: sha}, strings.Repeat("x", 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.input.FileName(); got != tt.want {
				t.Errorf("FileName() = %q, want %q", got, tt.want)
			}
		})
	}
}
