package certinfo

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of the extensions read by the tolerant walk.
const (
	oidExtKeyUsage         = "2.5.29.15"
	oidExtSubjectAltName   = "2.5.29.17"
	oidExtBasicConstraints = "2.5.29.19"
	oidExtExtKeyUsage      = "2.5.29.37"
)

// errNotCertificate is reported when the outer Certificate or TBSCertificate
// SEQUENCE cannot be read.
var errNotCertificate = errors.New("not a DER X.509 certificate")

// parseTolerant walks a certificate that crypto/x509 refused
// (RFC 5280 section 4.1) and fills what it can, field by field, in TBS
// order. It stops at the first field it cannot read and reports why; what
// was read before stays in info.
func parseTolerant(der []byte, info *Info) error {
	input := cryptobyte.String(der)
	cert, certShort, ok := readMaybeTruncated(&input)
	if !ok {
		return errNotCertificate
	}
	tbs, tbsShort, ok := readMaybeTruncated(&cert)
	if !ok {
		return errNotCertificate
	}
	var truncated error
	if certShort > 0 || tbsShort > 0 {
		truncated = fmt.Errorf("tolerant read: certificate truncated, %d bytes missing", max(certShort, tbsShort))
	}
	err := walkTBS(cert, tbs, info)
	if truncated != nil {
		return truncated
	}
	return err
}

// readMaybeTruncated reads a SEQUENCE from s. When its length runs past
// the end of s (a certificate cut short), it returns the bytes that are
// there and how many are missing. ok is false when s does not start with
// a SEQUENCE header.
func readMaybeTruncated(s *cryptobyte.String) (body cryptobyte.String, missing int, ok bool) {
	if s.ReadASN1(&body, cbasn1.SEQUENCE) {
		return body, 0, true
	}
	b := []byte(*s)
	if len(b) < 2 || b[0] != 0x30 {
		return nil, 0, false
	}
	n, hdr := int(b[1]), 2
	if b[1]&0x80 != 0 {
		ll := int(b[1] & 0x7f)
		if ll == 0 || ll > 3 || len(b) < 2+ll {
			return nil, 0, false
		}
		n = 0
		for _, c := range b[2 : 2+ll] {
			n = n<<8 | int(c)
		}
		hdr = 2 + ll
	}
	if hdr+n <= len(b) {
		return nil, 0, false // complete but not valid DER
	}
	*s = nil
	return cryptobyte.String(b[hdr:]), hdr + n - len(b), true
}

// walkTBS reads the TBSCertificate fields and the outer signature
// algorithm (from cert, the rest of the Certificate after tbs).
func walkTBS(cert, tbs cryptobyte.String, info *Info) error {
	// The outer signatureAlgorithm follows the TBSCertificate.
	var sigAlg cryptobyte.String
	if cert.ReadASN1(&sigAlg, cbasn1.SEQUENCE) {
		if name, ok := algorithmIdentifierName(sigAlg); ok {
			info.SignatureAlgorithm = name
		}
	}

	info.Version = 1
	if tbs.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var v cryptobyte.String
		var n int64
		if !tbs.ReadASN1(&v, cbasn1.Tag(0).Constructed().ContextSpecific()) || !v.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || n < 0 || n > 10 {
			info.Version = 0
			return errors.New("tolerant read: malformed version")
		}
		info.Version = int(n) + 1
	}
	var serial cryptobyte.String
	if !tbs.ReadASN1(&serial, cbasn1.INTEGER) {
		return errors.New("tolerant read: malformed serial number")
	}
	info.Serial = serialFromContent(serial)

	var tbsSigAlg cryptobyte.String
	if !tbs.ReadASN1(&tbsSigAlg, cbasn1.SEQUENCE) {
		return errors.New("tolerant read: malformed signature algorithm")
	}
	if info.SignatureAlgorithm == "" {
		if name, ok := algorithmIdentifierName(tbsSigAlg); ok {
			info.SignatureAlgorithm = name
		}
	}

	var issuer, subject cryptobyte.String
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return errors.New("tolerant read: malformed issuer")
	}
	info.Issuer = displayDN(issuer)

	var validity cryptobyte.String
	if !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return errors.New("tolerant read: malformed validity")
	}
	nb, errNB := readTime(&validity)
	na, errNA := readTime(&validity)
	info.NotBefore, info.NotAfter = nb, na

	if !tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) {
		return errors.New("tolerant read: malformed subject")
	}
	info.Subject = displayDN(subject)
	if cns := commonNames(subject); len(cns) > 0 {
		info.SubjectCN = cns[len(cns)-1]
	}
	if errNB != nil || errNA != nil {
		return errors.New("tolerant read: malformed validity time")
	}

	var spki cryptobyte.String
	if !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return errors.New("tolerant read: malformed subjectPublicKeyInfo")
	}
	if pk, err := parseSPKI(spki); err == nil {
		info.KeyType, info.KeyBits, info.Curve = pk.keyType, pk.bits, pk.curve
	}
	// issuerUniqueID [1] and subjectUniqueID [2] are skipped.
	tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific())
	tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific())
	tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific().Constructed())
	tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific().Constructed())
	if tbs.Empty() {
		return nil
	}
	return walkExtensions(tbs, info)
}

