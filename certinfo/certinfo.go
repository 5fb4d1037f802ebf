package certinfo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"time"
)

// Info is the view of one DER certificate that an engineer compares with
// the certificates uploaded as CallManager-trust. The JSON form (snake_case
// keys) is embedded in siptls' JSON report.
type Info struct {
	// Serial is the serial number in lowercase hex without separators, as
	// its magnitude bytes (so 1000 is "03e8", like openssl's "03E8", and the
	// DER sign byte 00 is dropped). A negative serial is "-" and the hex of
	// its magnitude; zero is "00".
	Serial string `json:"serial"`
	// Subject is the subject Name in RFC 4514 form, rendered from the raw
	// DER by FormatDN (byte for byte what openssl -nameopt RFC2253,-esc_msb
	// prints, so UTF8String bytes are copied even when they are not valid
	// UTF-8). A value FormatDN cannot decode (a BMPString of odd length) is
	// shown as "#" and its DER in hex, and a Name that is not DER at all as
	// "#" and the hex of the whole Name.
	Subject string `json:"subject"`
	// Issuer is the issuer Name, rendered like Subject.
	Issuer string `json:"issuer"`
	// SubjectCN is the most specific common name of the subject (the last
	// CN in DER order, the first one in Subject), or "".
	SubjectCN string `json:"subject_cn"`
	// NotBefore is the start of the validity period, in UTC; the zero
	// time (omitted from JSON) when it could not be read.
	NotBefore time.Time `json:"not_before,omitzero"`
	// NotAfter is the end of the validity period, in UTC; the zero time
	// (omitted from JSON) when it could not be read.
	NotAfter time.Time `json:"not_after,omitzero"`
	// DNSNames are the dNSName entries of the subjectAltName extension.
	DNSNames []string `json:"dns_names,omitempty"`
	// IPAddresses are the iPAddress entries of the subjectAltName
	// extension, in their usual text form.
	IPAddresses []string `json:"ip_addresses,omitempty"`
	// EmailAddresses are the rfc822Name entries of the subjectAltName
	// extension.
	EmailAddresses []string `json:"email_addresses,omitempty"`
	// URIs are the uniformResourceIdentifier entries of the subjectAltName
	// extension.
	URIs []string `json:"uris,omitempty"`
	// KeyUsage lists the bits set in the keyUsage extension by their RFC
	// 5280 names: digitalSignature, nonRepudiation, keyEncipherment,
	// dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly,
	// decipherOnly.
	KeyUsage []string `json:"key_usage,omitempty"`
	// ExtKeyUsage lists the extendedKeyUsage purposes in certificate order,
	// by OpenSSL's short names (serverAuth, clientAuth, ipsecEndSystem, ...)
	// or as dotted OIDs when OpenSSL has no name for them. A CUCM peer needs
	// both serverAuth and clientAuth for mutual TLS.
	ExtKeyUsage []string `json:"ext_key_usage,omitempty"`
	// IsCA is the cA flag of the basicConstraints extension.
	IsCA bool `json:"is_ca"`
	// BasicConstraintsValid reports whether the certificate has a
	// basicConstraints extension.
	BasicConstraintsValid bool `json:"basic_constraints_valid"`
	// SelfSigned reports that the subject and issuer Names are byte for
	// byte equal AND the signature verifies with the certificate's own
	// public key (SHA-1 and MD5 signatures are checked too, since they only
	// identify the certificate here). It is false whenever the signature
	// cannot be checked: when crypto/x509 refused the certificate, or does
	// not know its algorithm (ML-DSA).
	SelfSigned bool `json:"self_signed"`
	// KeyType is the public key algorithm: "RSA", "ECDSA", "Ed25519",
	// "DSA", "ML-DSA-44" (and the other ML-DSA and SLH-DSA sets), or the
	// algorithm OID.
	KeyType string `json:"key_type"`
	// KeyBits is the RSA modulus size or the elliptic curve size in bits,
	// 0 when unknown or not meaningful (Ed25519, ML-DSA).
	KeyBits int `json:"key_bits,omitempty"`
	// Curve is the elliptic curve name ("P-256", ...), "explicit" for
	// explicit curve parameters, the curve OID for other named curves.
	Curve string `json:"curve,omitempty"`
	// SignatureAlgorithm is the certificate signature algorithm by Go's
	// names ("SHA256-RSA", "ECDSA-SHA384", ...), a few post-quantum names
	// ("ML-DSA-44"), or the algorithm OID.
	SignatureAlgorithm string `json:"signature_algorithm"`
	// SHA256 is the lowercase hex SHA-256 fingerprint of the DER.
	SHA256 string `json:"sha256"`
	// SHA1 is the lowercase hex SHA-1 fingerprint of the DER, as CUCM's
	// certificate page shows next to SHA-256.
	SHA1 string `json:"sha1"`
	// Version is the X.509 version (1, 2 or 3); 0 when not even the
	// TBSCertificate could be read.
	Version int `json:"version"`
	// ParseError is empty when crypto/x509 accepted the certificate,
	// otherwise its reason (explicit EC parameters, negative serial,
	// malformed extension, not DER at all, ...). The other fields then come
	// from a tolerant reading of the TBSCertificate and may be partial.
	ParseError string `json:"parse_error,omitempty"`

	// Cert is crypto/x509's view, nil when it refused the certificate.
	Cert *x509.Certificate `json:"-"`
	// DER is the certificate as given to Parse (not copied).
	DER []byte `json:"-"`
}

