package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

func TestFlights(t *testing.T) {
	t0 := time.Unix(0, 0)
	ev := func(side capgen.Side, k evKind, b string, ms int, pause time.Duration) event {
		return event{Side: side, Kind: k, Bytes: []byte(b), When: t0.Add(time.Duration(ms) * time.Millisecond), Pause: pause}
	}
	tests := []struct {
		name  string
		input []event
		want  []string // side letter + bytes, "F" for a close
	}{
		{"writes close together merge", []event{ev(capgen.Client, evData, "a", 0, 0), ev(capgen.Client, evData, "b", 1, 0)}, []string{"Cab"}},
		{"writes far apart stay", []event{ev(capgen.Client, evData, "a", 0, 0), ev(capgen.Client, evData, "b", 10, 0)}, []string{"Ca", "Cb"}},
		{"a scripted pause splits", []event{ev(capgen.Server, evData, "a", 0, 0), ev(capgen.Server, evData, "b", 0, time.Second)}, []string{"Sa", "Sb"}},
		{"sides alternate", []event{ev(capgen.Client, evData, "a", 0, 0), ev(capgen.Server, evData, "b", 0, 0), ev(capgen.Client, evData, "c", 0, 0)}, []string{"Ca", "Sb", "Cc"}},
		{"a close is its own flight", []event{ev(capgen.Client, evData, "a", 0, 0), ev(capgen.Client, evClose, "", 0, 0), ev(capgen.Client, evData, "b", 0, 0)}, []string{"Ca", "CF", "Cb"}},
		{"the alert's sender closes first", []event{ev(capgen.Server, evData, "x", 0, 0), ev(capgen.Client, evClose, "", 0, 0), ev(capgen.Server, evClose, "", 0, 0)}, []string{"Sx", "SF", "CF"}},
		{"a close_notify exchange keeps its order", []event{ev(capgen.Client, evData, "x", 0, 0), ev(capgen.Client, evClose, "", 0, 0), ev(capgen.Server, evData, "y", 0, 0), ev(capgen.Server, evClose, "", 0, 0)}, []string{"Cx", "CF", "Sy", "SF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range flights(tt.input) {
				s := "C"
				if f.Side == capgen.Server {
					s = "S"
				}
				if f.Kind == evClose {
					s += "F"
				} else {
					s += string(f.Bytes)
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("flights = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAlerts(t *testing.T) {
	rec := func(typ byte, body ...byte) []byte {
		return append([]byte{typ, 3, 3, 0, byte(len(body))}, body...)
	}
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name    string
		input   []byte
		want    []string
		wantApp bool
	}{
		{"plaintext fatal alert", cat(rec(22, 1, 0, 0, 0), rec(21, 2, 48)), []string{"unknown_ca"}, false},
		{"alert after ChangeCipherSpec is encrypted", cat(rec(20, 1), rec(21, 1, 2, 3, 4, 5)), []string{"encrypted"}, false},
		{"application data", cat(rec(20, 1), rec(23, 9, 9)), nil, true},
		{"truncated record is ignored", rec(21, 2, 40)[:6], nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Split the stream across two flights to check records spanning flights.
			h := len(tt.input) / 2
			fs := []flight{{Side: capgen.Server, Bytes: tt.input[:h]}, {Side: capgen.Client, Bytes: []byte{21, 3, 3, 0, 2, 2, 40}}, {Side: capgen.Server, Bytes: tt.input[h:]}}
			got, app := alerts(fs, capgen.Server)
			if !slices.Equal(got, tt.want) || app != tt.wantApp {
				t.Errorf("alerts = %v, %v; want %v, %v", got, app, tt.want, tt.wantApp)
			}
		})
	}
}

func TestConversationTiming(t *testing.T) {
	fs := []flight{
		{Side: capgen.Client, Bytes: []byte("hello")},
		{Side: capgen.Server, Bytes: []byte("flight")},
		{Side: capgen.Client, Bytes: []byte("answer")},
		{Side: capgen.Client, Kind: evClose},
	}
	tests := []struct {
		name  string
		local capgen.Side
	}{{"captured on the client", capgen.Client}, {"captured on the server", capgen.Server}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conn{Client: "10.10.1.11:38000", Server: "10.20.1.21:5061", Start: time.Second, Local: tt.local, Seed: 7}
			cv := conversation(c, fs)
			if !cv.Start.Equal(captureTime.Add(time.Second)) {
				t.Errorf("Start = %v", cv.Start)
			}
			kinds := []capgen.StepKind{capgen.SYN, capgen.SYNACK, capgen.ACK, capgen.Data, capgen.Data, capgen.Data, capgen.FIN}
			if len(cv.Steps) != len(kinds) {
				t.Fatalf("%d steps, want %d", len(cv.Steps), len(kinds))
			}
			for i, s := range cv.Steps {
				if s.Kind != kinds[i] {
					t.Errorf("step %d kind %v, want %v", i, s.Kind, kinds[i])
				}
				if i > 0 && s.At <= cv.Steps[i-1].At {
					t.Errorf("step %d at %v, not after %v", i, s.At, cv.Steps[i-1].At)
				}
			}
			// The peer's answer takes at least a round trip; the local node answers faster.
			for i := 4; i <= 5; i++ {
				gap := cv.Steps[i].At - cv.Steps[i-1].At
				peer := cv.Steps[i].Side != tt.local
				if peer && gap < rtt || !peer && gap >= rtt+time.Millisecond*4 {
					t.Errorf("step %d (peer %v) gap %v", i, peer, gap)
				}
			}
		})
	}
}

func TestMatchAny(t *testing.T) {
	tests := []struct {
		name, patterns, input string
		want                  bool
	}{
		{"exact", "ok-tls13-go.pcap", "ok-tls13-go.pcap", true},
		{"pattern", "bad-*", "bad-empty.cap", true},
		{"list", "x, link-*", "link-raw-ip.pcap", true},
		{"no match", "ok-*", "fail-protocol-version.pcap", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchAny(tt.patterns, tt.input); got != tt.want {
				t.Errorf("matchAny(%q, %q) = %v", tt.patterns, tt.input, got)
			}
		})
	}
}

