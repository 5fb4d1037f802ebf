package trust

import (
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// entryNames lists a store's entries as Entry.Name gives them, with CNs.
func entryNames(s *Store) []string {
	var out []string
	for _, e := range s.Certs {
		out = append(out, e.Name()+" "+e.Info.SubjectCN)
	}
	return out
}

func skippedNames(s *Store) []string {
	var out []string
	for _, k := range s.Skipped {
		n := k.File
		if k.Part != "" {
			n += " " + k.Part
		}
		out = append(out, n)
	}
	return out
}

func file(data []byte) *fstest.MapFile { return &fstest.MapFile{Data: data, Mode: 0o644} }

func TestLoad(t *testing.T) {
	l := newLab(t)
	keyBlock := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}})
	crlBlock := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{0x30, 0x00}})
	p7PEM := pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7bOf(t, l.root, l.inter)})
	tests := []struct {
		name        string
		fsys        fstest.MapFS
		root        string
		want        []string // Entry.Name and CN, in load order
		wantSkipped []string
		wantDups    [][]string
		wantErr     any // pointer to the error type expected, or nil
	}{
		{
			name:        "PEM with three certificates and a private key",
			fsys:        fstest.MapFS{"chain.pem": file(slices.Concat(pemOf(l.ms, l.inter, l.root), keyBlock))},
			root:        ".",
			want:        []string{"chain.pem cucm8-pub.test-ms", "chain.pem#1 Test Issuing CA 1", "chain.pem#2 Test Root CA"},
			wantSkipped: []string{"chain.pem PEM block 4 (PRIVATE KEY)"},
		},
		{
			name: "DER .cer, PEM .cer, binary .crt, a CRL block",
			fsys: fstest.MapFS{
				"a.cer":     file(l.selfA.DER),
				"b.cer":     file(slices.Concat(pemOf(l.selfB), crlBlock)),
				"sub/c.crt": file(l.root.DER),
			},
			root:        ".",
			want:        []string{"a.cer cucmA.test", "b.cer cucmB.test", "sub/c.crt Test Root CA"},
			wantSkipped: []string{"b.cer PEM block 2 (X509 CRL)"},
		},
		{
			name:     "PKCS#7 DER .p7b and PEM .p7c",
			fsys:     fstest.MapFS{"bundle.p7b": file(p7bOf(t, l.root, l.inter)), "bundle.p7c": file(p7PEM)},
			root:     ".",
			want:     []string{"bundle.p7b Test Root CA", "bundle.p7b#1 Test Issuing CA 1", "bundle.p7c Test Root CA", "bundle.p7c#1 Test Issuing CA 1"},
			wantDups: [][]string{{"bundle.p7b", "bundle.p7c"}, {"bundle.p7b#1", "bundle.p7c#1"}},
		},
		{
			name: "README, empty file, garbage, broken PKCS#7, duplicate",
			fsys: fstest.MapFS{
				"README.txt":     file([]byte("Exported from cucm7-pub, ask Dave.\n")),
				"empty.pem":      file(nil),
				"garbage.der":    file([]byte{0x30, 0x82, 0xff, 0xff, 0x01}),
				"bad.p7b":        file(p7bOf(t, l.root)[:40]),
				"bad-block.pem":  file(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})),
				"cucmA.test.pem": file(pemOf(l.selfA)),
				"copy/A.der":     file(l.selfA.DER),
			},
			root:        ".",
			want:        []string{"copy/A.der cucmA.test", "cucmA.test.pem cucmA.test"},
			wantSkipped: []string{"README.txt", "bad-block.pem PEM block 1 (CERTIFICATE)", "bad.p7b", "empty.pem", "garbage.der"},
			wantDups:    [][]string{{"copy/A.der", "cucmA.test.pem"}},
		},
		{
			name: "c_rehash symlink skipped, link to a subfolder followed",
			fsys: fstest.MapFS{
				"cucmA.test.pem": file(pemOf(l.selfA)),
				"a1b2c3d4.0":     &fstest.MapFile{Data: []byte("cucmA.test.pem"), Mode: fs.ModeSymlink},
				"sub/b.pem":      file(pemOf(l.selfB)),
				"b-link.pem":     &fstest.MapFile{Data: []byte("sub/b.pem"), Mode: fs.ModeSymlink},
			},
			root:        ".",
			want:        []string{"b-link.pem cucmB.test", "cucmA.test.pem cucmA.test", "sub/b.pem cucmB.test"},
			wantSkipped: []string{"a1b2c3d4.0"},
			wantDups:    [][]string{{"b-link.pem", "sub/b.pem"}},
		},
		{
			name: "a single file as root",
			fsys: fstest.MapFS{"trust/one.pem": file(pemOf(l.selfA)), "trust/two.pem": file(pemOf(l.selfB))},
			root: "trust/one.pem",
			want: []string{"one.pem cucmA.test"},
		},
		{
			name: "a subfolder as root",
			fsys: fstest.MapFS{"trust/one.pem": file(pemOf(l.selfA)), "other/two.pem": file(pemOf(l.selfB))},
			root: "trust",
			want: []string{"one.pem cucmA.test"},
		},
		{
			name:        "no certificate at all",
			fsys:        fstest.MapFS{"README.txt": file([]byte("nothing here"))},
			root:        ".",
			wantSkipped: []string{"README.txt"},
			wantErr:     new(*NoCertificatesError),
		},
		{
			name:    "missing root",
			fsys:    fstest.MapFS{},
			root:    "nowhere",
			wantErr: new(*LoadError),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.fsys, tt.root, "10.10.1.11")
			if tt.wantErr != nil {
				if err == nil || !errors.As(err, tt.wantErr) {
					t.Fatalf("error %v (%T), want %T", err, err, tt.wantErr)
				}
				if s == nil {
					return
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := entryNames(s); !slices.Equal(got, tt.want) {
				t.Errorf("certificates\n got %q\nwant %q", got, tt.want)
			}
			if got := skippedNames(s); !slices.Equal(got, tt.wantSkipped) {
				t.Errorf("skipped\n got %q\nwant %q", got, tt.wantSkipped)
			}
			var dups [][]string
			for _, d := range s.Duplicates {
				dups = append(dups, d.Where)
			}
			if !slices.EqualFunc(dups, tt.wantDups, slices.Equal) {
				t.Errorf("duplicates\n got %q\nwant %q", dups, tt.wantDups)
			}
			for _, k := range s.Skipped {
				if k.Reason == "" {
					t.Errorf("%s: skipped without a reason", k.File)
				}
			}
			if s.Node != "10.10.1.11" {
				t.Errorf("node %q", s.Node)
			}
		})
	}
}

