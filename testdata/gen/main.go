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
	g2Conv     *capgen.Conversation // the G2 chain session (bigchain.go)
	rows       []string             // expected.tsv rows of this run
	rebuilt    map[string]bool      // files this run wrote rows for
	flags      map[string]string    // siptls analyze flags a file's rows hold under (expected.tsv column 7)
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
	g := &gen{rebuilt: map[string]bool{}, flags: map[string]string{}}
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
	if err := g.writeExpected(); err != nil {
		errs = append(errs, err)
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
