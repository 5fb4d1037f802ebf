package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// id returns a loaded identity by name.
func (g *gen) id(name string) *identity {
	id, ok := g.ids[name]
	if !ok {
		panic("no identity " + name)
	}
	return id
}

func (g *gen) certs(names ...string) []*x509.Certificate {
	var cs []*x509.Certificate
	for _, n := range names {
		cs = append(cs, g.id(n).Cert)
	}
	return cs
}

func clock() time.Time { return captureTime }

// goClient is a CUCM-like TLS client: it presents id (empty: no certificate), sends no
// SNI (trunks use IP addresses) and verifies the server's chain against trust at the
// capture time, without a host name check (CUCM checks the X.509 Subject Name itself).
func (g *gen) goClient(id string, trust ...string) *tls.Config {
	roots := pool(g.certs(trust...)...)
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		MaxVersion:         tls.VersionTLS12,
		Time:               clock,
		InsecureSkipVerify: true,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no server certificate")
			}
			certs := make([]*x509.Certificate, len(raw))
			for i, r := range raw {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return err
				}
				certs[i] = c
			}
			_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool(certs[1:]...),
				CurrentTime: captureTime, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			return err
		},
	}
	if id != "" {
		// Like CUCM, send the certificate whatever CA names the server asked for (Go's
		// default sends none when no name matches).
		c := g.id(id).tlsCert()
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }
	}
	return cfg
}

// goServer is a CUCM-like TLS server: it presents id and requires a client certificate
// that chains to trust.
func (g *gen) goServer(id string, trust ...string) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS12,
		Time:         clock,
		Certificates: []tls.Certificate{g.id(id).tlsCert()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool(g.certs(trust...)...),
	}
}

// sslServer returns s_server arguments: present id (with its chain), require a client
// certificate verified against a CAfile holding trust.
func (g *gen) sslServer(id string, trust []string, extra ...string) []string {
	a := []string{"-cert", g.certPath(id), "-key", g.keyPath(id)}
	if ch := g.id(id).Chain; len(ch) > 0 {
		a = append(a, "-cert_chain", g.pemFile(id+"-chain.pem", ch...))
	}
	if len(trust) > 0 {
		a = append(a, "-Verify", "1", "-verify_return_error", "-CAfile", g.pemFile(id+"-trust-"+strings.Join(trust, "+")+".pem", g.certs(trust...)...))
	}
	return append(a, extra...)
}

// sslClient returns s_client arguments: present id (empty: none), verify the server
// against a CAfile holding trust and stop on failure.
func (g *gen) sslClient(id string, trust []string, extra ...string) []string {
	var a []string
	if id != "" {
		a = append(a, "-cert", g.certPath(id), "-key", g.keyPath(id))
		if ch := g.id(id).Chain; len(ch) > 0 {
			a = append(a, "-cert_chain", g.pemFile(id+"-cchain.pem", ch...))
		}
	}
	if len(trust) > 0 {
		a = append(a, "-verify", "4", "-verify_return_error", "-CAfile", g.pemFile(id+"-ctrust-"+strings.Join(trust, "+")+".pem", g.certs(trust...)...))
	}
	return append(a, extra...)
}

// alertNames are the TLS alert descriptions (RFC 8446 section 6).
var alertNames = map[byte]string{0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
	46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error", 51: "decrypt_error",
	70: "protocol_version", 71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
	90: "user_canceled", 109: "missing_extension", 112: "unrecognized_name", 116: "certificate_required"}

// alerts returns the plaintext alerts side sent (those before its ChangeCipherSpec),
// and whether it sent application data.
func alerts(fs []flight, side capgen.Side) (names []string, appData bool) {
	var stream []byte
	for _, f := range fs {
		if f.Side == side && f.Kind == evData {
			stream = append(stream, f.Bytes...)
		}
	}
	ccs := false
	for _, r := range records(stream, -1) {
		switch r[0] {
		case 20:
			ccs = true
		case 21:
			if !ccs && len(r) == 7 {
				names = append(names, alertNames[r[6]])
			} else {
				names = append(names, "encrypted")
			}
		case 23:
			appData = true
		}
	}
	return names, appData
}

// records cuts a stream of TLS records into whole records (header included) of
// content type typ (-1: all); an incomplete last record is left out.
func records(stream []byte, typ int) [][]byte {
	var out [][]byte
	for len(stream) >= 5 {
		n := 5 + (int(stream[3])<<8 | int(stream[4]))
		if len(stream) < n {
			break
		}
		if typ < 0 || int(stream[0]) == typ {
			out = append(out, stream[:n])
		}
		stream = stream[n:]
	}
	return out
}

// expect checks that the stacks did what the capture claims: ok (both sides sent
// application data or, if want is "handshake", both finished), or that side sent the
// plaintext alert want.
type expect struct {
	OK     bool
	Side   capgen.Side
	Alert  string
	Cipher uint16 // if set, the cipher suite the ServerHello must choose
	// ClientErr, if set, is in the Go client's error: why it gave up (for
	// alerts TLS 1.3 encrypts, which Alert cannot see).
	ClientErr string
}

// serverCipher returns the cipher suite of the first ServerHello the server sent
// (0 if none is found in the first handshake record).
func serverCipher(fs []flight) uint16 {
	var stream []byte
	for _, f := range fs {
		if f.Side == capgen.Server && f.Kind == evData {
			stream = append(stream, f.Bytes...)
		}
	}
	hs := records(stream, 22)
	if len(hs) == 0 {
		return 0
	}
	b := hs[0][5:]
	// handshake header (4), legacy_version (2), random (32), session id (1 + n), cipher (2)
	if len(b) < 39 || b[0] != 2 {
		return 0
	}
	n := int(b[38])
	if len(b) < 39+n+2 {
		return 0
	}
	return uint16(b[39+n])<<8 | uint16(b[40+n])
}

func (e expect) check(fs []flight, r *result) error {
	ca, capp := alerts(fs, capgen.Client)
	sa, sapp := alerts(fs, capgen.Server)
	if e.Cipher != 0 {
		if got := serverCipher(fs); got != e.Cipher {
			return fmt.Errorf("server chose cipher suite %#04x (%s), want %#04x (%s)", got, tls.CipherSuiteName(got), e.Cipher, tls.CipherSuiteName(e.Cipher))
		}
	}
	if e.ClientErr != "" && (r.ClientErr == nil || !strings.Contains(r.ClientErr.Error(), e.ClientErr)) {
		return fmt.Errorf("want the client to fail with %q; client err %v, server err %v", e.ClientErr, r.ClientErr, r.ServerErr)
	}
	if e.OK {
		if r.ClientErr != nil || r.ServerErr != nil || !capp || !sapp {
			return fmt.Errorf("want a successful session; client err %v, server err %v, client alerts %v, server alerts %v\n%s\n%s", r.ClientErr, r.ServerErr, ca, sa, r.ClientOut, r.ServerOut)
		}
		return nil
	}
	if e.Alert == "" {
		return nil
	}
	got := ca
	if e.Side == capgen.Server {
		got = sa
	}
	for _, a := range got {
		if a == e.Alert {
			return nil
		}
	}
	return fmt.Errorf("want %v to send %s; client alerts %v (err %v), server alerts %v (err %v)\nclient: %s\nserver: %s",
		e.Side, e.Alert, ca, r.ClientErr, sa, r.ServerErr, r.ClientOut, r.ServerOut)
}
