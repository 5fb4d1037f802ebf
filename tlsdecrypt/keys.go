package tlsdecrypt

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"hash"
)

// cipherKind is how a suite protects a record.
type cipherKind uint8

const (
	aesGCM cipherKind = iota + 1
	chacha20Poly1305
	aesCBC
)

// suite is what decryption needs of a cipher suite.
type suite struct {
	tls13  bool
	kind   cipherKind
	keyLen int
	mac    func() hash.Hash // HMAC hash of a CBC suite
	prf    func() hash.Hash // TLS 1.2 PRF hash, TLS 1.3 HKDF hash
}

// suites are the cipher suites this package decrypts, by their IANA code:
// what SIP trunks, phones, SBCs and their test tools negotiate.
var suites = map[uint16]suite{
	// TLS 1.3
	0x1301: {tls13: true, kind: aesGCM, keyLen: 16, prf: sha256.New},           // TLS_AES_128_GCM_SHA256
	0x1302: {tls13: true, kind: aesGCM, keyLen: 32, prf: sha512.New384},        // TLS_AES_256_GCM_SHA384
	0x1303: {tls13: true, kind: chacha20Poly1305, keyLen: 32, prf: sha256.New}, // TLS_CHACHA20_POLY1305_SHA256
	// TLS 1.2 AEAD
	0x009c: {kind: aesGCM, keyLen: 16, prf: sha256.New},           // TLS_RSA_WITH_AES_128_GCM_SHA256
	0x009d: {kind: aesGCM, keyLen: 32, prf: sha512.New384},        // TLS_RSA_WITH_AES_256_GCM_SHA384
	0xc02b: {kind: aesGCM, keyLen: 16, prf: sha256.New},           // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	0xc02c: {kind: aesGCM, keyLen: 32, prf: sha512.New384},        // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	0xc02f: {kind: aesGCM, keyLen: 16, prf: sha256.New},           // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	0xc030: {kind: aesGCM, keyLen: 32, prf: sha512.New384},        // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	0x009e: {kind: aesGCM, keyLen: 16, prf: sha256.New},           // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
	0x009f: {kind: aesGCM, keyLen: 32, prf: sha512.New384},        // TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
	0xcca8: {kind: chacha20Poly1305, keyLen: 32, prf: sha256.New}, // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	0xcca9: {kind: chacha20Poly1305, keyLen: 32, prf: sha256.New}, // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
	// TLS 1.0-1.2 CBC (the PRF hash applies to TLS 1.2; older versions use MD5 and SHA-1)
	0x002f: {kind: aesCBC, keyLen: 16, mac: sha1.New, prf: sha256.New},         // TLS_RSA_WITH_AES_128_CBC_SHA
	0x0035: {kind: aesCBC, keyLen: 32, mac: sha1.New, prf: sha256.New},         // TLS_RSA_WITH_AES_256_CBC_SHA
	0x003c: {kind: aesCBC, keyLen: 16, mac: sha256.New, prf: sha256.New},       // TLS_RSA_WITH_AES_128_CBC_SHA256
	0x003d: {kind: aesCBC, keyLen: 32, mac: sha256.New, prf: sha256.New},       // TLS_RSA_WITH_AES_256_CBC_SHA256
	0xc009: {kind: aesCBC, keyLen: 16, mac: sha1.New, prf: sha256.New},         // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
	0xc00a: {kind: aesCBC, keyLen: 32, mac: sha1.New, prf: sha256.New},         // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
	0xc013: {kind: aesCBC, keyLen: 16, mac: sha1.New, prf: sha256.New},         // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	0xc014: {kind: aesCBC, keyLen: 32, mac: sha1.New, prf: sha256.New},         // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
	0xc023: {kind: aesCBC, keyLen: 16, mac: sha256.New, prf: sha256.New},       // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
	0xc024: {kind: aesCBC, keyLen: 32, mac: sha512.New384, prf: sha512.New384}, // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384
	0xc027: {kind: aesCBC, keyLen: 16, mac: sha256.New, prf: sha256.New},       // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
	0xc028: {kind: aesCBC, keyLen: 32, mac: sha512.New384, prf: sha512.New384}, // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384
}

// Supported reports whether records of the cipher suite with IANA code id
// can be decrypted.
func Supported(id uint16) bool {
	_, ok := suites[id]
	return ok
}

// ivLen is the length of the part of the nonce or IV that comes from the
// key block (TLS 1.2) or the traffic secret (TLS 1.3).
func (s suite) ivLen(version uint16) int {
	switch {
	case s.tls13, s.kind == chacha20Poly1305:
		return 12
	case s.kind == aesGCM:
		return 4 // the salt; the record carries the other 8 bytes
	case version <= 0x0301:
		return 16 // TLS 1.0 CBC: the first IV comes from the key block
	}
	return 0 // TLS 1.1+ CBC: each record carries its IV
}

// prf12 is the TLS 1.2 PRF (RFC 5246 section 5): P_hash(secret, label +
// seed), n bytes.
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	return pHash(h, secret, append([]byte(label), seed...), n)
}

// prf10 is the TLS 1.0 and 1.1 PRF (RFC 2246 section 5): P_MD5 over the
// first half of the secret XOR P_SHA-1 over the second half.
func prf10(secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	half := (len(secret) + 1) / 2
	out := pHash(md5.New, secret[:half], ls, n)
	for i, b := range pHash(sha1.New, secret[len(secret)-half:], ls, n) {
		out[i] ^= b
	}
	return out
}

// pHash is P_hash of RFC 5246 section 5.
func pHash(h func() hash.Hash, secret, seed []byte, n int) []byte {
	out := make([]byte, 0, n+64)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil) // A(1)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
	return out[:n]
}

// expandLabel is TLS 1.3's HKDF-Expand-Label with an empty context (RFC
// 8446 section 7.1), n bytes.
func expandLabel(h func() hash.Hash, secret []byte, label string, n int) ([]byte, error) {
	info := make([]byte, 0, 4+6+len(label))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, 0) // empty context
	return hkdf.Expand(h, secret, string(info), n)
}
