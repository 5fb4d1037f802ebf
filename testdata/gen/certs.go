package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// identity is one certificate with its private key, as a node would hold it.
type identity struct {
	Name  string // file stem in testdata/certs
	Cert  *x509.Certificate
	Key   crypto.Signer
	Chain []*x509.Certificate // intermediates sent after the leaf
}

// tlsCert returns the identity as a tls.Certificate (leaf first, then chain).
func (id *identity) tlsCert() tls.Certificate {
	c := tls.Certificate{PrivateKey: id.Key, Leaf: id.Cert}
	c.Certificate = append(c.Certificate, id.Cert.Raw)
	for _, ch := range id.Chain {
		c.Certificate = append(c.Certificate, ch.Raw)
	}
	return c
}

// certPath and keyPath name the files of an identity.
func (g *gen) certPath(name string) string { return filepath.Join(g.out, "certs", name+".pem") }
func (g *gen) keyPath(name string) string  { return filepath.Join(g.out, "certs", name+".key") }

// certSpec describes one certificate the generator makes with crypto/x509.
type certSpec struct {
	name      string
	subject   pkix.Name
	dns       []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
	ecdsa     bool
	ca        bool // a CA certificate (root or intermediate)
	selfCA    bool // self-signed CallManager style: CA:TRUE and keyCertSign
	eku       []x509.ExtKeyUsage
	issuer    string   // name of the issuing identity; empty = self-signed
	chain     []string // intermediates to send after the leaf
	serial    *big.Int // fixed serial (nil = random 16 bytes, as CUCM does)
	rsaBits   int      // RSA key size (0 = 2048)
	// tweak, if set, changes the template last (extensions crypto/x509 has no field for).
	tweak func(*x509.Certificate)
}

