package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/capgen"
	"github.com/siptls/siptls/tlsdecrypt"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    int64
		wantErr bool
	}{
		{"bytes", "5000", 5000, false},
		{"B", "5000B", 5000, false},
		{"kB", "10kB", 10000, false},
		{"MB", "200MB", 200e6, false},
		{"fraction", "1.5GB", 1.5e9, false},
		{"KiB", "4KiB", 4096, false},
		{"MiB", "1MiB", 1 << 20, false},
		{"GiB", "1GiB", 1 << 30, false},
		{"empty", "", 0, true},
		{"zero", "0MB", 0, true},
		{"negative", "-1MB", 0, true},
		{"unit only", "MB", 0, true},
		{"unknown unit", "5TB", 0, true},
		{"too big", "2000GiB", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSize(tt.input)
			if tt.wantErr {
				if !errors.Is(err, errSize) {
					t.Fatalf("got %d, %v; want errSize", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestParseLink(t *testing.T) {
	for l := capgen.Ethernet; l <= capgen.PPPoE; l++ {
		if got, ok := parseLink(l.String()); !ok || got != l {
			t.Errorf("%v: got %v, %v", l, got, ok)
		}
	}
	if _, ok := parseLink("token-ring"); ok {
		t.Error("token-ring accepted")
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantOut   string // substring of stdout
		wantErr   string // substring of stderr
		wantMagic []byte // first bytes of the file written, if any
	}{
		{"pcap", []string{"-size", "200kB", "-o", filepath.Join(dir, "a.pcap")}, 0, "a.pcap: ", "", []byte{0xd4, 0xc3, 0xb2, 0xa1}},
		{"pcapng sll seed", []string{"-size", "100kB", "-seed", "9", "-format", "pcapng", "-link", "sll", "-o", filepath.Join(dir, "b.pcapng")}, 0, "connections", "", []byte{0x0a, 0x0d, 0x0d, 0x0a}},
		{"gzip", []string{"-size", "100kB", "-gzip", "-o", filepath.Join(dir, "c.pcap.gz")}, 0, "packets", "", []byte{0x1f, 0x8b}},
		{"dense", []string{"-shape", "dense", "-size", "300kB", "-o", filepath.Join(dir, "h.pcap")}, 0, "per MB", "", []byte{0xd4, 0xc3, 0xb2, 0xa1}},
		{"dense rate", []string{"-shape", "dense", "-rate", "120", "-size", "300kB", "-o", filepath.Join(dir, "i.pcap")}, 0, "open at most", "", []byte{0xd4, 0xc3, 0xb2, 0xa1}},
		{"bad shape", []string{"-shape", "sparse", "-o", filepath.Join(dir, "j")}, 2, "", "unknown shape", nil},
		{"negative rate", []string{"-rate", "-3", "-o", filepath.Join(dir, "k")}, 2, "", "negative", nil},
		{"no output", []string{"-size", "1MB"}, 2, "", "usage", nil},
		{"extra argument", []string{"-o", filepath.Join(dir, "d"), "x"}, 2, "", "usage", nil},
		{"bad size", []string{"-size", "lots", "-o", filepath.Join(dir, "e")}, 2, "", "size must be", nil},
		{"bad format", []string{"-format", "snoop", "-o", filepath.Join(dir, "f")}, 2, "", "unknown format", nil},
		{"bad link", []string{"-link", "fddi", "-o", filepath.Join(dir, "g")}, 2, "", "unknown link", nil},
		{"bad flag", []string{"-bogus"}, 2, "", "flag provided but not defined", nil},
		{"unwritable", []string{"-size", "10kB", "-o", filepath.Join(dir, "no", "such", "dir")}, 1, "", "mkbench:", nil},
		{"keylog", []string{"-size", "100kB", "-keylog", filepath.Join(dir, "l.keys"), "-o", filepath.Join(dir, "l.pcap")}, 0, "TLS sessions in " + filepath.Join(dir, "l.keys"), "", []byte{0xd4, 0xc3, 0xb2, 0xa1}},
		{"unwritable keylog", []string{"-size", "10kB", "-keylog", filepath.Join(dir, "no", "such", "k"), "-o", filepath.Join(dir, "m.pcap")}, 1, "", "mkbench:", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stdout.String(), tt.wantOut) || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Fatalf("code %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
			}
			if tt.wantCode != 0 {
				if _, err := os.Stat(tt.args[len(tt.args)-1]); err == nil {
					t.Errorf("%s left behind", tt.args[len(tt.args)-1])
				}
			}
			if tt.wantMagic != nil {
				b, err := os.ReadFile(tt.args[len(tt.args)-1])
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(b, tt.wantMagic) {
					t.Errorf("file starts % x", b[:min(len(b), 8)])
				}
			}
		})
	}
}

// TestKeyLogDecrypts: with -keylog, siptls decrypts every connection of the
// capture that finished its handshake with the key log mkbench wrote: the
// SIP inside is read, and no session lacks its key or fails to decrypt.
func TestKeyLogDecrypts(t *testing.T) {
	dir := t.TempDir()
	capture, keys := filepath.Join(dir, "k.pcap"), filepath.Join(dir, "k.keys")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-size", "300kB", "-shape", "dense", "-keylog", keys, "-o", capture}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var kl tlsdecrypt.KeyLog
	if err := kl.Read(f, keys); err != nil {
		t.Fatal(err)
	}
	a := diagnose.NewAnalyzer(diagnose.Options{KeyLog: &kl})
	if err := a.ReadFile(capture); err != nil {
		t.Fatal(err)
	}
	var established, decrypted, withSIP int
	for _, c := range a.Result().Connections {
		if !c.HandshakeComplete {
			continue
		}
		established++
		if c.Decrypted {
			decrypted++
		}
		if len(c.SIP) > 0 && c.Alert == nil {
			withSIP++
		}
		for _, fd := range c.Findings {
			t.Errorf("connection %d: finding %s: %s", c.ID, fd.Code, fd.Detail)
		}
	}
	if established == 0 || decrypted != established || withSIP != established {
		t.Errorf("%d connections established, %d decrypted, %d with SIP", established, decrypted, withSIP)
	}
}
