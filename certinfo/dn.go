package certinfo

import (
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Universal ASN.1 string tags that an attribute value may carry.
const (
	tagUTF8String      = 12
	tagNumericString   = 18
	tagPrintableString = 19
	tagT61String       = 20
	tagVideotexString  = 21
	tagIA5String       = 22
	tagUTCTime         = 23
	tagGeneralizedTime = 24
	tagGraphicString   = 25
	tagVisibleString   = 26
	tagGeneralString   = 27
	tagUniversalString = 28
	tagBMPString       = 30
)

// attribute is one AttributeTypeAndValue of a Name, in DER order.
type attribute struct {
	oid   string // dotted form
	tag   cbasn1.Tag
	value []byte // content octets
	full  []byte // the whole value TLV
	rdn   int    // index of the RelativeDistinguishedName holding it
}

// parseName splits a DER Name (SEQUENCE OF SET OF AttributeTypeAndValue)
// into its attributes in DER order. Trailing bytes after the Name are an
// error, as are empty RDNs (OpenSSL rejects both).
func parseName(raw []byte) ([]attribute, error) {
	in := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, &NameError{Offset: 0, Reason: "not a DER SEQUENCE"}
	}
	if !in.Empty() {
		return nil, &NameError{Offset: len(raw) - len(in), Reason: "trailing bytes after the Name"}
	}
	var attrs []attribute
	for rdn := 0; !seq.Empty(); rdn++ {
		off := len(raw) - len(seq)
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return nil, &NameError{Offset: off, Reason: "RDN is not a SET"}
		}
		if set.Empty() {
			return nil, &NameError{Offset: off, Reason: "empty RDN"}
		}
		for !set.Empty() {
			off := len(raw) - len(set)
			var atv cryptobyte.String
			var oid asn1.ObjectIdentifier
			var full cryptobyte.String
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&oid) {
				return nil, &NameError{Offset: off, Reason: "malformed AttributeTypeAndValue"}
			}
			var a attribute
			var hdr int
			if !atv.ReadAnyASN1Element(&full, &a.tag) || !atv.Empty() {
				return nil, &NameError{Offset: off, Reason: "malformed attribute value"}
			}
			var content cryptobyte.String
			var tag cbasn1.Tag
			elem := full
			if !elem.ReadAnyASN1(&content, &tag) {
				return nil, &NameError{Offset: off, Reason: "malformed attribute value"}
			}
			hdr = len(full) - len(content)
			a.oid = oid.String()
			a.value = full[hdr:]
			a.full = full
			a.rdn = rdn
			attrs = append(attrs, a)
		}
	}
	return attrs, nil
}

// FormatDN renders a DER-encoded X.501 Name (Certificate.RawSubject or
// RawIssuer, or one entry of a TLS CertificateRequest's
// certificate_authorities list) exactly as
//
//	openssl x509 -noout -subject -nameopt RFC2253,-esc_msb
//
// prints it (OpenSSL 3.0): the most specific RDN first; the attributes of
// one multi-valued RDN joined by "+" (OpenSSL reverses the flat list of
// attributes, so they too appear in reverse DER order); attribute types by
// OpenSSL's short names (CN, O, DC, emailAddress, jurisdictionC, ...);
// attribute types unknown to OpenSSL as a dotted OID with the value's DER
// as "#" and uppercase hex; RFC 2253 escaping of , + " \ < > ; and of a
// leading "#" or space and a trailing space; control characters as \XX.
// Bytes above 0x7F are not escaped: UTF8String content is copied as is,
// T61String (like every one-byte string type) is read as Latin-1,
// BMPString as UCS-2 and UniversalString as UCS-4, and converted to UTF-8.
// Values that are not strings (e.g. a SEQUENCE) are shown as "#" and hex.
//
// The error is a *NameError when rawDN is not a DER Name or a BMPString or
// UniversalString has an impossible length (where OpenSSL also fails).
func FormatDN(rawDN []byte) (string, error) {
	return formatDN(rawDN, false)
}

// displayDN is FormatDN for Info: a value OpenSSL cannot decode is shown
// as "#" and the hex of its DER instead of failing the whole Name, and a
// Name that is not DER at all as "#" and the hex of all of it.
func displayDN(rawDN []byte) string {
	s, err := formatDN(rawDN, true)
	if err != nil {
		var b strings.Builder
		writeHexDump(&b, rawDN)
		return b.String()
	}
	return s
}

func formatDN(rawDN []byte, lenient bool) (string, error) {
	attrs, err := parseName(rawDN)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := len(attrs) - 1; i >= 0; i-- {
		a := attrs[i]
		if i != len(attrs)-1 {
			if attrs[i+1].rdn == a.rdn {
				b.WriteByte('+')
			} else {
				b.WriteByte(',')
			}
		}
		name, known := openSSLShortName(a.oid)
		if !known {
			b.WriteString(a.oid)
			b.WriteByte('=')
			writeHexDump(&b, a.full)
			continue
		}
		b.WriteString(name)
		b.WriteByte('=')
		if err := writeValue(&b, a); err != nil {
			if !lenient {
				return "", err
			}
			writeHexDump(&b, a.full)
		}
	}
	return b.String(), nil
}

