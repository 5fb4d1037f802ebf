package certinfo_test

import (
	"fmt"

	"github.com/siptls/siptls/certinfo"
)

// A Name as it appears in a certificate or in a TLS CertificateRequest's
// certificate_authorities list: C=US, O="Cisco, Inc.", and an RDN with
// two attributes.
func ExampleFormatDN() {
	raw := []byte{
		0x30, 0x3b,
		0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 'U', 'S',
		0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0b, 'C', 'i', 's', 'c', 'o', ',', ' ', 'I', 'n', 'c', '.',
		0x31, 0x16,
		0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x02, 'p', 'u',
		0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x0b, 0x0c, 0x02, 'U', 'C',
	}
	s, err := certinfo.FormatDN(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)
	// Output: OU=UC+CN=pu,O=Cisco\, Inc.,C=US
}

// Bytes that are not a certificate still get fingerprints, and the reason.
func ExampleParse() {
	info := certinfo.Parse([]byte("not a certificate"))
	fmt.Println(info.Cert == nil, info.ParseError != "")
	fmt.Println(info.SHA256[:16])
	fmt.Println(info.FileName())
	// Output:
	// true true
	// 47209c9b7af839de
	// sha256-47209c9b7af839de
}
