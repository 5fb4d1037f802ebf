package diagnose

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/corpus"
)

// tsharkRow is one line of expected.tsv.
type tsharkRow struct {
	file, client, server, direction, pos string
	serial, subject, issuer, notBefore   string
	notAfter, frame, derLen, sha256      string
	decrypted                            bool
	line                                 int
}

func readExpected(t *testing.T) []tsharkRow {
	t.Helper()
	f, err := os.Open(corpus.File(t, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []tsharkRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "#") || strings.HasPrefix(text, "file\t") || text == "" {
			continue
		}
		col := strings.Split(text, "\t")
		if len(col) != 15 {
			t.Fatalf("expected.tsv line %d: %d columns, want 15", line, len(col))
		}
		rows = append(rows, tsharkRow{
			file: col[0], client: col[2], server: col[3], direction: col[4], pos: col[5],
			serial: col[6], subject: col[7], issuer: col[8], notBefore: col[9], notAfter: col[10],
			frame: col[11], derLen: col[12], sha256: col[13], decrypted: col[14] == "yes", line: line,
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// certKey identifies a certificate on a connection as expected.tsv does.
func certKey(file, client, server, dir, pos, frame string) string {
	return strings.Join([]string{file, client, server, dir, pos, frame}, "|")
}

// TestTsharkAgreement checks that for every certificate tshark shows in the
// public corpus, siptls reports the same serial, subject, issuer, validity,
// frame, length and fingerprint on the same connection and side.
// Certificates that tshark could only show by decrypting TLS 1.3 with keys
// embedded in the file are not visible to a passive reader and are counted apart.
func TestTsharkAgreement(t *testing.T) {
	rows := readExpected(t)
	files := map[string]bool{}
	for _, r := range rows {
		files[r.file] = true
	}
	got := map[string]Certificate{}
	for file := range files {
		a := NewAnalyzer(Options{AnyPort: true})
		_ = a.ReadFile(corpus.File(t, file)) // damaged files still yield what came before
		for _, c := range a.Result().Connections {
			for _, cert := range c.Certificates {
				k := certKey(file, c.Client.String(), c.Server.String(), cert.SentBy.String(), fmt.Sprint(cert.Index), fmt.Sprint(cert.Frame))
				got[k] = cert
			}
		}
	}
	agreed, decrypted := 0, 0
	for _, r := range rows {
		if r.decrypted {
			decrypted++ // TLS 1.3, read with the key log the capture embeds
		}
		k := certKey(r.file, r.client, r.server, r.direction, r.pos, r.frame)
		cert, ok := got[k]
		if !ok {
			t.Errorf("expected.tsv line %d: %s: no %s certificate #%s in frame %s on %s -> %s", r.line, r.file, r.direction, r.pos, r.frame, r.client, r.server)
			continue
		}
		i := cert.Info
		var diffs []string
		check := func(field, want, got string) {
			if want != got {
				diffs = append(diffs, fmt.Sprintf("%s: tshark/openssl %q, siptls %q", field, want, got))
			}
		}
		if r.serial == "UNPARSEABLE" {
			if i.ParseError == "" {
				diffs = append(diffs, "openssl could not parse it, siptls reports no parse error")
			}
		} else {
			check("serial", strings.ToLower(r.serial), i.Serial)
			check("subject", r.subject, i.Subject)
			check("issuer", r.issuer, i.Issuer)
			check("not_before", r.notBefore, i.NotBefore.UTC().Format("2006-01-02 15:04:05Z"))
			check("not_after", r.notAfter, i.NotAfter.UTC().Format("2006-01-02 15:04:05Z"))
		}
		if r.serial == "UNPARSEABLE" {
			// tshark exports the bytes its BER dissector consumed before the
			// exception, not the certificate entry the TLS framing carries: in
			// malformed-cert-der-incomplete-truncated-file.pcap the entry's
			// certificate length is 9 and tshark exports 8 bytes of it.
			if n, _ := strconv.Atoi(r.derLen); len(i.DER) < n {
				diffs = append(diffs, fmt.Sprintf("der_len: tshark %d, siptls %d (shorter)", n, len(i.DER)))
			}
		} else {
			check("der_len", r.derLen, fmt.Sprint(len(i.DER)))
			check("sha256", r.sha256, i.SHA256)
		}
		if len(diffs) > 0 {
			t.Errorf("expected.tsv line %d: %s frame %s %s #%s:\n\t%s", r.line, r.file, r.frame, r.direction, r.pos, strings.Join(diffs, "\n\t"))
			continue
		}
		agreed++
	}
	t.Logf("tshark agreement: %d of %d certificates agree field for field, %d of them TLS 1.3 ones decrypted with the capture's embedded key log", agreed, len(rows), decrypted)
}

// TestTsharkAgreementTestdata checks siptls against tshark on the
// repository's own captures (testdata/): every certificate tshark shows,
// with out-of-order reassembly on, siptls shows too, with the same bytes
// (SHA-256) and in the same frame. siptls may show more: around a hole
// tshark drops a whole Certificate message where siptls keeps each
// certificate whose bytes are all present.
func TestTsharkAgreementTestdata(t *testing.T) {
	if testing.Short() {
		t.Skip("runs tshark on every capture")
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is not installed (.ci/run installs it)")
		}
		t.Skip("tshark not installed")
	}
	files, _ := filepath.Glob("../testdata/*.pcap*")
	files2, _ := filepath.Glob("../testdata/*.cap")
	files = append(files, files2...)
	compared := 0
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasPrefix(name, "bad-") {
			continue
		}
		a := NewAnalyzer(Options{AnyPort: true})
		_ = a.ReadFile(path)
		ours := map[string]bool{}
		for _, c := range a.Result().Connections {
			for _, cert := range c.Certificates {
				ours[fmt.Sprintf("%d %s", cert.Frame, cert.Info.SHA256)] = true
			}
		}
		out, err := exec.Command("tshark", "-n", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE",
			"-Y", "tls.handshake.certificate", "-T", "fields", "-e", "frame.number", "-e", "tls.handshake.certificate",
			"-E", "occurrence=a", "-E", "aggregator=,").Output()
		if err != nil {
			t.Errorf("%s: tshark: %v", name, err)
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			frame, certs, ok := strings.Cut(line, "\t")
			if !ok {
				continue
			}
			for _, h := range strings.Split(certs, ",") {
				der, err := hex.DecodeString(strings.ReplaceAll(h, ":", ""))
				if err != nil {
					t.Fatalf("%s frame %s: %v", name, frame, err)
				}
				sum := sha256.Sum256(der)
				k := frame + " " + hex.EncodeToString(sum[:])
				if !ours[k] {
					t.Errorf("%s: tshark shows a certificate in frame %s (sha256 %x) that siptls does not", name, frame, sum[:6])
				}
				compared++
			}
		}
	}
	if compared == 0 {
		t.Fatal("tshark showed no certificate in testdata")
	}
	t.Logf("%d certificates tshark shows in testdata/ are all shown by siptls in the same frame", compared)
}
