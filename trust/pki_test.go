package trust

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/siptls/siptls/certinfo"
)

// captureTime is the capture time of every judged chain in the tests, as in
// the end-to-end captures of testdata/gen.
var captureTime = time.Date(2026, 11, 20, 14, 3, 0, 0, time.UTC)

// day returns a date at midnight UTC.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// lab is a set of certificates made with crypto/x509 with fixed dates, for
// every verdict (keys are random, so fingerprints change between runs;
// tests never compare them with constants).
type lab struct {
	root, inter, ms, msExpired, msNotYet, serverOnly *certinfo.Info
	selfA, selfAOld, selfACN, selfB, selfExpired     *certinfo.Info
	otherRoot, otherLeaf, weak, weakLeaf             *certinfo.Info
	oldRoot, oldRootLeaf                             *certinfo.Info
	interKey                                         crypto.Signer
}

type certSpec struct {
	cn, org        string
	serial         int64
	from, to       time.Time
	ca             bool
	eku            []x509.ExtKeyUsage
	ku             x509.KeyUsage
	dns            []string
	sigAlg         x509.SignatureAlgorithm
	parent         *x509.Certificate // nil: self-signed
	parentKey      crypto.Signer
	key            crypto.Signer
	subjectKeyID   []byte
	noAuthorityKey bool
}

// makeCert creates one certificate; it returns the parsed Info and the key.
func makeCert(t testing.TB, s certSpec) (*certinfo.Info, crypto.Signer) {
	t.Helper()
	key := s.key
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(s.serial),
		Subject:               pkix.Name{CommonName: s.cn, Organization: []string{s.org}},
		NotBefore:             s.from,
		NotAfter:              s.to,
		BasicConstraintsValid: true,
		IsCA:                  s.ca,
		KeyUsage:              s.ku,
		ExtKeyUsage:           s.eku,
		DNSNames:              s.dns,
		SignatureAlgorithm:    s.sigAlg,
		SubjectKeyId:          s.subjectKeyID,
	}
	parent, parentKey := tmpl, key
	if s.parent != nil {
		parent, parentKey = s.parent, s.parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	info := certinfo.Parse(der)
	if info.Cert == nil {
		t.Fatalf("%s: %s", s.cn, info.ParseError)
	}
	return info, key
}

var (
	ekuBoth   = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	kuLeaf    = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	kuCA      = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	kuCUCM    = kuLeaf | x509.KeyUsageCertSign // CallManager certificates are CA:TRUE
	labFrom   = day(2024, 1, 1)
	labTo     = day(2030, 1, 1)
	rootFrom  = day(2020, 1, 1)
	rootUntil = day(2040, 1, 1)
)

// newLab makes the test PKI: Test Root CA → Test Issuing CA 1 → leaves,
// CallManager-like self-signed certificates, another organization's CA,
// and a weak RSA-1024/SHA-1 certificate.
func newLab(t testing.TB) *lab {
	t.Helper()
	l := &lab{}
	var rootKey crypto.Signer
	l.root, rootKey = makeCert(t, certSpec{cn: "Test Root CA", org: "Test Labs", serial: 1, from: rootFrom, to: rootUntil, ca: true, ku: kuCA})
	l.inter, l.interKey = makeCert(t, certSpec{cn: "Test Issuing CA 1", org: "Test Labs", serial: 2, from: rootFrom, to: rootUntil, ca: true, ku: kuCA, parent: l.root.Cert, parentKey: rootKey})
	leaf := func(cn string, serial int64, from, to time.Time, eku []x509.ExtKeyUsage) *certinfo.Info {
		i, _ := makeCert(t, certSpec{cn: cn, org: "Test Labs", serial: serial, from: from, to: to, eku: eku, ku: kuLeaf, dns: []string{cn}, parent: l.inter.Cert, parentKey: l.interKey})
		return i
	}
	l.ms = leaf("cucm8-pub.test-ms", 10, labFrom, labTo, ekuBoth)
	l.msExpired = leaf("cucm8-sub1.test", 11, day(2021, 1, 1), day(2026, 10, 30), ekuBoth)
	l.msNotYet = leaf("cucm8-sub2.test", 12, day(2026, 12, 1), day(2031, 12, 1), ekuBoth)
	l.serverOnly = leaf("cucm8-pub.test", 13, labFrom, labTo, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth})
	self := func(cn, org string, serial int64, from, to time.Time) *certinfo.Info {
		i, _ := makeCert(t, certSpec{cn: cn, org: org, serial: serial, from: from, to: to, ca: true, ku: kuCUCM, eku: ekuBoth, dns: []string{cn}})
		return i
	}
	l.selfA = self("cucmA.test", "Test Labs", 20, day(2025, 8, 5), labTo)
	l.selfAOld = self("cucmA.test", "Test Labs", 21, day(2022, 4, 11), day(2027, 4, 10))
	l.selfACN = self("CUCMA.test", "Another Org", 22, day(2022, 4, 11), day(2027, 4, 10))
	l.selfB = self("cucmB.test", "Test Labs", 23, labFrom, labTo)
	l.selfExpired = self("cucmE.test", "Test Labs", 24, day(2021, 1, 1), day(2026, 11, 1))
	var otherKey crypto.Signer
	l.otherRoot, otherKey = makeCert(t, certSpec{cn: "Other Root CA", org: "Other Org", serial: 30, from: rootFrom, to: rootUntil, ca: true, ku: kuCA})
	l.otherLeaf, _ = makeCert(t, certSpec{cn: "cube9.other", org: "Other Org", serial: 31, from: labFrom, to: labTo, eku: ekuBoth, ku: kuLeaf, parent: l.otherRoot.Cert, parentKey: otherKey})
	var oldKey crypto.Signer
	l.oldRoot, oldKey = makeCert(t, certSpec{cn: "Old Root CA", org: "Old Labs", serial: 50, from: day(2010, 1, 1), to: day(2026, 6, 30), ca: true, ku: kuCA})
	l.oldRootLeaf, _ = makeCert(t, certSpec{cn: "cube2.old", org: "Old Labs", serial: 51, from: labFrom, to: labTo, eku: ekuBoth, ku: kuLeaf, parent: l.oldRoot.Cert, parentKey: oldKey})
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	l.weak, _ = makeCert(t, certSpec{cn: "old-cucm.test", org: "Test Labs", serial: 40, from: labFrom, to: labTo, ca: true, ku: kuCUCM, eku: ekuBoth, sigAlg: x509.SHA1WithRSA, key: rsaKey})
	l.weakLeaf, _ = makeCert(t, certSpec{cn: "weak-leaf.test", org: "Test Labs", serial: 41, from: labFrom, to: labTo, ku: kuLeaf, eku: ekuBoth, sigAlg: x509.ECDSAWithSHA1, key: rsaKey, parent: l.inter.Cert, parentKey: l.interKey})
	return l
}

// pemOf encodes certificates (and optional extra blocks) as PEM.
func pemOf(infos ...*certinfo.Info) []byte {
	var b bytes.Buffer
	for _, i := range infos {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: i.DER})
	}
	return b.Bytes()
}

// p7bOf makes a DER PKCS#7 certs-only bundle, as openssl crl2pkcs7 -nocrl
// does.
func p7bOf(t testing.TB, infos ...*certinfo.Info) []byte {
	t.Helper()
	var all []byte
	for _, i := range infos {
		all = append(all, i.DER...)
	}
	p7, err := pkcs7.DegenerateCertificate(all)
	if err != nil {
		t.Fatal(err)
	}
	return p7
}
