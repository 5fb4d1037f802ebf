package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/triage"
)

// certsToday is the date the golden files were made for.
var certsToday = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// runCerts runs `siptls certs args...` with a fixed date and returns the
// exit code, stdout and stderr.
func runCerts(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCmd(certsToday, append([]string{"certs"}, args...)...)
}

// TestCertsGolden compares the inventory of cucm7-pub's CallManager-trust
// export (PEM per CN, a DER file, a .p7b made by openssl, a README) and of a
// hostile folder (escape sequences and a bidi override in the CN and SAN, a
// duplicate, a README with an escape) with golden files, in text and JSON.
func TestCertsGolden(t *testing.T) {
	chdirRoot(t)
	for _, tt := range []struct{ name, path string }{
		{"certs-cucm7-pub-trust", "testdata/trust/cucm7-pub-CallManager-trust"},
		{"certs-hostile", "cmd/siptls/testdata/certs-hostile"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, text, stderr := runCerts(t, tt.path)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit status %d, stderr %q", code, stderr)
			}
			if strings.ContainsAny(text, "\x1b\x07\u202e") {
				t.Errorf("text output carries raw control characters")
			}
			checkGolden(t, tt.name+".golden.txt", []byte(text))
			checkJSONGolden(t, tt.name+".golden.json", func(args ...string) (int, string, string) {
				code, out, errOut := runCerts(t, args...)
				if code != exitOK {
					t.Fatalf("%v: exit status %d", args, code)
				}
				return code, out, errOut
			}, false, tt.path)
		})
	}
}

// TestCertsRun checks exit codes, error messages and the JSON fields over
// several paths.
func TestCertsRun(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStores []string
		wantCerts  int
		wantErrs   []string // substrings of stderr, in order
	}{
		{"a folder and a file", []string{"testdata/trust/cucm7-pub-CallManager-trust", "testdata/certs/cube1.pem"}, exitOK,
			[]string{"testdata/trust/cucm7-pub-CallManager-trust", "testdata/certs/cube1.pem"}, 7, nil},
		{"a missing path beside a good one", []string{"testdata/nowhere", "testdata/certs/cube1.pem"}, exitTrouble,
			[]string{"testdata/certs/cube1.pem"}, 1, []string{"siptls: cannot read testdata/nowhere: no such file or directory"}},
		{"only a key file", []string{"testdata/certs/cube1.key"}, exitTrouble,
			[]string{"testdata/certs/cube1.key"}, 0, []string{"siptls: no certificate in testdata/certs/cube1.key"}},
		{"nothing at all", []string{"testdata/nowhere", "testdata/README.md"}, exitTrouble,
			[]string{"testdata/README.md"}, 0, []string{"cannot read testdata/nowhere", "no certificate in testdata/README.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCerts(t, append([]string{"--format", "json"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			var rep triage.CertsReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var stores []string
			n := 0
			for _, s := range rep.Stores {
				stores = append(stores, s.Path)
				n += len(s.Certificates)
			}
			if !slices.Equal(stores, tt.wantStores) || n != tt.wantCerts {
				t.Errorf("stores %q with %d certificates, want %q with %d", stores, n, tt.wantStores, tt.wantCerts)
			}
			rest := stderr
			for _, w := range tt.wantErrs {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr %q lacks %q", stderr, w)
				}
				rest = rest[i+len(w):]
			}
			if len(tt.wantErrs) == 0 && stderr != "" {
				t.Errorf("stderr %q", stderr)
			}
			if len(rep.Errors) != len(tt.wantErrs) {
				t.Errorf("errors %v, want %d", rep.Errors, len(tt.wantErrs))
			}
		})
	}
}

func TestCertsFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want CertsOptions
	}{
		{"defaults", []string{"trust/"}, CertsOptions{Paths: []string{"trust/"}, Format: "text"}},
		{"json, two paths", []string{"--format", "json", "trust/", "a.pem"}, CertsOptions{Paths: []string{"trust/", "a.pem"}, Format: "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ios := parseFlags(t, newCmdCerts, tt.args)
			if got.IO != ios || got.Now == nil || !got.Now().Equal(goldenToday) || !slices.Equal(got.Paths, tt.want.Paths) || got.Format != tt.want.Format {
				t.Errorf("options %+v, want %+v", *got, tt.want)
			}
		})
	}
}