// TestLoadSkipReasons checks that the reasons name the problem, and that a
// broken bundle keeps the library's error.
func TestLoadSkipReasons(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{
		"key.pem":   file(slices.Concat(pemOf(l.selfA), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1}}))),
		"bad.p7b":   file(p7bOf(t, l.root)[:40]),
		"notes.txt": file([]byte("hello")),
	}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bad.p7b": "PKCS#7", "key.pem": "private key", "notes.txt": "no PEM block and not DER"}
	for _, k := range s.Skipped {
		if !strings.Contains(k.Reason, want[k.File]) {
			t.Errorf("%s: reason %q, want it to mention %q", k.File, k.Reason, want[k.File])
		}
	}
	var pe *PKCS7Error
	if k := s.Skipped[0]; k.File != "bad.p7b" || !errors.As(k.Err, &pe) {
		t.Errorf("bad.p7b: Err %v (%T), want *PKCS7Error", k.Err, k.Err)
	}
}

// TestLoadPathTestdata loads the admin's export of cucm7-pub's
// CallManager-trust from the repository's testdata, made with openssl.
func TestLoadPathTestdata(t *testing.T) {
	dir := filepath.Join("..", "testdata", "trust", "cucm7-pub-CallManager-trust")
	s, err := LoadPath(dir, "10.10.1.11")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Example_Labs_CA_bundle.p7b Example Labs Root CA",
		"Example_Labs_CA_bundle.p7b#1 Example Labs Issuing CA 1",
		"cube1.lab.der cube1.lab",
		"cucm8-pub.clus2.lab.pem cucm8-pub.clus2.lab",
		"cucm8-sub1.clus2.lab.pem cucm8-sub1.clus2.lab",
		"cucm8-sub2.clus2.lab.pem cucm8-sub2.clus2.lab",
	}
	if got := entryNames(s); !slices.Equal(got, want) {
		t.Errorf("certificates\n got %q\nwant %q", got, want)
	}
	if got := skippedNames(s); !slices.Equal(got, []string{"README.txt"}) {
		t.Errorf("skipped %q", got)
	}
	if s.Path != dir {
		t.Errorf("Path %q, want %q", s.Path, dir)
	}
	// The lab certificates in testdata/certs are what cucm7-pub's peers
	// present; the folder holds the current cucm8-pub certificate.
	one, err := LoadPath(filepath.Join("..", "testdata", "certs", "cucm8-pub.pem"), "")
	if err != nil {
		t.Fatal(err)
	}
	if e := s.Lookup(one.Certs[0].Info.SHA256); e == nil || e.File != "cucm8-pub.clus2.lab.pem" {
		t.Errorf("cucm8-pub.pem not found as cucm8-pub.clus2.lab.pem: %v", e)
	}
	if one.Path != filepath.Join("..", "testdata", "certs", "cucm8-pub.pem") || one.Certs[0].File != "cucm8-pub.pem" {
		t.Errorf("single file: Path %q File %q", one.Path, one.Certs[0].File)
	}
	// The lab keys next to the certificates are listed as skipped blocks
	// of nothing: a .key file alone holds no certificate.
	_, err = LoadPath(filepath.Join("..", "testdata", "certs", "cube1.key"), "")
	var nc *NoCertificatesError
	if !errors.As(err, &nc) || !strings.Contains(nc.Path, "cube1.key") {
		t.Errorf("cube1.key: %v, want *NoCertificatesError naming it", err)
	}
	_, err = LoadPath(filepath.Join("..", "testdata", "nowhere"), "")
	var le *LoadError
	if !errors.As(err, &le) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: %v, want *LoadError wrapping fs.ErrNotExist", err)
	}
}

