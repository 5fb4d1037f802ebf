//go:build linux

package hostile

import "time"

// Bounds every run must stay within (issue 9, "Done when").
const (
	MaxRSS       = 256 << 20        // peak resident set size, bytes
	MaxTime      = 5 * time.Second  // wall time of one run
	MaxTimeFlood = 30 * time.Second // wall time of a run on a 1M-connection flood
)

// Forbidden matches what no run may ever print: a Go stack trace or runtime
// crash.
const Forbidden = `goroutine \d|panic:|fatal error|runtime\.|\.go:\d+`

// Case is one run of siptls on one hostile input.
type Case struct {
	Name  string   // unique, for test names and the script's table
	Input string   // the row of issue 9's table it comes from
	Args  []string // siptls arguments; paths are relative to the corpus folder, the run's working directory
	Exit  []int    // exit statuses accepted
	// Match and NoMatch are regular expressions the run's standard output
	// and standard error together must match and must not match ("" for
	// none). Forbidden and control characters are checked for every case.
	Match, NoMatch string
	MaxRSS         int64 // peak RSS bound, bytes
	// SmallMaxRSS, when set, is the bound go test applies on the small
	// corpus instead: tighter, for inputs that must be read in flat memory,
	// so that the small tier catches what only the full size shows against
	// MaxRSS.
	SmallMaxRSS int64
	MaxTime     time.Duration // wall time bound
	// NonRoot marks a case that only means something for a user other than
	// root (root reads a folder of mode 000): skipped when run as root.
	NonRoot bool
}

