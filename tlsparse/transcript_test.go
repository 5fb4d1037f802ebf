package tlsparse

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"flag"
	"fmt"
	"math/big"
	mrand "math/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/tlstest"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")
	record = flag.Bool("record", false, "re-record the testdata/handshakes fixtures from live crypto/tls handshakes (then run with -update)")
)

// scenario is one crypto/tls handshake recorded as a fixture.
type scenario struct {
	name string
	// configure adjusts the client and server configurations.
	configure func(c, s *tls.Config, k *testKeys)
	// clientCert makes the client present a certificate when asked.
	clientCert bool
	// wantFail means the handshake is expected to fail (the transcript is
	// kept anyway).
	wantFail bool
}

// numCAs is the number of acceptable CAs in the "large CertificateRequest"
// scenario: enough for the list to span several records.
const numCAs = 300

var scenarios = []scenario{
	{name: "tls10-ecdhe", configure: func(c, s *tls.Config, k *testKeys) {
		c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
		s.MinVersion = tls.VersionTLS10
	}},
	{name: "tls11-ecdhe", configure: func(c, s *tls.Config, k *testKeys) {
		c.MinVersion, c.MaxVersion = tls.VersionTLS11, tls.VersionTLS11
		s.MinVersion = tls.VersionTLS11
	}},
	{name: "tls12-rsa-kx", configure: func(c, s *tls.Config, k *testKeys) {
		c.MaxVersion = tls.VersionTLS12
		c.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}
		s.CipherSuites = c.CipherSuites
		s.Certificates = []tls.Certificate{k.rsaServer}
	}},
	{name: "tls12-mutual", clientCert: true, configure: func(c, s *tls.Config, k *testKeys) {
		c.MaxVersion = tls.VersionTLS12
		c.NextProtos = []string{"sip", "h2"}
		s.NextProtos = []string{"sip"}
		s.ClientAuth = tls.RequireAndVerifyClientCert
	}},
	{name: "tls12-mutual-300cas", clientCert: true, configure: func(c, s *tls.Config, k *testKeys) {
		c.MaxVersion = tls.VersionTLS12
		s.ClientAuth = tls.RequireAndVerifyClientCert
		s.ClientCAs = k.manyCAs
	}},
	{name: "tls12-mutual-no-client-cert", wantFail: true, configure: func(c, s *tls.Config, k *testKeys) {
		c.MaxVersion = tls.VersionTLS12
		s.ClientAuth = tls.RequireAnyClientCert
	}},
	{name: "tls13", configure: func(c, s *tls.Config, k *testKeys) {
		c.NextProtos = []string{"sip"}
		s.NextProtos = []string{"sip"}
	}},
	{name: "tls13-hrr", configure: func(c, s *tls.Config, k *testKeys) {
		c.CurvePreferences = []tls.CurveID{tls.CurveP256, tls.CurveP384}
		s.CurvePreferences = []tls.CurveID{tls.CurveP384}
	}},
	{name: "tls13-mutual", clientCert: true, configure: func(c, s *tls.Config, k *testKeys) {
		s.ClientAuth = tls.RequireAndVerifyClientCert
	}},
}

// testKeys holds the certificates used by the scenarios. They are made with a
// deterministic random source so regenerated fixtures differ only in the
// handshake randoms.
type testKeys struct {
	ca         *x509.Certificate
	server     tls.Certificate
	rsaServer  tls.Certificate
	client     tls.Certificate
	clientPool *x509.CertPool
	roots      *x509.CertPool
	manyCAs    *x509.CertPool
}

var (
	keysOnce sync.Once
	keys     *testKeys
	keysErr  error
)

func getKeys(t testing.TB) *testKeys {
	t.Helper()
	keysOnce.Do(func() { keys, keysErr = makeKeys() })
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys
}

