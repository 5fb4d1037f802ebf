package diagnose

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"

	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsdecrypt"
	"github.com/siptls/siptls/tlsparse"
)

// connKeys is a connection's decryption with the key log of
// Options.KeyLog: the session's secrets, looked up once the ServerHello
// gave the cipher suite, and a Decrypter per direction.
type connKeys struct {
	secrets *tlsdecrypt.Secrets // nil: the log has none for this session
	dirs    [2]dirKeys          // index pcap.Dir
	// made12 are TLS 1.2 Decrypters made with the other direction's (one
	// key expansion for both), until their direction takes them.
	made12 [2]*tlsdecrypt.Decrypter // index tlsdecrypt.Side
}

// dirKeys decrypts the records of one direction.
type dirKeys struct {
	dec       *tlsdecrypt.Decrypter
	app       bool                  // TLS 1.3: the application traffic secret is in use
	hs        tlsparse.Defragmenter // TLS 1.3: the decrypted handshake messages
	off       bool                  // not decrypted (any more)
	gaps      int                   // the direction's gap events when a record was last opened
	lossTries int                   // sequence numbers tried after gaps (maxLossTries)
	sip       sipStream             // the SIP in the decrypted application data
}

// sessionKeys returns the connection's keys, looking its secrets up in
// the key log the first time; nil when no key log was given or the
// session's hellos are not both known yet.
func (st *connState) sessionKeys(m mark) *connKeys {
	if !st.a.decrypting() || st.clientRandom == nil || !st.serverHello.seen() {
		return nil
	}
	if st.keys == nil {
		st.keys = &connKeys{}
		if st.rsaSecrets != nil {
			st.keys.secrets = st.rsaSecrets
		} else if s, ok := st.a.lookupKeys(st.clientRandom); ok {
			st.keys.secrets = s
		} else if !st.rsaTried {
			st.finding(FindingNoKey, m.frame, "the key log has no secret for this session (ClientHello random %x…): its encrypted records stay encrypted", st.clientRandom[:4])
		}
	}
	return st.keys
}

// decryptRecord opens rec with the key log when it is an encrypted record
// of a session whose secrets are known: after ChangeCipherSpec up to TLS
// 1.2, and every application_data record after the ServerHello in TLS 1.3.
// It returns the plaintext and its content type, or ok false when rec is
// not encrypted or cannot be opened (said once, as a finding).
func (st *connState) decryptRecord(dir pcap.Dir, m mark, rec tlsparse.Record) (plain []byte, typ tlsparse.ContentType, ok bool) {
	// the common case first: no key at all, nothing to look at
	if !st.a.decrypting() || !st.encrypted(dir, rec.Type) {
		return nil, 0, false
	}
	k := st.sessionKeys(m)
	if k == nil || k.secrets == nil || k.dirs[dir].off {
		return nil, 0, false
	}
	dk := &k.dirs[dir]
	if dk.dec == nil && !st.newDecrypter(dir, m, k, dk) {
		return nil, 0, false
	}
	if st.passOver(m, dk, rec) {
		// Not opened, but its sequence number is used up: the alerts
		// after it still open.
		dk.dec.Skip(rec.Fragment)
		return nil, tlsparse.ContentApplicationData, true
	}
	var p []byte
	var t uint8
	var err error
	if gaps := st.dir(dir).gaps; gaps != dk.gaps {
		// A gap since the last record opened may have hidden whole
		// records: step over their sequence numbers.
		dk.gaps = gaps
		ahead := min(maxLostRecords, maxLossTries-dk.lossTries)
		var lost int
		p, t, lost, err = dk.dec.OpenAfterLoss(uint8(rec.Type), uint16(rec.Version), rec.Fragment, ahead)
		if err != nil {
			lost = ahead
		}
		dk.lossTries += lost
		if lost > 0 && err == nil {
			st.loseSIP(dk, m)
		}
	} else {
		p, t, err = dk.dec.Open(uint8(rec.Type), uint16(rec.Version), rec.Fragment)
	}
	if err != nil {
		dk.off = true
		st.finding(FindingDecryptFailed, m.frame, "the %s's record in frame %d does not decrypt with the key log's secret (%v): a key of another session, or bytes the capture damaged; its later records stay encrypted", st.side(dir), m.frame, err)
		return nil, 0, false
	}
	st.c().Decrypted = true
	return p, tlsparse.ContentType(t), true
}

