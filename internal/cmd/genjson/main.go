// Command genjson writes triage/json_gen.go and report/json_gen.go: the
// AppendJSON methods that encode siptls's hot JSON types without
// reflection, byte for byte as encoding/json does (package
// internal/jsongen writes them).
//
// triage/jsongen.go and report/jsongen.go run it through go generate:
//
//	go generate ./triage ./report
//
// The generator reads the types by reflection, so it is built from the
// package it writes into: if a change to a type leaves the old
// json_gen.go not compiling, delete json_gen.go first (neither package
// calls its own generator). TestJSONGenUpToDate in each fails while the
// file differs from what genjson would write.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
)

func main() {
	out := flag.String("o", "json_gen.go", "the file to write")
	pkg := flag.String("pkg", "triage", "the package whose file it is: triage or report")
	flag.Parse()
	gen := map[string]func() ([]byte, error){"triage": triage.GenerateJSON, "report": report.GenerateJSON}[*pkg]
	if gen == nil {
		fmt.Fprintf(os.Stderr, "genjson: -pkg %q: want triage or report\n", *pkg)
		os.Exit(2)
	}
	src, err := gen()
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genjson:", err)
		os.Exit(1)
	}
}
