package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// csiName is a name with the 8-bit CSI (0x9b) as a raw byte: invalid UTF-8
// that a terminal in an 8-bit mode reads as ESC [.
const csiName = "sip\x9b2J.lab"

// csiCapture writes a capture of a real crypto/tls handshake, TLS 1.2, in
// which the client sends csiName as its SNI and the server presents a
// self-signed certificate whose subject and issuer CN is csiName as a
// UTF8String with the raw byte; the client refuses it (unknown issuer).
func csiCapture(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cn := asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(csiName)}
	name, err := asn1.Marshal([]pkix.RelativeDistinguishedNameSET{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: cn}}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x9b), RawSubject: name,
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	server := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MaxVersion: tls.VersionTLS12}
	client := &tls.Config{ServerName: csiName, RootCAs: x509.NewCertPool(), MaxVersion: tls.VersionTLS12,
		Time: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }}

	// Record what each side writes over an in-memory pipe.
	type write struct {
		side capgen.Side
		b    []byte
	}
	var mu sync.Mutex
	var log []write
	cp, sp := net.Pipe()
	rec := func(c net.Conn, side capgen.Side) net.Conn {
		return &recConn{Conn: c, f: func(b []byte) { mu.Lock(); log = append(log, write{side, b}); mu.Unlock() }}
	}
	cc, sc := tls.Client(rec(cp, capgen.Client), client), tls.Server(rec(sp, capgen.Server), server)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = cc.Handshake(); cp.Close() }()
	go func() { defer wg.Done(); _ = sc.Handshake(); sp.Close() }()
	wg.Wait()

	start := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	conv := capgen.Conversation{
		Client: netip.MustParseAddrPort("10.10.1.11:40001"), Server: netip.MustParseAddrPort("10.20.1.21:5061"),
		Start: start, ClientISN: 1000, ServerISN: 2000,
		Steps: []capgen.Step{{At: 0, Side: capgen.Client, Kind: capgen.SYN}, {At: time.Millisecond, Side: capgen.Server, Kind: capgen.SYNACK}, {At: 2 * time.Millisecond, Side: capgen.Client, Kind: capgen.ACK}},
	}
	at := 3 * time.Millisecond
	for _, w := range log {
		conv.Steps = append(conv.Steps, capgen.Step{At: at, Side: w.side, Kind: capgen.Data, Bytes: w.b})
		at += time.Millisecond
	}
	conv.Steps = append(conv.Steps, capgen.Step{At: at, Side: capgen.Client, Kind: capgen.FIN}, capgen.Step{At: at + time.Millisecond, Side: capgen.Server, Kind: capgen.FIN})
	var buf bytes.Buffer
	cw, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cw.Add(conv)
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "csi.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type recConn struct {
	net.Conn
	f func([]byte)
}

func (r *recConn) Write(b []byte) (int, error) {
	r.f(append([]byte(nil), b...))
	return r.Conn.Write(b)
}

// TestRawCSINeverPrinted runs analyze -v, triage and extract on a capture
// with 0x9b in the SNI and in the issuer of the refused certificate: no
// output, on standard output or standard error, holds the raw byte, and
// the text shows it as \x9b.
func TestRawCSINeverPrinted(t *testing.T) {
	capture := csiCapture(t)
	trustDir := t.TempDir()
	tests := []struct {
		name     string
		run      func() (int, string, string)
		wantShow bool // the text shows \x9b
	}{
		{"analyze -v", func() (int, string, string) { return runAnalyze(t, "-v", capture) }, true},
		{"analyze --format json", func() (int, string, string) { return runAnalyze(t, "--format", "json", capture) }, false},
		{"analyze --trust", func() (int, string, string) {
			return runAnalyze(t, "--node", "10.10.1.11", "--trust", "../../testdata/trust/cucm7-pub-CallManager-trust", capture)
		}, true},
		// The Merger keeps names as valid UTF-8 (U+FFFD for the byte).
		{"triage", func() (int, string, string) { return triageOut(t, capture) }, false},
		{"extract", func() (int, string, string) {
			ios, _, out, errOut := Test()
			code := Main([]string{"extract", "--out", filepath.Join(trustDir, "x"), capture}, ios)
			return code, out.String(), errOut.String()
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := tt.run()
			if code == exitTrouble {
				t.Errorf("exit status 2; stderr %q", errOut)
			}
			for name, s := range map[string]string{"stdout": out, "stderr": errOut} {
				if i := strings.IndexByte(s, 0x9b); i >= 0 {
					t.Errorf("%s holds the raw byte 0x9b at %d:\n%s", name, i, s)
				}
			}
			if tt.wantShow && !strings.Contains(out, `sip\x9b2J.lab`) {
				t.Errorf("stdout does not show the name escaped:\n%s", out)
			}
		})
	}
}