func makeKeys() (*testKeys, error) {
	k := &testKeys{}
	notBefore := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter := notBefore.AddDate(20, 0, 0)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), mrand.New(mrand.NewSource(1)))
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "siptls test CA", Organization: []string{"siptls"}},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(mrand.New(mrand.NewSource(2)), caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	if k.ca, err = x509.ParseCertificate(caDER); err != nil {
		return nil, err
	}
	leaf := func(serial int64, cn string, pub, priv any, eku x509.ExtKeyUsage) (tls.Certificate, error) {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			DNSNames: []string{cn}, NotBefore: notBefore, NotAfter: notAfter,
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{eku},
		}
		der, err := x509.CreateCertificate(mrand.New(mrand.NewSource(serial)), tmpl, k.ca, pub, caKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: priv}, nil
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), mrand.New(mrand.NewSource(3)))
	if err != nil {
		return nil, err
	}
	if k.server, err = leaf(10, "cucm-pub.example.com", &srvKey.PublicKey, srvKey, x509.ExtKeyUsageServerAuth); err != nil {
		return nil, err
	}
	cliKey, err := ecdsa.GenerateKey(elliptic.P256(), mrand.New(mrand.NewSource(4)))
	if err != nil {
		return nil, err
	}
	if k.client, err = leaf(11, "cucm-sub.example.com", &cliKey.PublicKey, cliKey, x509.ExtKeyUsageClientAuth); err != nil {
		return nil, err
	}
	rsaKey, err := rsa.GenerateKey(mrand.New(mrand.NewSource(5)), 1024)
	if err != nil {
		return nil, err
	}
	if k.rsaServer, err = leaf(12, "cucm-pub.example.com", &rsaKey.PublicKey, rsaKey, x509.ExtKeyUsageServerAuth); err != nil {
		return nil, err
	}
	k.roots = x509.NewCertPool()
	k.roots.AddCert(k.ca)
	k.clientPool = k.roots
	k.manyCAs = x509.NewCertPool()
	k.manyCAs.AddCert(k.ca)
	for i := 1; i < numCAs; i++ {
		// Only the subject matters for the CertificateRequest, so these
		// are self-signed with the CA key.
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(1000 + i)),
			Subject: pkix.Name{CommonName: fmt.Sprintf("CallManager-trust %03d", i), OrganizationalUnit: []string{"Voice"},
				Organization: []string{"Example Corp"}, Locality: []string{"San Jose"}, Country: []string{"US"}},
			NotBefore: notBefore, NotAfter: notAfter,
		}
		der, err := x509.CreateCertificate(mrand.New(mrand.NewSource(int64(i))), tmpl, tmpl, &caKey.PublicKey, caKey)
		if err != nil {
			return nil, err
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		k.manyCAs.AddCert(c)
	}
	return k, nil
}

// transcript is what each side of one handshake wrote.
type transcript struct {
	client, server []byte
	state          tls.ConnectionState // client's view; zero if the handshake failed
}

// tcpPipe returns the two ends of a loopback TCP connection. Unlike
// net.Pipe it buffers, so both sides may write at once, as they do around a
// HelloRetryRequest (crypto/tls's own handshake tests do the same).
func tcpPipe(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.Accept()
		ch <- res{c, err}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	return c, r.c
}

// runHandshake runs a crypto/tls client and server over loopback TCP and
// records both directions.
func runHandshake(t testing.TB, sc scenario) transcript {
	t.Helper()
	k := getKeys(t)
	c := &tls.Config{ServerName: "cucm-pub.example.com", RootCAs: k.roots, Time: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	s := &tls.Config{Certificates: []tls.Certificate{k.server}, ClientCAs: k.clientPool, Time: c.Time}
	if sc.clientCert {
		c.Certificates = []tls.Certificate{k.client}
	}
	sc.configure(c, s, k)
	cp, sp := tcpPipe(t)
	crec, srec := tlstest.Record(cp), tlstest.Record(sp)
	client, server := tls.Client(crec, c), tls.Server(srec, s)
	var wg sync.WaitGroup
	var serr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		serr = server.Handshake()
		if serr != nil {
			server.Close()
			return
		}
		// A TLS 1.3 server learns about a rejected client certificate only
		// when reading; read once so the client's flight is complete.
		buf := make([]byte, 1)
		server.SetReadDeadline(time.Now().Add(5 * time.Second))
		server.Read(buf)
		server.Close()
	}()
	cerr := client.Handshake()
	var tr transcript
	if cerr == nil {
		tr.state = client.ConnectionState()
		client.Write([]byte("x"))
	}
	client.Close()
	wg.Wait()
	if !sc.wantFail && (cerr != nil || serr != nil) {
		t.Fatalf("%s: handshake failed: client %v, server %v", sc.name, cerr, serr)
	}
	if sc.wantFail && cerr == nil && serr == nil {
		t.Fatalf("%s: handshake succeeded, want failure", sc.name)
	}
	tr.client, tr.server = crec.Bytes(), srec.Bytes()
	return tr
}