// skipHoled handles an encrypted record of a decrypted direction that the
// capture lost bytes of: it cannot be opened, but it uses up its sequence
// number, so that the records after it still open (the close_notify after
// a lost segment of the last SIP message), and the SIP message it held is
// lost. It reports whether the direction is still decrypted. Under TLS 1.0
// CBC, whose next IV is the record's last block, and inside a TLS 1.3
// handshake, whose messages it would cut, decryption stops there, said
// once as a finding.
func (st *connState) skipHoled(dir pcap.Dir, m mark, rec tlsparse.Record) bool {
	if !st.a.decrypting() || !st.encrypted(dir, rec.Type) {
		return false
	}
	dk := st.openingKeys(dir)
	if dk == nil {
		return false
	}
	if dk.dec.SkipNeedsBytes() || st.tls13 && !dk.app {
		dk.off = true
		st.finding(FindingDecryptFailed, m.frame, "the %s's record in frame %d lost bytes to a gap in the capture, and the records after it depend on them: they stay encrypted", st.side(dir), m.frame)
		return false
	}
	dk.dec.Skip(nil)
	st.loseSIP(dk, m)
	return true
}

// encrypted reports whether a record of type typ in direction dir is
// protected: after ChangeCipherSpec up to TLS 1.2, every application_data
// record in TLS 1.3 (whatever it holds inside).
func (st *connState) encrypted(dir pcap.Dir, typ tlsparse.ContentType) bool {
	if st.tls13 {
		return typ == tlsparse.ContentApplicationData
	}
	return st.dir(dir).ccs.seen() && typ != tlsparse.ContentChangeCipherSpec
}

// openingKeys returns the keys of direction dir when its records are being
// opened: the session's secrets known, a Decrypter made, and not given up.
func (st *connState) openingKeys(dir pcap.Dir) *dirKeys {
	k := st.keys
	if k == nil || k.secrets == nil {
		return nil
	}
	if dk := &k.dirs[dir]; !dk.off && dk.dec != nil {
		return dk
	}
	return nil
}

// loseSIP notes that SIP of the direction of dk was lost in record m (a
// gap in the capture): the message begun, if any, is dropped, and the
// summary will say so.
func (st *connState) loseSIP(dk *dirKeys, m mark) {
	if dk.sip.off {
		return
	}
	dk.sip.buf = nil
	if !st.sipLost.seen() {
		st.sipLost = m
	}
}

// maxLostRecords is how many records a gap in the capture may have hidden
// for the first record after it to still open (OpenAfterLoss): tried only
// after a gap, one AEAD opening each.
const maxLostRecords = 256

// maxLossTries bounds the sequence numbers tried after gaps in one
// direction, so that a capture of many gaps costs at most this many record
// openings more.
const maxLossTries = 4 * maxLostRecords

// maxAlertRecord13 is the longest TLS 1.3 record (its encrypted fragment)
// still opened past the decryption bound, because it may be an alert, whose
// type is hidden: an alert is 2 bytes, its inner content type 1 and the
// AEAD tag 16, 19 bytes, and an alert padded to a 256-byte block still
// fits (Go, OpenSSL, BoringSSL and NSS do not pad by default; OpenSSL's
// SSL_CTX_set_block_padding pads to a block). A KeyUpdate (22 bytes) fits
// too. A SIP message does not: a bare 100 Trying with its mandatory
// headers is about 300 bytes, so past the bound the SIP stays unopened and
// what is opened is keep-alive CRLFs and alerts.
const maxAlertRecord13 = 256

// passOver reports whether rec, an encrypted record of a direction whose
// keys are known, is application data nothing needs: past what is read as
// SIP (Options.DecryptBytes), or in a stream that is not SIP. Up to TLS
// 1.2 the type is in the clear and alerts are always opened; in TLS 1.3 a
// record short enough to be an alert is opened. The first record passed
// over at the bound is noted (Connection.DecryptStoppedFrame), so that no
// one takes "no answer" for a fact.
func (st *connState) passOver(m mark, dk *dirKeys, rec tlsparse.Record) bool {
	s := &dk.sip
	if !s.off && s.read >= st.a.decryptBytes() {
		s.off, s.full, s.buf = true, true, nil
	}
	if !st.unread(dk, rec.Type, len(rec.Fragment)) {
		return false
	}
	if c := st.c(); s.full && c.DecryptStoppedFrame == 0 {
		c.DecryptStoppedFrame = m.frame
	}
	return true
}

