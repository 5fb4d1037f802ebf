package diagnose

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/siptls/siptls/internal/pcaptest"
)

// withoutFrame writes the capture at path without frame drop (1-based) to a
// file of the test's own, as `editcap -r path out 1-(drop-1) (drop+1)-`
// would: what a capture that lost that packet looks like.
func withoutFrame(t *testing.T, path string, drop int) string {
	t.Helper()
	var out bytes.Buffer
	w := pcapgo.NewWriter(&out)
	pcaptest.Each(t, path, func(h pcaptest.Header) {
		if err := w.WriteFileHeader(h.Snaplen, h.LinkType); err != nil {
			t.Fatal(err)
		}
	}, func(frame int, ci gopacket.CaptureInfo, data []byte) {
		if frame == drop {
			return
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	})
	name := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(path), ".pcap")+"-hole.pcap")
	if err := os.WriteFile(name, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestHoledRecordKeepsDecrypting: the capture of an OpenSSL TLS 1.3
// session without frame 14, which held the end of the server's 200 OK: that
// record cannot be opened, but it uses up its sequence number, so the
// server's close_notify after it still decrypts (it stayed encrypted, and
// the direction stopped being read); the SIP summary says the answer was
// not read, not that there was none.
func TestHoledRecordKeepsDecrypting(t *testing.T) {
	const src = "../testdata/keylog-openssl-tls13-chacha20.pcap"
	c := analyseWith(t, withoutFrame(t, src, 14), readKeyLog(t, src))
	var serverAlerts []string
	for _, e := range c.Events {
		if e.Kind == EventAlert && e.From == Server {
			serverAlerts = append(serverAlerts, e.What)
		}
	}
	if len(serverAlerts) != 1 || serverAlerts[0] != "alert warning close_notify (decrypted)" {
		t.Errorf("the server's alerts are %q, want its close_notify decrypted", serverAlerts)
	}
	if want := "OPTIONS → no answer read; SIP lost to a gap in the capture in frame 20"; c.SIPSummary != want {
		t.Errorf("SIP summary %q, want %q", c.SIPSummary, want)
	}
	for _, f := range c.Findings {
		if f.Code == FindingDecryptFailed {
			t.Errorf("finding %s: %s", f.Code, f.Detail)
		}
	}
}
