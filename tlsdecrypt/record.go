package tlsdecrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// Errors of Open. A record that fails to authenticate means a wrong key
// (another session's, or the wrong key for this point of the handshake)
// or bytes the capture damaged: never text to show.
var (
	ErrAuth        = errors.New("the record does not authenticate with this key")
	ErrShortRecord = errors.New("the record is too short for its cipher")
)

// UnsupportedSuiteError is returned for a cipher suite this package does
// not decrypt.
type UnsupportedSuiteError struct{ Suite uint16 }

func (e *UnsupportedSuiteError) Error() string {
	return fmt.Sprintf("cipher suite 0x%04x is not one this package decrypts", e.Suite)
}

// Side is the sender of the records a Decrypter opens.
type Side uint8

// The two senders.
const (
	Client Side = iota
	Server
)

// A Decrypter opens the records one side sent under one key, in order:
// each record's sequence number is one more than the last one's. It is
// not safe for concurrent use.
type Decrypter struct {
	s       suite
	tls13   bool
	version uint16 // TLS 1.0-1.2 record version, for the MAC and AD
	aead    cipher.AEAD
	iv      []byte // TLS 1.3 and ChaCha20: XORed with the sequence number; GCM: the salt
	block   cipher.Block
	cbcIV   []byte // TLS 1.0 CBC: the last ciphertext block
	mac     hash.Hash
	etm     bool // encrypt-then-MAC (RFC 7366)
	seq     uint64
	hdr     [13]byte // the additional data / MAC header, reused
	nonceB  [12]byte // the AEAD nonce, reused
	macBuf  [64]byte // a computed MAC, reused (SHA-384's 48 bytes at most)
	own     Buffer   // the plaintext Open returns, reused, unless shared
	shared  *Buffer  // ShareBuffer's
	secret  []byte   // TLS 1.3: the traffic secret, for UpdateKeys
}

// A Buffer holds the plaintext of the last record a Decrypter opened, for
// the next one to reuse; Decrypters may share one (ShareBuffer).
type Buffer struct{ b []byte }

// ShareBuffer makes d open records into buf, which other Decrypters may
// share: the plaintext Open returns is then valid until the next Open of
// any Decrypter sharing buf, not only of d. A reader of many connections
// that handles one record at a time needs one buffer, not one per
// direction of each connection.
func (d *Decrypter) ShareBuffer(buf *Buffer) { d.shared = buf }

// plain returns the Buffer d opens records into.
func (d *Decrypter) plain() *Buffer {
	if d.shared != nil {
		return d.shared
	}
	return &d.own
}

// buffer returns the plaintext buffer with length n.
func (d *Decrypter) buffer(n int) []byte {
	p := d.plain()
	if cap(p.b) < n {
		p.b = make([]byte, n)
	}
	return p.b[:n]
}

// keep keeps the array of plain, appended by an AEAD to the buffer, for
// the next record.
func (d *Decrypter) keep(plain []byte) {
	if p := d.plain(); cap(plain) > cap(p.b) {
		p.b = plain[:0]
	}
}

// NewTLS12 returns the Decrypter of side's records in a TLS 1.0, 1.1 or
// 1.2 session (version 0x0301 to 0x0303) with cipher suite id, from the
// master secret and the two hello randoms. etm is whether encrypt-then-MAC
// was negotiated (CBC suites only).
func NewTLS12(id, version uint16, master, clientRandom, serverRandom []byte, side Side, etm bool) (*Decrypter, error) {
	d, err := NewTLS12Pair(id, version, master, clientRandom, serverRandom, etm)
	return d[side], err
}

// NewTLS12Pair is NewTLS12 for both sides (index Side) from one key
// expansion: a reader of both directions of a session runs the PRF once.
func NewTLS12Pair(id, version uint16, master, clientRandom, serverRandom []byte, etm bool) ([2]*Decrypter, error) {
	var pair [2]*Decrypter
	s, ok := suites[id]
	if !ok || s.tls13 {
		return pair, &UnsupportedSuiteError{id}
	}
	if version < 0x0301 || version > 0x0303 || len(master) != 48 {
		return pair, fmt.Errorf("tlsdecrypt: version 0x%04x with a %d-byte master secret", version, len(master))
	}
	macLen := 0
	if s.mac != nil {
		macLen = s.mac().Size()
	}
	ivLen := s.ivLen(version)
	n := 2*macLen + 2*s.keyLen + 2*ivLen
	seed := append(append([]byte(nil), serverRandom...), clientRandom...)
	var kb []byte
	if version == 0x0303 {
		kb = prf12(s.prf, master, "key expansion", seed, n)
	} else {
		kb = prf10(master, "key expansion", seed, n)
	}
	for side := range pair {
		// client MAC, server MAC, client key, server key, client IV, server IV
		pick := func(off, l int) []byte { return kb[off+side*l : off+side*l+l : off+side*l+l] }
		macKey := pick(0, macLen)
		key := pick(2*macLen, s.keyLen)
		iv := pick(2*macLen+2*s.keyLen, ivLen)
		d := &Decrypter{s: s, version: version, iv: iv, etm: etm}
		if err := d.init(key); err != nil {
			return [2]*Decrypter{}, err
		}
		if s.kind == aesCBC {
			d.mac = hmac.New(s.mac, macKey)
			d.cbcIV = iv
		}
		pair[side] = d
	}
	return pair, nil
}