// walkExtensions reads the [3] extensions of a TBSCertificate, the rest of
// tbs, into info: subjectAltName, keyUsage, extKeyUsage and
// basicConstraints. It returns the first error, having read what it could.
func walkExtensions(tbs cryptobyte.String, info *Info) error {
	var extsWrap, exts cryptobyte.String
	if !tbs.ReadASN1(&extsWrap, cbasn1.Tag(3).Constructed().ContextSpecific()) || !extsWrap.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return errors.New("tolerant read: malformed extensions")
	}
	var firstErr error
	for !exts.Empty() {
		var ext, value cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&oid) {
			return errors.New("tolerant read: malformed extension")
		}
		ext.SkipOptionalASN1(cbasn1.BOOLEAN)
		if !ext.ReadASN1(&value, cbasn1.OCTET_STRING) {
			return fmt.Errorf("tolerant read: malformed extension %s", oid)
		}
		var err error
		switch oid.String() {
		case oidExtSubjectAltName:
			err = parseSAN(value, info)
		case oidExtKeyUsage:
			err = parseKeyUsage(value, info)
		case oidExtExtKeyUsage:
			info.ExtKeyUsage, err = parseEKU(value)
		case oidExtBasicConstraints:
			err = parseBasicConstraints(value, info)
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("tolerant read: extension %s: %w", oid, err)
		}
	}
	return firstErr
}

// serialFromContent formats the content octets of a DER INTEGER like
// serialHex, accepting what crypto/x509 refuses (negative, zero, too long,
// non-minimal).
func serialFromContent(c []byte) string {
	if len(c) == 0 {
		return ""
	}
	n := new(big.Int).SetBytes(c)
	if c[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(c))*8))
	}
	return serialHex(n)
}

// readTime reads a UTCTime or GeneralizedTime. When cryptobyte's strict
// reading fails, a few lenient layouts (missing seconds, fractions,
// offsets) are tried.
func readTime(s *cryptobyte.String) (time.Time, error) {
	var elem, content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&elem, &tag) {
		return time.Time{}, errors.New("malformed time")
	}
	rs := elem
	if !elem.ReadAnyASN1(&content, &tag) {
		return time.Time{}, errors.New("malformed time")
	}
	var t time.Time
	switch tag {
	case cbasn1.UTCTime:
		if rs.ReadASN1UTCTime(&t) {
			return t.UTC(), nil
		}
		return lenientTime(string(content), true)
	case cbasn1.GeneralizedTime:
		if rs.ReadASN1GeneralizedTime(&t) {
			return t.UTC(), nil
		}
		return lenientTime(string(content), false)
	}
	return time.Time{}, fmt.Errorf("time has tag %d", tag)
}

