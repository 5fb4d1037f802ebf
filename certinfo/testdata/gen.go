//go:build ignore

// gen.go makes the certificates in testdata/certs and, for each, the
// output of the real openssl binary that the tests compare with:
//
//	cd certinfo && go run testdata/gen.go
//
// Each NAME.der comes with NAME.openssl.txt, the output of
//
//	openssl x509 -inform DER -noout -serial -subject -issuer -startdate -enddate \
//	    -nameopt RFC2253,-esc_msb -dateopt iso_8601
//
// (empty when openssl refuses the certificate). Keys are generated afresh
// on every run, so fingerprints change; names, serials and dates do not.
// Certificates are built three ways: with crypto/x509 and a hand-made raw
// subject (string types and attributes Go would never produce), with
// `openssl req` (OpenSSL's own encoding of -subj, -multivalue-rdn, explicit
// EC parameters), and by re-signing a modified TBSCertificate (negative
// serial, malformed or duplicate extensions) that crypto/x509 refuses.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const dir = "testdata/certs"

// attr is one attribute of a hand-made Name.
type attr struct {
	oid   string
	tag   cbasn1.Tag
	value []byte
}

func a(oid string, tag int, v string) attr { return attr{oid, cbasn1.Tag(tag), []byte(v)} }
func cn(v string) attr                     { return a("2.5.4.3", 12, v) }
func ps(oid, v string) attr                { return a(oid, 19, v) }

// rdns builds a DER Name; each inner slice is one RDN, in DER order.
// Multi-valued RDNs are written in the given order (not sorted), as many
// real encoders do.
func rdns(sets ...[]attr) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, set := range sets {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, at := range set {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(mustOID(at.oid))
						if at.tag == 0xff { // raw element
							b.AddBytes(at.value)
							return
						}
						b.AddASN1(at.tag, func(b *cryptobyte.Builder) { b.AddBytes(at.value) })
					})
				}
			})
		}
	})
	return b.BytesOrPanic()
}

// one makes a Name of single-attribute RDNs.
func one(attrs ...attr) []byte {
	var sets [][]attr
	for _, at := range attrs {
		sets = append(sets, []attr{at})
	}
	return rdns(sets...)
}

func mustOID(s string) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	for _, p := range strings.Split(s, ".") {
		var n int
		fmt.Sscan(p, &n)
		oid = append(oid, n)
	}
	return oid
}

