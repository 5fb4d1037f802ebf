package certinfo

import (
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/corpus"
)

// TestPublicCaptures checks Parse against openssl's view (expected.tsv) of
// every certificate in the public real captures: serial, subject, issuer
// and validity dates, and a ParseError for the one blob openssl refuses.
func TestPublicCaptures(t *testing.T) {
	tsv := corpus.File(t, "expected.tsv")
	rows, err := readExpected(tsv)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("expected.tsv has no rows")
	}
	found, err := extractCertificates(corpus.Dir(t), rows)
	if err != nil {
		t.Fatal(err)
	}
	if *useTshark {
		for _, r := range rows {
			if found[r.sha] == nil {
				if err := tsharkCertificates(corpus.File(t, r.file), found); err != nil {
					t.Fatalf("tshark %s: %v", r.file, err)
				}
			}
		}
	}
	checked, missing, refused := 0, 0, 0
	for _, r := range rows {
		der := found[r.sha]
		if der == nil {
			missing++
			if !r.decrypted {
				t.Errorf("%s chain %s: certificate %s not found in the capture", r.file, r.chainPos, r.sha[:12])
			}
			continue
		}
		checked++
		info := Parse(der)
		if info.ParseError != "" {
			refused++
			t.Logf("%s chain %s: crypto/x509 refused: %s", r.file, r.chainPos, info.ParseError)
		}
		if r.serial == "UNPARSEABLE" {
			if info.ParseError == "" {
				t.Errorf("%s chain %s: openssl refuses it, Parse accepted it", r.file, r.chainPos)
			}
			continue
		}
		name := r.file + "/" + r.direction + "/" + r.chainPos
		cmp := func(field, got, want string) {
			if got != want {
				t.Errorf("%s %s:\n got  %q\n want %q", name, field, got, want)
			}
		}
		cmp("serial", strings.ToUpper(info.Serial), r.serial)
		cmp("subject", info.Subject, r.subject)
		cmp("issuer", info.Issuer, r.issuer)
		cmp("not_before", info.NotBefore.Format(opensslDate), r.notBefore)
		cmp("not_after", info.NotAfter.Format(opensslDate), r.notAfter)
	}
	t.Logf("%d rows: %d checked (%d refused by crypto/x509 and read by the fallback), %d not visible without tshark", len(rows), checked, refused, missing)
}

// opensslDate is openssl's -dateopt iso_8601 layout.
const opensslDate = "2006-01-02 15:04:05Z"