// lenientTime parses the time forms found in certificates that are not
// strict DER.
func lenientTime(s string, utc bool) (time.Time, error) {
	layouts := []string{"20060102150405Z0700", "200601021504Z0700", "20060102150405.999999999Z0700", "20060102150405", "200601021504"}
	if utc {
		layouts = []string{"060102150405Z0700", "0601021504Z0700", "060102150405", "0601021504"}
	}
	for _, l := range layouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if utc && t.Year() >= 2050 {
			t = t.AddDate(-100, 0, 0)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// publicKey is what Info shows about a subjectPublicKeyInfo.
type publicKey struct {
	keyType string
	bits    int
	curve   string
}

// Named curves by OID (RFC 5480, SEC 2, RFC 5639).
func curveName(oid string) (name string, bits int) {
	switch oid {
	case "1.2.840.10045.3.1.7":
		return "P-256", 256
	case "1.3.132.0.34":
		return "P-384", 384
	case "1.3.132.0.35":
		return "P-521", 521
	case "1.3.132.0.33":
		return "P-224", 224
	case "1.2.840.10045.3.1.1":
		return "P-192", 192
	case "1.3.132.0.10":
		return "secp256k1", 256
	case "1.3.36.3.3.2.8.1.1.7":
		return "brainpoolP256r1", 256
	case "1.3.36.3.3.2.8.1.1.11":
		return "brainpoolP384r1", 384
	case "1.3.36.3.3.2.8.1.1.13":
		return "brainpoolP512r1", 512
	}
	return oid, 0
}

// parseSPKI reads the algorithm and size of a SubjectPublicKeyInfo
// without validating the key itself (RFC 5280 section 4.1.2.7).
func parseSPKI(der []byte) (publicKey, error) {
	var pk publicKey
	in := cryptobyte.String(der)
	var spki, alg, bits cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return pk, errors.New("malformed subjectPublicKeyInfo")
	}
	var key []byte
	var keyBits asn1.BitString
	if spki.ReadASN1(&bits, cbasn1.BIT_STRING) && len(bits) > 0 {
		key = bits[1:]
		keyBits.Bytes = key
	}
	pk.keyType = keyAlgorithmName(oid.String())
	switch pk.keyType {
	case "RSA", "RSASSA-PSS":
		k := cryptobyte.String(key)
		var seq, n cryptobyte.String
		if k.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.ReadASN1(&n, cbasn1.INTEGER) {
			pk.bits = new(big.Int).SetBytes(n).BitLen()
		}
	case "ECDSA":
		var curve asn1.ObjectIdentifier
		switch {
		case alg.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) && alg.ReadASN1ObjectIdentifier(&curve):
			pk.curve, pk.bits = curveName(curve.String())
		case alg.PeekASN1Tag(cbasn1.SEQUENCE):
			// Explicit ECParameters (RFC 3279 section 2.3.5): the size is
			// that of the field prime.
			pk.curve = "explicit"
			var params, field cryptobyte.String
			var version int64
			var fieldType asn1.ObjectIdentifier
			var prime cryptobyte.String
			if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) &&
				params.ReadASN1(&field, cbasn1.SEQUENCE) && field.ReadASN1ObjectIdentifier(&fieldType) &&
				field.ReadASN1(&prime, cbasn1.INTEGER) {
				pk.bits = new(big.Int).SetBytes(prime).BitLen()
			}
		}
	case "DSA":
		var params, p cryptobyte.String
		if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&p, cbasn1.INTEGER) {
			pk.bits = new(big.Int).SetBytes(p).BitLen()
		}
	}
	return pk, nil
}

