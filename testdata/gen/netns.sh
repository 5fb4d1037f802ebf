#!/bin/sh
# netns.sh: rebuild the two captures that real Linux kernels made, for the
# capture-node signals (TTL, checksum offload, reaction time), which the
# generator's synthetic packets cannot show:
#
#   testdata/node-same-subnet-offload.pcap
#       cucm8-pub (10.20.1.21, OpenSSL s_client) calls cucm7-pub (10.10.1.11,
#       OpenSSL s_server -Verify 1 -verify_return_error -rev): mutual TLS 1.2,
#       one line of SIP each way (the server sends it back reversed), close.
#       Both ends are on one subnet (10.0.0.0/8, one veth pair): TTL 64 both
#       ways. The capture is taken on cucm7-pub's interface, which keeps
#       transmit-checksum offload on (the veth default, as vmxnet3 on a CUCM
#       VM), so its own outgoing TCP checksums are wrong in its capture;
#       cucm8-pub's interface has it off, so its segments carry their real
#       checksums, as a peer's do on the wire. No delay: reaction times are
#       loopback-fast and tell nothing.
#   testdata/node-routed-client-side.pcap
#       cucm7-pub (10.10.1.11/24, s_client) calls cucm8-pub (10.20.1.21/24,
#       s_server -Verify 1 -verify_return_error -rev) through a router
#       namespace (10.10.1.1, 10.20.1.1). Between cucm7-pub and the router, a
#       "wire" namespace passes each Ethernet frame on after 2 ms
#       (testdata/gen/wire, since the kernel may lack netem): a 4 ms round
#       trip. The capture is taken on cucm7-pub, the client: its packets leave
#       with TTL 64, cucm8-pub's arrive with 63. Offloads are off on every
#       interface (ethtool -K DEV tx off), so every checksum is right and only
#       the TTL and the reaction times tell the node.
#
# Run from anywhere as root (it creates network namespaces named siptls-*,
# veth pairs and a delaying wire process, and removes them when done):
#   sudo sh testdata/gen/netns.sh
# Needs ip (iproute2), ethtool, tcpdump, openssl (3.0 or later, for
# s_client -bind) and go; tshark and capinfos for the summary at the end. The client
# ports are fixed (42000 and 40300) so that testdata/expected.tsv keeps its
# rows (written by hand: `go run ./testdata/gen` keeps rows of files it does
# not make). The certificates are testdata/certs, verified at the real time
# of the run. Tests never run this script; they read the committed files.
set -eu
cd "$(dirname "$0")/../.."
certs=testdata/certs
P=siptls-
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for n in node wire rtr peer; do ip netns del "$P$n" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

nsx() { ns=$1; shift; ip netns exec "$P$ns" "$@"; }

# bg NS CMD...: start CMD in namespace NS in the background; $bg_pid is its
# process (ip netns exec execs it), which cleanup kills.
bg() {
	ns=$1
	shift
	ip netns exec "$P$ns" "$@" &
	bg_pid=$!
	pids="$pids $bg_pid"
}

# start_capture FILE: tcpdump on the node's interface, whole packets, port 5061.
start_capture() {
	bg node tcpdump -Z root --immediate-mode -i n0 -s 0 -U -w "$1" 'tcp port 5061' 2>/dev/null
	tcpdump_pid=$bg_pid
	sleep 1
}

stop_capture() {
	sleep 1
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" 2>/dev/null || true
}

# server NS CERT PEER_CERT: one mutual-TLS 1.2 connection on port 5061,
# each line the client sends comes back reversed.
server() {
	bg "$1" openssl s_server -accept 5061 -tls1_2 -cert "$certs/$2.pem" -key "$certs/$2.key" \
		-Verify 1 -verify_return_error -CAfile "$certs/$3.pem" -rev -naccept 1 >/dev/null 2>&1
	server_pid=$bg_pid
	sleep 1
}

# client NS CERT PEER_CERT LOCAL REMOTE: one SIP line, wait for the answer, close.
client() {
	(printf 'OPTIONS sip:%s SIP/2.0\r\n' "$5"; sleep 1) |
		nsx "$1" openssl s_client -connect "$5" -bind "$4" -tls1_2 -cert "$certs/$2.pem" -key "$certs/$2.key" \
			-CAfile "$certs/$3.pem" -verify_return_error -brief -no_ign_eof >/dev/null 2>&1
	wait "$server_pid" 2>/dev/null || true
}

veth() { # veth NS1 DEV1 NS2 DEV2
	ip link add "$2" netns "$P$1" type veth peer name "$4" netns "$P$3"
	nsx "$1" ip link set "$2" up
	nsx "$3" ip link set "$4" up
}

wire=$(mktemp)
go build -o "$wire" ./testdata/gen/wire
cleanup
# (a) one subnet, checksum offload on the capture node
for n in node peer; do ip netns add "$P$n"; nsx $n ip link set lo up; done
veth node n0 peer p0
nsx node ip addr add 10.10.1.11/8 dev n0
nsx peer ip addr add 10.20.1.21/8 dev p0
nsx peer ethtool -K p0 tx off >/dev/null
start_capture testdata/node-same-subnet-offload.pcap
server node cucm7-pub cucm8-pub
client peer cucm8-pub cucm7-pub 10.20.1.21:42000 10.10.1.11:5061
stop_capture
cleanup

# (b) a routed peer, the capture on the client, offloads off
for n in node wire rtr peer; do
	ip netns add "$P$n"
	nsx $n ip link set lo up
	nsx $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
veth node n0 wire w0
veth wire w1 rtr r0
veth rtr r1 peer p0
nsx node ip addr add 10.10.1.11/24 dev n0
nsx node ip route add default via 10.10.1.1
nsx rtr ip addr add 10.10.1.1/24 dev r0
nsx rtr ip addr add 10.20.1.1/24 dev r1
nsx rtr sysctl -qw net.ipv4.ip_forward=1
nsx peer ip addr add 10.20.1.21/24 dev p0
nsx peer ip route add default via 10.20.1.1
nsx node ethtool -K n0 tx off >/dev/null
nsx wire ethtool -K w0 tx off >/dev/null
nsx wire ethtool -K w1 tx off >/dev/null
nsx rtr ethtool -K r0 tx off >/dev/null
nsx rtr ethtool -K r1 tx off >/dev/null
nsx peer ethtool -K p0 tx off >/dev/null
nsx wire ip link set w0 promisc on
nsx wire ip link set w1 promisc on
bg wire "$wire" -delay 2ms w0 w1
start_capture testdata/node-routed-client-side.pcap
server peer cucm8-pub cucm7-pub
client node cucm7-pub cucm8-pub 10.10.1.11:40300 10.20.1.21:5061
stop_capture
cleanup
rm -f "$wire"
trap - EXIT INT TERM

# What tshark sees: TTL and checksum status per direction.
for f in testdata/node-same-subnet-offload.pcap testdata/node-routed-client-side.pcap; do
	echo "$f: $(capinfos -c -M "$f" | awk -F': *' '/Number of packets/{print $2}') packets"
	tshark -r "$f" -o tcp.check_checksum:TRUE -T fields -e ip.src -e ip.ttl -e tcp.checksum.status 2>/dev/null |
		sort | uniq -c | awk '{print "  " $2 " TTL " $3 " checksum " ($4 == 1 ? "good" : $4 == 0 ? "bad" : "unverified") " x" $1}'
done
