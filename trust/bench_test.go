package trust

import (
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
)

// benchFolder is a trust folder of n certificates as a big cluster's
// CallManager-trust looks: n-2 self-signed CallManager certificates, one per
// file, and the Test Root CA and Issuing CA in a .p7b. It also returns the
// presented chains to judge: every other stored certificate (exact_match),
// CA-signed leaves with the intermediate (chains_to), regenerated
// certificates (stale_copy) and strangers (untrusted).
func benchFolder(b *testing.B, l *lab, n int) (fstest.MapFS, [][]*certinfo.Info) {
	b.Helper()
	m := fstest.MapFS{"Test_CA_bundle.p7b": file(p7bOf(b, l.root, l.inter))}
	var chains [][]*certinfo.Info
	for i := range n - 2 {
		cn := fmt.Sprintf("cucm%03d.bench.lab", i)
		c, _ := makeCert(b, certSpec{cn: cn, org: "Bench", serial: int64(1000 + i), from: labFrom, to: labTo, ca: true, ku: kuCUCM, eku: ekuBoth, dns: []string{cn}})
		m[cn+".pem"] = file(pemOf(c))
		switch i % 4 {
		case 0, 1:
			chains = append(chains, []*certinfo.Info{c})
		case 2: // regenerated since the export
			nc, _ := makeCert(b, certSpec{cn: cn, org: "Bench", serial: int64(5000 + i), from: labFrom, to: labTo, ca: true, ku: kuCUCM, eku: ekuBoth, dns: []string{cn}})
			chains = append(chains, []*certinfo.Info{nc})
		case 3: // CA-signed replacement sent with its intermediate
			leaf, _ := makeCert(b, certSpec{cn: cn + "-ms", org: "Bench", serial: int64(9000 + i), from: labFrom, to: labTo, ku: kuLeaf, eku: ekuBoth, dns: []string{cn}, parent: l.inter.Cert, parentKey: l.interKey})
			chains = append(chains, []*certinfo.Info{leaf, l.inter})
		}
	}
	chains = append(chains, []*certinfo.Info{l.selfB}, []*certinfo.Info{l.otherLeaf, l.otherRoot})
	return m, chains
}

// BenchmarkLoad500 loads a folder of 500 certificates.
func BenchmarkLoad500(b *testing.B) {
	m, _ := benchFolder(b, newLab(b), 500)
	b.ReportAllocs()
	for b.Loop() {
		s, err := Load(m, ".", "10.10.1.11")
		if err != nil || len(s.Certs) != 500 {
			b.Fatal(err, len(s.Certs))
		}
	}
}

// BenchmarkJudge100k judges 100,000 presented chains (the ~500 distinct
// chains of a busy trunk group, repeated, at capture times spread over
// an hour) against a folder of 500 certificates; one op is the 100,000
// judgements, the store loaded once.
func BenchmarkJudge100k(b *testing.B) {
	m, chains := benchFolder(b, newLab(b), 500)
	s, err := Load(m, ".", "10.10.1.11")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		counts := map[Status]int{}
		for i := range 100000 {
			at := captureTime.Add(time.Duration(i) * 36 * time.Millisecond)
			counts[s.Judge(chains[i%len(chains)], at, diagnose.Side(i%2)).Status]++
		}
		if len(counts) != 4 {
			b.Fatalf("statuses %v", counts)
		}
	}
}

// BenchmarkJudgeUncached is one judgement without the cache: what the first
// sight of a chain costs (crypto/x509 Verify with 500 roots).
func BenchmarkJudgeUncached(b *testing.B) {
	l := newLab(b)
	m, _ := benchFolder(b, l, 500)
	s, err := Load(m, ".", "10.10.1.11")
	if err != nil {
		b.Fatal(err)
	}
	chain := []*certinfo.Info{l.ms, l.inter}
	b.ReportAllocs()
	for b.Loop() {
		if r := s.judgeTrust(chain, captureTime); r.status != StatusChainsTo {
			b.Fatal(r.status)
		}
	}
}
