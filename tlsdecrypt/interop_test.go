package tlsdecrypt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/tlstest"
)

type record struct {
	typ     uint8
	version uint16
	body    []byte
}

func records(t *testing.T, b []byte) []record {
	t.Helper()
	var rs []record
	for len(b) > 0 {
		if len(b) < 5 {
			t.Fatalf("%d bytes left, not a record", len(b))
		}
		n := int(binary.BigEndian.Uint16(b[3:5]))
		rs = append(rs, record{b[0], binary.BigEndian.Uint16(b[1:3]), b[5 : 5+n]})
		b = b[5+n:]
	}
	return rs
}

func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cucm8-pub.clus2.lab"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"cucm8-pub.clus2.lab"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// session is one mutual-TLS SIP exchange between crypto/tls ends, as
// recorded: what each side sent, and the key log.
type session struct {
	client, server []record
	keys           KeyLog
	suite          uint16
}

const (
	invite = "INVITE sip:7131001@10.20.1.22:5061;transport=tls SIP/2.0\r\nContent-Length: 0\r\n\r\n"
	ok200  = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"
)

func runSession(t *testing.T, version uint16, suite uint16) session {
	t.Helper()
	cert := testCert(t)
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)
	var keylog bytes.Buffer
	c1, c2 := net.Pipe()
	cr, sr := tlstest.Record(c1), tlstest.Record(c2)
	var suites []uint16
	if suite != 0 {
		suites = []uint16{suite}
	}
	srv := tls.Server(sr, &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool,
		MinVersion: version, MaxVersion: version, CipherSuites: suites})
	cli := tls.Client(cr, &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: "cucm8-pub.clus2.lab",
		MinVersion: version, MaxVersion: version, CipherSuites: suites, KeyLogWriter: &keylog})
	var wg sync.WaitGroup
	wg.Add(1)
	var srvErr error
	go func() {
		defer wg.Done()
		buf := make([]byte, len(invite))
		if _, srvErr = io.ReadFull(srv, buf); srvErr != nil {
			return
		}
		if _, srvErr = srv.Write([]byte(ok200)); srvErr != nil {
			return
		}
		srvErr = srv.Close()
	}()
	if _, err := cli.Write([]byte(invite)); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, cli) // the answer, then the server's close_notify
	cli.Close()
	wg.Wait()
	if srvErr != nil {
		t.Fatal(srvErr)
	}
	s := session{client: records(t, cr.Bytes()), server: records(t, sr.Bytes()), suite: cli.ConnectionState().CipherSuite}
	if err := s.keys.Read(&keylog, "keylog"); err != nil {
		t.Fatal(err)
	}
	return s
}

// hello returns the random of the hello message that starts rs.
func hello(rs []record) []byte { return rs[0].body[4+2 : 4+2+32] }

// opened is what one side's encrypted records decrypt to.
type opened struct {
	handshake []byte // handshake messages after the keys changed
	appData   []byte
	alerts    [][]byte
}

// openTLS12 decrypts one side's records after its ChangeCipherSpec.
func openTLS12(t *testing.T, s session, version uint16, side Side, rs []record, skipAppData bool) opened {
	t.Helper()
	sec, ok := s.keys.Lookup(hello(s.client))
	if !ok {
		t.Fatal("no CLIENT_RANDOM for the session")
	}
	d, err := NewTLS12(s.suite, version, sec.MasterSecret, hello(s.client), hello(s.server), side, false)
	if err != nil {
		t.Fatal(err)
	}
	var o opened
	encrypted := false
	for i, r := range rs {
		if r.typ == 20 {
			encrypted = true
			continue
		}
		if !encrypted {
			continue
		}
		if r.typ == 23 && skipAppData {
			d.Skip(r.body)
			continue
		}
		plain, typ, err := d.Open(r.typ, r.version, r.body)
		if err != nil {
			t.Fatalf("record %d (type %d): %v", i, r.typ, err)
		}
		o.add(typ, plain)
	}
	return o
}

func (o *opened) add(typ uint8, plain []byte) {
	switch typ {
	case 22:
		o.handshake = append(o.handshake, plain...)
	case 23:
		o.appData = append(o.appData, plain...)
	case 21:
		o.alerts = append(o.alerts, plain)
	}
}