// TestLoadPathSymlink checks a real c_rehash symlink on disk.
func TestLoadPathSymlink(t *testing.T) {
	l := newLab(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cucmA.test.pem"), pemOf(l.selfA), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("cucmA.test.pem", filepath.Join(dir, "5d3f1a2b.0")); err != nil {
		t.Skip("no symlinks:", err)
	}
	s, err := LoadPath(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Certs) != 1 || len(s.Duplicates) != 0 || len(s.Skipped) != 1 || s.Skipped[0].File != "5d3f1a2b.0" {
		t.Errorf("certs %q skipped %q duplicates %v", entryNames(s), skippedNames(s), s.Duplicates)
	}
}

// TestLoadOpenSSL loads files made by the openssl binary from the lab
// certificates, as an admin would convert them: a PEM PKCS#7 bundle
// (crl2pkcs7), an OpenSSL TRUSTED CERTIFICATE (x509 -trustout) and a DER
// .cer. Skipped when openssl is not installed.
func TestLoadOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	certs := filepath.Join("..", "testdata", "certs")
	dir := t.TempDir()
	run := func(out string, args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", append(args, "-out", filepath.Join(dir, out))...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, b)
		}
	}
	run("Example_Labs.p7c", "crl2pkcs7", "-nocrl", "-certfile", filepath.Join(certs, "lab-root-ca.pem"), "-certfile", filepath.Join(certs, "lab-issuing-ca.pem"))
	run("cube1-trusted.pem", "x509", "-in", filepath.Join(certs, "cube1.pem"), "-trustout", "-addtrust", "clientAuth")
	run("cucm8-pub.cer", "x509", "-in", filepath.Join(certs, "cucm8-pub.pem"), "-outform", "DER")
	s, err := LoadPath(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Example_Labs.p7c":   "lab-root-ca.pem",
		"Example_Labs.p7c#1": "lab-issuing-ca.pem",
		"cube1-trusted.pem":  "cube1.pem",
		"cucm8-pub.cer":      "cucm8-pub.pem",
	}
	got := map[string]string{}
	for _, e := range s.Certs {
		got[e.Name()] = e.Info.SHA256
	}
	for name, src := range want {
		ref, err := LoadPath(filepath.Join(certs, src), "")
		if err != nil {
			t.Fatal(err)
		}
		if got[name] != ref.Certs[0].Info.SHA256 {
			t.Errorf("%s: SHA-256 %q, want that of %s", name, got[name], src)
		}
	}
	if len(s.Certs) != len(want) || len(s.Skipped) != 0 {
		t.Errorf("certificates %q, skipped %q", entryNames(s), skippedNames(s))
	}
}

// TestStoreLookups checks the indexes built at load.
func TestStoreLookups(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{
		"a.pem":     file(pemOf(l.selfA, l.selfAOld)),
		"a-dup.der": file(l.selfA.DER),
		"cn.pem":    file(pemOf(l.selfACN)),
	}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	if e := s.Lookup(strings.ToUpper(l.selfA.SHA256)); e == nil || e.Name() != "a-dup.der" {
		t.Errorf("Lookup: %v, want the first copy a-dup.der", e)
	}
	if e := s.Lookup(l.selfB.SHA256); e != nil {
		t.Errorf("Lookup of a stranger: %v", e)
	}
	var got []string
	for _, e := range s.BySubjectCN("CUCMA.TEST") {
		got = append(got, e.Name())
	}
	if want := []string{"a-dup.der", "a.pem#1", "cn.pem"}; !slices.Equal(got, want) {
		t.Errorf("BySubjectCN %q, want %q", got, want)
	}
	if n := len(s.Unique()); n != 3 || len(s.Certs) != 4 {
		t.Errorf("%d unique of %d certificates, want 3 of 4", n, len(s.Certs))
	}
}
