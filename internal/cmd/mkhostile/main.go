//go:build linux

// Command mkhostile writes the hostile-input corpus of issue 9: every capture,
// trust folder and triage folder that once broke siptls's promises (runs that
// end by themselves, within 256 MiB, with one clear sentence and no stack
// trace), and a manifest of the siptls runs to make on them.
//
// Usage:
//
//	go run ./internal/cmd/mkhostile -o DIR [-scale small|full] [-manifest]
//
// -scale small (the default) gives every input its shape at sizes that siptls
// reads in a few seconds in all, as go test ./internal/hostile does; -scale
// full gives the sizes of the issue (about 3.5 GB). DIR then holds the inputs,
// FIFOs, symlinks to /dev/zero, a subfolder of mode 000
// (triage-unreadable/locked: chmod it back before removing DIR), and
// manifest.json and manifest.tsv, which list for each run its name, the
// siptls arguments (paths relative to DIR), the exit statuses accepted, the
// regular expressions its output must and must not match, and its bounds.
// scripts/hostile.sh runs them and prints the table. With -manifest, only the
// manifest is written: after a change to the cases, for a corpus already there.
//
// Files are streamed; the generator's memory stays small at any scale.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/siptls/siptls/internal/hostile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mkhostile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output `folder` (required; created if missing)")
	scale := fs.String("scale", "small", "sizes: small (seconds in all) or full (issue 9's sizes)")
	manifest := fs.Bool("manifest", false, "write only the manifest (the inputs are there already)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: mkhostile -o DIR [-scale small|full] [-manifest]")
		return 2
	}
	s, err := hostile.ParseScale(*scale)
	if err != nil {
		fmt.Fprintln(stderr, "mkhostile:", err)
		return 2
	}
	if *manifest {
		if err := hostile.WriteManifest(*out, s); err != nil {
			fmt.Fprintln(stderr, "mkhostile:", err)
			return 1
		}
		return 0
	}
	begin := time.Now()
	if err := hostile.Generate(*out, s); err != nil {
		fmt.Fprintln(stderr, "mkhostile:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s corpus, %d runs in manifest.json, %.1fs\n", *out, s, len(hostile.Cases), time.Since(begin).Seconds())
	return 0
}
