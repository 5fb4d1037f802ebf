package diagnose

import (
	"testing"

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
