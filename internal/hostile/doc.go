// Package hostile is the hostile-input tier of issue 9: captures, trust
// folders and triage folders built to break siptls's promises, and the runs
// that check them. Every run must end by itself with exit status 0, 1 or 2,
// print no stack trace and no raw control character or invalid UTF-8, stay
// within 256 MiB of peak RSS and 5 s (30 s for the 1M-connection floods), and
// say what its case expects (Case.Match, Case.NoMatch).
//
// Generate writes the inputs and a manifest of the runs (manifest.json and
// manifest.tsv) at one of two scales: Small, the same shapes at sizes that
// siptls reads in seconds, for go test; Full, the sizes of the issue, for
// scripts/hostile.sh, which prints the table the closing note needs.
// The command internal/cmd/mkhostile calls Generate.
//
// The inputs: SYN and ClientHello floods; thousands of distinct certificates
// with one subject; connections stuck in an unfinished 1 MiB handshake
// message; a connection sending Certificate messages for ever; pcapng files
// with an Enhanced Packet Block declaring 1,000 MB, with Name Resolution
// Blocks by the hundred megabytes and with an interface per packet (pcapng
// blocks are written by hand, so that they can be malformed; pcap files go
// through gopacket's pcapgo); out-of-order segments cut by the snap length; a
// trust folder with a symlink to /dev/zero and one to a FIFO; a triage folder
// with a FIFO named x.pcap and one with a subfolder of mode 000; a pcap cut
// right after a record header; random bytes on 5061; 300 live connections for
// --max-conns 50; a caplen-0 record; conflicting overlapping segments; byte
// 0x9B (8-bit CSI) in an SNI, a subject and an issuer. Certificates are real
// X.509 certificates from crypto/x509, all signed by one Ed25519 key, so the
// corpus is the same bytes on every run. The TLS messages are built by hand:
// only their framing matters, no handshake is cryptographically sound.
//
// TestHostile runs the Cases in subprocesses: through a wrapper (the test
// binary itself) that caps the address space at 4 GiB and reports wait4's
// ru_maxrss and CPU time, because a child started by os/exec shares its
// parent's memory until exec and its ru_maxrss would count the test's. The
// time bound is checked against CPU time, and a run is killed at three
// times its bound. Every case runs; only the one that needs an unreadable
// folder is skipped when run as root, who reads any folder.
//
// The package builds on Linux only (FIFOs, wait4's ru_maxrss in KiB,
// RLIMIT_AS, /dev/zero); elsewhere go test ./... passes it by.
package hostile
