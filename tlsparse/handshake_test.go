package tlsparse

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// parseAll parses every message of one direction; messages before the
// ServerHello are parsed with version 0, as a caller would.
func parseAll(t testing.TB, d direction, v Version) []Message {
	t.Helper()
	var out []Message
	for _, msg := range d.msgs {
		ver := v
		if HandshakeType(msg[0]) == TypeClientHello || HandshakeType(msg[0]) == TypeServerHello {
			ver = 0
		}
		m, err := ParseHandshake(msg, ver)
		if err != nil {
			t.Fatalf("ParseHandshake(%s, %s): %v", HandshakeType(msg[0]), ver, err)
		}
		if !bytes.Equal(rawOf(m), msg) {
			t.Fatalf("%s: Raw is not the message", m.HandshakeType())
		}
		out = append(out, m)
	}
	return out
}

func findAll[T Message](ms []Message) []T {
	var out []T
	for _, m := range ms {
		if x, ok := m.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// TestFixtures parses the recorded crypto/tls handshakes and compares a text
// rendering of every message with a golden file. Run with -update to rewrite
// the golden files, with -record -update to also record new fixtures.
func TestFixtures(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			tr := loadTranscript(t, sc)
			cd, sd, v := splitTranscript(t, tr)
			var b strings.Builder
			fmt.Fprintf(&b, "negotiated %s\n", v)
			for _, side := range []struct {
				name string
				d    direction
			}{{"client", cd}, {"server", sd}} {
				fmt.Fprintf(&b, "== %s: %d records, %d plaintext handshake messages\n", side.name, len(side.d.records), len(side.d.msgs))
				for _, m := range parseAll(t, side.d, v) {
					b.WriteString(describe(m))
				}
				for _, a := range side.d.alerts {
					fmt.Fprintf(&b, "alert %s\n", a)
				}
			}
			checkGolden(t, sc.name+".golden.txt", b.String())
		})
	}
}

