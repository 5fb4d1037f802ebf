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

// TestLostRecordsSteppedOver: a gap that hides a whole record of a
// decrypted direction (the packet is dropped from a real capture) puts the
// next record's sequence number one further: it is found by trying the
// following ones, the records after the gap decrypt, and the SIP summary
// says what was lost instead of "no answer". Before, every later record of
// the direction was decrypt_failed, blamed on the key or on damage.
func TestLostRecordsSteppedOver(t *testing.T) {
	tests := []struct {
		src  string
		drop int // a frame that holds one whole record of the server
		sip  string
	}{
		{"keylog-tls12-sip.pcap", 16, "INVITE 3011 → 180, 200; ACK; BYE → 200; SIP lost to a gap in the capture in frame 17"}, // the 100 Trying
		// the 200 OK, in TLS 1.2 AES-CBC with encrypt-then-MAC: the server's
		// close_notify is the first record after the gap
		{"keylog-openssl-tls12-cbc-etm.pcap", 16, "OPTIONS → no answer read; SIP lost to a gap in the capture in frame 21"},
	}
	for _, tt := range tests {
		src := "../testdata/" + tt.src
		c := analyseWith(t, withoutFrame(t, src, tt.drop), readKeyLog(t, src))
		if c.SIPSummary != tt.sip {
			t.Errorf("%s without frame %d: SIP summary %q, want %q", tt.src, tt.drop, c.SIPSummary, tt.sip)
		}
		closes := 0
		for _, e := range c.Events {
			if e.Kind == EventAlert && e.What == "alert warning close_notify (decrypted)" {
				closes++
			}
		}
		if closes != 2 {
			t.Errorf("%s without frame %d: %d close_notify decrypted, want both", tt.src, tt.drop, closes)
		}
		for _, f := range c.Findings {
			if f.Code == FindingDecryptFailed {
				t.Errorf("%s without frame %d: finding %s: %s", tt.src, tt.drop, f.Code, f.Detail)
			}
		}
	}
}
