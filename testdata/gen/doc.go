// Command gen rebuilds the end-to-end test captures in testdata/: certificates,
// packet captures of real TLS handshakes between Go's crypto/tls and OpenSSL, bad
// input files and the CallManager-trust folder.
//
// Run it from the repository root:
//
//	go run ./testdata/gen               # everything
//	go run ./testdata/gen -only ok-tls13.pcap,sample-cucm-trunk.cap
//	go run ./testdata/gen -list         # names that -only accepts
//	go run ./testdata/gen -newcerts     # also make new keys and certificates
//
// Every TLS byte comes from a real stack. Go clients and servers run in-process over
// loopback TCP, with their writes recorded; `openssl s_server` and `openssl s_client`
// run as subprocesses on 127.0.0.1 ephemeral ports with a recording relay between them.
// The recorded writes, flight by flight in the order they were written, become
// capgen.Conversations between the lab addresses (10.10.1.11 = cucm7-pub, where the
// capture is taken) with fixed, realistic times starting at 2026-11-20T14:03:00Z.
// TCP-level facts no TLS stack decides (refused or unanswered SYNs, a reset after a
// certificate, captures that start or end mid-connection, snaplen 128, reordering and
// loss) are scripted around the real bytes with the capgen Writer and its mangles.
//
// Keys and certificates are kept in testdata/certs and reused, so a rerun changes only
// the TLS randoms and signatures in the captures; -newcerts replaces them (validity is
// fixed relative to the capture time, not today). OpenSSL (openssl in PATH, or -openssl)
// is required; the generator stops with an error when it is missing.
//
// Flags:
//
//	-only names   comma-separated output names or path.Match patterns (see -list)
//	-list         print the output names
//	-newcerts     make new keys and certificates (captures must then all be rebuilt)
//	-v            print the alerts and errors each TLS stack reported
//	-out dir      the testdata directory (default "testdata")
//	-openssl path the openssl binary (default "openssl" in PATH)
//
// testdata/gen/verify.sh prints tshark's view of every capture (handshake messages,
// alerts, certificates, cut packets, TCP analysis notes); testdata/README.md lists every
// file with its provenance and the verdict it must produce.
package main
