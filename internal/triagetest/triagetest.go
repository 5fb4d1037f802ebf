package triagetest

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/pcap"
)

// T0 is the fixed start of every test connection.
func T0() time.Time { return time.Date(2026, 11, 20, 14, 3, 0, 0, time.UTC) }

// Conn makes a connection of capture cap from client to server.
func Conn(capture int, id uint64, client, server string, start time.Duration, isn uint32, v diagnose.Verdict, alert string, leaf *certinfo.Info) *diagnose.Connection {
	c := &diagnose.Connection{Capture: capture, ID: id, Client: netip.MustParseAddrPort(client), Server: netip.MustParseAddrPort(server),
		Start: T0().Add(start), End: T0().Add(start + time.Second), StartFrame: id * 10, EndFrame: id*10 + 9, Verdict: v,
		ClientISN: isn, ISNKnown: isn != 0}
	switch {
	case v == diagnose.VerdictOK:
		c.Reason = diagnose.ReasonApplicationData
	case alert != "":
		c.Reason = diagnose.ReasonFatalAlert
		c.Alert = &diagnose.Alert{Level: 2, Code: 48, Name: alert, SentBy: diagnose.Server, Frame: id*10 + 5}
	default:
		c.Reason = diagnose.ReasonResetDuringHandshake
	}
	if leaf != nil {
		c.Certificates = []diagnose.Certificate{{SentBy: diagnose.Server, Info: leaf, Time: c.Start}}
	}
	return c
}

// Cert is a certificate with the given SHA-256, serial and common name,
// valid from a year before T0 to a year after.
func Cert(sha, serial, cn string) *certinfo.Info {
	return &certinfo.Info{SHA256: sha, Serial: serial, SubjectCN: cn, Subject: "CN=" + cn,
		NotBefore: T0().AddDate(-1, 0, 0), NotAfter: T0().AddDate(1, 0, 0)}
}

// Infos are n captures named c0.pcap, c1.pcap...
func Infos(n int) []*pcap.CaptureInfo {
	var out []*pcap.CaptureInfo
	for i := 0; i < n; i++ {
		out = append(out, &pcap.CaptureInfo{Path: fmt.Sprintf("c%d.pcap", i)})
	}
	return out
}