// NewTLS13 returns the Decrypter of the records protected with a TLS 1.3
// traffic secret (a handshake or an application traffic secret) of cipher
// suite id.
func NewTLS13(id uint16, secret []byte) (*Decrypter, error) {
	s, ok := suites[id]
	if !ok || !s.tls13 {
		return nil, &UnsupportedSuiteError{id}
	}
	return newTLS13(s, secret)
}

// newTLS13 is NewTLS13 for suite s.
func newTLS13(s suite, secret []byte) (*Decrypter, error) {
	key, err := expandLabel(s.prf, secret, "key", s.keyLen)
	if err != nil {
		return nil, err
	}
	iv, err := expandLabel(s.prf, secret, "iv", 12)
	if err != nil {
		return nil, err
	}
	d := &Decrypter{s: s, tls13: true, iv: iv, secret: append([]byte(nil), secret...)}
	return d, d.init(key)
}

// ErrNotTLS13 is returned by UpdateKeys for a Decrypter of TLS 1.0-1.2.
var ErrNotTLS13 = errors.New("tlsdecrypt: a key update is TLS 1.3 only")

// UpdateKeys moves a TLS 1.3 Decrypter to the next generation of its
// traffic secret, as a KeyUpdate message the same side sent asks (RFC 8446
// section 7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(
// application_traffic_secret_N, "traffic upd", "", Hash.length)). The
// records after the one that carried the KeyUpdate are protected with it,
// and their sequence numbers start again at 0.
func (d *Decrypter) UpdateKeys() error {
	if !d.tls13 {
		return ErrNotTLS13
	}
	next, err := expandLabel(d.s.prf, d.secret, "traffic upd", d.s.prf().Size())
	if err != nil {
		return err
	}
	u, err := newTLS13(d.s, next)
	if err != nil {
		return err
	}
	shared := d.shared
	*d = *u
	d.shared = shared
	return nil
}

func (d *Decrypter) init(key []byte) error {
	switch d.s.kind {
	case chacha20Poly1305:
		a, err := chacha20poly1305.New(key)
		d.aead = a
		return err
	case aesGCM:
		b, err := aes.NewCipher(key)
		if err != nil {
			return err
		}
		d.aead, err = cipher.NewGCM(b)
		return err
	default:
		b, err := aes.NewCipher(key)
		d.block = b
		return err
	}
}

// Open decrypts the next record, whose header gave content type typ and
// version, and returns its plaintext and its content type (TLS 1.3's
// inner type; typ otherwise). The plaintext is in the Decrypter's own
// buffer, valid until the next Open (with ShareBuffer, the next Open of
// any Decrypter sharing it): a caller that keeps it copies it. A
// record that does not authenticate returns ErrAuth and still counts in
// the sequence.
func (d *Decrypter) Open(typ uint8, version uint16, fragment []byte) ([]byte, uint8, error) {
	seq := d.seq
	d.seq++
	switch {
	case d.tls13:
		return d.open13(typ, version, fragment, seq)
	case d.aead != nil:
		plain, err := d.openAEAD12(typ, fragment, seq)
		return plain, typ, err
	default:
		plain, err := d.openCBC(typ, fragment, seq)
		return plain, typ, err
	}
}

// OpenAfterLoss is Open for the first record after a gap in the capture
// hid some of a direction's records: when the record does not open with
// the next sequence number, it tries the ones after it, up to ahead more,
// and the Decrypter goes on from the one that opens it. It returns the
// records lost too (0 when none was). Under TLS 1.0 CBC, whose next IV is
// the last block of the record before, a lost record cannot be stepped
// over: it returns ErrAuth as Open does.
func (d *Decrypter) OpenAfterLoss(typ uint8, version uint16, fragment []byte, ahead int) ([]byte, uint8, int, error) {
	first := d.seq
	plain, inner, err := d.Open(typ, version, fragment)
	if err == nil || d.SkipNeedsBytes() {
		return plain, inner, 0, err
	}
	for lost := 1; lost <= ahead; lost++ {
		d.seq = first + uint64(lost)
		if plain, inner, err := d.Open(typ, version, fragment); err == nil {
			return plain, inner, lost, nil
		}
	}
	d.seq = first + 1 // as Open: the record counts in the sequence
	return nil, 0, 0, err
}

// Skip passes over the next record without decrypting it: its sequence
// number is used up, and under TLS 1.0 CBC its last block becomes the next
// record's IV. It is for records whose content is not needed (application
// data beyond what is read), so that the later ones still open.
func (d *Decrypter) Skip(fragment []byte) {
	d.seq++
	if d.SkipNeedsBytes() {
		bs := d.block.BlockSize()
		if len(fragment) >= bs && len(fragment)%bs == 0 {
			d.cbcIV = append(d.cbcIV[:0], fragment[len(fragment)-bs:]...)
		}
	}
}

