package diagnose

import (
	"testing"

	"github.com/siptls/siptls/pcap"
)

// TestEventKinds checks the Kind of each timeline event, which writers
// colour by: an encrypted alert is an EventAlert although its text does not
// begin with "alert".
func TestEventKinds(t *testing.T) {
	c := run(t, pcap.RoleFromSYN, steps(tcpOpen(), []step{c2s(clientHello()), s2c(serverHello()), s2c(ccs), s2c(encAlert), rst(pcap.ClientToServer), fin(pcap.ServerToClient)}), 0)
	want := map[string]EventKind{
		"SYN": EventTCP, "SYN-ACK": EventTCP, "ACK (TCP connection established)": EventTCP,
		"ChangeCipherSpec": EventTLS, "encrypted alert": EventAlert, "RST": EventRST, "FIN": EventFIN,
	}
	seen := map[string]bool{}
	for _, e := range c.Events {
		if k, ok := want[e.What]; ok {
			seen[e.What] = true
			if e.Kind != k {
				t.Errorf("%q: kind %d, want %d", e.What, e.Kind, k)
			}
		}
	}
	for what := range want {
		if !seen[what] {
			t.Errorf("no event %q in %+v", what, c.Events)
		}
	}
}