// TestTLS12Interop decrypts real crypto/tls sessions, one per suite, with
// the key log crypto/tls wrote: each side's Finished, its SIP message and
// its close_notify come out, and a wrong key is ErrAuth.
func TestTLS12Interop(t *testing.T) {
	for _, tt := range []struct {
		version, suite uint16
	}{
		{tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		{tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
		{tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
		{tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
		{tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA},
		{tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256},
		{tls.VersionTLS11, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}, // explicit IVs, MD5/SHA-1 PRF
		{tls.VersionTLS10, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}, // chained IVs
	} {
		suite := tt.suite
		t.Run(tls.VersionName(tt.version)+" "+tls.CipherSuiteName(suite), func(t *testing.T) {
			s := runSession(t, tt.version, suite)
			if s.suite != suite || !Supported(suite) {
				t.Fatalf("negotiated 0x%04x", s.suite)
			}
			c := openTLS12(t, s, tt.version, Client, s.client, false)
			srv := openTLS12(t, s, tt.version, Server, s.server, false)
			// Skipping the application data keeps the sequence (and the
			// TLS 1.0 IV chain): the close_notify after it still opens.
			if skipped := openTLS12(t, s, tt.version, Server, s.server, true); len(skipped.alerts) != 1 || skipped.appData != nil {
				t.Errorf("with application data skipped: alerts % x, data %q", skipped.alerts, skipped.appData)
			}
			if len(c.handshake) < 4 || c.handshake[0] != 20 || len(srv.handshake) < 4 || srv.handshake[len(srv.handshake)-16] != 20 {
				t.Errorf("Finished not decrypted: client % x, server % x", c.handshake, srv.handshake)
			}
			if string(c.appData) != invite || string(srv.appData) != ok200 {
				t.Errorf("application data %q and %q", c.appData, srv.appData)
			}
			if len(srv.alerts) != 1 || !bytes.Equal(srv.alerts[0], []byte{1, 0}) {
				t.Errorf("server alerts % x, want close_notify", srv.alerts)
			}
			// The client's key on the server's records does not authenticate.
			sec, _ := s.keys.Lookup(hello(s.client))
			d, _ := NewTLS12(s.suite, tt.version, sec.MasterSecret, hello(s.client), hello(s.server), Client, false)
			last := s.server[len(s.server)-1]
			if _, _, err := d.Open(last.typ, last.version, last.body); err != ErrAuth {
				t.Errorf("wrong key: %v, want ErrAuth", err)
			}
		})
	}
}

// TestTLS13Interop decrypts a real crypto/tls TLS 1.3 mutual handshake:
// the server's EncryptedExtensions, CertificateRequest, Certificate,
// CertificateVerify and Finished under its handshake secret, the client's
// Certificate under its own, then the SIP messages and the close_notify
// under the application secrets.
func TestTLS13Interop(t *testing.T) {
	s := runSession(t, tls.VersionTLS13, 0)
	sec, ok := s.keys.Lookup(hello(s.client))
	if !ok || sec.ServerHandshake == nil || sec.ClientTraffic == nil {
		t.Fatalf("key log: %v %+v", ok, sec)
	}
	for _, side := range []struct {
		name           string
		rs             []record
		hs, app        []byte
		wantTypes      []uint8 // handshake messages under the handshake key
		wantApp        string
		wantCloseAlert bool
	}{
		{"server", s.server, sec.ServerHandshake, sec.ServerTraffic, []uint8{8, 13, 11, 15, 20}, ok200, true},
		{"client", s.client, sec.ClientHandshake, sec.ClientTraffic, []uint8{11, 15, 20}, invite, false},
	} {
		t.Run(side.name, func(t *testing.T) {
			d, err := NewTLS13(s.suite, side.hs)
			if err != nil {
				t.Fatal(err)
			}
			var types []uint8
			var o opened
			for _, r := range side.rs[1:] { // after the hello
				if r.typ != 23 {
					continue // ChangeCipherSpec for middleboxes
				}
				plain, typ, err := d.Open(r.typ, r.version, r.body)
				if err != nil {
					t.Fatalf("%v", err)
				}
				if typ == 22 && len(types) < len(side.wantTypes) {
					for m := plain; len(m) >= 4; {
						n := 4 + (int(m[1])<<16 | int(m[2])<<8 | int(m[3]))
						types = append(types, m[0])
						m = m[n:]
					}
					if types[len(types)-1] == 20 { // Finished: the application keys follow
						if d, err = NewTLS13(s.suite, side.app); err != nil {
							t.Fatal(err)
						}
					}
					continue
				}
				o.add(typ, plain)
			}
			if !bytes.Equal(types, side.wantTypes) || string(o.appData) != side.wantApp {
				t.Errorf("handshake types %v, application data %q", types, o.appData)
			}
			if side.wantCloseAlert && (len(o.alerts) != 1 || !bytes.Equal(o.alerts[0], []byte{1, 0})) {
				t.Errorf("alerts % x, want close_notify", o.alerts)
			}
		})
	}
}

// TestTLS13SkipKeepsSequence: records passed over with Skip still use up
// their sequence numbers, so the server's close_notify after its SIP
// answer (and any NewSessionTicket) opens under the application secret with
// the nonce of its place in the stream; opened as if it were the first
// record, it does not authenticate.
func TestTLS13SkipKeepsSequence(t *testing.T) {
	s := runSession(t, tls.VersionTLS13, 0)
	sec, _ := s.keys.Lookup(hello(s.client))
	d, err := NewTLS13(s.suite, sec.ServerHandshake)
	if err != nil {
		t.Fatal(err)
	}
	var app []record // the server's records under its application secret
	for _, r := range s.server[1:] {
		if r.typ != 23 {
			continue
		}
		if app != nil {
			app = append(app, r)
			continue
		}
		plain, typ, err := d.Open(r.typ, r.version, r.body)
		if err != nil {
			t.Fatal(err)
		}
		for m := plain; typ == 22 && len(m) >= 4; {
			if m[0] == 20 { // the server's Finished ends its flight
				app = []record{}
			}
			m = m[min(len(m), 4+(int(m[1])<<16|int(m[2])<<8|int(m[3]))):]
		}
	}
	if len(app) < 2 {
		t.Fatalf("%d records under the application secret, want the answer and the alert", len(app))
	}
	last := app[len(app)-1]
	if d, err = NewTLS13(s.suite, sec.ServerTraffic); err != nil {
		t.Fatal(err)
	}
	for _, r := range app[:len(app)-1] {
		d.Skip(r.body)
	}
	plain, typ, err := d.Open(last.typ, last.version, last.body)
	if err != nil || typ != 21 || !bytes.Equal(plain, []byte{1, 0}) {
		t.Errorf("after %d skipped records: type %d, % x, %v; want the close_notify", len(app)-1, typ, plain, err)
	}
	fresh, _ := NewTLS13(s.suite, sec.ServerTraffic)
	if _, _, err := fresh.Open(last.typ, last.version, last.body); err != ErrAuth {
		t.Errorf("the close_notify with sequence number 0: %v, want ErrAuth", err)
	}
}