// TestLiveHandshakes runs each scenario against crypto/tls now and checks the
// parsed fields against what crypto/tls negotiated and was configured with.
func TestLiveHandshakes(t *testing.T) {
	k := getKeys(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			tr := runHandshake(t, sc)
			cd, sd, v := splitTranscript(t, tr)
			cms, sms := parseAll(t, cd, v), parseAll(t, sd, v)
			chs, shs := findAll[*ClientHello](cms), findAll[*ServerHello](sms)
			if len(chs) == 0 || len(shs) == 0 {
				t.Fatalf("got %d ClientHello and %d ServerHello", len(chs), len(shs))
			}
			ch, sh := chs[0], shs[len(shs)-1]
			if ch.ServerName != "cucm-pub.example.com" {
				t.Errorf("ServerName = %q", ch.ServerName)
			}
			if len(ch.Findings) != 0 {
				t.Errorf("ClientHello findings: %v", ch.Findings)
			}
			if !sc.wantFail {
				if sh.Version() != Version(tr.state.Version) {
					t.Errorf("ServerHello.Version() = %s, crypto/tls negotiated %s", sh.Version(), Version(tr.state.Version))
				}
				if sh.CipherSuite != CipherSuite(tr.state.CipherSuite) {
					t.Errorf("CipherSuite = %s, crypto/tls negotiated %s", sh.CipherSuite, CipherSuite(tr.state.CipherSuite))
				}
				// In TLS 1.3 the selected protocol is in the encrypted
				// EncryptedExtensions.
				if !v.IsTLS13() && sh.ALPNProtocol != tr.state.NegotiatedProtocol {
					t.Errorf("ALPNProtocol = %q, want %q", sh.ALPNProtocol, tr.state.NegotiatedProtocol)
				}
			}
			switch sc.name {
			case "tls10-ecdhe", "tls11-ecdhe":
				want := VersionTLS10
				if sc.name == "tls11-ecdhe" {
					want = VersionTLS11
				}
				if ch.MaxVersion() != want || ch.LegacyVersion != want {
					t.Errorf("MaxVersion = %s, LegacyVersion = %s; want %s", ch.MaxVersion(), ch.LegacyVersion, want)
				}
				skx := findAll[*ServerKeyExchange](sms)
				if len(skx) != 1 || !skx[0].ECDHE || skx[0].Algorithm != 0 || len(skx[0].Signature) == 0 || !slices.Contains(ch.SupportedGroups, skx[0].NamedCurve) {
					t.Errorf("ServerKeyExchange = %+v", skx)
				}
			case "tls12-rsa-kx":
				if !slices.Equal(ch.CipherSuites, []CipherSuite{TLS_RSA_WITH_AES_128_CBC_SHA, TLS_EMPTY_RENEGOTIATION_INFO_SCSV}) &&
					!slices.Equal(ch.CipherSuites, []CipherSuite{TLS_RSA_WITH_AES_128_CBC_SHA}) {
					t.Errorf("CipherSuites = %v", ch.CipherSuites)
				}
				certs := findAll[*Certificate](sms)
				if len(certs) != 1 || !slices.EqualFunc(certs[0].DER(), k.rsaServer.Certificate, bytes.Equal) {
					t.Errorf("server Certificate does not carry the RSA chain")
				}
				if len(findAll[*ServerKeyExchange](sms)) != 0 || len(findAll[*ClientKeyExchange](cms)) != 1 {
					t.Errorf("RSA key exchange: want no ServerKeyExchange and one ClientKeyExchange")
				}
			case "tls12-mutual":
				if !slices.Equal(ch.ALPNProtocols, []string{"sip", "h2"}) {
					t.Errorf("ALPNProtocols = %q", ch.ALPNProtocols)
				}
				certs := findAll[*Certificate](sms)
				if len(certs) != 1 || !slices.EqualFunc(certs[0].DER(), k.server.Certificate, bytes.Equal) {
					t.Errorf("server Certificate does not carry the server chain")
				}
				ccerts := findAll[*Certificate](cms)
				if len(ccerts) != 1 || !slices.EqualFunc(ccerts[0].DER(), k.client.Certificate, bytes.Equal) {
					t.Errorf("client Certificate does not carry the client chain")
				}
				crs := findAll[*CertificateRequest](sms)
				if len(crs) != 1 || len(crs[0].CertificateAuthorities) != 1 || !bytes.Equal(crs[0].CertificateAuthorities[0], k.ca.RawSubject) ||
					len(crs[0].SignatureAlgorithms) == 0 || !slices.Contains(crs[0].CertificateTypes, 64) {
					t.Errorf("CertificateRequest = %+v", crs)
				}
				cvs := findAll[*CertificateVerify](cms)
				if len(cvs) != 1 || cvs[0].Algorithm != SigECDSAP256SHA256 {
					t.Errorf("CertificateVerify = %+v", cvs)
				}
			case "tls12-mutual-300cas":
				crs := findAll[*CertificateRequest](sms)
				if len(crs) != 1 {
					t.Fatalf("got %d CertificateRequest", len(crs))
				}
				cr := crs[0]
				if len(cr.Raw) <= 1<<14 {
					t.Errorf("CertificateRequest is %d bytes; the scenario needs it to span several records", len(cr.Raw))
				}
				subjects := k.manyCAs.Subjects() //nolint:staticcheck // the pool holds no system roots
				if len(cr.CertificateAuthorities) != numCAs || len(subjects) != numCAs {
					t.Fatalf("got %d authorities, pool has %d, want %d", len(cr.CertificateAuthorities), len(subjects), numCAs)
				}
				total := 0
				for _, dn := range cr.CertificateAuthorities {
					total += 2 + len(dn)
					if !slices.ContainsFunc(subjects, func(s []byte) bool { return bytes.Equal(s, dn) }) {
						t.Errorf("authority %x is not a pool subject", dn[:min(16, len(dn))])
					}
				}
				if cr.AuthoritiesLength != total {
					t.Errorf("AuthoritiesLength = %d, want %d", cr.AuthoritiesLength, total)
				}
			case "tls12-mutual-no-client-cert":
				ccerts := findAll[*Certificate](cms)
				if len(ccerts) != 1 || len(ccerts[0].CertificateList) != 0 || ccerts[0].CertificatesLength != 0 {
					t.Errorf("client Certificate = %+v, want empty", ccerts)
				}
				if len(sd.alerts) == 0 || sd.alerts[0].Level != AlertLevelFatal {
					t.Errorf("server alerts = %v, want a fatal alert", sd.alerts)
				}
			case "tls13", "tls13-mutual":
				if ch.MaxVersion() != VersionTLS13 || !slices.Contains(ch.SupportedVersions, VersionTLS12) {
					t.Errorf("MaxVersion = %s, SupportedVersions = %v", ch.MaxVersion(), ch.SupportedVersions)
				}
				if sh.SupportedVersion != VersionTLS13 || sh.LegacyVersion != VersionTLS12 || len(sh.KeyShare.KeyExchange) == 0 {
					t.Errorf("ServerHello = %+v", sh)
				}
				if !slices.ContainsFunc(ch.KeyShares, func(k KeyShareEntry) bool { return k.Group == sh.KeyShare.Group }) {
					t.Errorf("server key_share group %s not offered in %v", sh.KeyShare.Group, ch.KeyShares)
				}
				if len(findAll[*Certificate](sms)) != 0 {
					t.Errorf("a TLS 1.3 Certificate was found in plaintext")
				}
			case "tls13-hrr":
				if len(chs) != 2 || len(shs) != 2 {
					t.Fatalf("got %d ClientHello and %d ServerHello, want 2 and 2", len(chs), len(shs))
				}
				hrr := shs[0]
				if !hrr.IsHelloRetryRequest() || shs[1].IsHelloRetryRequest() || hrr.KeyShare.Group != GroupSecp384r1 || hrr.KeyShare.KeyExchange != nil {
					t.Errorf("HelloRetryRequest = %+v", hrr)
				}
				if len(chs[1].KeyShares) != 1 || chs[1].KeyShares[0].Group != GroupSecp384r1 {
					t.Errorf("second ClientHello key shares = %v", chs[1].KeyShares)
				}
				if tls.CurveID(shs[1].KeyShare.Group) != tls.CurveP384 {
					t.Errorf("ServerHello group = %s", shs[1].KeyShare.Group)
				}
			}
		})
	}
}