func TestServerCipher(t *testing.T) {
	hello := func(sid int, cs uint16) []byte {
		body := append([]byte{2, 0, 0, 0, 3, 3}, make([]byte, 32)...)
		body = append(body, byte(sid))
		body = append(body, make([]byte, sid)...)
		body = append(body, byte(cs>>8), byte(cs), 0)
		return append([]byte{22, 3, 3, 0, byte(len(body))}, body...)
	}
	tests := []struct {
		name  string
		input []byte
		want  uint16
	}{
		{"with session id", hello(32, 0xc02f), 0xc02f},
		{"empty session id", hello(0, 0x002f), 0x002f},
		{"truncated", hello(32, 0xc02f)[:60], 0},
		{"alert only", []byte{21, 3, 3, 0, 2, 2, 40}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := serverCipher([]flight{{Side: capgen.Server, Bytes: tt.input}}); got != tt.want {
				t.Errorf("serverCipher = %#04x, want %#04x", got, tt.want)
			}
		})
	}
}

// TestGenerate runs the whole generator into a scratch directory (reusing the committed
// keys and certificates) and checks that every capture listed in expected.tsv exists.
func TestGenerate(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	if testing.Short() {
		t.Skip("runs real TLS sessions")
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "certs"), os.DirFS("../certs")); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-out", dir}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, expectedFile))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 && len(f) != 7 {
			t.Fatalf("row %q has %d fields", line, len(f))
		}
		files[f[0]]++
	}
	for f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("expected.tsv lists %s: %v", f, err)
		}
	}
	if got := files["sample-cucm-trunk.cap"]; got != 12 {
		t.Errorf("sample has %d connections, want 12", got)
	}
	if len(files) < 45 {
		t.Errorf("%d files in expected.tsv", len(files))
	}
}

func TestLayoutCertificate(t *testing.T) {
	rec := func(typ byte, body []byte) []byte {
		return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
	}
	u24 := func(n int) []byte { return []byte{byte(n >> 16), byte(n >> 8), byte(n)} }
	certs := [][]byte{bytes.Repeat([]byte{'a'}, 7), bytes.Repeat([]byte{'b'}, 5), bytes.Repeat([]byte{'c'}, 9)}
	var list []byte
	for _, c := range certs {
		list = append(append(list, u24(len(c))...), c...)
	}
	msg := append(append([]byte{11}, u24(3+len(list))...), append(u24(len(list)), list...)...) // 4+3+30 = 37 bytes
	hello := rec(22, []byte{2, 0, 0, 2, 3, 3})                                                 // 11 bytes
	// The Certificate message in two records of 20 and 17 bytes, then ServerHelloDone.
	flight := bytes.Join([][]byte{hello, rec(22, msg[:20]), rec(22, msg[20:]), rec(22, []byte{14, 0, 0, 0})}, nil)
	l, err := layoutCertificate(flight)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{11, 36}; !slices.Equal(l.records, want) {
		t.Errorf("records at %v, want %v", l.records, want)
	}
	if want := [][2]int{{10, 17}, {20, 25}, {28, 37}}; !slices.Equal(l.certs, want) {
		t.Errorf("certificates at %v, want %v", l.certs, want)
	}
	for i, c := range certs {
		if !bytes.Equal(l.der[i], c) {
			t.Errorf("certificate %d = %q, want %q", i, l.der[i], c)
		}
	}
	// Message byte 19 is the last of the first record (flight 16+19 = 35); byte 20
	// follows the second header (flight 41).
	if l.msg[0] != 16 || l.msg[19] != 35 || l.msg[20] != 41 || len(l.msg) != 37 {
		t.Errorf("msg map %v", l.msg)
	}
	if from, to := l.msgRange(30, 45); from != 14 || to != 24 {
		t.Errorf("msgRange(30, 45) = %d, %d; want 14, 24 (the header bytes 36-40 skipped)", from, to)
	}
	if got := l.certOf(22); got != 1 {
		t.Errorf("certOf(22) = %d, want 1", got)
	}
	if got := l.certOf(18); got != -1 {
		t.Errorf("certOf(18) = %d, want -1 (an entry length)", got)
	}
	if _, err := layoutCertificate(hello); err == nil {
		t.Error("a flight without a Certificate message: no error")
	}
	if _, err := layoutCertificate(flight[:30]); err == nil {
		t.Error("a cut record: no error")
	}
}