func bmp(s string) []byte {
	var b []byte
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			b = append(b, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

func ucs4(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return b
}

var (
	notBefore = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	notAfter  = time.Date(2034, 1, 2, 3, 4, 5, 0, time.UTC)
)

func main() {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range old {
		os.Remove(f)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	ca := one(ps("2.5.4.6", "US"), ps("2.5.4.10", "Example CA"), cn("Example Issuing CA 1"))
	long := strings.Repeat("0123456789abcdef", 64)
	var many []attr
	for i := 0; i < 60; i++ {
		many = append(many, ps("2.5.4.11", fmt.Sprintf("unit %02d", i)))
	}
	names := []struct {
		name    string
		subject []byte
	}{
		{"repeated-cn", one(ps("2.5.4.6", "US"), ps("2.5.4.10", "Cisco"), cn("first.example.com"), cn("second.example.com"), cn("third.example.com"))},
		{"multivalued-rdn", rdns([]attr{ps("2.5.4.6", "US")}, []attr{ps("2.5.4.10", "Lab"), ps("2.5.4.11", "Voice"), ps("2.5.4.11", "CUCM")}, []attr{cn("cucm-pub.lab"), a("0.9.2342.19200300.100.1.1", 12, "uid42")})},
		{"dc-components", one(a("0.9.2342.19200300.100.1.25", 22, "com"), a("0.9.2342.19200300.100.1.25", 22, "example"), a("0.9.2342.19200300.100.1.25", 22, "corp"), ps("2.5.4.11", "Users"), cn("Jane Doe"))},
		{"email-address", one(ps("2.5.4.6", "BR"), cn("cucm.example.com.br"), a("1.2.840.113549.1.9.1", 22, "admin@example.com.br"))},
		{"escapes", one(cn("a,b"), ps("2.5.4.10", `q"uote`), a("2.5.4.11", 12, "plus+sign"), a("2.5.4.7", 12, " leading space"), a("2.5.4.8", 12, "trailing space "), a("2.5.4.9", 12, "#hash"), a("2.5.4.12", 12, `back\slash`), a("2.5.4.13", 12, "<lt>;semi=eq"), a("2.5.4.41", 12, "mid # and  spaces"))},
		{"single-chars", one(a("2.5.4.3", 12, "#"), a("2.5.4.10", 12, " "), a("2.5.4.11", 12, ","), a("2.5.4.7", 12, ""), a("2.5.4.8", 12, "  "), a("2.5.4.9", 12, "##"))},
		{"control-chars", one(cn("tab\there"), a("2.5.4.10", 12, "nul\x00byte"), a("2.5.4.11", 12, "\x01\x1f\x7fend"), a("2.5.4.7", 12, "new\nline\r"))},
		{"utf8-latin", one(ps("2.5.4.6", "BR"), a("2.5.4.7", 12, "São Paulo"), cn("Grüße ünïcødé"), a("2.5.4.11", 12, "é,é"))},
		{"utf8-cjk", one(ps("2.5.4.6", "JP"), a("2.5.4.10", 12, "日本電信電話"))},
		{"utf8-emoji", one(cn("party 🎉"))},
		{"utf8-invalid", one(cn("bad\xff\xfeutf8"), a("2.5.4.10", 12, "\xc3"))},
		{"bmpstring", one(ps("2.5.4.6", "DE"), a("2.5.4.10", 30, string(bmp("Grüße GmbH"))), a("2.5.4.3", 30, string(bmp("日本 and ü"))), a("2.5.4.11", 30, string(bmp(" lead,comma"))))},
		{"bmpstring-surrogates", one(a("2.5.4.3", 30, string(bmp("emoji 🎉"))))},
		{"bmpstring-odd-length", one(a("2.5.4.3", 30, "abc"))},
		{"t61string", one(a("2.5.4.6", 19, "FR"), a("2.5.4.10", 20, "Soci\xe9t\xe9 G\xe9n\xe9rale"), a("2.5.4.3", 20, "caf\xe9 \xa9 \xff"))},
		{"universalstring", one(a("2.5.4.10", 28, string(ucs4("Universal Ü"))), a("2.5.4.3", 28, string(ucs4("😀 smile"))))},
		{"string-types", one(a("2.5.4.5", 18, "0123 456"), a("2.5.4.11", 22, "ia5 unit"), a("2.5.4.3", 19, "printable"))},
		{"visiblestring", one(a("2.5.4.10", 26, "Visible Org"))},
		{"generalstring", one(a("2.5.4.10", 27, "general"))},
		{"unknown-oids", one(ps("2.5.4.6", "US"), a("1.2.3.4", 12, "private"), a("1.3.6.1.4.1.9.9999.1", 19, "cisco,arc"), cn("known"), a("2.999.1", 22, "x"))},
		{"non-string-values", one(cn("host"), attr{"2.5.4.10", 0xff, []byte{0x30, 0x03, 0x02, 0x01, 0x05}}, attr{"2.5.4.11", 0xff, []byte{0x03, 0x02, 0x00, 0xAA}})},
		{"all-short-names", one(a("2.5.4.6", 19, "US"), a("2.5.4.8", 12, "Texas"), a("2.5.4.7", 12, "Austin"), a("2.5.4.9", 12, "1 Main St"), a("2.5.4.17", 12, "78701"),
			a("2.5.4.10", 12, "Org"), a("2.5.4.11", 12, "Unit"), a("2.5.4.12", 12, "Engineer"), a("2.5.4.42", 12, "Given"), a("2.5.4.4", 12, "Surname"),
			a("2.5.4.43", 12, "GS"), a("2.5.4.44", 12, "III"), a("2.5.4.65", 12, "pseudo"), a("2.5.4.46", 19, "dnq"), a("2.5.4.41", 12, "Name"),
			a("2.5.4.15", 12, "Private Organization"), a("1.3.6.1.4.1.311.60.2.1.3", 19, "US"), a("1.3.6.1.4.1.311.60.2.1.2", 12, "Delaware"),
			a("1.3.6.1.4.1.311.60.2.1.1", 12, "Wilmington"), a("2.5.4.97", 12, "VATUS-1234"), a("2.5.4.13", 12, "a description"),
			a("0.9.2342.19200300.100.1.1", 12, "uid"), a("2.5.4.5", 19, "SN-0001"), a("1.2.840.113549.1.9.2", 22, "unstructured"),
			a("2.5.4.72", 12, "role"), a("2.5.4.20", 19, "+1 555 0100"), a("0.9.2342.19200300.100.1.3", 22, "mail@example.com"),
			a("2.5.4.35", 12, "pw"), a("2.5.4.54", 12, "dmd"), a("2.5.4.100", 12, "dns"), cn("all.example.com"))},
		{"long-name", one(append(many, cn(long))...)},
		{"empty-name", []byte{0x30, 0x00}},
		{"cucm-callmanager", one(ps("2.5.4.6", "US"), a("2.5.4.8", 19, "NC"), a("2.5.4.7", 19, "RTP"), a("2.5.4.10", 19, "Cisco"), a("2.5.4.11", 19, "UC"), a("2.5.4.3", 19, "cucm7-pub.clus1.lab"))},
	}
	// A few certificates are issued by another crafted Name, so that
	// issuers are checked with the same variety as subjects.
	issuerOf := map[string]string{"escapes": "single-chars", "multivalued-rdn": "dc-components",
		"t61string": "universalstring", "unknown-oids": "non-string-values", "long-name": "empty-name",
		"cucm-callmanager": "bmpstring", "repeated-cn": "utf8-cjk"}
	byName := map[string][]byte{}
	for _, n := range names {
		byName[n.name] = n.subject
	}
	for i, n := range names {
		issuer := ca
		if other, ok := issuerOf[n.name]; ok {
			issuer = byName[other]
		}
		write(n.name, goCert(key, n.subject, issuer, big.NewInt(int64(1000+i)), nil))
	}
	// A multi-server CallManager certificate as CUCM issues them, with the
	// EKUs CUCM puts in, IP and URI SANs, and an RSA key; self-signed.
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	msName := one(ps("2.5.4.6", "US"), ps("2.5.4.10", "Cisco"), ps("2.5.4.11", "UC"), cn("cucm7-pub-ms.clus1.lab"))
	write("cucm-multiserver-rsa", goCert(rsaKey, msName, msName, new(big.Int).SetBytes([]byte{0x80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}), func(t *x509.Certificate) {
		t.DNSNames = []string{"cucm7-pub.clus1.lab", "CUCM7-Sub1.clus1.lab", "cucm7-pub.clus1.lab"}
		t.IPAddresses = []net.IP{net.ParseIP("10.1.1.10"), net.ParseIP("2001:db8::10")}
		t.EmailAddresses = []string{"uc@clus1.lab"}
		u, _ := url.Parse("sip:cucm7-pub.clus1.lab:5061")
		t.URIs = []*url.URL{u}
		t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment | x509.KeyUsageKeyAgreement
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageIPSECEndSystem}
		t.UnknownExtKeyUsage = []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 9, 9999, 1}}
		t.BasicConstraintsValid = true
	}))
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	edName := one(cn("ed25519-ca.example"))
	write("ed25519-ca", goCert(edKey, edName, edName, big.NewInt(1), func(t *x509.Certificate) {
		t.IsCA, t.BasicConstraintsValid = true, true
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
		t.NotBefore = time.Date(1965, 6, 1, 0, 0, 0, 0, time.UTC)
		t.NotAfter = time.Date(2060, 12, 31, 23, 59, 59, 0, time.UTC)
	}))

	// Certificates crypto/x509 refuses, re-signed after changing the TBS.
	base := goCert(key, one(ps("2.5.4.6", "US"), cn("refused.example.com")), ca, big.NewInt(77), func(t *x509.Certificate) {
		t.DNSNames = []string{"refused.example.com"}
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		t.BasicConstraintsValid = true
	})
	write("negative-serial", resign(key, base, func(tbs [][]byte) [][]byte {
		tbs[1] = []byte{0x02, 0x02, 0xFF, 0x38} // -200
		return tbs
	}))
	write("malformed-san", resign(key, base, func(tbs [][]byte) [][]byte {
		tbs[len(tbs)-1] = replaceExtension(tbs[len(tbs)-1], "2.5.29.17", []byte{0x30, 0x03, 0x82, 0x05, 'x'})
		return tbs
	}))
	write("duplicate-extension", resign(key, base, func(tbs [][]byte) [][]byte {
		tbs[len(tbs)-1] = duplicateExtension(tbs[len(tbs)-1], "2.5.29.37")
		return tbs
	}))
	write("generalizedtime-before-2050", resign(key, base, func(tbs [][]byte) [][]byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte("20150901133337Z")) })
			b.AddASN1(cbasn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte("6912310000Z")) })
		})
		tbs[4] = b.BytesOrPanic()
		return tbs
	}))

	// Certificates made by openssl itself.
	tmp, err := os.MkdirTemp("", "certinfo-gen")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"openssl-multivalue", []string{"-subj", "/DC=org/DC=example/O=Example+OU=Voice+OU=Lab/CN=cucm1.example.org+UID=cucm1/emailAddress=pki@example.org", "-multivalue-rdn", "-set_serial", "0x00FF"}},
		{"openssl-utf8", []string{"-utf8", "-subj", "/C=BR/ST=São Paulo/O=Telefônica, S.A./CN=cucm-sp.example.com.br", "-set_serial", "0"}},
		{"openssl-escapes", []string{"-subj", `/CN=\#not a comment/O=a\+b/OU=x=y;z<w>/L=back\\slash`, "-set_serial", "123456789012345678901234567890"}},
		{"openssl-explicit-ec", []string{"-subj", "/C=US/O=Explicit/CN=explicit-ec.example", "-set_serial", "0x0102"}},
		{"openssl-sha1-rsa", []string{"-sha1", "-subj", "/C=US/O=Cisco/OU=VTG/CN=cucm-old.example", "-set_serial", "0x7FFF"}},
	} {
		keyFile := filepath.Join(tmp, c.name+".key")
		var gen []string
		switch {
		case c.name == "openssl-explicit-ec":
			gen = []string{"ecparam", "-name", "prime256v1", "-param_enc", "explicit", "-genkey", "-noout", "-out", keyFile}
		case strings.HasSuffix(c.name, "-rsa"):
			gen = []string{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", keyFile}
		default:
			gen = []string{"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile}
		}
		run(gen...)
		out := filepath.Join(tmp, c.name+".der")
		args := append([]string{"req", "-x509", "-new", "-key", keyFile, "-days", "3650", "-outform", "DER", "-out", out}, c.args...)
		run(args...)
		der, err := os.ReadFile(out)
		if err != nil {
			log.Fatal(err)
		}
		write(c.name, der)
	}
}

func run(args ...string) {
	cmd := exec.Command("openssl", args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("openssl %v: %v", args, err)
	}
}

// goCert makes a certificate with crypto/x509 and raw Names.
func goCert(key crypto.Signer, subject, issuer []byte, serial *big.Int, edit func(*x509.Certificate)) []byte {
	t := &x509.Certificate{
		SerialNumber: serial,
		RawSubject:   subject,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
	}
	if edit != nil {
		edit(t)
	}
	parent := &x509.Certificate{RawSubject: issuer, PublicKey: key.Public()}
	der, err := x509.CreateCertificate(rand.Reader, t, parent, key.Public(), key)
	if err != nil {
		log.Fatalf("%x: %v", subject, err)
	}
	return der
}

// resign splits der's TBSCertificate into its elements, lets edit change
// them, and signs the result with key (ECDSA with SHA-256).
func resign(key *ecdsa.PrivateKey, der []byte, edit func([][]byte) [][]byte) []byte {
	in := cryptobyte.String(der)
	var cert, tbs, sigAlg cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) {
		log.Fatal("resign: bad certificate")
	}
	var elems [][]byte
	for !tbs.Empty() {
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !tbs.ReadAnyASN1Element(&e, &tag) {
			log.Fatal("resign: bad TBS")
		}
		elems = append(elems, e)
	}
	elems = edit(elems)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range elems {
			b.AddBytes(e)
		}
	})
	newTBS := b.BytesOrPanic()
	sum := sha256.Sum256(newTBS)
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		log.Fatal(err)
	}
	var c cryptobyte.Builder
	c.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
		c.AddBytes(newTBS)
		c.AddBytes(sigAlg)
		c.AddASN1BitString(sig)
	})
	return c.BytesOrPanic()
}