// Parse describes the DER certificate der. It never returns nil and never
// panics. When crypto/x509 refuses der, Parse still reads the serial,
// Names, validity, algorithms, key and extensions it can from the
// TBSCertificate and sets ParseError; when der is not a certificate at all,
// only the fingerprints (and ParseError) are set. The returned Info keeps a
// reference to der.
func Parse(der []byte) *Info {
	info := &Info{DER: der}
	s256 := sha256.Sum256(der)
	s1 := sha1.Sum(der)
	info.SHA256 = hex.EncodeToString(s256[:])
	info.SHA1 = hex.EncodeToString(s1[:])

	cert, err := x509.ParseCertificate(der)
	if err != nil {
		info.ParseError = strings.TrimPrefix(err.Error(), "x509: ")
		if ferr := parseTolerant(der, info); ferr != nil {
			info.ParseError += "; " + ferr.Error()
		}
		return info
	}
	info.Cert = cert
	info.fromX509(cert)
	return info
}

// fromX509 fills info from a certificate crypto/x509 accepted.
func (info *Info) fromX509(c *x509.Certificate) {
	info.Serial = serialHex(c.SerialNumber)
	info.Subject = displayDN(c.RawSubject)
	info.Issuer = displayDN(c.RawIssuer)
	if cns := commonNames(c.RawSubject); len(cns) > 0 {
		info.SubjectCN = cns[len(cns)-1]
	}
	info.NotBefore = c.NotBefore.UTC()
	info.NotAfter = c.NotAfter.UTC()
	info.DNSNames = c.DNSNames
	for _, ip := range c.IPAddresses {
		info.IPAddresses = append(info.IPAddresses, ip.String())
	}
	info.EmailAddresses = c.EmailAddresses
	for _, u := range c.URIs {
		info.URIs = append(info.URIs, u.String())
	}
	info.KeyUsage = keyUsageNames(c.KeyUsage)
	for _, e := range c.Extensions {
		if e.Id.String() == oidExtExtKeyUsage {
			info.ExtKeyUsage, _ = parseEKU(e.Value)
		}
	}
	info.IsCA = c.IsCA
	info.BasicConstraintsValid = c.BasicConstraintsValid
	info.Version = c.Version
	info.SignatureAlgorithm = c.SignatureAlgorithm.String()
	if c.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		info.SignatureAlgorithm = "?"
		if oid, ok := signatureOID(info.DER); ok {
			info.SignatureAlgorithm = algorithmName(oid)
		}
	}
	if pk, err := parseSPKI(c.RawSubjectPublicKeyInfo); err == nil {
		info.KeyType, info.KeyBits, info.Curve = pk.keyType, pk.bits, pk.curve
	}
	info.SelfSigned = selfSigned(c)
}

