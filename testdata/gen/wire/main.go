// Command wire joins two network interfaces like a cable that takes a while:
// every Ethernet frame received on one is sent out of the other after a
// fixed delay, in order. testdata/gen/netns.sh runs it in a network
// namespace between the capture node and the router, because the kernel it
// runs on may lack the netem qdisc. Linux only; needs root (AF_PACKET).
//
//	wire -delay 2ms IF1 IF2
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

type frame struct {
	due  time.Time
	data []byte
}

func main() {
	delay := flag.Duration("delay", 2*time.Millisecond, "one-way delay")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: wire [-delay D] IF1 IF2")
		os.Exit(2)
	}
	a, b := open(flag.Arg(0)), open(flag.Arg(1))
	go pump(a, b, *delay)
	pump(b, a, *delay)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// open returns an AF_PACKET socket bound to the interface.
func open(name string) int {
	ifi, err := net.InterfaceByName(name)
	check(err)
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, int(htons(syscall.ETH_P_ALL)))
	check(err)
	check(syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: htons(syscall.ETH_P_ALL), Ifindex: ifi.Index}))
	return fd
}

// pump copies the frames that arrive on from to to, each after delay.
func pump(from, to int, delay time.Duration) {
	q := make(chan frame, 4096)
	go func() {
		for f := range q {
			time.Sleep(time.Until(f.due))
			if _, err := syscall.Write(to, f.data); err != nil {
				fmt.Fprintln(os.Stderr, "wire:", err)
			}
		}
	}()
	buf := make([]byte, 1<<16)
	for {
		n, sa, err := syscall.Recvfrom(from, buf, 0)
		check(err)
		if ll, ok := sa.(*syscall.SockaddrLinklayer); ok && ll.Pkttype == syscall.PACKET_OUTGOING {
			continue // what this program sent
		}
		q <- frame{time.Now().Add(delay), append([]byte(nil), buf[:n]...)}
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "wire:", err)
		os.Exit(1)
	}
}
