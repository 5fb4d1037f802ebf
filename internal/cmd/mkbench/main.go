// Command mkbench writes a large, realistic capture of SIP over mutual TLS
// taken on a CUCM node, for benchmarking siptls against tshark.
//
// Usage:
//
//	go run ./internal/cmd/mkbench -size 200MB -o FILE [-shape trunk|dense] [-rate N] [-seed N] [-format pcap|pcapng] [-link ethernet|sll|sll2|rawip|null|pppoe] [-gzip] [-keylog KEYFILE]
//
// The default shape, -shape trunk:
//
// Thousands of interleaved TCP connections between the capture node
// (10.10.1.11) and 16 trunk destinations on port 5061, and from phones to the
// node, each replaying a real TLS 1.2 mutual-authentication handshake recorded
// from crypto/tls, then minutes of SIP-sized application data records, then a
// close. Three destinations fail: an alert after the node's Certificate
// (10.20.3.34), a reset after it (10.20.3.35), and a refused SYN (10.20.3.36).
//
// -shape dense is handshake-dense instead: short mutual-TLS connections (a
// failing trunk retrying, phones re-registering, a load-balanced trunk opening
// one connection per call), each side sending a 4-certificate chain (leaf, two
// intermediates, root) recorded from crypto/tls, a few SIP records each, about
// 75 connections per MB. One connection in 20 fails: an alert after the node's
// Certificate (10.40.0.30), a reset after it (10.40.0.31) or a refused SYN
// (10.40.0.32). Connections start at 30 per second (about 900 open at a time);
// -rate N starts N per second instead (-rate 120: several thousand open), for
// either shape.
//
// -keylog KEYFILE makes every connection a real crypto/tls session of its own
// (TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256) carrying real SIP messages, of the
// sizes the shape gives its random records, and writes the clients' key log
// to KEYFILE (one CLIENT_RANDOM line a session), for timing siptls --keylog
// against the same capture without it. Each session costs a handshake's RSA
// signatures: a few minutes per GB for the trunk shape, more for dense. siptls
// reads at most tlsdecrypt.MaxSessions (65,536) sessions from one key log,
// fewer than a dense capture of 1 GB has (about 80,000): mkbench warns.
//
// The same flags always give the same file, except with -keylog: then the
// TLS bytes (randoms, keys, ciphertext) differ from run to run, crypto/tls
// drawing its randomness from the system, but not the connections, times,
// sizes or outcomes. Sizes take the suffixes kB, MB, GB
// (powers of 1000) and KiB, MiB, GiB (powers of 1024); the file comes out
// within a few percent of the size asked for.
//
// It prints one line with the file name, size, connections, connections per
// MB, the most open at once, packets and time taken.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/capgen"
	"github.com/siptls/siptls/tlsdecrypt"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mkbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("size", "200MB", "approximate file `size` (kB, MB, GB, KiB, MiB, GiB)")
	out := fs.String("o", "", "output `file` (required)")
	seed := fs.Uint64("seed", 1, "random `seed`")
	format := fs.String("format", "pcap", "file format: pcap or pcapng")
	link := fs.String("link", "ethernet", "link type: ethernet, sll, sll2, rawip, null or pppoe")
	gz := fs.Bool("gzip", false, "gzip the file")
	shape := fs.String("shape", "trunk", "traffic shape: trunk (long connections) or dense (short, handshake-dense)")
	rate := fs.Float64("rate", 0, "new connections per `second` (0: the shape's default)")
	keyLog := fs.String("keylog", "", "record real TLS sessions and write their key log to `file`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: mkbench -size 200MB -o FILE [-shape trunk|dense] [-rate N] [-seed N] [-format pcap|pcapng] [-link L] [-gzip] [-keylog KEYFILE]")
		return 2
	}
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(stderr, "mkbench:", err)
		return 2
	}
	opts := capgen.Options{Gzip: *gz}
	switch *format {
	case "pcap":
	case "pcapng":
		opts.Format = capgen.PCAPNG
	default:
		fmt.Fprintf(stderr, "mkbench: unknown format %q\n", *format)
		return 2
	}
	l, ok := parseLink(*link)
	if !ok {
		fmt.Fprintf(stderr, "mkbench: unknown link %q\n", *link)
		return 2
	}
	opts.Link = l
	cfg := capgen.BenchConfig{Size: n, Seed: *seed, Options: opts, Rate: *rate}
	switch *shape {
	case capgen.ShapeTrunk.String():
	case capgen.ShapeDense.String():
		cfg.Shape = capgen.ShapeDense
	default:
		fmt.Fprintf(stderr, "mkbench: unknown shape %q\n", *shape)
		return 2
	}
	if *rate < 0 {
		fmt.Fprintf(stderr, "mkbench: -rate %v is negative\n", *rate)
		return 2
	}
	begin := time.Now()
	st, err := write(*out, *keyLog, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "mkbench:", err)
		return 1
	}
	sessions := ""
	if *keyLog != "" {
		sessions = fmt.Sprintf(", %d TLS sessions in %s", st.Sessions, *keyLog)
		if st.Sessions > tlsdecrypt.MaxSessions {
			fmt.Fprintf(stderr, "mkbench: warning: %d sessions, more than siptls reads from one key log (%d): the later ones will have no key\n", st.Sessions, tlsdecrypt.MaxSessions)
		}
	}
	fmt.Fprintf(stdout, "%s: %d bytes (%.1f MB), %d connections (%d trunk, %d phone, %d failed; %.1f per MB, %d open at most), %d packets%s, %.2fs\n",
		*out, st.Bytes, float64(st.Bytes)/1e6, st.Connections, st.Trunk, st.Phone, st.Failed,
		float64(st.Connections)/(float64(st.Bytes)/1e6), st.MaxOpen, st.Packets, sessions, time.Since(begin).Seconds())
	return 0
}

// write creates name and writes the benchmark capture into it, and with
// keyLog ("" none) the key log of its sessions into that file. On an error
// neither file is left.
func write(name, keyLog string, cfg capgen.BenchConfig) (capgen.BenchStats, error) {
	f, err := os.Create(name)
	if err != nil {
		return capgen.BenchStats{}, err
	}
	var kf *os.File
	var kw *bufio.Writer
	if keyLog != "" {
		if kf, err = os.Create(keyLog); err != nil {
			f.Close()
			os.Remove(name)
			return capgen.BenchStats{}, err
		}
		kw = bufio.NewWriter(kf)
		cfg.KeyLog = kw
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	st, err := capgen.WriteBench(bw, cfg)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if kf != nil {
		if ferr := kw.Flush(); err == nil {
			err = ferr
		}
		if cerr := kf.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.Remove(name)
		if kf != nil {
			os.Remove(keyLog)
		}
	}
	return st, err
}

// errSize is returned for a size flag that does not parse.
var errSize = errors.New("size must be a positive number with an optional unit (kB, MB, GB, KiB, MiB, GiB)")

// parseSize parses "200MB", "1GiB", "5000" into bytes.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v <= 0 || v*mult > 1<<40 {
		return 0, fmt.Errorf("%w: %q", errSize, s)
	}
	return int64(v * mult), nil
}

// parseLink maps a link name to a capgen.Link.
func parseLink(s string) (capgen.Link, bool) {
	for l := capgen.Ethernet; l <= capgen.PPPoE; l++ {
		if l.String() == s {
			return l, true
		}
	}
	return 0, false
}
