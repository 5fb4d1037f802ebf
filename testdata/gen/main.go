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
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// gen holds one run's settings and the identities it loaded.
type gen struct {
	out        string // testdata directory
	tmp        string // scratch directory for OpenSSL files
	opensslBin string
	newCerts   bool
	verbose    bool
	ids        map[string]*identity
	baseConv   *capgen.Conversation
}

// output is one file (or folder) the generator writes.
type output struct {
	name string
	make func(g *gen) error
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	g := &gen{}
	fs.StringVar(&g.out, "out", "testdata", "directory to write into (the repository's testdata)")
	fs.StringVar(&g.opensslBin, "openssl", "openssl", "openssl binary")
	fs.BoolVar(&g.newCerts, "newcerts", false, "make new keys and certificates instead of reusing testdata/certs")
	fs.BoolVar(&g.verbose, "v", false, "print what each TLS stack reported")
	only := fs.String("only", "", "comma-separated `names` (or path.Match patterns) of the outputs to rebuild")
	list := fs.Bool("list", false, "list the output names and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	outs := outputs()
	if *list {
		for _, o := range outs {
			fmt.Println(o.name)
		}
		return nil
	}
	bin, err := exec.LookPath(g.opensslBin)
	if err != nil {
		return fmt.Errorf("openssl is required (s_server, s_client, req, ca): %w", err)
	}
	g.opensslBin = bin
	if st, err := os.Stat(g.out); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a directory: run from the repository root or pass -out", g.out)
	}
	if g.out, err = filepath.Abs(g.out); err != nil {
		return err
	}
	if g.tmp, err = os.MkdirTemp("", "siptls-gen-"); err != nil {
		return err
	}
	defer os.RemoveAll(g.tmp)

	var selected []output
	for _, o := range outs {
		if *only == "" || matchAny(*only, o.name) {
			selected = append(selected, o)
		}
	}
	if len(selected) == 0 {
		return fmt.Errorf("-only %q matches no output (see -list)", *only)
	}
	start := time.Now()
	if err := g.loadIdentities(); err != nil {
		return err
	}
	var errs []error
	for _, o := range selected {
		t0 := time.Now()
		if err := o.make(g); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.name, err))
			fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", o.name, err)
			continue
		}
		fmt.Printf("%-48s %6.2fs\n", o.name, time.Since(t0).Seconds())
	}
	fmt.Printf("%d outputs in %.1fs\n", len(selected), time.Since(start).Seconds())
	return errors.Join(errs...)
}

func matchAny(patterns, name string) bool {
	for _, p := range strings.Split(patterns, ",") {
		p = strings.TrimSpace(p)
		if ok, _ := path.Match(p, name); ok || p == name {
			return true
		}
	}
	return false
}
