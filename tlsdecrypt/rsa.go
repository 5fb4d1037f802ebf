package tlsdecrypt

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
)

// rsaKeyExchange are the cipher suites whose premaster secret the client
// encrypts with the server certificate's RSA key (TLS_RSA_*): the
// server's private key decrypts them. ECDHE and DHE suites it cannot.
var rsaKeyExchange = map[uint16]bool{
	0x002f: true, 0x0035: true, 0x003c: true, 0x003d: true, // AES-CBC
	0x009c: true, 0x009d: true, // AES-GCM
}

// RSAKeyExchange reports whether cipher suite id uses RSA key exchange,
// which a server's RSA private key decrypts.
func RSAKeyExchange(id uint16) bool { return rsaKeyExchange[id] }

// ParseRSAKey reads an RSA private key from PEM ("RSA PRIVATE KEY",
// PKCS#1, or "PRIVATE KEY", PKCS#8; the first such block) or DER (either
// form). Its errors never quote the key.
func ParseRSAKey(b []byte) (*rsa.PrivateKey, error) {
	der := b
	if block, rest := pem.Decode(b); block != nil {
		for ; block != nil; block, rest = pem.Decode(rest) {
			switch {
			case block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] != "":
				return nil, errors.New("the key is encrypted with a passphrase: decrypt it first (openssl pkey -in KEY -out PLAIN.key)")
			case block.Type == "RSA PRIVATE KEY" || block.Type == "PRIVATE KEY":
				der = block.Bytes
			default:
				continue
			}
			break
		}
		if block == nil {
			return nil, errors.New("no RSA PRIVATE KEY or PRIVATE KEY block")
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("not an RSA private key in PEM or DER (PKCS#1 or PKCS#8)")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an RSA private key: only TLS_RSA key exchange can be decrypted with a key", k)
	}
	return rk, nil
}

// RSAMasterSecret recovers a TLS 1.0-1.2 master secret from a
// ClientKeyExchange body of an RSA key exchange (cipher suite id,
// version), decrypted with the server's key. emsTranscript, when the
// extended master secret was negotiated (RFC 7627), is every handshake
// message from the ClientHello to this ClientKeyExchange, headers
// included; nil otherwise.
func RSAMasterSecret(key *rsa.PrivateKey, id, version uint16, cke, clientRandom, serverRandom, emsTranscript []byte) ([]byte, error) {
	s, ok := suites[id]
	if !ok || !rsaKeyExchange[id] {
		return nil, &UnsupportedSuiteError{id}
	}
	ct := cke
	if version >= 0x0301 { // TLS: the encrypted premaster secret has a length
		if len(cke) < 2 || int(cke[0])<<8|int(cke[1]) != len(cke)-2 {
			return nil, errors.New("the ClientKeyExchange is not an RSA-encrypted premaster secret")
		}
		ct = cke[2:]
	}
	if len(ct) != key.Size() {
		return nil, errors.New("the premaster secret is not encrypted for this key (its size differs)")
	}
	pms, err := rsa.DecryptPKCS1v15(nil, key, ct)
	if err != nil || len(pms) != 48 {
		return nil, errors.New("the premaster secret does not decrypt with this key")
	}
	label, seed := "master secret", append(append([]byte(nil), clientRandom...), serverRandom...)
	if emsTranscript != nil {
		label, seed = "extended master secret", sessionHash(s.prf, version, emsTranscript)
	}
	if version == 0x0303 {
		return prf12(s.prf, pms, label, seed, 48), nil
	}
	return prf10(pms, label, seed, 48), nil
}

// sessionHash is RFC 7627's session_hash: the PRF hash of the transcript in
// TLS 1.2, MD5 and SHA-1 side by side before.
func sessionHash(h func() hash.Hash, version uint16, transcript []byte) []byte {
	if version == 0x0303 {
		d := h()
		d.Write(transcript)
		return d.Sum(nil)
	}
	m, s := md5.Sum(transcript), sha1.Sum(transcript)
	return append(m[:], s[:]...)
}
