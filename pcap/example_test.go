package pcap_test

import (
	"fmt"

	"github.com/siptls/siptls/pcap"
)

// printer is a Handler that prints what it receives.
type printer struct{}

func (printer) Event(ev *pcap.Event) {
	fmt.Printf("frame %d: %s %s\n", ev.Frame, ev.Dir, ev.Kind)
}

func (printer) Data(d *pcap.Data) bool {
	fmt.Printf("frames %d-%d: %s record type %d, %d bytes\n", d.FirstFrame, d.Frame, d.Dir, d.Bytes[0], len(d.Bytes))
	return true
}

func (printer) End(c *pcap.Conn, st *pcap.ConnStats) {
	fmt.Printf("end of %s -> %s: %d+%d packets\n", c.Client, c.Server, st.Packets[pcap.ClientToServer], st.Packets[pcap.ServerToClient])
}

// tlsRecords frames TLS records by their 5-byte header.
func tlsRecords(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	return 5 + (int(b[3])<<8 | int(b[4]))
}

func ExampleReadFile() {
	info, err := pcap.ReadFile("testdata/example.pcap", pcap.Options{Framer: tlsRecords}, printer{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s, %s, %d packets, %d connection\n", info.Format, info.LinkTypes[0], info.Packets, info.Conns)
	// Output:
	// frame 1: client->server SYN
	// frame 2: server->client SYN-ACK
	// frame 3: client->server handshake ACK
	// frames 4-5: client->server record type 22, 12 bytes
	// frames 6-6: server->client record type 21, 7 bytes
	// frame 7: client->server RST
	// end of 10.0.0.1:40000 -> 10.0.0.2:5061: 5+2 packets
	// pcap, Ethernet, 7 packets, 1 connection
}