// headOnly is pcap's Options.HeadOnly: the record header is all that is
// needed of a record that passOver will pass over, so its body is not
// reassembled; once the direction's application data was seen (and a TLS
// 1.3 handshake is over), not even the header is given: the record is
// counted by passed. It asks for the whole record while anything could still
// read it: before the direction's keys are known, while SIP is read, for a
// TLS 1.3 record short enough to be an alert, for any record that is not
// application data (an alert's type is in the clear up to TLS 1.2), under
// TLS 1.0 CBC (whose next IV is the record's last block), and for the first
// record passed over, whose frame Connection.DecryptStoppedFrame names.
func (a *Analyzer) headOnly(c *pcap.Conn, d pcap.Dir, head []byte) int {
	if !a.decrypting() { // the common case first: no key at all
		return 0
	}
	n := tlsparse.RecordLen(head) - tlsparse.RecordHeaderLen // the fragment's length
	if n < 0 || tlsparse.ContentType(head[0]) != tlsparse.ContentApplicationData {
		return 0 // not a whole header, or not a record at all (opaque bytes)
	}
	st := a.tracked(c)
	if st == nil || st.conn == nil {
		return 0
	}
	dk := st.openingKeys(d)
	if dk == nil || dk.dec.SkipNeedsBytes() || dk.sip.full && st.conn.DecryptStoppedFrame == 0 ||
		!st.unread(dk, tlsparse.ContentApplicationData, n) {
		return 0
	}
	if ds := st.dir(d); ds.appData.seen() && !ds.broken && (!st.tls13 || st.tls13Done()) {
		// All that is left of it is counting (passedOver and
		// markAppData): it is not even given, and passed counts it.
		return -1
	}
	return tlsparse.RecordHeaderLen
}

// passAgain is pcap's Options.PassAgain: after headOnly passed a record
// over whole, and while nothing of the connection was given since, the
// next record is too if it is application data too long to be an alert
// (see unread); nothing else headOnly looks at can have changed.
func passAgain(prev, head []byte) bool {
	return len(prev) > 0 && len(head) > 0 && head[0] == prev[0] && tlsparse.ContentType(head[0]) == tlsparse.ContentApplicationData &&
		tlsparse.RecordLen(head) > tlsparse.RecordHeaderLen+maxAlertRecord13
}

// passed is pcap's Options.Passed: the records headOnly passed over whole,
// counted as passedOver would have counted them one by one.
func (a *Analyzer) passed(c *pcap.Conn, p *pcap.Passed) {
	st := a.state(c)
	ds := st.dir(p.Dir)
	ds.records += p.Units
	ds.lastRecLen, ds.lastRecMark = p.Len-tlsparse.RecordHeaderLen, newMark(p.Frame, p.Time)
	st.keys.dirs[p.Dir].dec.SkipRecords(p.Units)
	ds.appRecords += p.Units
	ds.appBytes += p.Bytes - p.Units*tlsparse.RecordHeaderLen
}

// unread reports whether an encrypted record of type typ whose fragment is
// n bytes, in the direction of dk, is left unopened: application data once
// the direction's SIP is no longer read (past Options.DecryptBytes, or not
// SIP), except in TLS 1.3, where the type is hidden, a record short enough
// to be an alert; never a record of the TLS 1.3 handshake. passOver and
// headOnly ask it.
func (st *connState) unread(dk *dirKeys, typ tlsparse.ContentType, n int) bool {
	if st.tls13 {
		if !dk.app || n <= maxAlertRecord13 {
			return false
		}
	} else if typ != tlsparse.ContentApplicationData {
		return false
	}
	return dk.sip.off
}

