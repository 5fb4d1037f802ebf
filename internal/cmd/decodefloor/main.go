// Command decodefloor reads a capture as fast as gopacket can decode it, with
// no flows, reassembly or TLS: the floor under which siptls analyze cannot go
// on one core. scripts/bench.sh times it beside siptls.
//
// Usage:
//
//	go run ./internal/cmd/decodefloor FILE...
//
// Each FILE is pcap or pcapng (told by its first bytes), Ethernet or raw IP.
// It reads packets with pcapgo's ZeroCopyReadPacketData and decodes Ethernet,
// 802.1Q, IPv4, IPv6, TCP and UDP with one gopacket.DecodingLayerParser whose
// layers are preallocated, and counts packets, TCP segments, TCP payload bytes
// and connection attempts (SYN without ACK). It prints one line per file:
//
//	FILE: 1234567 packets, 1200000 tcp, 180000000 payload bytes, 14457 syn
//
// It exits 2 on a file it cannot read. It is a measuring tool: it is the
// module's one gopacket user outside package pcap, so it must not grow into a
// second reader.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: decodefloor FILE...")
		return 2
	}
	for _, name := range args {
		c, err := countFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "decodefloor: %s: %v\n", name, err)
			return 2
		}
		fmt.Fprintf(stdout, "%s: %d packets, %d tcp, %d payload bytes, %d syn\n", name, c.Packets, c.TCP, c.Payload, c.SYN)
	}
	return 0
}

// Counts is what one file held.
type Counts struct {
	Packets int64 // packet records
	TCP     int64 // TCP segments decoded
	Payload int64 // TCP payload bytes
	SYN     int64 // SYN without ACK: connection attempts
}

// packetReader is what pcapgo's Reader and NgReader have in common.
type packetReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	LinkType() layers.LinkType
}

// countFile opens name and counts its packets.
func countFile(name string) (Counts, error) {
	f, err := os.Open(name)
	if err != nil {
		return Counts{}, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		return Counts{}, fmt.Errorf("reading the file header: %w", err)
	}
	var r packetReader
	if magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a {
		r, err = pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
	} else {
		r, err = pcapgo.NewReader(br)
	}
	if err != nil {
		return Counts{}, err
	}
	return count(r)
}

// errLinkType is returned for a link type other than Ethernet or raw IP.
var errLinkType = errors.New("link type is neither Ethernet nor raw IP")

// count decodes every packet r returns.
func count(r packetReader) (Counts, error) {
	var (
		eth   layers.Ethernet
		dot1q layers.Dot1Q
		ip4   layers.IPv4
		ip6   layers.IPv6
		tcp   layers.TCP
		udp   layers.UDP
		pay   gopacket.Payload
	)
	var first gopacket.LayerType
	switch r.LinkType() {
	case layers.LinkTypeEthernet:
		first = layers.LayerTypeEthernet
	case layers.LinkTypeRaw, layers.LinkTypeIPv4:
		first = layers.LayerTypeIPv4
	default:
		return Counts{}, fmt.Errorf("%w: %v", errLinkType, r.LinkType())
	}
	p := gopacket.NewDecodingLayerParser(first, &eth, &dot1q, &ip4, &ip6, &tcp, &udp, &pay)
	p.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	var c Counts
	for {
		data, _, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			return c, nil
		}
		if err != nil {
			return c, err
		}
		c.Packets++
		// Truncated or odd packets are counted and skipped, as a reader would.
		_ = p.DecodeLayers(data, &decoded)
		for _, t := range decoded {
			if t == layers.LayerTypeTCP {
				c.TCP++
				c.Payload += int64(len(tcp.Payload))
				if tcp.SYN && !tcp.ACK {
					c.SYN++
				}
			}
		}
	}
}
