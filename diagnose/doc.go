// Package diagnose turns the TCP connections and TLS records that package pcap
// finds in a capture into one verdict per connection, with its evidence.
//
// An Analyzer implements pcap.Handler. For each connection it keeps a short
// timeline (frame number, capture time, which side, what happened), parses the
// TLS records of both directions with package tlsparse, reads the certificates
// each side presents with package certinfo, and, when the connection ends,
// decides a Verdict and a Reason code and writes one sentence in the words of a
// CUCM engineer that cites the frames it rests on.
//
// Verdicts:
//
//   - ok: the handshake finished and application data flowed both ways.
//   - failed: a fatal alert, a reset or a close during the handshake, or a
//     close right after it before any application data came back.
//   - refused: the SYN was answered by a RST (nothing listens on the port).
//   - no_answer: the SYN was never answered (firewall or routing).
//   - incomplete: the capture cannot tell (it starts or ends mid-handshake, or
//     a gap hides the deciding bytes).
//   - truncated: the packets were cut by the capture's snap length, as
//     CUCM's default "size 128" does; capture again with "size all".
//   - not_tls: the bytes on the connection are not TLS.
//
// Each Connection also carries NodeEvidence: per side, the TTL, the TCP
// checksums and the reaction times that package pcap measured. A
// NodeFinder weighs them over a capture, with what package trust says
// (NodeVote), and decides the capture node (CaptureNode): the signal that
// named it and its values, or why it could not be told. It is the one
// place that decides; cmd uses its decision both to judge certificates
// with the node's trust folder and for the report.
//
// To bound memory, the analyzer stops buffering a direction once the handshake
// is over and application data was seen in it; from then on package pcap only
// counts bytes and reports FIN and RST. Each distinct certificate is parsed
// once (certinfo.Cache).
package diagnose
