package main

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// expectedFile is the machine-readable list of every connection in every capture and
// the verdict siptls must give it (written next to the captures).
const expectedFile = "expected.tsv"

const expectedHeader = "# file\tclient\tserver\tverdict\treason\tdetail\t[flags]\n" +
	"# Written by testdata/gen: one row per TCP connection (in the order added), or per bad input file (client and server \"-\", verdict \"error\").\n" +
	"# flags (optional, the same on every row of a file): the siptls analyze flags the rows hold under, e.g. --any-port; without them, port 5061 only.\n" +
	"# Verdict \"-\" (reason other_traffic): a TCP connection that must not be a Connection at all under those flags (counted in captures[].other_connections)."

// expectRow records the verdict of one connection of file.
func (g *gen) expectRow(file, client, server string, v verdict) {
	cols := []string{file, client, server, v.Verdict, v.Reason, v.Detail}
	if f := g.flags[file]; f != "" {
		cols = append(cols, f)
	}
	g.rows = append(g.rows, strings.Join(cols, "\t"))
	g.rebuilt[file] = true
}

// writeExpected merges this run's rows into testdata/expected.tsv: rows of files this
// run rebuilt are replaced, the others kept (so -only keeps the file whole).
func (g *gen) writeExpected() error {
	path := filepath.Join(g.out, expectedFile)
	var keep []string
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			file, _, _ := strings.Cut(line, "\t")
			if !g.rebuilt[file] {
				keep = append(keep, line)
			}
		}
		f.Close()
	}
	rows := append(keep, g.rows...)
	// Sort by file only, keeping each file's rows in the order they were added.
	sort.SliceStable(rows, func(i, j int) bool {
		fi, _, _ := strings.Cut(rows[i], "\t")
		fj, _, _ := strings.Cut(rows[j], "\t")
		return fi < fj
	})
	return os.WriteFile(path, []byte(expectedHeader+"\n"+strings.Join(rows, "\n")+"\n"), 0o644)
}
