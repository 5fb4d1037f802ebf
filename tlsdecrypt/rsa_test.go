package tlsdecrypt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/tlstest"
	"github.com/siptls/siptls/tlsparse"
)

func TestParseRSAKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PrivateKey(key)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec8, _ := x509.MarshalPKCS8PrivateKey(ec)
	block := func(typ string, b []byte, headers map[string]string) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b, Headers: headers})
	}
	tests := []struct {
		name    string
		input   []byte
		wantErr string
	}{
		{"PKCS#1 PEM", block("RSA PRIVATE KEY", pkcs1, nil), ""},
		{"PKCS#8 PEM after a certificate", append(block("CERTIFICATE", []byte{1}, nil), block("PRIVATE KEY", pkcs8, nil)...), ""},
		{"PKCS#1 DER", pkcs1, ""},
		{"PKCS#8 DER", pkcs8, ""},
		{"encrypted PKCS#8", block("ENCRYPTED PRIVATE KEY", []byte{1, 2}, nil), "passphrase"},
		{"encrypted PKCS#1", block("RSA PRIVATE KEY", pkcs1, map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}), "passphrase"},
		{"an EC key", block("PRIVATE KEY", ec8, nil), "not an RSA private key"},
		{"a certificate only", block("CERTIFICATE", []byte{1}, nil), "no RSA PRIVATE KEY"},
		{"text", []byte("hello"), "not an RSA private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseRSAKey(tt.input)
			switch {
			case tt.wantErr == "" && (err != nil || k.N.Cmp(key.N) != 0):
				t.Errorf("err %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestRSAMasterSecret: the master secret recovered from a real crypto/tls
// RSA key exchange, with and without the extended master secret, is the
// one crypto/tls logs.
func TestRSAMasterSecret(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "cube1.lab"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"cube1.lab"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	for _, tt := range []struct {
		name    string
		version uint16
		suite   uint16
	}{
		{"TLS 1.2 AES-GCM (extended master secret)", tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_GCM_SHA256},
		{"TLS 1.2 AES-CBC-SHA (extended master secret)", tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_CBC_SHA},
		{"TLS 1.0 AES-CBC-SHA (extended master secret, MD5 and SHA-1)", tls.VersionTLS10, tls.TLS_RSA_WITH_AES_256_CBC_SHA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var keylog bytes.Buffer
			c1, c2 := net.Pipe()
			cr, sr := tlstest.Record(c1), tlstest.Record(c2)
			srv := tls.Server(sr, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
				MinVersion: tt.version, MaxVersion: tt.version, CipherSuites: []uint16{tt.suite}})
			cli := tls.Client(cr, &tls.Config{RootCAs: pool, ServerName: "cube1.lab", MinVersion: tt.version, MaxVersion: tt.version,
				CipherSuites: []uint16{tt.suite}, KeyLogWriter: &keylog})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); srv.Handshake() }()
			if err := cli.Handshake(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			c1.Close()
			c2.Close()
			var logged KeyLog
			if err := logged.Read(&keylog, "keylog"); err != nil {
				t.Fatal(err)
			}
			// The handshake messages in order up to the ClientKeyExchange:
			// ClientHello, the server's flight, the client's second flight.
			cm, sm := handshakeMessages(t, records(t, cr.Bytes())), handshakeMessages(t, records(t, sr.Bytes()))
			hello, serverHello, cke := cm[0], sm[0], cm[1]
			var transcript []byte
			transcript = append(transcript, hello...)
			for _, m := range sm {
				transcript = append(transcript, m...)
			}
			transcript = append(transcript, cke...)
			clientRandom, serverRandom := hello[6:38], serverHello[6:38]
			want, _ := logged.Lookup(clientRandom)
			got, err := RSAMasterSecret(key, tt.suite, tt.version, cke[4:], clientRandom, serverRandom, transcript)
			if err != nil || want == nil || !bytes.Equal(got, want.MasterSecret) {
				t.Fatalf("master secret %x, logged %+v, err %v", got, want, err)
			}
			if _, err := RSAMasterSecret(key, tt.suite, tt.version, cke[4:], clientRandom, serverRandom, nil); err != nil {
				t.Errorf("without the extended master secret: %v", err)
			}
		})
	}
}

// handshakeMessages returns the handshake messages of the plaintext
// handshake records in rs, before a ChangeCipherSpec.
func handshakeMessages(t *testing.T, rs []record) [][]byte {
	t.Helper()
	var d tlsparse.Defragmenter
	var msgs [][]byte
	for _, r := range rs {
		if r.typ == 20 {
			break
		}
		if r.typ != 22 {
			continue
		}
		ms, err := d.Add(r.body)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, ms...)
	}
	return msgs
}
