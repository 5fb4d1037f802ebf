// Command genjson writes triage/json_gen.go: the AppendJSON methods that
// encode siptls's hot JSON types without reflection, byte for byte as
// encoding/json does (package internal/jsongen writes them).
//
// It calls the methods of package trust's results (trust/json_gen.go,
// written first by trust's own test:
//
//	go test ./trust -run TestJSONGenUpToDate -update
//
// ), and triage/jsongen.go runs it through go generate:
//
//	go generate ./triage
//
// report/json_gen.go, the ndjson records' methods, which call those of
// triage, is written next by report's own test:
//
//	go test ./report -run TestJSONGenUpToDate -update
//
// The generator reads the types by reflection, so it is built from the
// package it writes into: if a change to a type leaves the old
// json_gen.go not compiling, delete json_gen.go first (triage itself does
// not call it; only package report does). triage's TestJSONGenUpToDate
// fails while the file differs from what genjson would write.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/siptls/siptls/triage"
)

func main() {
	out := flag.String("o", "json_gen.go", "the file to write")
	flag.Parse()
	src, err := triage.GenerateJSON()
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genjson:", err)
		os.Exit(1)
	}
}