// extensions returns the Extension elements of an [3] extensions wrapper.
func extensions(wrapped []byte) [][]byte {
	in := cryptobyte.String(wrapped)
	var w, seq cryptobyte.String
	if !in.ReadASN1(&w, cbasn1.Tag(3).Constructed().ContextSpecific()) || !w.ReadASN1(&seq, cbasn1.SEQUENCE) {
		log.Fatal("bad extensions")
	}
	var out [][]byte
	for !seq.Empty() {
		var e cryptobyte.String
		if !seq.ReadASN1Element(&e, cbasn1.SEQUENCE) {
			log.Fatal("bad extension")
		}
		out = append(out, e)
	}
	return out
}

func wrapExtensions(exts [][]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, e := range exts {
				b.AddBytes(e)
			}
		})
	})
	return b.BytesOrPanic()
}

func extOID(e []byte) string {
	s := cryptobyte.String(e)
	var body cryptobyte.String
	var oid asn1.ObjectIdentifier
	s.ReadASN1(&body, cbasn1.SEQUENCE)
	body.ReadASN1ObjectIdentifier(&oid)
	return oid.String()
}

func replaceExtension(wrapped []byte, oid string, value []byte) []byte {
	exts := extensions(wrapped)
	for i, e := range exts {
		if extOID(e) == oid {
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(mustOID(oid))
				b.AddASN1OctetString(value)
			})
			exts[i] = b.BytesOrPanic()
		}
	}
	return wrapExtensions(exts)
}

func duplicateExtension(wrapped []byte, oid string) []byte {
	exts := extensions(wrapped)
	for _, e := range exts {
		if extOID(e) == oid {
			exts = append(exts, e)
			break
		}
	}
	return wrapExtensions(exts)
}

// write stores der and openssl's view of it.
func write(name string, der []byte) {
	if err := os.WriteFile(filepath.Join(dir, name+".der"), der, 0o644); err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command("openssl", "x509", "-inform", "DER", "-noout", "-serial", "-subject", "-issuer",
		"-startdate", "-enddate", "-nameopt", "RFC2253,-esc_msb", "-dateopt", "iso_8601")
	cmd.Stdin = bytes.NewReader(der)
	out, err := cmd.Output()
	if err != nil {
		log.Printf("%s: openssl refuses it: %v", name, err)
		out = nil
	}
	if err := os.WriteFile(filepath.Join(dir, name+".openssl.txt"), out, 0o644); err != nil {
		log.Fatal(err)
	}
}
