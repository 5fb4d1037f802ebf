package diagnose

import (
	"crypto/rsa"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/siptls/siptls/tlsdecrypt"
	"github.com/siptls/siptls/tlsparse"
)

// readKeyLog reads a capture's key log (NAME.keys beside NAME.pcap).
func readKeyLog(t *testing.T, capture string) *tlsdecrypt.KeyLog {
	t.Helper()
	f, err := os.Open(strings.TrimSuffix(capture, ".pcap") + ".keys")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var k tlsdecrypt.KeyLog
	if err := k.Read(f, f.Name()); err != nil {
		t.Fatal(err)
	}
	return &k
}

// analyseWith analyses one capture with keys (nil: none).
func analyseWith(t *testing.T, path string, keys *tlsdecrypt.KeyLog) *Connection {
	t.Helper()
	return analyseBounded(t, path, keys, Options{})
}

// TestKeyLogCaptures: with their key logs, the captures of real crypto/tls
// sessions show their alerts decrypted and, in TLS 1.3, the certificates;
// without, nothing changes but what was encrypted.
func TestKeyLogCaptures(t *testing.T) {
	tests := []struct {
		file            string
		verdict         Verdict
		reason          Reason
		alert           string // the verdict's alert with the key ("" none)
		certs           int    // certificates seen with the key
		certsWithout    int
		hiddenWithout   bool
		decryptedEvents int    // "(decrypted)" alerts on the timeline
		sip             string // the SIP summary with the key
		staleHint       bool   // a stale_copy_likely finding with the key, and no other
		says            string // in the summary with the key
	}{
		{"keylog-tls12-sip.pcap", VerdictOK, ReasonApplicationData, "", 2, 2, false, 2, "INVITE 3011 → 100, 180, 200; ACK; BYE → 200", false, ""},
		{"keylog-tls12-sip-503.pcap", VerdictOK, ReasonApplicationData, "", 2, 2, false, 2, "INVITE 3012 → 100, 503; ACK", false, ""},
		{"keylog-tls13-server-rejects-client.pcap", VerdictFailed, ReasonFatalAlert, "unknown_ca", 2, 0, true, 2, "OPTIONS → no answer", true, ""},
		{"keylog-openssl-tls13-chacha20.pcap", VerdictOK, ReasonApplicationData, "", 2, 0, true, 2, "OPTIONS → 200", false, ""},
		{"keylog-tls13-hrr-server-rejects-client.pcap", VerdictFailed, ReasonFatalAlert, "unknown_ca", 2, 0, true, 2, "", false, ""},
		{"keylog-openssl-tls12-cbc-etm.pcap", VerdictOK, ReasonApplicationData, "", 2, 2, false, 2, "OPTIONS → 200", false, ""},
		// Both ends update their keys (KeyUpdate) between the two OPTIONS:
		// every record after them opens with the next traffic secret.
		{"keylog-openssl-tls13-keyupdate.pcap", VerdictOK, ReasonApplicationData, "", 2, 0, true, 2, "OPTIONS → 200; OPTIONS → 200", false, ""},
		// The client expects cucm8.clus2.lab; TLS 1.3 hides its bad_certificate.
		{"keylog-tls13-name-mismatch.pcap", VerdictFailed, ReasonFatalAlert, "bad_certificate", 1, 0, true, 1, "", false,
			"The certificate names cucm8-pub.clus2.lab, cucm8-pub, not cucm8.clus2.lab, the server name the client asked for (SNI): a client that checks host names rejects it for that alone"},
		// The server closes right after the handshake: the key shows close_notify.
		{"keylog-tls12-name-mismatch-close.pcap", VerdictFailed, ReasonClosedAfterHandshake, "", 2, 2, false, 2, "", false, "sent close_notify (decrypted) in frame 14"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("..", "testdata", tt.file)
			without := analyseWith(t, path, nil)
			with := analyseWith(t, path, readKeyLog(t, path))
			if without.Decrypted || len(without.Certificates) != tt.certsWithout || without.CertificatesHidden != tt.hiddenWithout {
				t.Errorf("without keys: decrypted %v, %d certificates, hidden %v", without.Decrypted, len(without.Certificates), without.CertificatesHidden)
			}
			if !with.Decrypted || with.Verdict != tt.verdict || with.Reason != tt.reason || len(with.Certificates) != tt.certs || with.CertificatesHidden {
				t.Errorf("with keys: decrypted %v, %s/%s, %d certificates, hidden %v: %s", with.Decrypted, with.Verdict, with.Reason, len(with.Certificates), with.CertificatesHidden, with.Summary)
			}
			if tt.alert != "" && (with.Alert == nil || with.Alert.Name != tt.alert || !with.Alert.Encrypted || !with.Alert.Decrypted) {
				t.Errorf("with keys: alert %+v, want %s, encrypted and decrypted", with.Alert, tt.alert)
			}
			n := 0
			for _, e := range with.Events {
				if strings.HasSuffix(e.What, "(decrypted)") {
					n++
				}
			}
			if n != tt.decryptedEvents {
				t.Errorf("%d decrypted alerts on the timeline, want %d", n, tt.decryptedEvents)
			}
			if hint := len(with.Findings) == 1 && with.Findings[0].Code == FindingStaleCopyLikely; len(with.Findings) != 0 && !hint || hint != tt.staleHint {
				t.Errorf("findings %v", with.Findings)
			}
			if !strings.Contains(with.Summary, tt.says) {
				t.Errorf("summary %q does not say %q", with.Summary, tt.says)
			}
			if with.SIPSummary != tt.sip || without.SIPSummary != "" || len(without.SIP) != 0 {
				t.Errorf("SIP %q (without keys %q), want %q", with.SIPSummary, without.SIPSummary, tt.sip)
			}
		})
	}
}

