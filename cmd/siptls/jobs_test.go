package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeJobs: analyze --jobs N writes the same report as one job, in
// every format, for every capture in testdata (decrypted with its key log
// when it has one) and for all of them read in one run.
func TestAnalyzeJobs(t *testing.T) {
	chdirRoot(t)
	var files []string
	for _, pat := range []string{"testdata/*.pcap", "testdata/*.pcapng", "testdata/*.cap", "testdata/*.gz"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("%d captures in testdata", len(files))
	}
	type run struct {
		name string
		args []string
	}
	runs := []run{{"all captures", files}}
	for _, f := range files {
		args := []string{f}
		if keys := strings.TrimSuffix(f, filepath.Ext(f)) + ".keys"; fileExists(keys) {
			args = []string{"--keylog", keys, f}
		}
		runs = append(runs, run{f, args})
	}
	formats := [][]string{{"-v"}, {"--format", "json"}, {"--format", "ndjson", "-v"}}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			for _, format := range formats {
				args := append(append([]string{}, format...), r.args...)
				code1, out1, err1 := runAnalyze(t, append([]string{"--jobs", "1"}, args...)...)
				for _, jobs := range []string{"2", "3"} {
					code, out, errOut := runAnalyze(t, append([]string{"--jobs", jobs}, args...)...)
					if code != code1 || out != out1 || errOut != err1 {
						t.Errorf("%s --jobs %s: exit %d, %d bytes out, stderr %q; with one job %d, %d bytes, %q\n%s",
							strings.Join(format, " "), jobs, code, len(out), errOut, code1, len(out1), err1, firstDiff(out, out1))
					}
				}
			}
		})
	}
	// the HTML report of all of them
	dir := t.TempDir()
	var pages []string
	for _, jobs := range []string{"1", "3"} {
		page := filepath.Join(dir, "jobs"+jobs+".html")
		runAnalyze(t, append([]string{"--jobs", jobs, "--html", page, "--trust", "testdata/trust/cucm7-pub-CallManager-trust"}, files...)...)
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, string(b))
	}
	if pages[0] != pages[1] || len(pages[0]) < 10000 {
		t.Errorf("--html with 3 jobs differs from one job (%d and %d bytes)\n%s", len(pages[1]), len(pages[0]), firstDiff(pages[1], pages[0]))
	}
	if code, _, errOut := runAnalyze(t, "--jobs", "0", files[0]); code != exitTrouble || !strings.Contains(errOut, "--jobs must be from 1 to 64, not 0") {
		t.Errorf("--jobs 0: exit %d, stderr %q", code, errOut)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// firstDiff shows where a and b first differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return "got:  ..." + a[from:min(len(a), i+200)] + "\nwant: ..." + b[from:min(len(b), i+200)]
}