// serialHex formats a serial number as its lowercase hex magnitude bytes.
func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	if n.Sign() == 0 {
		return "00"
	}
	h := hex.EncodeToString(new(big.Int).Abs(n).Bytes())
	if n.Sign() < 0 {
		return "-" + h
	}
	return h
}

// selfSigned reports whether c's subject equals its issuer and c's
// signature verifies with c's own key. crypto/x509 refuses SHA-1 and MD5
// signatures, so those are checked here directly.
func selfSigned(c *x509.Certificate) bool {
	if string(c.RawSubject) != string(c.RawIssuer) || c.PublicKey == nil {
		return false
	}
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	if err == nil {
		return true
	}
	var insecure x509.InsecureAlgorithmError
	if !errors.As(err, &insecure) {
		return false
	}
	var h crypto.Hash
	var digest []byte
	switch c.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1:
		sum := sha1.Sum(c.RawTBSCertificate)
		h, digest = crypto.SHA1, sum[:]
	case x509.MD5WithRSA:
		sum := md5.Sum(c.RawTBSCertificate)
		h, digest = crypto.MD5, sum[:]
	default:
		return false
	}
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(pub, h, digest, c.Signature) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, c.Signature)
	case ed25519.PublicKey:
		return false
	}
	return false
}

// ValidAt compares t with the validity period: Valid with the number of
// whole days left until NotAfter, Expired with the whole days since
// NotAfter, or NotYetValid with the whole days until NotBefore. The
// bounds are inclusive, as in RFC 5280. An Info missing either date (not a
// certificate, or an unreadable time) is ValidityUnknown with 0 days.
func (i *Info) ValidAt(t time.Time) (status Validity, days int) {
	if i.NotBefore.IsZero() || i.NotAfter.IsZero() {
		return ValidityUnknown, 0
	}
	switch {
	case t.Before(i.NotBefore):
		return NotYetValid, int(i.NotBefore.Sub(t) / (24 * time.Hour))
	case t.After(i.NotAfter):
		return Expired, int(t.Sub(i.NotAfter) / (24 * time.Hour))
	}
	return Valid, int(i.NotAfter.Sub(t) / (24 * time.Hour))
}

// Names returns the names a peer's certificate answers to: the subject CN
// followed by the DNS SANs, lowercased, without a trailing dot, without
// duplicates or empty names, in that order. CUCM compares the trunk's
// X.509 Subject Name with these, case-insensitively.
func (i *Info) Names() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	add(i.SubjectCN)
	for _, d := range i.DNSNames {
		add(d)
	}
	return out
}

// FileName returns a base name (without extension) for saving the
// certificate, as CUCM admins name exported certificates: the subject CN
// (e.g. "cucm7-pub.clus1.lab"), else the first DNS, IP, email or URI SAN,
// else "serial-" and the serial, else "sha256-" and the fingerprint's
// first 16 hex digits. Characters outside letters, digits, '.', '-' and
// '_' become '_'; a leading '.' becomes '_', and the result is at most 100
// bytes long. It is never empty.
func (i *Info) FileName() string {
	candidates := []string{i.SubjectCN}
	for _, l := range [][]string{i.DNSNames, i.IPAddresses, i.EmailAddresses, i.URIs} {
		if len(l) > 0 {
			candidates = append(candidates, l[0])
		}
	}
	for _, c := range candidates {
		if n := safeFileName(c); n != "" {
			return n
		}
	}
	if n := safeFileName(strings.TrimPrefix(i.Serial, "-")); n != "" {
		return "serial-" + n
	}
	return "sha256-" + i.SHA256[:16]
}

// safeFileName maps s to a portable file name, or "" when nothing useful
// remains.
func safeFileName(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		case r == '*':
			b.WriteString("wildcard")
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 100 {
			break
		}
	}
	n := b.String()
	if len(n) > 100 {
		n = n[:100]
	}
	if strings.Trim(n, "._") == "" {
		return ""
	}
	if n[0] == '.' {
		n = "_" + n[1:]
	}
	return n
}