// TestKeyLogTshark: every alert siptls decrypts is the one tshark decrypts
// with the same key log, frame for frame (level and description).
func TestKeyLogTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is not installed (.ci/run installs it)")
		}
		t.Skip("tshark not installed")
	}
	files, _ := filepath.Glob("../testdata/keylog-*.pcap*")
	if len(files) < 4 {
		t.Fatalf("%d keylog-* captures in testdata", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			// A .pcap has its key log beside it; a .pcapng embeds it,
			// and tshark and siptls find it there.
			var opts []string
			var keyLog *tlsdecrypt.KeyLog
			if strings.HasSuffix(path, ".pcap") {
				opts = []string{"-o", "tls.keylog_file:" + strings.TrimSuffix(path, ".pcap") + ".keys"}
				keyLog = readKeyLog(t, path)
			}
			tshark := func(args ...string) []byte {
				out, err := exec.Command("tshark", append(append([]string{"-n", "-r", path}, opts...), args...)...).Output()
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			want := strings.Fields(string(tshark("-Y", "tls.alert_message", "-T", "fields", "-e", "frame.number", "-e", "tls.alert_message.level", "-e", "tls.alert_message.desc")))
			c := analyseWith(t, path, keyLog)
			var got []string
			for _, e := range c.Events {
				if e.Kind != EventAlert {
					continue
				}
				var level, desc string
				if _, err := fmt.Sscanf(e.What, "alert %s %s (decrypted)", &level, &desc); err != nil {
					t.Fatalf("alert %q is not decrypted", e.What)
				}
				lv := map[string]string{"warning": "1", "fatal": "2"}[level]
				got = append(got, fmt.Sprint(e.Frame), lv, fmt.Sprint(alertCode(t, desc)))
			}
			if !slices.Equal(got, want) {
				t.Errorf("alerts: siptls %v, tshark %v", got, want)
			}
			out := tshark("-Y", "sip", "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "sip.Request-Line", "-e", "sip.Status-Line")
			var wantSIP, gotSIP []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if l != "" {
					wantSIP = append(wantSIP, strings.ReplaceAll(strings.ReplaceAll(l, "||", "|"), "| ", "|"))
				}
			}
			for _, m := range c.SIP {
				gotSIP = append(gotSIP, fmt.Sprintf("%d|%s", m.Frame, m.StartLine))
			}
			for i := range wantSIP {
				wantSIP[i] = strings.TrimSuffix(wantSIP[i], "|")
			}
			if !slices.Equal(gotSIP, wantSIP) {
				t.Errorf("SIP start lines:\nsiptls %q\ntshark %q", gotSIP, wantSIP)
			}
		})
	}
}

// alertCode is the number of an alert description name.
func alertCode(t *testing.T, name string) int {
	t.Helper()
	for code := range 256 {
		if tlsparseAlertName(uint8(code)) == name {
			return code
		}
	}
	t.Fatalf("unknown alert %q", name)
	return 0
}

func tlsparseAlertName(code uint8) string { return tlsparse.AlertDescription(code).String() }

