// Command siptls explains why SIP over TLS fails, from a packet capture.
//
// It reads a capture taken on a Cisco CUCM node, a CUBE gateway or any host
// (pcap or pcapng, plain or gzip-compressed; Ethernet with or without VLAN
// tags, Linux cooked SLL and SLL2, raw IP, BSD loopback, PPPoE; IPv4 and IPv6),
// reassembles every TCP connection on the SIP TLS port (5061 unless --port or
// --any-port say otherwise), parses the TLS handshake of both directions and
// prints one verdict per connection with the frames that prove it.
//
// Usage:
//
//	siptls analyze [flags] FILE...
//	siptls triage [flags] PATH...      (many captures merged: which destination fails, how often, why)
//	siptls version
//	siptls completion bash|zsh|fish|powershell
//
// Take the capture on CUCM with the full packet size (the default, size=128,
// cuts every packet and hides the certificates):
//
//	utils network capture eth0 file NAME count 100000 size all port 5061
//	file get activelog platform/cli/NAME.cap
//
// With --trust FOLDER (the capture node's exported CallManager-trust
// certificates), --trust-for IP=FOLDER (another node's), --node IP and
// --expect-name NAMES, every presented chain is judged by the trust folder of
// the node that received it, at capture time: exact_match, chains_to,
// stale_copy, missing_intermediate or untrusted, naming the file to upload or
// replace. Without a folder, a server whose CertificateRequest names the
// client certificate's issuer (its own name, self-signed) and then rejects
// that certificate gets the finding stale_copy_likely: a likely older copy.
//
// On a terminal (a Windows console too) the text report's sentences wrap to
// its width; to a file or a pipe each stays on one line.
//
// The capture node, whose folder --trust is, is told from the capture: the
// one address at an end of every connection; else its packets' initial TTL
// against a routed peer's, its own TCP checksums left wrong by transmit
// offload, its kernel's microsecond answers against the peer's round trips;
// else which end's certificate the --trust folder or --expect-name knows as
// the peer's. --node overrides. When the signals disagree or none speaks,
// the capture line says the node could not be told, and --trust judges the
// certificates of both ends.
//
// With --html FILE, analyze and triage also write one self-contained HTML
// report to attach to a support case: each capture with its SHA-256, the
// verdict banner, the destination and pair tables, a ladder diagram of every
// connection that is not ok (and of a sample of ok ones), each certificate
// with its trust verdict and PEM. It has no script and loads nothing.
//
// Verdicts: ok, failed, refused, no_answer, incomplete, truncated and not_tls;
// each comes with a reason code (fatal_alert, reset_during_handshake,
// closed_after_handshake, ...) and one sentence in CUCM terms. Counts and
// triage's sentences name each verdict as itself: "failed" is that verdict
// only; refused, no_answer and not_tls also count as failed calls ("one call
// in N fails", "most likely to blame"); incomplete and truncated connections
// (such as sessions already open when the capture began) cannot be judged and
// never count as failures. A connection open before the capture started is
// incomplete (midstream) whatever happens on it; a close after a finished
// handshake is failed (closed_after_handshake) only when it comes within 2 s
// and the server had asked for the client's certificate, else ok (idle_close,
// closed_without_data); a connection cut short by --max-conns or --max-buffer
// is incomplete (cap_hit), never failed. Out-of-order segments are held until
// the hole fills; a hole costs only the TLS record it falls in, and the whole
// certificates around it are still shown. The JSON output
// (--format json) follows the schema "siptls/v1" documented in
// docs/json-schema.md.
//
// Exit status: 0 when every connection is ok, 1 when any is not, 2 on bad
// usage or unreadable input: any capture file, folder or subfolder given to
// triage, or --trust path, file or subfolder that could not be read, with
// a sentence on standard error naming the path and the reason.
package main
