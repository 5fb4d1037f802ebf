package certinfo

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"flag"
	"math/big"
	mrand "math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var differential = flag.Int("openssl", 0, "compare FormatDN with the openssl binary on this many random Names (slow: one openssl process per Name)")

// TestOpenSSLDifferential builds random Names (structure, attribute types,
// string types and characters chosen to hit every escaping rule), puts
// each in a certificate and compares FormatDN with openssl's
// -nameopt RFC2253,-esc_msb. Run with -openssl=N.
func TestOpenSSLDifferential(t *testing.T) {
	if *differential == 0 {
		t.Skip("run with -openssl=N")
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl binary")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := mrand.New(mrand.NewPCG(1, 2))
	oids := []asn1.ObjectIdentifier{
		{2, 5, 4, 3}, {2, 5, 4, 6}, {2, 5, 4, 7}, {2, 5, 4, 8}, {2, 5, 4, 9}, {2, 5, 4, 10}, {2, 5, 4, 11}, {2, 5, 4, 12},
		{2, 5, 4, 5}, {2, 5, 4, 4}, {2, 5, 4, 42}, {2, 5, 4, 97}, {0, 9, 2342, 19200300, 100, 1, 25},
		{0, 9, 2342, 19200300, 100, 1, 1}, {1, 2, 840, 113549, 1, 9, 1}, {1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3},
		{1, 2, 3, 4}, {2, 999, 7}, {1, 3, 6, 1, 4, 1, 9, 1},
	}
	pieces := []string{"a", "Z", "0", " ", ",", "+", "\"", "\\", "<", ">", ";", "#", "=", "\x00", "\x01", "\n", "\x1f", "\x7f", "é", "ü", "日", "🎉", "-", ".", "*"}
	compared, refused := 0, 0
	for n := 0; n < *differential; n++ {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for range r.IntN(5) {
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					for range 1 + r.IntN(3) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(oids[r.IntN(len(oids))])
							var s strings.Builder
							for range r.IntN(6) {
								s.WriteString(pieces[r.IntN(len(pieces))])
							}
							tag, value := randomString(r, s.String())
							b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(value) })
						})
					}
				})
			}
		})
		raw := b.BytesOrPanic()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(n + 1)), RawSubject: raw, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1e9, 0)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("openssl", "x509", "-inform", "DER", "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb")
		cmd.Stdin = bytes.NewReader(der)
		out, err := cmd.Output()
		if err != nil {
			refused++
			continue
		}
		compared++
		want := strings.TrimSuffix(strings.TrimPrefix(string(out), "subject="), "\n")
		got, err := FormatDN(raw)
		if err != nil || got != want {
			t.Errorf("Name %x:\n got  %q (%v)\n want %q", raw, got, err, want)
		}
	}
	t.Logf("%d Names compared with openssl, %d refused by openssl", compared, refused)
}

// randomString encodes s in a random string type OpenSSL accepts in Names.
func randomString(r *mrand.Rand, s string) (cbasn1.Tag, []byte) {
	switch r.IntN(5) {
	case 0:
		return cbasn1.PrintableString, []byte(strings.Map(func(c rune) rune {
			if c > 0x7f {
				return 'x'
			}
			return c
		}, s))
	case 1: // T61String, Latin-1
		var b []byte
		for _, c := range s {
			if c > 0xff {
				c = '?'
			}
			b = append(b, byte(c))
		}
		return cbasn1.T61String, b
	case 2: // BMPString
		var b []byte
		for _, c := range s {
			if c > 0xffff {
				c = 0xfffd
			}
			b = append(b, byte(c>>8), byte(c))
		}
		return cbasn1.Tag(30), b
	case 3: // UniversalString
		var b []byte
		for _, c := range s {
			b = append(b, byte(c>>24), byte(c>>16), byte(c>>8), byte(c))
		}
		return cbasn1.Tag(28), b
	}
	return cbasn1.UTF8String, []byte(s)
}
