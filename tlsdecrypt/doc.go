// Package tlsdecrypt opens TLS records with the secrets a key log gives:
// the NSS key log format that OpenSSL (SSL_CTX_set_keylog_callback), Go
// (tls.Config.KeyLogWriter), browsers and SIP stacks write when
// SSLKEYLOGFILE is set.
//
// It is the first part of siptls's decryption (issue 12): the key log
// parser, the TLS 1.0-1.2 PRF and key block, the TLS 1.3 traffic keys
// (HKDF-Expand-Label), and a record Decrypter for AES-GCM,
// ChaCha20-Poly1305 and AES-CBC with HMAC-SHA1/SHA256/SHA384 (MAC checked,
// MAC-then-encrypt or encrypt-then-MAC). It uses the standard library and
// golang.org/x/crypto only. Following the handshake to know which key
// applies to which record is the caller's.
//
// Key material is secret: nothing in this package prints it, and its
// errors name a key log's lines by number, never by content.
package tlsdecrypt
