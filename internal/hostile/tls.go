//go:build linux

package hostile

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"time"
)

// TLS content types, handshake types and alerts (RFC 5246).
const (
	recChangeCipherSpec = 20
	recAlert            = 21
	recHandshake        = 22
	recApplicationData  = 23

	hsClientHello       = 1
	hsServerHello       = 2
	hsCertificate       = 11
	hsServerHelloDone   = 14
	hsClientKeyExchange = 16

	alertUnknownCA = 48
)

// record frames body as one TLS 1.2 record (bodies over 16 KiB are allowed:
// the callers know what they do).
func record(typ byte, body []byte) []byte {
	r := []byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}
	return append(r, body...)
}

// handshake frames body as one handshake message.
func handshake(typ byte, body []byte) []byte {
	n := len(body)
	h := []byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}
	return append(h, body...)
}

func u16(b []byte, n int) []byte { return append(b, byte(n>>8), byte(n)) }
func u24(b []byte, n int) []byte { return append(b, byte(n>>16), byte(n>>8), byte(n)) }

// clientHello is a TLS 1.2 ClientHello offering one suite
// (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) with server_name sni; sni is
// written as given, valid UTF-8 or not.
func clientHello(sni string) []byte {
	b := []byte{3, 3}
	b = append(b, make([]byte, 32)...) // random
	b = append(b, 0)                   // session id
	b = u16(b, 2)
	b = append(b, 0xc0, 0x2b)
	b = append(b, 1, 0) // null compression
	var ext []byte
	if sni != "" {
		ext = u16(ext, 0) // server_name
		ext = u16(ext, len(sni)+5)
		ext = u16(ext, len(sni)+3)
		ext = append(ext, 0) // host_name
		ext = u16(ext, len(sni))
		ext = append(ext, sni...)
	}
	b = u16(b, len(ext))
	b = append(b, ext...)
	return handshake(hsClientHello, b)
}

func serverHello() []byte {
	b := []byte{3, 3}
	b = append(b, make([]byte, 32)...)
	b = append(b, 0, 0xc0, 0x2b, 0)
	b = u16(b, 0)
	return handshake(hsServerHello, b)
}

// certificate is a TLS 1.2 Certificate message carrying ders in order.
func certificate(ders ...[]byte) []byte {
	n := 0
	for _, d := range ders {
		n += 3 + len(d)
	}
	b := u24(nil, n)
	for _, d := range ders {
		b = u24(b, len(d))
		b = append(b, d...)
	}
	return handshake(hsCertificate, b)
}

// serverFlight is ServerHello, Certificate (ders) and ServerHelloDone in one record.
func serverFlight(ders ...[]byte) []byte {
	b := serverHello()
	b = append(b, certificate(ders...)...)
	b = append(b, handshake(hsServerHelloDone, nil)...)
	return record(recHandshake, b)
}

// clientFinish is the client's ClientKeyExchange, ChangeCipherSpec and
// (encrypted) Finished.
func clientFinish() []byte {
	cke := append([]byte{65, 4}, make([]byte, 64)...)
	b := record(recHandshake, handshake(hsClientKeyExchange, cke))
	b = append(b, record(recChangeCipherSpec, []byte{1})...)
	return append(b, record(recHandshake, fill(40, 0xc1))...)
}

// serverFinish is the server's ChangeCipherSpec and (encrypted) Finished.
func serverFinish() []byte {
	b := record(recChangeCipherSpec, []byte{1})
	return append(b, record(recHandshake, fill(40, 0x5e))...)
}

// fatal is a fatal alert record.
func fatal(desc byte) []byte { return record(recAlert, []byte{2, desc}) }

// fill returns n bytes of a pattern that starts at seed.
func fill(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

// issuer makes certificates. One Ed25519 key signs them all, so that
// thousands of real certificates cost microseconds each and the same serial
// and names always give the same bytes.
type issuer struct {
	key ed25519.PrivateKey
}

func newIssuer() *issuer {
	return &issuer{key: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))}
}

// cert returns a DER certificate with the given serial, subject and issuer.
// Names are raw DER (see rawName) so that they may hold any bytes.
func (is *issuer) cert(serial int64, subject, issuerName []byte) []byte {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		RawSubject:            subject,
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	parent := &x509.Certificate{RawSubject: issuerName, PublicKey: is.key.Public()}
	der, err := x509.CreateCertificate(nil, tmpl, parent, is.key.Public(), is.key)
	if err != nil {
		panic(err) // only the fixed templates above reach here
	}
	return der
}

// rawName is the DER of an X.509 Name holding one CN and one O. The CN is a
// T61String: crypto/x509 takes its bytes as they are, valid UTF-8 or not.
func rawName(cn, org string) []byte {
	type atv struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	type rdnSET []atv // a SET OF, by encoding/asn1's naming rule
	rdn := func(oid asn1.ObjectIdentifier, tag int, v string) rdnSET {
		return rdnSET{{oid, asn1.RawValue{Tag: tag, Bytes: []byte(v)}}}
	}
	name := []rdnSET{
		rdn(asn1.ObjectIdentifier{2, 5, 4, 10}, asn1.TagUTF8String, org),
		rdn(asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.TagT61String, cn),
	}
	der, err := asn1.Marshal(name)
	if err != nil {
		panic(err)
	}
	return der
}