// Cases is the table of runs, in the order of issue 9's table.
var Cases = []Case{
	{Name: "syn-flood", Input: "SYNs to 5061, never answered", Args: []string{"analyze", "syn-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "syn-flood-max-conns", Input: "SYNs to 5061, never answered", Args: []string{"analyze", "--max-conns", "1000", "syn-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "syn-flood-jobs", Input: "SYNs to 5061, never answered", Args: []string{"analyze", "--jobs", "2", "syn-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "syn-flood-triage", Input: "SYNs to 5061, never answered", Args: []string{"triage", "-q", "syn-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "syn-flood-html", Input: "SYNs to 5061, never answered", Args: []string{"analyze", "--html", "out/syn-flood.html", "syn-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "handshake-flood", Input: "connections with SYN, SYN-ACK, ACK, ClientHello", Args: []string{"analyze", "handshake-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "handshake-flood-jobs", Input: "connections with SYN, SYN-ACK, ACK, ClientHello", Args: []string{"analyze", "--jobs", "2", "handshake-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "handshake-flood-triage", Input: "connections with SYN, SYN-ACK, ACK, ClientHello", Args: []string{"triage", "-q", "handshake-flood.pcap"}, Exit: []int{1}, MaxTime: MaxTimeFlood},
	{Name: "close-flood", Input: "connections opened and closed at once, as a connect scan", Args: []string{"analyze", "close-flood.pcap"}, Exit: []int{0, 1}, MaxTime: MaxTimeFlood},
	{Name: "close-flood-jobs", Input: "connections opened and closed at once, as a connect scan", Args: []string{"analyze", "--jobs", "2", "close-flood.pcap"}, Exit: []int{0, 1}, MaxTime: MaxTimeFlood},
	{Name: "close-flood-triage", Input: "connections opened and closed at once, as a connect scan", Args: []string{"triage", "-q", "close-flood.pcap"}, Exit: []int{0, 1}, MaxTime: MaxTimeFlood},
	{Name: "same-subject-triage", Input: "distinct certificates with one subject, triage", Args: []string{"triage", "-q", "same-subject.pcap"}, Exit: []int{1}},
	{Name: "same-subject", Input: "distinct certificates with one subject", Args: []string{"analyze", "same-subject.pcap"}, Exit: []int{1}},
	{Name: "stuck-handshake", Input: "300 connections stuck in an unfinished 1 MiB handshake message", Args: []string{"analyze", "--max-buffer", "32768", "stuck-handshake.pcap"}, Exit: []int{1}},
	{Name: "cert-forever", Input: "one connection sending Certificate messages for ever", Args: []string{"analyze", "cert-forever.pcap"}, Exit: []int{1}},
	{Name: "cert-forever-json", Input: "one connection sending Certificate messages for ever", Args: []string{"analyze", "--format", "json", "cert-forever.pcap"}, Exit: []int{1}},
	{Name: "epb-1000mb", Input: "pcapng Enhanced Packet Block declaring 1,000 MB", Args: []string{"analyze", "epb-1000mb.pcapng"}, Exit: []int{2}, Match: `epb-1000mb\.pcapng`, SmallMaxRSS: 32 << 20},
	{Name: "nrb-flood", Input: "pcapng Name Resolution Blocks", Args: []string{"analyze", "nrb-flood.pcapng"}, Exit: []int{1}, SmallMaxRSS: 64 << 20},
	// Reading every interface, or refusing a section with more than a bound
	// (exit 2, naming the file, as main does beyond 65,536), both keep the promise.
	{Name: "interfaces", Input: "pcapng with 100,000 interfaces interleaved with packets", Args: []string{"analyze", "interfaces.pcapng"}, Exit: []int{1, 2}, Match: `connections|interfaces\.pcapng`},
	{Name: "ooo-snaplen", Input: "out-of-order segments cut by the snaplen", Args: []string{"analyze", "ooo-snaplen.pcap"}, Exit: []int{1}},
	{Name: "trust-devzero-folder", Input: "trust folder holding a symlink to /dev/zero", Args: []string{"analyze", "--trust", "trust-zero", "ok.pcap"}, Exit: []int{0}, Match: `zero\.pem:? +a device`},
	{Name: "trust-devzero-file", Input: "--trust /dev/zero", Args: []string{"analyze", "--trust", "/dev/zero", "ok.pcap"}, Exit: []int{2}, Match: `/dev/zero`},
	{Name: "certs-devzero", Input: "certs /dev/zero", Args: []string{"certs", "/dev/zero"}, Exit: []int{2}, Match: `/dev/zero`},
	{Name: "certs-devzero-folder", Input: "trust folder holding a symlink to /dev/zero, certs", Args: []string{"certs", "trust-zero"}, Exit: []int{0}, Match: `zero\.pem:? +a device`},
	{Name: "trust-fifo", Input: "symlink to a FIFO in a trust folder", Args: []string{"analyze", "--trust", "trust-fifo", "ok.pcap"}, Exit: []int{0}, Match: `fifo\.pem:? +a named pipe`},
	{Name: "certs-fifo", Input: "symlink to a FIFO in a trust folder, certs", Args: []string{"certs", "trust-fifo"}, Exit: []int{0}, Match: `fifo\.pem:? +a named pipe`},
	{Name: "triage-fifo", Input: "FIFO named x.pcap in a folder given to triage", Args: []string{"triage", "-q", "triage-fifo"}, Exit: []int{2}, Match: `x\.pcap`},
	{Name: "cut-after-header", Input: "pcap cut right after a 16-byte record header", Args: []string{"analyze", "cut-after-header.pcap"}, Exit: []int{2}, Match: `cut-after-header\.pcap.*(?i:cut off|truncated)`},
	{Name: "random-5061", Input: "random bytes on 5061", Args: []string{"analyze", "random-5061.pcap"}, Exit: []int{1}, Match: `not_tls`, NoMatch: `closed_during_handshake`},
	{Name: "live-max-conns", Input: "--max-conns 50 with 300 live connections", Args: []string{"analyze", "--max-conns", "50", "live.pcap"}, Exit: []int{1}, Match: `(?m)^300 connections`, NoMatch: `ended during the handshake`},
	{Name: "caplen-0", Input: "a caplen-0 record", Args: []string{"analyze", "caplen0.pcap"}, Exit: []int{0}, NoMatch: `cut by the snap`},
	{Name: "overlap-conflict", Input: "conflicting overlapping segments", Args: []string{"analyze", "overlap.pcap"}, Exit: []int{0, 1}, Match: `(?i)overlap`},
	{Name: "bad-utf8-verbose", Input: "invalid UTF-8 with byte 0x9B in an SNI or issuer", Args: []string{"analyze", "-v", "bad-utf8.pcap"}, Exit: []int{1}, Match: `\\x9b`},
	{Name: "bad-utf8-extract", Input: "invalid UTF-8 with byte 0x9B in an SNI or issuer, extract", Args: []string{"extract", "--out", "out/extract", "bad-utf8.pcap"}, Exit: []int{0}},
	{Name: "unreadable-subfolder", Input: "an unreadable subfolder given to triage", Args: []string{"triage", "-q", "triage-unreadable"}, Exit: []int{2}, Match: `locked`, NonRoot: true},
}

func init() {
	for i := range Cases {
		c := &Cases[i]
		if c.MaxRSS == 0 {
			c.MaxRSS = MaxRSS
		}
		if c.MaxTime == 0 {
			c.MaxTime = MaxTime
		}
	}
}