func TestCertificatePolicies(t *testing.T) {
	der, err := certificatePolicies(3)
	if err != nil {
		t.Fatal(err)
	}
	// Round trip through crypto/x509, which reads the policy identifiers.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"},
		NotBefore: captureTime, NotAfter: captureTime.Add(time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 32}, Value: der}}}
	raw, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Policies {
		got = append(got, p.String())
	}
	want := []string{"1.3.6.1.4.1.32473.1.2.1", "1.3.6.1.4.1.32473.1.2.2", "1.3.6.1.4.1.32473.1.2.3"}
	if !slices.Equal(got, want) {
		t.Errorf("policies %v, want %v", got, want)
	}
	for _, n := range g2Notices {
		if len(n) > 200 {
			t.Errorf("notice of %d characters (RFC 5280 allows 200): %q", len(n), n)
		}
	}
	if !bytes.Contains(der, []byte("http://pki.example.lab/cps/g2/policy-3.html")) || !bytes.Contains(der, []byte(g2Notices[2])) {
		t.Error("CPS or notice missing from the extension")
	}
}

// TestWriteExpected checks that a run replaces the rows of the files it rebuilt,
// keeps the others as they were (7-column rows included) and writes the flags
// column only for files that have flags.
func TestWriteExpected(t *testing.T) {
	dir := t.TempDir()
	old := expectedHeader + "\n" +
		"a.pcap\tc1\ts1\tok\tapplication_data\told a\n" +
		"b.pcap\tc2\ts2\t-\tother_traffic\tkept\t--any-port\n" +
		"c.pcap\tc3\ts3\tfailed\tfatal_alert\told c\n"
	if err := os.WriteFile(filepath.Join(dir, expectedFile), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &gen{out: dir, rebuilt: map[string]bool{}, flags: map[string]string{"c.pcap": "--any-port"}}
	g.expectRow("c.pcap", "c3", "s3", verdict{"ok", "application_data", "new c"})
	g.expectRow("a.pcap", "c1", "s1", verdict{"ok", "idle_close", "new a"})
	if err := g.writeExpected(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, expectedFile))
	if err != nil {
		t.Fatal(err)
	}
	want := expectedHeader + "\n" +
		"a.pcap\tc1\ts1\tok\tidle_close\tnew a\n" +
		"b.pcap\tc2\ts2\t-\tother_traffic\tkept\t--any-port\n" +
		"c.pcap\tc3\ts3\tok\tapplication_data\tnew c\t--any-port\n"
	if string(b) != want {
		t.Errorf("expected.tsv =\n%s\nwant\n%s", b, want)
	}
}

func TestAckOfAndWrites(t *testing.T) {
	c := conn{Client: "10.10.1.11:38000", Server: "10.20.1.21:5061", Local: capgen.Client, Seed: 9}
	cv := conversation(c, []flight{
		{Side: capgen.Client, Bytes: make([]byte, 100)},
		{Side: capgen.Server, Bytes: make([]byte, 3000)}, // 3 segments of 1448
		{Side: capgen.Client, Bytes: make([]byte, 50)},
	})
	pk := capgen.PacketsOf(cv, 0)
	s := dataPackets(pk, capgen.Server, 1)
	if len(s) != 3 {
		t.Fatalf("server write in %d segments, want 3", len(s))
	}
	// The client ACKs every second segment, then the end of the write.
	mid, end := ackOf(pk, s[0]), ackOf(pk, s[2])
	if mid <= s[1] || pk[mid].Ack != pk[s[1]].Seq+1448 {
		t.Errorf("ACK of the first segment: packet %d (ack %d)", mid, pk[mid].Ack)
	}
	if end <= s[2] || pk[end].Side != capgen.Client || pk[end].Ack != pk[s[2]].Seq+uint32(len(pk[s[2]].Payload)) {
		t.Errorf("ACK of the last segment: packet %d", end)
	}
	if got := ackOf(pk, len(pk)-1); got != -1 {
		t.Errorf("ACK of the last packet = %d, want -1", got)
	}
	if i, err := nthWrite(pk, capgen.Client, 2); err != nil || len(pk[i].Payload) != 50 {
		t.Errorf("nthWrite(client, 2) = %d, %v", i, err)
	}
	if _, err := nthWrite(pk, capgen.Server, 2); err == nil {
		t.Error("nthWrite(server, 2): no error")
	}
}