// SkipRecords passes over the next n records as n Skips would, for a
// Decrypter whose Skip reads no bytes (SkipNeedsBytes false).
func (d *Decrypter) SkipRecords(n uint64) { d.seq += n }

// SkipNeedsBytes reports whether Skip reads the record's bytes: under TLS
// 1.0 CBC, whose next IV is the record's last block. Otherwise Skip only
// counts the record, and any bytes of its length will do.
func (d *Decrypter) SkipNeedsBytes() bool { return d.block != nil && d.version < 0x0302 }

// nonce returns iv XOR the sequence number, right-aligned (RFC 8446
// section 5.3, RFC 7905).
func (d *Decrypter) nonce(seq uint64) []byte {
	n := append(d.nonceB[:0], d.iv...)
	for i := 0; i < 8; i++ {
		n[len(n)-1-i] ^= byte(seq >> (8 * i))
	}
	return n
}

func (d *Decrypter) open13(typ uint8, version uint16, fragment []byte, seq uint64) ([]byte, uint8, error) {
	if len(fragment) < d.aead.Overhead()+1 {
		return nil, 0, ErrShortRecord
	}
	ad := append(d.hdr[:0], typ, byte(version>>8), byte(version), byte(len(fragment)>>8), byte(len(fragment)))
	plain, err := d.aead.Open(d.plain().b[:0], d.nonce(seq), fragment, ad)
	d.keep(plain)
	if err != nil {
		return nil, 0, ErrAuth
	}
	// TLSInnerPlaintext: content, the real type, zero padding.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return nil, 0, ErrAuth // no content type: not a record of this key
	}
	return plain[:i], plain[i], nil
}

// additionalData is the TLS 1.2 AEAD additional data and the MAC's input
// header: seq_num, type, version, length.
func (d *Decrypter) additionalData(seq uint64, typ uint8, n int) []byte {
	ad := d.hdr[:]
	binary.BigEndian.PutUint64(ad, seq)
	ad[8] = typ
	binary.BigEndian.PutUint16(ad[9:], d.version)
	binary.BigEndian.PutUint16(ad[11:], uint16(n))
	return ad
}

func (d *Decrypter) openAEAD12(typ uint8, fragment []byte, seq uint64) ([]byte, error) {
	var nonce, ct []byte
	if d.s.kind == chacha20Poly1305 {
		nonce, ct = d.nonce(seq), fragment
	} else {
		if len(fragment) < 8 {
			return nil, ErrShortRecord
		}
		nonce, ct = append(append(d.nonceB[:0], d.iv...), fragment[:8]...), fragment[8:]
	}
	if len(ct) < d.aead.Overhead() {
		return nil, ErrShortRecord
	}
	plain, err := d.aead.Open(d.plain().b[:0], nonce, ct, d.additionalData(seq, typ, len(ct)-d.aead.Overhead()))
	d.keep(plain)
	if err != nil {
		return nil, ErrAuth
	}
	return plain, nil
}

func (d *Decrypter) openCBC(typ uint8, fragment []byte, seq uint64) ([]byte, error) {
	bs, macLen := d.block.BlockSize(), d.mac.Size()
	var tag []byte
	if d.etm { // the MAC covers the IV and the ciphertext, and follows them
		if len(fragment) < macLen {
			return nil, ErrShortRecord
		}
		fragment, tag = fragment[:len(fragment)-macLen], fragment[len(fragment)-macLen:]
		if !hmac.Equal(d.macOf(seq, typ, fragment), tag) {
			return nil, ErrAuth
		}
	}
	iv := d.cbcIV
	if d.version >= 0x0302 { // TLS 1.1+: the record starts with its IV
		if len(fragment) < bs {
			return nil, ErrShortRecord
		}
		iv, fragment = fragment[:bs], fragment[bs:]
	}
	if len(fragment) == 0 || len(fragment)%bs != 0 {
		return nil, ErrShortRecord
	}
	plain := d.buffer(len(fragment))
	cipher.NewCBCDecrypter(d.block, iv).CryptBlocks(plain, fragment)
	if d.version < 0x0302 {
		d.cbcIV = append(d.cbcIV[:0], fragment[len(fragment)-bs:]...)
	}
	pad := int(plain[len(plain)-1])
	if pad+1 > len(plain) {
		return nil, ErrAuth
	}
	for _, b := range plain[len(plain)-1-pad:] {
		if int(b) != pad {
			return nil, ErrAuth
		}
	}
	plain = plain[:len(plain)-1-pad]
	if d.etm {
		return plain, nil
	}
	if len(plain) < macLen {
		return nil, ErrAuth
	}
	plain, tag = plain[:len(plain)-macLen], plain[len(plain)-macLen:]
	if !hmac.Equal(d.macOf(seq, typ, plain), tag) {
		return nil, ErrAuth
	}
	return plain, nil
}

// macOf is the record MAC of data (RFC 5246 section 6.2.3.1).
func (d *Decrypter) macOf(seq uint64, typ uint8, data []byte) []byte {
	d.mac.Reset()
	d.mac.Write(d.additionalData(seq, typ, len(data)))
	d.mac.Write(data)
	return d.mac.Sum(d.macBuf[:0])
}