// TestKeyLogWrongKeys: a key log without the session's secret says so once
// (no_key), and a wrong secret once per direction (decrypt_failed); the
// verdict is then the one without keys.
func TestKeyLogWrongKeys(t *testing.T) {
	path := filepath.Join("..", "testdata", "keylog-tls13-server-rejects-client.pcap")
	want := analyseWith(t, path, nil)

	other := readKeyLog(t, filepath.Join("..", "testdata", "keylog-tls12-sip.pcap"))
	c := analyseWith(t, path, other)
	if len(c.Findings) != 1 || c.Findings[0].Code != FindingNoKey || c.Decrypted || c.Verdict != want.Verdict || c.Reason != want.Reason {
		t.Errorf("another session's key log: %v, decrypted %v, %s/%s", c.Findings, c.Decrypted, c.Verdict, c.Reason)
	}

	b, err := os.ReadFile(strings.TrimSuffix(path, ".pcap") + ".keys")
	if err != nil {
		t.Fatal(err)
	}
	// Change the last hex digit of every secret: the randoms still match.
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines {
		last := l[len(l)-1]
		repl := byte('0')
		if last == '0' {
			repl = '1'
		}
		lines[i] = l[:len(l)-1] + string(repl)
	}
	var wrong tlsdecrypt.KeyLog
	if err := wrong.Read(strings.NewReader(strings.Join(lines, "\n")), "wrong"); err != nil {
		t.Fatal(err)
	}
	c = analyseWith(t, path, &wrong)
	var codes []FindingCode
	for _, f := range c.Findings {
		codes = append(codes, f.Code)
	}
	if !slices.Equal(codes, []FindingCode{FindingDecryptFailed, FindingDecryptFailed}) || c.Decrypted || c.Verdict != want.Verdict || c.Reason != want.Reason {
		t.Errorf("wrong secrets: findings %v, decrypted %v, %s/%s", c.Findings, c.Decrypted, c.Verdict, c.Reason)
	}
}

// TestEmbeddedKeyLog: a pcapng whose Decryption Secrets Block holds the
// key log is decrypted without any key log given.
func TestEmbeddedKeyLog(t *testing.T) {
	c := analyseWith(t, filepath.Join("..", "testdata", "keylog-tls13-embedded.pcapng"), nil)
	if !c.Decrypted || c.Verdict != VerdictFailed || c.Reason != ReasonFatalAlert || c.Alert == nil || c.Alert.Name != "unknown_ca" || len(c.Certificates) != 2 {
		t.Errorf("decrypted %v, %s/%s, alert %+v, %d certificates", c.Decrypted, c.Verdict, c.Reason, c.Alert, len(c.Certificates))
	}
}

// readRSAKey reads a key of testdata/certs.
func readRSAKey(t *testing.T, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "certs", name))
	if err != nil {
		t.Fatal(err)
	}
	k, err := tlsdecrypt.ParseRSAKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRSAKey decrypts the CUBE strict-cipher capture (TLS_RSA_WITH_AES_128
// _CBC_SHA, extended master secret) with the CUBE's RSA key: the SIP call
// inside, as tshark shows it with the same key. Another key says no_key.
func TestRSAKey(t *testing.T) {
	path := filepath.Join("..", "testdata", "ok-cube-strict-cipher.pcap")
	analyse := func(keys ...*rsa.PrivateKey) *Connection {
		a := NewAnalyzer(Options{RSAKeys: keys})
		if err := a.ReadFile(path); err != nil {
			t.Fatal(err)
		}
		return a.Result().Connections[0]
	}
	c := analyse(readRSAKey(t, "cucm7-pub.key"), readRSAKey(t, "cube1.key"))
	if !c.Decrypted || c.SIPSummary != "INVITE 3004 → 100, 180, 200; ACK" || len(c.Findings) != 0 {
		t.Errorf("decrypted %v, SIP %q, findings %v", c.Decrypted, c.SIPSummary, c.Findings)
	}
	other := analyse(readRSAKey(t, "cucm7-pub.key"))
	if other.Decrypted || len(other.Findings) != 1 || other.Findings[0].Code != FindingNoKey {
		t.Errorf("another server's key: decrypted %v, findings %v", other.Decrypted, other.Findings)
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed: SIP not cross-checked")
	}
	out, err := exec.Command("tshark", "-n", "-r", path, "-o", `uat:rsa_keys:"`+filepath.Join("..", "testdata", "certs", "cube1.key")+`",""`,
		"-Y", "sip", "-T", "fields", "-e", "frame.number").Output()
	if err != nil {
		t.Fatal(err)
	}
	var frames []string
	for _, m := range c.SIP {
		frames = append(frames, fmt.Sprint(m.Frame))
	}
	if got, want := strings.Join(frames, " "), strings.Join(strings.Fields(string(out)), " "); got != want {
		t.Errorf("SIP in frames %s, tshark %s", got, want)
	}
}