// fixturePath returns the hex fixture of one direction of a scenario.
func fixturePath(name, dir string) string {
	return filepath.Join("testdata", "handshakes", name+"."+dir+".hex")
}

func writeHex(t testing.TB, path string, b []byte) {
	t.Helper()
	var sb strings.Builder
	for len(b) > 0 {
		n := min(len(b), 32)
		sb.WriteString(hex.EncodeToString(b[:n]))
		sb.WriteByte('\n')
		b = b[n:]
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readHex(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestFixtures -record -update to create it)", err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(data)), ""))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// loadTranscript returns the recorded fixture of a scenario, re-recording it
// first with -record.
func loadTranscript(t testing.TB, sc scenario) transcript {
	t.Helper()
	if *record {
		tr := runHandshake(t, sc)
		writeHex(t, fixturePath(sc.name, "client"), tr.client)
		writeHex(t, fixturePath(sc.name, "server"), tr.server)
	}
	return transcript{client: readHex(t, fixturePath(sc.name, "client")), server: readHex(t, fixturePath(sc.name, "server"))}
}

// direction is one side of a transcript cut into records and the plaintext
// handshake messages they carry.
type direction struct {
	records []Record
	msgs    [][]byte
	alerts  []Alert
}

// splitStream frames a recorded stream with RecordLen and reassembles the
// plaintext handshake messages: before TLS 1.3, those sent before
// ChangeCipherSpec (after it, handshake records are encrypted); in TLS 1.3,
// where encrypted records have type application_data and the dummy
// ChangeCipherSpec may precede a second ClientHello, all handshake records.
func splitStream(t testing.TB, b []byte, tls13 bool) direction {
	t.Helper()
	var d direction
	var df Defragmenter
	encrypted := false
	for len(b) > 0 {
		n := RecordLen(b)
		if n <= 0 || n > len(b) {
			t.Fatalf("RecordLen = %d with %d bytes left (% x)", n, len(b), b[:min(len(b), 8)])
		}
		rec, err := ParseRecord(b[:n])
		if err != nil {
			t.Fatal(err)
		}
		b = b[n:]
		d.records = append(d.records, rec)
		switch rec.Type {
		case ContentChangeCipherSpec:
			encrypted = !tls13
		case ContentAlert:
			if a, err := ParseAlert(rec.Fragment); err == nil {
				d.alerts = append(d.alerts, a)
			}
		case ContentHandshake:
			if encrypted {
				continue
			}
			msgs, err := df.Add(rec.Fragment)
			if err != nil {
				t.Fatal(err)
			}
			d.msgs = append(d.msgs, msgs...)
		}
	}
	if df.Pending() != 0 {
		t.Fatalf("%d bytes of an incomplete handshake message left", df.Pending())
	}
	return d
}

// splitTranscript splits both directions, using the ServerHello to learn
// whether TLS 1.3 was negotiated.
func splitTranscript(t testing.TB, tr transcript) (client, server direction, v Version) {
	t.Helper()
	server = splitStream(t, tr.server, false)
	for _, msg := range server.msgs {
		if HandshakeType(msg[0]) == TypeServerHello {
			m, err := ParseHandshake(msg, 0)
			if err != nil {
				t.Fatal(err)
			}
			v = m.(*ServerHello).Version()
			break
		}
	}
	if v.IsTLS13() {
		server = splitStream(t, tr.server, true)
	}
	client = splitStream(t, tr.client, v.IsTLS13())
	return client, server, v
}