// newDecrypter makes dk's Decrypter for the keys now in use.
func (st *connState) newDecrypter(dir pcap.Dir, m mark, k *connKeys, dk *dirKeys) bool {
	side := tlsdecrypt.Client
	if st.side(dir) == Server {
		side = tlsdecrypt.Server
	}
	var err error
	s := k.secrets
	switch {
	case st.tls13:
		secret := s.ClientHandshake
		switch {
		case side == tlsdecrypt.Server && dk.app:
			secret = s.ServerTraffic
		case side == tlsdecrypt.Server:
			secret = s.ServerHandshake
		case dk.app:
			secret = s.ClientTraffic
		}
		if secret == nil {
			err = errors.New("the key log lacks this traffic secret")
			break
		}
		dk.dec, err = tlsdecrypt.NewTLS13(st.suite, secret)
	case s.MasterSecret == nil:
		err = errors.New("the key log has no CLIENT_RANDOM line for this session")
	case k.made12[side] != nil:
		dk.dec, k.made12[side] = k.made12[side], nil
	default:
		var pair [2]*tlsdecrypt.Decrypter
		pair, err = tlsdecrypt.NewTLS12Pair(st.suite, uint16(st.version), s.MasterSecret, st.clientRandom, st.serverRandom, st.encryptThenMAC)
		dk.dec, k.made12[1-side] = pair[side], pair[1-side]
	}
	if err != nil {
		k.dirs[0].off, k.dirs[1].off = true, true
		st.finding(FindingCannotDecrypt, m.frame, "the session cannot be decrypted: %v", err)
		return false
	}
	dk.dec.ShareBuffer(&st.a.plain) // one record is read at a time
	return true
}

// clearRecord handles a record decryptRecord opened, as the record it
// holds: a decrypted alert is read as an alert, a TLS 1.3 handshake
// message as a handshake message. It reports whether more payload is
// wanted: with a key, yes, so that the alerts at the end still decrypt.
func (st *connState) clearRecord(dir pcap.Dir, m mark, rec tlsparse.Record, plain []byte, typ tlsparse.ContentType) bool {
	switch typ {
	case tlsparse.ContentAlert:
		if st.tls13 && !st.tls13Done() {
			st.count13(dir, m)
		}
		st.decryptedAlert(dir, m, plain)
	case tlsparse.ContentHandshake:
		if !st.tls13 {
			return st.handshakeRecord(dir, m, rec, nil) // the Finished
		}
		if !st.tls13Done() {
			st.count13(dir, m)
		}
		st.handshake13(dir, m, plain)
	case tlsparse.ContentApplicationData:
		if st.tls13 {
			// Decrypted, it is application data even where the records
			// alone could not tell it from the end of the handshake.
			if !st.tls13Done() {
				st.count13(dir, m)
			}
			st.markAppData(dir, m, rec)
		} else {
			st.appDataRecord(dir, m, rec)
		}
		if plain != nil {
			st.feedSIP(dir, m, plain)
		}
	default:
		st.appDataRecord(dir, m, rec)
	}
	return true
}

// handshake13 reads the decrypted TLS 1.3 handshake messages of a
// direction: EncryptedExtensions, CertificateRequest, Certificate,
// CertificateVerify, Finished and NewSessionTicket are handled as their
// TLS 1.2 counterparts are, and after its Finished the direction's
// application traffic secret applies.
func (st *connState) handshake13(dir pcap.Dir, m mark, plain []byte) {
	dk := &st.keys.dirs[dir]
	msgs, err := dk.hs.AddPartial(plain, nil)
	st.handshake13Read = st.handshake13Read || len(msgs) > 0
	for _, msg := range msgs {
		st.handshake(dir, m, msg)
		if tlsparse.HandshakeType(msg.Raw[0]) == tlsparse.TypeFinished && !dk.app {
			dk.app, dk.dec = true, nil
		}
		if tlsparse.HandshakeType(msg.Raw[0]) == tlsparse.TypeKeyUpdate && dk.app && dk.dec != nil {
			// The sender's next records use the next generation of its
			// traffic secret (RFC 8446 section 4.6.3).
			if err := dk.dec.UpdateKeys(); err != nil {
				dk.off = true
				st.finding(FindingCannotDecrypt, m.frame, "the %s's KeyUpdate in frame %d could not be followed: %v", st.side(dir), m.frame, err)
			}
		}
		if tlsparse.HandshakeType(msg.Raw[0]) == tlsparse.TypeCertificate {
			st.c().CertificatesHidden = false
		}
	}
	if err != nil {
		dk.off = true
	}
}

