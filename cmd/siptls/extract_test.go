package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/siptls/siptls/triage"
)

// TestExtract writes the certificates of two real captures and checks that
// every file holds the certificate index.json says, named after its CN; when
// two different certificates share a CN (the RSA and ECDSA CallManager
// certificates of the same node), the one presented last has the plain name
// and the other CN.serial-<8 hex>.pem.
func TestExtract(t *testing.T) {
	chdirRoot(t)
	out := t.TempDir()
	ios, _, stdout, stderr := Test()
	code := Main([]string{"extract", "testdata/sample-cucm-trunk.cap", "testdata/ok-tls12-ecdsa-go.pcap", "--out", out}, ios)
	if code != 0 {
		t.Fatalf("exit status %d, stderr %q", code, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(out, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx triage.ExtractIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	files := map[string]*triage.ExtractedCertificate{}
	total := 0
	for _, c := range idx.Certificates {
		files[c.File] = c
		total += c.Presented
		b, err := os.ReadFile(filepath.Join(out, c.File))
		if err != nil {
			t.Fatal(err)
		}
		block, rest := pem.Decode(b)
		if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
			t.Fatalf("%s is not one PEM certificate", c.File)
		}
		sum := sha256.Sum256(block.Bytes)
		if hex.EncodeToString(sum[:]) != c.SHA256 {
			t.Errorf("%s holds another certificate than index.json says", c.File)
		}
		if len(c.PresentedBy) == 0 || c.PresentedBy[0].Frame == 0 {
			t.Errorf("%s: no connection listed", c.File)
		}
	}
	for _, cn := range []string{"cucm7-pub.clus1.lab", "cucm8-pub.clus2.lab"} {
		var current, older *triage.ExtractedCertificate
		for name, c := range files {
			switch {
			case name == cn+".pem":
				current = c
			case strings.HasPrefix(name, cn+".serial-"):
				older = c
				if name != cn+".serial-"+c.Serial[:8]+".pem" {
					t.Errorf("%s is not named after its own serial %s", name, c.Serial)
				}
			}
		}
		if current == nil || older == nil || current.SHA256 == older.SHA256 || older.LastSeen.After(current.LastSeen.Time) {
			t.Errorf("%s: the plain name must hold the certificate presented last, the other its serial; files %v", cn, keys(files))
		}
	}
	if files["cube1.lab.pem"] == nil {
		t.Errorf("no cube1.lab.pem among %v", keys(files))
	}
	// 11 TLS connections in the sample present 2 certificates each, the ECDSA capture 1 connection.
	if total != 2*11+2 {
		t.Errorf("certificates presented %d times in all, want %d", total, 2*11+2)
	}
	if !strings.Contains(stdout.String(), "certificates written to") {
		t.Errorf("stdout %q", stdout)
	}
}

func keys[V any](m map[string]V) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

// TestExtractFlags checks how flags reach the options.
func TestExtractFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want ExtractOptions
	}{
		{"out", []string{"--out", "certs/", "a.cap"}, ExtractOptions{Inputs: []string{"a.cap"}, Out: "certs/", MaxSeen: 100}},
		{"short out, ports", []string{"-o", "certs/", "--port", "5062", "--any-port", "a.cap", "b.pcapng"},
			ExtractOptions{Inputs: []string{"a.cap", "b.pcapng"}, Out: "certs/", Ports: []uint{5062}, AnyPort: true, MaxSeen: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ios := parseFlags(t, newCmdExtract, tt.args)
			if got.IO != ios {
				t.Error("the factory's streams did not reach the options")
			}
			g := *got
			g.IO = nil
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", g, tt.want)
			}
		})
	}
}
