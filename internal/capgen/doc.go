// Package capgen turns scripted TCP conversations carrying real TLS bytes into
// real capture files, for test fixtures and benchmarks.
//
// A Conversation lists what each end wrote and when (SYN, SYN+ACK, data, FIN,
// RST). PacketsOf cuts it into TCP segments as a Linux stack would send them:
// SYN options (MSS, SACK-permitted, timestamps, window scale), data cut at the
// MSS with PSH on the last segment of each write, delayed ACKs from the
// receiver, timestamps on every segment. A Mangle can then reorder, duplicate,
// drop or overlap segments, delay one past the peer's ACK that covers it,
// capture one twice (a span port), retransmit one with newer acknowledgement
// and timestamps, or cut the capture short, to make the cases a reassembler
// must handle.
//
// A Writer frames the packets (Ethernet with optional 802.1Q/QinQ tags, Linux
// cooked v1 and v2, raw IP, BSD loopback, PPPoE; IPv4 or IPv6 from the
// addresses; correct IP and TCP checksums) and writes pcap or pcapng, little-
// or big-endian, micro- or nanosecond, optionally gzipped, optionally cut at a
// snapshot length. Packets of all conversations are merged by timestamp.
// Output depends only on the input: no clock, no randomness.
//
// (The benchmark capture generator lives beside it; see internal/cmd/mkbench.)
package capgen