// fixtureMessages returns every plaintext handshake message of every fixture
// with the version to parse it with.
func fixtureMessages(t testing.TB) []versionedMsg {
	t.Helper()
	var out []versionedMsg
	for _, sc := range scenarios {
		cd, sd, v := splitTranscript(t, transcript{
			client: readHex(t, fixturePath(sc.name, "client")),
			server: readHex(t, fixturePath(sc.name, "server")),
		})
		for _, d := range []direction{cd, sd} {
			for _, msg := range d.msgs {
				out = append(out, versionedMsg{sc.name, msg, v})
			}
		}
	}
	return out
}

type versionedMsg struct {
	scenario string
	msg      []byte
	v        Version
}

// TestPrefixesAndTrailingBytes checks, like crypto/tls's
// TestHandshakeMessageUnmarshalPrefixes... that every strict prefix of every
// recorded message fails with ErrTruncated and that an extra byte fails with
// ErrTrailingBytes. It also re-frames every prefix of the body with a
// matching header: those must never panic, and must fail unless they end at
// a point where the message may legitimately end.
func TestPrefixesAndTrailingBytes(t *testing.T) {
	for _, vm := range fixtureMessages(t) {
		name := fmt.Sprintf("%s/%s", vm.scenario, HandshakeType(vm.msg[0]))
		for i := 0; i < len(vm.msg); i++ {
			_, err := ParseHandshake(vm.msg[:i], vm.v)
			var pe *ParseError
			if !errors.Is(err, ErrTruncated) || !errors.As(err, &pe) {
				t.Fatalf("%s: prefix of %d/%d bytes: err = %v, want ErrTruncated", name, i, len(vm.msg), err)
			}
		}
		long := append(slices.Clip(vm.msg), 0)
		if _, err := ParseHandshake(long, vm.v); !errors.Is(err, ErrTrailingBytes) {
			t.Errorf("%s: with a trailing byte: err = %v, want ErrTrailingBytes", name, err)
		}
		// Re-framed body prefixes (bounded, the big messages repeat
		// themselves).
		body := vm.msg[4:]
		for i := 0; i < len(body) && i < 4096; i++ {
			m := reframe(vm.msg[0], body[:i])
			got, err := ParseHandshake(m, vm.v)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(m) {
					t.Fatalf("%s: body prefix %d: bad error %#v", name, i, err)
				}
				continue
			}
			if !validCut(got, i) {
				t.Errorf("%s: body prefix of %d/%d bytes parsed without error", name, i, len(body))
			}
		}
	}
}

// reframe builds a handshake message of type typ around body.
func reframe(typ byte, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// validCut reports whether a message truncated to a body of n bytes may
// legitimately parse: messages with opaque bodies, and hellos cut exactly
// before their extensions block (allowed before TLS 1.2).
func validCut(m Message, n int) bool {
	switch m := m.(type) {
	case *ClientKeyExchange, *Finished, *Unknown, *ServerKeyExchange:
		return true
	case *ClientHello:
		return m.Extensions == nil
	case *ServerHello:
		return m.Extensions == nil
	}
	return false
}

// TestRandomBytesNeverPanic feeds random bytes, framed as every message type
// under every version, to ParseHandshake, and unframed ones to the other
// parsers.
func TestRandomBytesNeverPanic(t *testing.T) {
	rnd := newRand(42)
	versions := []Version{0, VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13, 0x7f12}
	for i := 0; i < 20000; i++ {
		body := make([]byte, rnd.IntN(300))
		for j := range body {
			body[j] = byte(rnd.Uint32())
		}
		typ := byte(rnd.IntN(27))
		msg := reframe(typ, body)
		for _, v := range versions {
			if _, err := ParseHandshake(msg, v); err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is not a *ParseError", err)
				}
			}
		}
		RecordLen(body)
		SSLv2RecordLen(body)
		IsSSLv2ClientHello(body)
		ParseRecord(body)
		ParseAlert(body)
		ParseSSLv2ClientHello(body)
		ParseSSLv2ServerHello(body)
		ParseSSLv2Error(body)
		var d Defragmenter
		d.Add(body)
	}
}