// keyAlgorithmName names a public key algorithm OID.
func keyAlgorithmName(oid string) string {
	switch oid {
	case "1.2.840.113549.1.1.1":
		return "RSA"
	case "1.2.840.113549.1.1.10":
		return "RSASSA-PSS"
	case "1.2.840.10045.2.1":
		return "ECDSA"
	case "1.3.101.112":
		return "Ed25519"
	case "1.3.101.113":
		return "Ed448"
	case "1.3.101.110":
		return "X25519"
	case "1.2.840.10040.4.1":
		return "DSA"
	}
	if name, ok := pqName(oid); ok {
		return name
	}
	return oid
}

// pqName names the NIST post-quantum signature OIDs (FIPS 204, FIPS 205),
// used both as key and as signature algorithm identifiers.
func pqName(oid string) (string, bool) {
	const nist = "2.16.840.1.101.3.4.3."
	if !strings.HasPrefix(oid, nist) {
		return "", false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(oid, nist))
	if err != nil {
		return "", false
	}
	switch {
	case n >= 17 && n <= 19:
		return [...]string{"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}[n-17], true
	case n >= 20 && n <= 31:
		return [...]string{"SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f", "SLH-DSA-SHA2-192s", "SLH-DSA-SHA2-192f",
			"SLH-DSA-SHA2-256s", "SLH-DSA-SHA2-256f", "SLH-DSA-SHAKE-128s", "SLH-DSA-SHAKE-128f",
			"SLH-DSA-SHAKE-192s", "SLH-DSA-SHAKE-192f", "SLH-DSA-SHAKE-256s", "SLH-DSA-SHAKE-256f"}[n-20], true
	}
	return "", false
}

// algorithmName names a signature algorithm OID as crypto/x509's
// SignatureAlgorithm.String does, or returns the OID.
func algorithmName(oid string) string {
	switch oid {
	case "1.2.840.113549.1.1.2":
		return "MD2-RSA"
	case "1.2.840.113549.1.1.4":
		return "MD5-RSA"
	case "1.2.840.113549.1.1.5", "1.3.14.3.2.29":
		return "SHA1-RSA"
	case "1.2.840.113549.1.1.11":
		return "SHA256-RSA"
	case "1.2.840.113549.1.1.12":
		return "SHA384-RSA"
	case "1.2.840.113549.1.1.13":
		return "SHA512-RSA"
	case "1.2.840.113549.1.1.10":
		return "RSASSA-PSS"
	case "1.2.840.10040.4.3":
		return "DSA-SHA1"
	case "2.16.840.1.101.3.4.3.2":
		return "DSA-SHA256"
	case "1.2.840.10045.4.1":
		return "ECDSA-SHA1"
	case "1.2.840.10045.4.3.2":
		return "ECDSA-SHA256"
	case "1.2.840.10045.4.3.3":
		return "ECDSA-SHA384"
	case "1.2.840.10045.4.3.4":
		return "ECDSA-SHA512"
	case "1.3.101.112":
		return "Ed25519"
	case "1.3.101.113":
		return "Ed448"
	}
	if name, ok := pqName(oid); ok {
		return name
	}
	return oid
}

// algorithmIdentifierName names the content of an AlgorithmIdentifier
// SEQUENCE. For RSASSA-PSS it uses Go's names (SHA256-RSAPSS, ...) when the
// parameters name SHA-256, SHA-384 or SHA-512.
func algorithmIdentifierName(alg cryptobyte.String) (string, bool) {
	var oid asn1.ObjectIdentifier
	if !alg.ReadASN1ObjectIdentifier(&oid) {
		return "", false
	}
	name := algorithmName(oid.String())
	if name != "RSASSA-PSS" {
		return name, true
	}
	// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
	var params, hashWrap, hashAlg cryptobyte.String
	var hashOID asn1.ObjectIdentifier
	if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&hashWrap, cbasn1.Tag(0).Constructed().ContextSpecific()) &&
		hashWrap.ReadASN1(&hashAlg, cbasn1.SEQUENCE) && hashAlg.ReadASN1ObjectIdentifier(&hashOID) {
		switch hashOID.String() {
		case "2.16.840.1.101.3.4.2.1":
			return "SHA256-RSAPSS", true
		case "2.16.840.1.101.3.4.2.2":
			return "SHA384-RSAPSS", true
		case "2.16.840.1.101.3.4.2.3":
			return "SHA512-RSAPSS", true
		}
	}
	return name, true
}