// charWidth reports how OpenSSL reads a string type (a_strex.c tag2nbyte):
// 0 UTF-8 (copied byte for byte), 1 one byte per character (Latin-1),
// 2 UCS-2, 4 UCS-4, -1 not a string (dumped as hex DER).
func charWidth(tag cbasn1.Tag) int {
	switch tag {
	case tagUTF8String:
		return 0
	case tagNumericString, tagPrintableString, tagT61String, tagVideotexString,
		tagIA5String, tagUTCTime, tagGeneralizedTime, tagGraphicString,
		tagVisibleString, tagGeneralString:
		return 1
	case tagUniversalString:
		return 4
	case tagBMPString:
		return 2
	}
	return -1
}

// decodeValue returns the characters of a string attribute value as
// OpenSSL sees them before escaping: for UTF8String the raw bytes, for
// the other string types their UTF-8 encoding. ok is false for values that
// are not strings.
func decodeValue(a attribute) (s string, ok bool, err error) {
	switch w := charWidth(a.tag); w {
	case -1:
		return "", false, nil
	case 0:
		return string(a.value), true, nil
	case 1:
		var b strings.Builder
		for _, c := range a.value {
			b.Write(putUTF8(nil, uint32(c)))
		}
		return b.String(), true, nil
	default:
		if len(a.value)%w != 0 {
			return "", false, &NameError{Reason: fmt.Sprintf("attribute %s: string length %d is not a multiple of %d", a.oid, len(a.value), w)}
		}
		var b []byte
		for i := 0; i < len(a.value); i += w {
			var c uint32
			for _, x := range a.value[i : i+w] {
				c = c<<8 | uint32(x)
			}
			if c > 0x10FFFF {
				return "", false, &NameError{Reason: fmt.Sprintf("attribute %s: character %#x beyond Unicode", a.oid, c)}
			}
			b = putUTF8(b, c)
		}
		return string(b), true, nil
	}
}

// putUTF8 appends c in UTF-8 as OpenSSL's UTF8_putc does: surrogate code
// points are encoded like any other (unlike utf8.AppendRune).
func putUTF8(b []byte, c uint32) []byte {
	switch {
	case c < 0x80:
		return append(b, byte(c))
	case c < 0x800:
		return append(b, byte(0xC0|c>>6), byte(0x80|c&0x3F))
	case c < 0x10000:
		return append(b, byte(0xE0|c>>12), byte(0x80|c>>6&0x3F), byte(0x80|c&0x3F))
	default:
		return append(b, byte(0xF0|c>>18), byte(0x80|c>>12&0x3F), byte(0x80|c>>6&0x3F), byte(0x80|c&0x3F))
	}
}

// writeValue writes one attribute value with RFC 2253 escaping. Nothing
// is written when it fails.
func writeValue(b *strings.Builder, a attribute) error {
	s, ok, err := decodeValue(a)
	if err != nil {
		return err
	}
	if !ok {
		writeHexDump(b, a.full)
		return nil
	}
	escapeRFC2253(b, s)
	return nil
}

// escapeRFC2253 follows OpenSSL's do_esc_char with ASN1_STRFLGS_ESC_2253
// and ASN1_STRFLGS_ESC_CTRL: the flag of the last character replaces that
// of the first, so a one-character value "#" is not escaped while " " is.
func escapeRFC2253(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		first, last := i == 0, i == len(s)-1
		if last {
			first = false
		}
		switch {
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == ' ' && (first || last), c == '#' && first:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7F:
			fmt.Fprintf(b, "\\%02X", c)
		default:
			b.WriteByte(c)
		}
	}
}

// writeHexDump writes "#" and the uppercase hex of der.
func writeHexDump(b *strings.Builder, der []byte) {
	const hexdig = "0123456789ABCDEF"
	b.WriteByte('#')
	for _, c := range der {
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&0x0F])
	}
}

// commonNames returns the decoded CN values of a Name in DER order.
func commonNames(rawDN []byte) []string {
	attrs, err := parseName(rawDN)
	if err != nil {
		return nil
	}
	var cns []string
	for _, a := range attrs {
		if a.oid != "2.5.4.3" {
			continue
		}
		if s, ok, err := decodeValue(a); err == nil && ok {
			if !utf8.ValidString(s) {
				s = strings.ToValidUTF8(s, "\uFFFD")
			}
			cns = append(cns, s)
		}
	}
	return cns
}

// openSSLShortName returns the short name OpenSSL prints for the object
// identifier oid (dotted form), and whether OpenSSL knows the object. The
// names are in oidnames.go, generated from OpenSSL's obj_mac.h.
func openSSLShortName(oid string) (string, bool) {
	name, ok := openSSLShortNames[oid]
	return name, ok
}
