package certinfo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the testdata/golden/*.json files from Parse's output")

// opensslView reads a NAME.openssl.txt file written by testdata/gen.go:
// key=value lines from openssl x509. It returns nil for an empty file
// (openssl refused the certificate).
func opensslView(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		return nil
	}
	view := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		view[k] = v
	}
	return view
}

func testdataCerts(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "certs", "*.der"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata certificates (%v); run go run testdata/gen.go", err)
	}
	return files
}

// TestOpenSSLGolden compares Parse with the real openssl binary's output,
// recorded by testdata/gen.go, field by field, for every crafted
// certificate: repeated CNs, multi-valued RDNs, DC, emailAddress, every
// escape, control characters, UTF-8, BMPString, T61String,
// UniversalString, unknown OIDs, non-string values, very long names.
func TestOpenSSLGolden(t *testing.T) {
	compared := 0
	for _, file := range testdataCerts(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".der")
		t.Run(name, func(t *testing.T) {
			der, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			info := Parse(der)
			want := opensslView(t, strings.TrimSuffix(file, ".der")+".openssl.txt")
			if want == nil {
				t.Logf("openssl refuses %s; Parse: subject %q, parse error %q", name, info.Subject, info.ParseError)
				return
			}
			compared++
			got := map[string]string{
				"serial":    strings.ToUpper(info.Serial),
				"subject":   info.Subject,
				"issuer":    info.Issuer,
				"notBefore": info.NotBefore.Format(opensslDate),
				"notAfter":  info.NotAfter.Format(opensslDate),
			}
			for _, k := range []string{"serial", "subject", "issuer", "notBefore", "notAfter"} {
				if got[k] != want[k] {
					t.Errorf("%s:\n got  %q\n want %q (openssl)", k, got[k], want[k])
				}
			}
		})
	}
	if compared < 20 {
		t.Errorf("only %d certificates compared with openssl", compared)
	}
}

// TestParseGolden compares the JSON form of Parse's result for each
// testdata certificate with testdata/golden/NAME.json (-update rewrites).
func TestParseGolden(t *testing.T) {
	for _, file := range testdataCerts(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".der")
		t.Run(name, func(t *testing.T) {
			der, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(Parse(der), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden.Check(t, filepath.Join("testdata", "golden", name+".json"), got, *update)
		})
	}
}
