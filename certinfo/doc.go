// Package certinfo turns one DER certificate, as carried in a TLS
// Certificate message, into the facts a Cisco CUCM voice engineer compares
// with what is uploaded as CallManager-trust: serial number, subject and
// issuer, validity dates, subject alternative names, key usages (a CUCM
// peer needs both serverAuth and clientAuth for mutual TLS), key type and
// size, and fingerprints. Info.ValidAt places an instant in the validity
// period as a Validity constant (Valid, Expired, NotYetValid,
// ValidityUnknown) whose MarshalText is the JSON word ("not_yet_valid").
//
// # Names as openssl prints them
//
// Engineers compare names with what `openssl x509 -subject` or the CUCM
// certificate page shows, so Subject and Issuer are not crypto/x509's
// pkix.Name.String but FormatDN's rendering of the raw DER: byte for byte
// the output of `openssl x509 -nameopt RFC2253,-esc_msb` (OpenSSL 3.0):
// most specific RDN first, OpenSSL's short names for attribute types
// (generated from OpenSSL's obj_mac.h by gen_oidnames.go), RFC 2253
// escaping, UTF-8 kept as is, and every repeated attribute kept. The tests
// check this against the openssl binary on crafted certificates
// (testdata/gen.go, and random Names with -openssl=N) and against
// openssl's view of the certificates in the public real captures
// (expected.tsv).
//
// # Why there is a fallback reader
//
// crypto/x509 is strict: it refuses certificates with a negative serial
// number, explicit elliptic-curve parameters, a malformed or duplicated
// extension, a VisibleString in a Name, invalid UTF-8, and more. Real
// peers still send such certificates, and the handshake failure the
// engineer is chasing is often caused by exactly that certificate. So when
// crypto/x509 refuses a certificate, Parse walks the TBSCertificate
// itself (RFC 5280 section 4.1, with cryptobyte), field by field, and
// fills serial, issuer, validity, subject, key, signature algorithm and
// the common extensions as far as it can, also for a certificate cut
// short. ParseError then says why crypto/x509 refused it, and Cert is nil.
// When the bytes are not a certificate at all, only the fingerprints are
// set. Parse never panics and never returns nil.
//
// # Cache
//
// A capture repeats the same few certificates in every handshake; Cache
// parses each distinct DER once, keyed by its SHA-256, and keeps a bounded
// number of them.
package certinfo

//go:generate go run gen_oidnames.go -h /usr/include/openssl/obj_mac.h
