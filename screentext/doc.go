// Package screentext reads the text CUCM's `utils network capture` prints on
// the screen when it runs without `file`: tcpdump's one-line output, which
// engineers paste into a file and send instead of a capture. Such text
// cannot show TLS (no certificates, alerts or versions), but it still
// answers the TCP questions: which destinations were tried, which answered
// the SYN, which refused it, which never answered, who closed or reset an
// established connection, and how a trunk spread its calls over its
// destinations.
//
// Read (or ReadFile) takes the text line by line from an io.Reader, plain or
// gzip compressed, with a cap on the length of a line (Options.MaxLine). It
// accepts both tcpdump syntaxes: tcpdump 4.1 and later
// (`14:03:00.210000 IP 10.10.1.11.38211 > 10.20.1.21.5061: Flags [S], seq
// 792114523, win 64240, options [...], length 0`) and the tcpdump 3.x of CUCM
// 7 and 8 (`13:31:51.787879 IP CUCM7-PUB.bbbburns.lab.37448 >
// cucm8-pub.bbbburns.lab.5061: S 3618047650:3618047650(0) win 5840 <...>`),
// IPv4 and IPv6, addresses (-n) or host names, port numbers or the service
// names of /etc/services (sip-tls), times of day with or without a date
// (-tttt), and the interface and direction of -i any. The CUCM header
// (`Executing command with options:` and its key=value lines) and tcpdump's
// banners and counts are counted as such; any other line is counted as
// unreadable, and the first MaxExamples are named by line number with their
// LineProblem. Read never panics on any input (FuzzRead).
//
// Lines are grouped into connections by their two ends. The client is the
// sender of the SYN; without a SYN, the receiver of a SYN-ACK, else the side
// whose port is not a server port (Options.Ports, default 5061), else the
// side with the higher port (Roles says which rule decided). A SYN with the
// client's first sequence number again is a retransmission; another SYN on
// the same ends starts a new connection. Each connection gets a Verdict,
// with the words and meanings of siptls's verdicts for captures where they
// apply:
//
//	established  the server answered with a SYN-ACK; Reason open, closed
//	             (FIN) or reset (RST), and EndedBy the side that did it
//	refused      the SYN was answered by a RST (syn_reset)
//	no_answer    the SYN was sent again, or the text goes on 3 s after it,
//	             and nothing came back (syn_unanswered)
//	incomplete   the text cannot tell: it ends right after a single SYN
//	             (capture_ended), or starts in the middle of the connection
//	             (midstream)
//
// A SYN-ACK shows only that TCP got through. When the server then ends the
// connection (FIN or RST) within PromptClose (2 s) of its SYN-ACK, as a
// node that rejects a certificate or a subject name does,
// Connection.ServerEndedSoon says so: a hint, counted per destination, and
// named in the load-balancing sentences when every connection to one
// destination ends so and the others' do not.
//
// Every verdict carries its evidence: the line numbers and times of the
// SYNs, the SYN-ACK, the first FIN and RST of each side, and the first and
// last line.
//
// Analyze sums up one or more texts: per destination (server host:port) and
// per client host, the counts of attempts, answers, refusals, unanswered
// SYNs and resets (Destination, Counts), and per client host how it spread
// its connections over the destinations, in turn or not (Spread). Write
// writes the analysis as text, as JSON (schema siptls/v1 with source
// "screen_text", docs/json-schema.md) or as NDJSON; WriteHTML as a
// self-contained page. Each names the CUCM commands that take a capture
// file, which shows what screen text cannot (HowToCapture). Sentences are
// made by the writers (Sentence, Patterns) from the typed facts.
//
// Sniff and SniffFile tell screen text from other files from their first
// SniffLen bytes, as the capture reader (package pcap) does before it
// refuses such a file with ProblemScreenText: `siptls analyze` reads a file
// with this package when every input is screen text.
package screentext