// signatureOID returns the outer signatureAlgorithm name of a
// certificate's DER.
func signatureOID(der []byte) (string, bool) {
	in := cryptobyte.String(der)
	var cert, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.SkipASN1(cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return "", false
	}
	return oid.String(), true
}

// keyUsageNames lists the RFC 5280 names of the bits set in ku, in bit
// order (x509.KeyUsageDigitalSignature is bit 0).
func keyUsageNames(ku x509.KeyUsage) []string {
	var names []string
	for bit := 0; bit < 9; bit++ {
		if ku&(1<<bit) == 0 {
			continue
		}
		names = append(names, [...]string{"digitalSignature", "nonRepudiation", "keyEncipherment",
			"dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}[bit])
	}
	return names
}

// parseKeyUsage reads a keyUsage extension value (RFC 5280 section
// 4.2.1.3): a BIT STRING whose first bit is digitalSignature.
func parseKeyUsage(value []byte, info *Info) error {
	v := cryptobyte.String(value)
	var bits asn1.BitString
	if !v.ReadASN1BitString(&bits) {
		return errors.New("malformed keyUsage")
	}
	var ku x509.KeyUsage
	for i := 0; i < 9; i++ {
		if bits.At(i) != 0 {
			ku |= 1 << i
		}
	}
	info.KeyUsage = keyUsageNames(ku)
	return nil
}

// parseEKU reads an extKeyUsage extension value (RFC 5280 section
// 4.2.1.12) in certificate order, naming purposes as OpenSSL does.
func parseEKU(value []byte) ([]string, error) {
	v := cryptobyte.String(value)
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed extKeyUsage")
	}
	var out []string
	for !seq.Empty() {
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1ObjectIdentifier(&oid) {
			return out, errors.New("malformed extKeyUsage purpose")
		}
		s := oid.String()
		if name, ok := openSSLShortName(s); ok {
			s = name
		}
		out = append(out, s)
	}
	return out, nil
}

// parseBasicConstraints reads a basicConstraints extension value
// (RFC 5280 section 4.2.1.9).
func parseBasicConstraints(value []byte, info *Info) error {
	v := cryptobyte.String(value)
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return errors.New("malformed basicConstraints")
	}
	info.BasicConstraintsValid = true
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) {
		var ca cryptobyte.String
		if !seq.ReadASN1(&ca, cbasn1.BOOLEAN) || len(ca) != 1 {
			return errors.New("malformed basicConstraints cA")
		}
		info.IsCA = ca[0] != 0
	}
	return nil
}

// parseSAN reads a subjectAltName extension value (RFC 5280 section
// 4.2.1.6): the dNSName, rfc822Name, uniformResourceIdentifier and
// iPAddress entries.
func parseSAN(value []byte, info *Info) error {
	v := cryptobyte.String(value)
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return errors.New("malformed subjectAltName")
	}
	for !seq.Empty() {
		var name cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1(&name, &tag) {
			return errors.New("malformed GeneralName")
		}
		switch tag {
		case cbasn1.Tag(1).ContextSpecific():
			info.EmailAddresses = append(info.EmailAddresses, string(name))
		case cbasn1.Tag(2).ContextSpecific():
			info.DNSNames = append(info.DNSNames, string(name))
		case cbasn1.Tag(6).ContextSpecific():
			info.URIs = append(info.URIs, string(name))
		case cbasn1.Tag(7).ContextSpecific():
			if len(name) == net.IPv4len || len(name) == net.IPv6len {
				info.IPAddresses = append(info.IPAddresses, net.IP(name).String())
			} else {
				info.IPAddresses = append(info.IPAddresses, fmt.Sprintf("%x", []byte(name)))
			}
		}
	}
	return nil
}