// cucmName is the subject CUCM puts in a CallManager certificate.
func cucmName(cn string) pkix.Name {
	return pkix.Name{
		CommonName:         cn,
		OrganizationalUnit: []string{"Voice Engineering"},
		Organization:       []string{"Example Labs"},
		Locality:           []string{"Raleigh"},
		Province:           []string{"North Carolina"},
		Country:            []string{"US"},
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var cmEKU = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageIPSECEndSystem}

// specs lists the crypto/x509 certificates, issuers first.
// Validity is fixed relative to the capture time 2026-11-20T14:03:00Z.
func specs() []certSpec {
	ss := func(name, fqdn, nb, na string) certSpec {
		short, _, _ := strings.Cut(fqdn, ".")
		return certSpec{name: name, subject: cucmName(fqdn), dns: []string{fqdn, short},
			notBefore: date(nb), notAfter: date(na), selfCA: true, eku: cmEKU}
	}
	s := []certSpec{
		ss("cucm7-pub", "cucm7-pub.clus1.lab", "2024-03-12T09:14:27Z", "2029-03-11T09:14:27Z"),
		ss("cucm8-pub", "cucm8-pub.clus2.lab", "2025-01-20T16:02:11Z", "2030-01-19T16:02:11Z"),
		ss("cucm8-sub1", "cucm8-sub1.clus2.lab", "2025-01-20T16:40:52Z", "2030-01-19T16:40:52Z"),
		// cucm8-sub2's certificate was regenerated on 2026-09-30; the "-old" one is the copy
		// cucm7-pub still holds in its CallManager-trust.
		ss("cucm8-sub2", "cucm8-sub2.clus2.lab", "2026-09-30T11:27:45Z", "2031-09-29T11:27:45Z"),
		ss("cucm8-sub2-old", "cucm8-sub2.clus2.lab", "2023-02-14T08:51:03Z", "2028-02-13T08:51:03Z"),
	}
	ec := ss("cucm7-pub-ec", "cucm7-pub.clus1.lab", "2024-03-12T09:15:02Z", "2029-03-11T09:15:02Z")
	ec.ecdsa = true
	ec.subject.OrganizationalUnit = []string{"Voice Engineering"}
	ec8 := ss("cucm8-pub-ec", "cucm8-pub.clus2.lab", "2025-01-20T16:03:40Z", "2030-01-19T16:03:40Z")
	ec8.ecdsa = true
	s = append(s, ec, ec8)
	s = append(s,
		certSpec{name: "lab-root-ca", subject: pkix.Name{CommonName: "Example Labs Root CA", Organization: []string{"Example Labs"}, Country: []string{"US"}},
			notBefore: date("2022-06-01T00:00:00Z"), notAfter: date("2042-06-01T00:00:00Z"), ca: true},
		certSpec{name: "lab-issuing-ca", subject: pkix.Name{CommonName: "Example Labs Issuing CA 1", Organization: []string{"Example Labs"}, Country: []string{"US"}},
			notBefore: date("2022-06-02T00:00:00Z"), notAfter: date("2032-06-02T00:00:00Z"), ca: true, issuer: "lab-root-ca"},
		certSpec{name: "cucm8-pub-ms", subject: cucmName("cucm8-pub.clus2.lab-ms"),
			dns:       []string{"cucm8-pub.clus2.lab", "cucm8-sub1.clus2.lab", "cucm8-sub2.clus2.lab", "clus2.lab"},
			notBefore: date("2026-02-03T13:20:00Z"), notAfter: date("2028-02-03T13:20:00Z"),
			eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, issuer: "lab-issuing-ca", chain: []string{"lab-issuing-ca"}},
		// A CUBE's self-signed trustpoint certificate, regenerated on 2025-08-05;
		// "cube1-old" is the copy cucm7-pub still holds in its CallManager-trust.
		certSpec{name: "cube1", subject: pkix.Name{CommonName: "cube1.lab", Organization: []string{"Example Labs"}},
			dns: []string{"cube1.lab"}, notBefore: date("2025-08-05T07:00:00Z"), notAfter: date("2030-01-01T00:00:00Z"),
			selfCA: true, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}},
		certSpec{name: "cube1-old", subject: pkix.Name{CommonName: "cube1.lab", Organization: []string{"Example Labs"}},
			dns: []string{"cube1.lab"}, notBefore: date("2022-04-11T09:30:00Z"), notAfter: date("2027-04-10T09:30:00Z"),
			selfCA: true, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}},
		// cucm8-sub1's certificate regenerated on a node whose clock runs 12
		// days ahead: not yet valid at the capture time.
		ss("cucm8-sub1-future", "cucm8-sub1.clus2.lab", "2026-12-02T08:00:00Z", "2031-12-01T08:00:00Z"),
		// A certificate whose names are attacks on the report's readers: HTML
		// and attribute injection, terminal escapes and a right-to-left
		// override (hostile-names.pcap; the HTML and text reports must show
		// them as inert text).
		certSpec{name: "hostile-names", subject: pkix.Name{
			CommonName:         "<script>alert(1)</script>",
			Organization:       []string{`"><img src=x onerror=alert(1)>`},
			OrganizationalUnit: []string{"\x1b[31mRED\x1b[0m \x1b]8;;http://evil.example/\x07link\x1b]8;;\x07"},
			Locality:           []string{"gpj.\u202eexe"},
		},
			dns:       []string{"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "\x1b[2J\x1b[Hcleared"},
			notBefore: date("2026-01-05T10:00:00Z"), notAfter: date("2031-01-04T10:00:00Z"),
			selfCA: true, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}},
	)
	// A certificate with 10,000 DNS SANs (hostile-many-sans.pcap): the HTML
	// report must list the first ones and count the rest, and stay within
	// the page's width. 10,000 names of 19 bytes keep its Certificate
	// message under crypto/tls's 256 KiB limit.
	many := make([]string, 10000)
	for i := range many {
		many[i] = fmt.Sprintf("sip-%05d.clus2.lab", i+1)
	}
	s = append(s, certSpec{name: "hostile-many-sans", subject: cucmName("sip-00001.clus2.lab"), dns: many,
		notBefore: date("2026-01-05T10:00:00Z"), notAfter: date("2031-01-04T10:00:00Z"),
		selfCA: true, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	s = append(s, g2Specs()...)
	s = append(s, webSpecs()...)
	return s
}

// loadOrMake returns the identities, reading them from testdata/certs when present
// (unless -newcerts) and creating the missing ones.
func (g *gen) loadIdentities() error {
	g.ids = map[string]*identity{}
	if err := os.MkdirAll(filepath.Join(g.out, "certs"), 0o755); err != nil {
		return err
	}
	for _, sp := range specs() {
		id, err := g.loadIdentity(sp.name)
		if err != nil {
			if id, err = g.makeIdentity(sp); err != nil {
				return fmt.Errorf("certificate %s: %w", sp.name, err)
			}
		}
		for _, c := range sp.chain {
			id.Chain = append(id.Chain, g.ids[c].Cert)
		}
		g.ids[sp.name] = id
	}
	return g.opensslIdentities()
}

// loadIdentity reads NAME.pem and NAME.key unless -newcerts was given.
func (g *gen) loadIdentity(name string) (*identity, error) {
	if g.newCerts {
		return nil, errors.New("regenerating")
	}
	certPEM, err := os.ReadFile(g.certPath(name))
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(g.keyPath(name))
	if err != nil {
		return nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("bad PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("key is not a signer")
	}
	return &identity{Name: name, Cert: cert, Key: signer}, nil
}

func randSerial() *big.Int {
	b := make([]byte, 16)
	rand.Read(b)
	b[0] &= 0x7f
	b[0] |= 0x10
	return new(big.Int).SetBytes(b)
}

func (g *gen) makeIdentity(sp certSpec) (*identity, error) {
	var key crypto.Signer
	var err error
	if sp.ecdsa {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		bits := sp.rsaBits
		if bits == 0 {
			bits = 2048
		}
		key, err = rsa.GenerateKey(rand.Reader, bits)
	}
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	ski := sha1.Sum(spki)
	serial := sp.serial
	if serial == nil {
		serial = randSerial()
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               sp.subject,
		NotBefore:             sp.notBefore,
		NotAfter:              sp.notAfter,
		DNSNames:              sp.dns,
		IPAddresses:           sp.ips,
		ExtKeyUsage:           sp.eku,
		BasicConstraintsValid: true,
		SubjectKeyId:          ski[:],
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if !sp.ecdsa {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment
	} else {
		tmpl.KeyUsage |= x509.KeyUsageKeyAgreement
	}
	if sp.ca {
		tmpl.IsCA = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	}
	if sp.selfCA {
		tmpl.IsCA = true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if sp.tweak != nil {
		sp.tweak(tmpl)
	}
	parent, signer := tmpl, key
	if sp.issuer != "" {
		iss := g.ids[sp.issuer]
		parent, signer = iss.Cert, iss.Key
	}
	cert, err := createCert(tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	id := &identity{Name: sp.name, Cert: cert, Key: key}
	return id, g.saveIdentity(id)
}

// createCert signs tmpl for the public key pub with signer, as parent
// issues it, and parses the result.
func createCert(tmpl, parent *x509.Certificate, pub, signer any) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func (g *gen) saveIdentity(id *identity) error {
	kder, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(g.certPath(id.Name), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(g.keyPath(id.Name), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
}

// pemFile writes the given certificates into one PEM file in the scratch directory
// (for OpenSSL's -CAfile and -cert_chain) and returns its path.
func (g *gen) pemFile(name string, certs ...*x509.Certificate) string {
	p := filepath.Join(g.tmp, name)
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		panic(err)
	}
	return p
}

// pool builds a CertPool.
func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
