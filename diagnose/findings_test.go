package diagnose

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/pcap"
)

// TestWarningAlertFinding: a warning alert other than close_notify does not
// end the handshake, and is kept as a warning_alert finding.
func TestWarningAlertFinding(t *testing.T) {
	hello := []step{c2s(clientHello()), s2c(serverHello()), s2c(certificateRequest()), s2c(helloDone)}
	ss := steps(tcpOpen(), hello, []step{c2s(alert(1, 90)), c2s(emptyCertificate()), c2s(ccs), c2s(finished), s2c(ccs), s2c(finished), c2s(appData), s2c(appData)})
	c := run(t, pcap.RoleFromSYN, ss, 0)
	var got []Finding
	for _, f := range c.Findings {
		if f.Code == FindingWarningAlert {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].Frame != 8 || got[0].Detail != "client sent warning user_canceled" {
		t.Errorf("verdict %s/%s, warning findings %+v, all %+v", c.Verdict, c.Reason, got, c.Findings)
	}
}

// staleHints returns the stale_copy_likely findings of the connections of
// a capture (with its key log NAME.keys beside it, if there is one), by
// connection ID.
func staleHints(t *testing.T, file string) map[uint64]Finding {
	t.Helper()
	path := filepath.Join("..", "testdata", file)
	var opts Options
	if _, err := os.Stat(strings.TrimSuffix(path, ".pcap") + ".keys"); err == nil {
		opts.KeyLog = readKeyLog(t, path)
	}
	a := NewAnalyzer(opts)
	if err := a.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	hints := map[uint64]Finding{}
	for _, c := range a.Result().Connections {
		for _, f := range c.Findings {
			if f.Code == FindingStaleCopyLikely {
				hints[c.ID] = f
			}
		}
	}
	return hints
}

// TestStaleCopyHintCaptures: the captures of servers holding a stale copy
// of the client's self-signed certificate (Go's crypto/tls and OpenSSL,
// TLS 1.2, and TLS 1.3 decrypted with its key log) get the hint, at the
// frame of the alert; servers that hold no certificate of that name, or
// reject the certificate for a reason the capture shows, get none.
func TestStaleCopyHintCaptures(t *testing.T) {
	tests := []struct {
		file string
		want map[uint64]uint64 // connection ID: frame of the finding
	}{
		{"fail-go-server-untrusted-client.pcap", map[uint64]uint64{1: 12}},
		{"sample-cucm-trunk.cap", map[uint64]uint64{8: 200}}, // not #2, #6, #7: cucm8-sub1 does not list cucm7-pub
		{"keylog-tls13-server-rejects-client.pcap", map[uint64]uint64{1: 17}},
		{"triage/captures/cucm7-pub.cap", map[uint64]uint64{8: 199, 17: 434}},
		{"fail-tls13-server-rejects-client.pcap", nil},       // no key: the alert and the CA list are encrypted
		{"keylog-tls13-hrr-server-rejects-client.pcap", nil}, // the server lists no cucm7-pub
		{"fail-unknown-ca-openssl-server.pcap", nil},
		{"fail-client-cert-no-clientauth-go.pcap", nil},
		{"fail-client-cert-no-clientauth-openssl.pcap", nil},
		{"fail-empty-client-cert.pcap", nil},
		{"fail-rst-after-client-cert.pcap", nil},
		{"fail-client-rejects-server-cert.pcap", nil},
		{"ok-big-certificate-request.pcap", nil},
		{"ok-tls12-openssl.pcap", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := staleHints(t, tt.file)
			frames := map[uint64]uint64{}
			for id, f := range got {
				frames[id] = f.Frame
			}
			if len(frames) != len(tt.want) {
				t.Fatalf("hints %v, want %v", got, tt.want)
			}
			for id, frame := range tt.want {
				if frames[id] != frame {
					t.Errorf("hints %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestStaleCopyHint: the hint needs every fact: a fatal alert of
// certificate rejection from the server after the client's leaf, the
// leaf's issuer (its own name, self-signed) among the CertificateRequest's
// CA names, and no other explanation in the capture.
func TestStaleCopyHint(t *testing.T) {
	const selfSigned = "The server's CertificateRequest (frame 7) names CN=cucm8-sub2.clus2.lab among the CAs it accepts, yet it rejected the self-signed certificate of that name the client presented (frame 9, serial 524580eba4fb5ac6a4af6a6df2ce8b7a) with fatal unknown_ca in frame 12: its CallManager-trust likely holds an older copy of CN=cucm8-sub2.clus2.lab, same name but another key. Replace it with the certificate the client presents now; --trust with the server's CallManager-trust folder tells for sure."
	leaf := func(c *Connection) *certinfo.Info {
		for i := range c.Certificates {
			if c.Certificates[i].SentBy == Client {
				info := *c.Certificates[i].Info // the analyzer's cache shares it
				c.Certificates[i].Info = &info
				return &info
			}
		}
		t.Fatal("no client certificate")
		return nil
	}
	tests := []struct {
		name   string
		mutate func(c *Connection)
		want   string // the detail, "" for no hint
	}{
		{"as captured", func(*Connection) {}, selfSigned},
		{"listed in other case", func(c *Connection) {
			c.CertificateRequest.CertificateAuthorities = []string{"CN=other", strings.ToUpper(c.CertificateRequest.CertificateAuthorities[0])}
		}, selfSigned},
		{"name not listed", func(c *Connection) { c.CertificateRequest.CertificateAuthorities = []string{"CN=cucm7-pub.clus1.lab"} }, ""},
		{"empty CA list", func(c *Connection) { c.CertificateRequest.CertificateAuthorities = nil }, ""},
		{"no CertificateRequest", func(c *Connection) { c.CertificateRequest = nil }, ""},
		{"verdict not failed", func(c *Connection) { c.Verdict, c.Reason = VerdictIncomplete, ReasonCapHit }, ""},
		{"alert from the client", func(c *Connection) { c.Alert.SentBy = Client }, ""},
		{"handshake_failure", func(c *Connection) { c.Alert.Code, c.Alert.Name = 40, "handshake_failure" }, ""},
		{"warning level", func(c *Connection) { c.Alert.Level = 1 }, ""},
		{"encrypted alert", func(c *Connection) { c.Alert.Encrypted, c.Alert.Level, c.Alert.Code = true, 0, 0 }, ""},
		{"decrypted alert", func(c *Connection) { c.Alert.Encrypted, c.Alert.Decrypted = true, true }, selfSigned},
		{"bad_certificate", func(c *Connection) { c.Alert.Code, c.Alert.Name = 42, "bad_certificate" },
			strings.Replace(selfSigned, "fatal unknown_ca", "fatal bad_certificate", 1)},
		{"decrypt_error", func(c *Connection) { c.Alert.Code, c.Alert.Name = 51, "decrypt_error" },
			strings.Replace(strings.Replace(selfSigned, "fatal unknown_ca", "fatal decrypt_error", 1), "now;", "now (decrypt_error can also mean that the client's CertificateVerify did not verify with its certificate's key);", 1)},
		{"no client certificate", func(c *Connection) {
			c.Certificates = slices.DeleteFunc(c.Certificates, func(x Certificate) bool { return x.SentBy == Client })
		}, ""},
		{"certificate after the alert", func(c *Connection) {
			for i := range c.Certificates {
				c.Certificates[i].Frame = c.Alert.Frame + 1
			}
		}, ""},
		{"leaf expired at capture time", func(c *Connection) { leaf(c).NotAfter = c.Start.Add(-time.Hour) }, ""},
		{"leaf not yet valid", func(c *Connection) { leaf(c).NotBefore = c.End.Add(time.Hour) }, ""},
		{"leaf without clientAuth", func(c *Connection) { leaf(c).ExtKeyUsage = []string{"serverAuth"} }, ""},
		{"CA-signed leaf, issuer listed", func(c *Connection) {
			l := leaf(c)
			l.SelfSigned, l.Issuer = false, "CN=Lab Issuing CA,O=Example Labs"
			c.CertificateRequest.CertificateAuthorities = append(c.CertificateRequest.CertificateAuthorities, l.Issuer)
		}, "The server's CertificateRequest (frame 7) names CN=Lab Issuing CA,O=Example Labs among the CAs it accepts, yet it rejected the client's certificate CN=cucm8-sub2.clus2.lab issued under that name (frame 9, serial 524580eba4fb5ac6a4af6a6df2ce8b7a) with fatal unknown_ca in frame 12: its CallManager-trust likely holds an older copy of that CA, same name but another key, or lacks the CA above it. Upload the CA certificate that issued the client's certificate now, and any CA above it; --trust with the server's CallManager-trust folder tells for sure."},
		{"CA-signed leaf, its own name listed", func(c *Connection) {
			l := leaf(c)
			l.SelfSigned, l.Issuer = false, "CN=Lab Issuing CA,O=Example Labs"
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := analyseWith(t, filepath.Join("..", "testdata", "fail-go-server-untrusted-client.pcap"), nil)
			tt.mutate(c)
			f, ok := staleCopyHint(c)
			if ok != (tt.want != "") || f.Detail != tt.want {
				t.Errorf("hint %v %+v\nwant %q", ok, f, tt.want)
			}
			if ok && (f.Code != FindingStaleCopyLikely || f.Frame != c.Alert.Frame) {
				t.Errorf("finding %s at frame %d, want %s at the alert's frame %d", f.Code, f.Frame, FindingStaleCopyLikely, c.Alert.Frame)
			}
		})
	}
}