// decryptedAlert records an alert read with the key log: encrypted on the
// wire, but its level and description known.
func (st *connState) decryptedAlert(dir pcap.Dir, m mark, plain []byte) {
	al, err := tlsparse.ParseAlert(plain)
	if err != nil {
		st.finding(FindingMalformedRecord, m.frame, "decrypted alert: %v", err)
		return
	}
	st.clearAlert(dir, m, al, true)
}

// count13 counts an encrypted TLS 1.3 handshake record of dir, as
// tls13Record does, without its timeline line: the decrypted messages
// have lines of their own.
func (st *connState) count13(dir pcap.Dir, m mark) {
	ds := st.dir(dir)
	if ds.enc13 == 0 {
		ds.enc13First = m
	}
	ds.enc13++
}

// maxTranscript bounds the handshake kept for an extended master secret
// (RFC 7627) with --rsa-key: a hello, four certificates and a
// CertificateRequest fit many times.
const maxTranscript = 256 << 10

// noteTranscript keeps a whole handshake message for the session hash of
// an RSA key exchange, up to the ClientKeyExchange, when RSA keys were
// given; a message that lost bytes, or too many bytes, ends it.
func (st *connState) noteTranscript(a tlsparse.Assembled) {
	if len(st.a.opts.RSAKeys) == 0 || st.rsaTried || st.transcriptOff {
		return
	}
	if st.serverHello.seen() && !tlsdecrypt.RSAKeyExchange(st.suite) {
		// an ECDHE or TLS 1.3 session: no RSA key can open it
		st.transcript, st.transcriptOff = nil, true
		return
	}
	if !a.Complete() || len(st.transcript)+len(a.Raw) > maxTranscript {
		st.transcript, st.transcriptOff = nil, true
		return
	}
	st.transcript = append(st.transcript, a.Raw...)
}

// rsaExchange recovers the master secret of an RSA key exchange from the
// ClientKeyExchange body with the --rsa-key key that is the server
// certificate's, for decryptRecord.
func (st *connState) rsaExchange(m mark, body []byte) {
	if len(st.a.opts.RSAKeys) == 0 || st.rsaTried || !tlsdecrypt.RSAKeyExchange(st.suite) || st.tls13 {
		return
	}
	st.rsaTried = true
	var leaf *rsa.PublicKey
	for _, c := range st.c().Certificates {
		if pcap.Dir(c.SentBy) == st.dirOf(Server) && c.Index == 0 && c.Info != nil {
			if cert, err := x509.ParseCertificate(c.Info.DER); err == nil {
				leaf, _ = cert.PublicKey.(*rsa.PublicKey)
			}
		}
	}
	if leaf == nil {
		st.finding(FindingNoKey, m.frame, "an RSA key exchange, but the server's RSA certificate was not captured: --rsa-key cannot be matched to it")
		return
	}
	for _, k := range st.a.opts.RSAKeys {
		if k.PublicKey.N.Cmp(leaf.N) != 0 || k.PublicKey.E != leaf.E {
			continue
		}
		var ems []byte
		if st.extendedMasterSecret {
			if st.transcriptOff {
				st.finding(FindingCannotDecrypt, m.frame, "the extended master secret needs the whole handshake, and part of it was not captured")
				return
			}
			ems = st.transcript
		}
		master, err := tlsdecrypt.RSAMasterSecret(k, st.suite, uint16(st.version), body, st.clientRandom, st.serverRandom, ems)
		if err != nil {
			st.finding(FindingDecryptFailed, m.frame, "the ClientKeyExchange in frame %d: %v", m.frame, err)
			return
		}
		st.rsaSecrets = &tlsdecrypt.Secrets{MasterSecret: master}
		st.transcript = nil
		return
	}
	st.finding(FindingNoKey, m.frame, "an RSA key exchange, but no --rsa-key is the private key of the server's certificate (modulus %x…)", leaf.N.Bytes()[:4])
}
