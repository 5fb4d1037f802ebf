package trust

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
)

func checkCodes(cs []Check) []CheckCode {
	var out []CheckCode
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func TestJudge(t *testing.T) {
	l := newLab(t)
	// files holds the certificate files a trust folder of a case can hold.
	files := map[string][]byte{
		"root.pem":       pemOf(l.root),
		"inter.der":      l.inter.DER,
		"bundle.p7b":     p7bOf(t, l.root, l.inter),
		"cucmA.test.pem": pemOf(l.selfA),
		"cucmA-old.pem":  pemOf(l.selfAOld),
		"cucmA-cn.pem":   pemOf(l.selfACN),
		"cucmE.test.pem": pemOf(l.selfExpired),
		"old-root.pem":   pemOf(l.oldRoot),
		"old-cucm.pem":   pemOf(l.weak),
	}
	ca := func(names ...string) fstest.MapFS {
		m := fstest.MapFS{}
		for _, f := range names {
			data, ok := files[f]
			if !ok {
				t.Fatalf("no file %s", f)
			}
			m[f] = file(data)
		}
		m["README.txt"] = file([]byte("exported 2026-11-20"))
		return m
	}
	chain := func(c ...*certinfo.Info) []*certinfo.Info { return c }
	tests := []struct {
		name        string
		store       fstest.MapFS
		chain       []*certinfo.Info
		at          time.Time
		role        diagnose.Side
		want        Status
		wantFile    string
		wantFiles   []string
		wantMissing string
		wantChecks  []CheckCode
		wantDetail  []string    // substrings of Detail
		wantChain   []string    // ChainUsed as Source or Source:File
		wantErr     interface{} // pointer to an x509 error type found through VerifyError, or nil
	}{
		{
			name: "exact match of a self-signed CallManager certificate", store: ca("cucmA.test.pem", "root.pem"),
			chain: chain(l.selfA), want: StatusExactMatch, wantFile: "cucmA.test.pem", wantFiles: []string{"cucmA.test.pem"},
			wantDetail: []string{"CN=cucmA.test serial 14 is in the trust folder of 10.10.1.11 as cucmA.test.pem."},
		},
		{
			name: "chains to the root, intermediate sent", store: ca("root.pem", "cucmA.test.pem"),
			chain: chain(l.ms, l.inter), want: StatusChainsTo, wantFile: "root.pem", wantFiles: []string{"root.pem"},
			wantDetail: []string{"chains to CN=Test Root CA", "as root.pem", "intermediate CN=Test Issuing CA 1 sent by the peer"},
			wantChain:  []string{"peer", "peer", "trust_folder:root.pem"},
		},
		{
			name: "chains to the root, intermediate only in the store", store: ca("bundle.p7b"),
			chain: chain(l.ms), want: StatusChainsTo, wantFile: "bundle.p7b", wantFiles: []string{"bundle.p7b", "bundle.p7b#1"},
			wantDetail: []string{"intermediate CN=Test Issuing CA 1 from the trust folder (bundle.p7b#1)"},
			wantChain:  []string{"peer", "trust_folder:bundle.p7b#1", "trust_folder:bundle.p7b"},
		},
		{
			name: "chains to an intermediate that is the only store certificate", store: ca("inter.der"),
			chain: chain(l.ms), want: StatusChainsTo, wantFile: "inter.der", wantFiles: []string{"inter.der"},
			wantChain: []string{"peer", "trust_folder:inter.der"},
		},
		{
			name: "stale copy: same subject, other serial", store: ca("cucmA-old.pem", "root.pem"),
			chain: chain(l.selfA), want: StatusStaleCopy, wantFile: "cucmA-old.pem", wantFiles: []string{"cucmA-old.pem"},
			wantDetail: []string{"serial 15, valid 2022-04-11 to 2027-04-10", "presents serial 14, valid 2025-08-05 to 2030-01-01", "replace cucmA-old.pem with the certificate the peer presents now"},
			wantErr:    new(x509.UnknownAuthorityError),
		},
		{
			name: "stale copy by CN only, case-insensitive", store: ca("cucmA-cn.pem"),
			chain: chain(l.selfA), want: StatusStaleCopy, wantFile: "cucmA-cn.pem",
			wantDetail: []string{"replace cucmA-cn.pem with the certificate the peer presents now"},
			wantErr:    new(x509.UnknownAuthorityError),
		},
		{
			name: "missing intermediate: leaf alone, root in the store", store: ca("root.pem"),
			chain: chain(l.ms), want: StatusMissingIntermediate, wantFile: "root.pem", wantMissing: "CN=Test Issuing CA 1,O=Test Labs",
			wantDetail: []string{"upload CN=Test Issuing CA 1,O=Test Labs as CallManager-trust on 10.10.1.11"},
			wantErr:    new(x509.UnknownAuthorityError),
		},
		{
			name: "missing intermediate: leaf and root sent, root in the store", store: ca("root.pem"),
			chain: chain(l.ms, l.root), want: StatusMissingIntermediate, wantFile: "root.pem", wantMissing: "CN=Test Issuing CA 1,O=Test Labs",
			wantErr: new(x509.UnknownAuthorityError),
		},
		{
			name: "untrusted self-signed", store: ca("cucmA.test.pem"),
			chain: chain(l.selfB), want: StatusUntrusted,
			wantDetail: []string{"self-signed", "upload it (cucmB.test.pem, written by siptls extract) as CallManager-trust on 10.10.1.11"},
			wantErr:    new(x509.UnknownAuthorityError),
		},
		{
			name: "untrusted CA-signed", store: ca("bundle.p7b", "cucmA.test.pem"),
			chain: chain(l.otherLeaf), want: StatusUntrusted, wantMissing: "CN=Other Root CA,O=Other Org",
			wantDetail: []string{"issued by CN=Other Root CA,O=Other Org, which is not in the trust folder", "upload the certificate of CN=Other Root CA,O=Other Org as CallManager-trust on 10.10.1.11"},
			wantErr:    new(x509.UnknownAuthorityError),
		},
		{
			name: "untrusted CA-signed, root sent", store: ca("cucmA.test.pem"),
			chain: chain(l.otherLeaf, l.otherRoot), want: StatusUntrusted, wantMissing: "CN=Other Root CA,O=Other Org",
			wantDetail: []string{"which the peer sent but the trust folder of 10.10.1.11 does not hold"},
			wantErr:    new(x509.UnknownAuthorityError),
		},
		{
			name: "exact match but expired at capture", store: ca("cucmE.test.pem"),
			chain: chain(l.selfExpired), want: StatusExactMatch, wantFile: "cucmE.test.pem",
			wantChecks: []CheckCode{CheckTrustFileExpired, CheckExpiredAtCapture}, wantErr: new(x509.CertificateInvalidError),
		},
		{
			name: "chains to but expired at capture", store: ca("bundle.p7b"),
			chain: chain(l.msExpired, l.inter), want: StatusChainsTo, wantFile: "bundle.p7b",
			wantChecks: []CheckCode{CheckExpiredAtCapture}, wantErr: new(x509.CertificateInvalidError),
		},
		{
			name: "chains to but not yet valid at capture", store: ca("root.pem"),
			chain: chain(l.msNotYet, l.inter), want: StatusChainsTo, wantFile: "root.pem",
			wantChecks: []CheckCode{CheckNotYetValidAtCapture}, wantErr: new(x509.CertificateInvalidError),
		},
		{
			name: "the same chain judged before the expiry is fine", store: ca("bundle.p7b"),
			chain: chain(l.msExpired, l.inter), at: day(2026, 10, 1), want: StatusChainsTo, wantFile: "bundle.p7b",
		},
		{
			name: "issuing CA in the store expired before the capture", store: ca("old-root.pem", "root.pem"),
			chain: chain(l.oldRootLeaf), want: StatusChainsTo, wantFile: "old-root.pem",
			wantChecks: []CheckCode{CheckTrustFileExpired},
			wantDetail: []string{"chains to CN=Old Root CA, which the trust folder of 10.10.1.11 holds as old-root.pem"},
			wantErr:    new(x509.CertificateInvalidError),
		},
		{
			name: "serverAuth-only certificate used as client", store: ca("root.pem"),
			chain: chain(l.serverOnly, l.inter), role: diagnose.Client, want: StatusChainsTo, wantFile: "root.pem",
			wantChecks: []CheckCode{CheckMissingClientAuth},
		},
		{
			name: "serverAuth-only certificate used as server", store: ca("root.pem"),
			chain: chain(l.serverOnly, l.inter), role: diagnose.Server, want: StatusChainsTo, wantFile: "root.pem",
		},
		{
			name: "RSA-1024 SHA-1 self-signed, in the store", store: ca("old-cucm.pem"),
			chain: chain(l.weak), want: StatusExactMatch, wantFile: "old-cucm.pem",
			wantChecks: []CheckCode{CheckWeakRSAKey, CheckWeakSignature},
		},
		{
			name: "SHA-1 signed leaf: crypto/x509 refuses it even though its CA is trusted", store: ca("bundle.p7b"),
			chain: chain(l.weakLeaf), want: StatusUntrusted, wantFile: "bundle.p7b#1",
			wantChecks: []CheckCode{CheckWeakRSAKey, CheckWeakSignature},
			wantDetail: []string{"which the trust folder of 10.10.1.11 holds as bundle.p7b#1, but the chain does not verify", "insecure algorithm ECDSA-SHA1"},
			wantErr:    new(x509.UnknownAuthorityError),
		},
		{
			name: "no certificate", store: ca("root.pem"), chain: chain(), want: StatusUntrusted,
			wantDetail: []string{"presented no certificate"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.store, ".", "10.10.1.11")
			if err != nil {
				t.Fatal(err)
			}
			at := tt.at
			if at.IsZero() {
				at = captureTime
			}
			for pass := range 2 { // the second answer comes from the cache
				j := s.Judge(tt.chain, at, tt.role)
				if j.Status != tt.want || j.File != tt.wantFile || j.Missing != tt.wantMissing {
					t.Fatalf("pass %d: status %s file %q missing %q, want %s %q %q\n%s", pass, j.Status, j.File, j.Missing, tt.want, tt.wantFile, tt.wantMissing, j.Detail)
				}
				if tt.wantFiles != nil && !slices.Equal(j.Files, tt.wantFiles) {
					t.Errorf("files %q, want %q", j.Files, tt.wantFiles)
				}
				if (j.Anchor == nil) != (tt.wantFile == "") || j.Anchor != nil && j.Anchor.Name() != tt.wantFile {
					t.Errorf("anchor %v, want %q", j.Anchor, tt.wantFile)
				}
				if got := checkCodes(j.Checks); !slices.Equal(got, tt.wantChecks) {
					t.Errorf("checks %q, want %q\n%v", got, tt.wantChecks, j.Checks)
				}
				for _, d := range tt.wantDetail {
					if !strings.Contains(j.Detail, d) {
						t.Errorf("detail %q\nlacks %q", j.Detail, d)
					}
				}
				var used []string
				for _, k := range j.ChainUsed {
					if k.File != "" {
						used = append(used, k.Source+":"+k.File)
					} else {
						used = append(used, k.Source)
					}
				}
				if tt.wantChain != nil && !slices.Equal(used, tt.wantChain) {
					t.Errorf("chain used %q, want %q", used, tt.wantChain)
				}
				if len(j.Chain) != len(tt.chain) {
					t.Errorf("chain validity for %d certificates, want %d", len(j.Chain), len(tt.chain))
				}
				if tt.wantErr == nil {
					if j.Err != nil {
						t.Errorf("unexpected error %v", j.Err)
					}
					continue
				}
				var ve *VerifyError
				if !errors.As(j.Err, &ve) || !errors.As(j.Err, tt.wantErr) {
					t.Errorf("error %v (%T), want *VerifyError wrapping %T", j.Err, j.Err, tt.wantErr)
				}
			}
		})
	}
}

// TestJudgeValidity checks the validity at capture time and today, and the
// expires_soon warning.
func TestJudgeValidity(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{"root.pem": file(pemOf(l.root)), "cucmE.test.pem": file(pemOf(l.selfExpired))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		chain      []*certinfo.Info
		at, today  time.Time
		want       []CertValidity
		wantChecks []CheckCode
	}{
		{
			name: "valid at capture, 20 days left today", chain: []*certinfo.Info{l.ms, l.inter},
			at: captureTime, today: day(2029, 12, 12),
			want: []CertValidity{
				{Index: 0, Subject: l.ms.Subject, Serial: "0a", AtCapture: Validity{certinfo.Valid, 1137}, Today: &Validity{certinfo.Valid, 20}},
				{Index: 1, Subject: l.inter.Subject, Serial: "02", AtCapture: Validity{certinfo.Valid, 4789}, Today: &Validity{certinfo.Valid, 3672}},
			},
			wantChecks: []CheckCode{CheckExpiresSoon},
		},
		{
			name: "valid at capture, expired since", chain: []*certinfo.Info{l.selfExpired},
			at: day(2026, 10, 1), today: captureTime,
			want:       []CertValidity{{Index: 0, Subject: l.selfExpired.Subject, Serial: "18", AtCapture: Validity{certinfo.Valid, 31}, Today: &Validity{certinfo.Expired, 19}}},
			wantChecks: []CheckCode{CheckExpiresSoon},
		},
		{
			name: "expired at capture, no today", chain: []*certinfo.Info{l.selfExpired},
			at:         captureTime,
			want:       []CertValidity{{Index: 0, Subject: l.selfExpired.Subject, Serial: "18", AtCapture: Validity{certinfo.Expired, 19}}},
			wantChecks: []CheckCode{CheckTrustFileExpired, CheckExpiredAtCapture},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := s.JudgeWith(tt.chain, JudgeOptions{At: tt.at, Today: tt.today, Role: diagnose.Server})
			if !slices.EqualFunc(j.Chain, tt.want, func(a, b CertValidity) bool {
				return a.Index == b.Index && a.Subject == b.Subject && a.Serial == b.Serial && a.AtCapture == b.AtCapture &&
					(a.Today == nil) == (b.Today == nil) && (a.Today == nil || *a.Today == *b.Today)
			}) {
				t.Errorf("chain validity\n got %s\nwant %s", fmtValidity(j.Chain), fmtValidity(tt.want))
			}
			if got := checkCodes(j.Checks); !slices.Equal(got, tt.wantChecks) {
				t.Errorf("checks %q, want %q", got, tt.wantChecks)
			}
		})
	}
}

// TestTrustFileValidity checks that the trust file's validity is judged
// at each capture time, also when the verdict comes from the cache, and
// OutOfValidityAt.
func TestTrustFileValidity(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{"root.pem": file(pemOf(l.root)), "cucmE.test.pem": file(pemOf(l.selfExpired)), "cucmA.test.pem": file(pemOf(l.selfA))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		at      time.Time
		want    string // substring of the trust file check, "" for none
		wantOut []string
	}{
		{"one day after expiry", day(2026, 11, 2), "had expired 1 day before the capture (2026-11-01)", []string{"cucmE.test.pem"}},
		{"ten days after expiry, same cache bucket", day(2026, 11, 11), "had expired 10 days before the capture", []string{"cucmE.test.pem"}},
		{"before the start", day(2020, 12, 31), "was not yet valid at the capture time (from 2021-01-01)", []string{"cucmA.test.pem", "cucmE.test.pem"}},
		{"valid", day(2026, 1, 1), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := s.Judge([]*certinfo.Info{l.selfExpired}, tt.at, diagnose.Server)
			got := ""
			for _, c := range j.Checks {
				if c.Code == CheckTrustFileExpired {
					got = c.Sentence
				}
			}
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("trust file check %q, want %q", got, tt.want)
			}
			var out []string
			for _, e := range s.OutOfValidityAt(tt.at) {
				out = append(out, e.Name())
			}
			if !slices.Equal(out, tt.wantOut) {
				t.Errorf("OutOfValidityAt %q, want %q", out, tt.wantOut)
			}
		})
	}
}

// TestJudgeTestdata judges the lab certificates of testdata/certs (made by
// testdata/gen with Go and OpenSSL) against cucm7-pub's CallManager-trust
// export, the story of sample-cucm-trunk.cap.
func TestJudgeTestdata(t *testing.T) {
	s, err := LoadPath("../testdata/trust/cucm7-pub-CallManager-trust", "10.10.1.11")
	if err != nil {
		t.Fatal(err)
	}
	cert := func(name string) *certinfo.Info {
		c, err := LoadPath("../testdata/certs/"+name+".pem", "")
		if err != nil {
			t.Fatal(err)
		}
		return c.Certs[0].Info
	}
	tests := []struct {
		name       string
		chain      []string
		role       diagnose.Side
		want       Status
		wantFile   string
		wantChecks []CheckCode
	}{
		{"cube1 regenerated, folder holds the old copy", []string{"cube1"}, diagnose.Client, StatusStaleCopy, "cube1.lab.der", nil},
		{"cube1 old certificate", []string{"cube1-old"}, diagnose.Client, StatusExactMatch, "cube1.lab.der", nil},
		{"cucm8-pub current", []string{"cucm8-pub"}, diagnose.Server, StatusExactMatch, "cucm8-pub.clus2.lab.pem", nil},
		{"cucm8-sub2 old copy presented", []string{"cucm8-sub2-old"}, diagnose.Server, StatusStaleCopy, "cucm8-sub2.clus2.lab.pem", nil},
		{"cucm8-sub1 expired", []string{"cucm8-sub1-expired"}, diagnose.Server, StatusStaleCopy, "cucm8-sub1.clus2.lab.pem", []CheckCode{CheckExpiredAtCapture}},
		{"multi-server leaf and intermediate", []string{"cucm8-pub-ms", "lab-issuing-ca"}, diagnose.Client, StatusChainsTo, "Example_Labs_CA_bundle.p7b", nil},
		{"serverAuth-only as client", []string{"cucm8-pub-noclientauth", "lab-issuing-ca"}, diagnose.Client, StatusChainsTo, "Example_Labs_CA_bundle.p7b", []CheckCode{CheckMissingClientAuth}},
		{"cucm7-pub own certificate", []string{"cucm7-pub"}, diagnose.Server, StatusUntrusted, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var chain []*certinfo.Info
			for _, n := range tt.chain {
				chain = append(chain, cert(n))
			}
			j := s.Judge(chain, captureTime, tt.role)
			if j.Status != tt.want || j.File != tt.wantFile {
				t.Errorf("%s %q, want %s %q\n%s", j.Status, j.File, tt.want, tt.wantFile, j.Detail)
			}
			if got := checkCodes(j.Checks); !slices.Equal(got, tt.wantChecks) {
				t.Errorf("checks %q, want %q", got, tt.wantChecks)
			}
		})
	}
}

func fmtValidity(cs []CertValidity) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "[%d %s %s %v", c.Index, c.Subject, c.Serial, c.AtCapture)
		if c.Today != nil {
			fmt.Fprintf(&b, " today %v", *c.Today)
		}
		b.WriteString("] ")
	}
	return b.String()
}

// TestJudgeConcurrent judges from several goroutines at once (run with
// -race): the cache is shared.
func TestJudgeConcurrent(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{"bundle.p7b": file(p7bOf(t, l.root, l.inter)), "cucmA-old.pem": file(pemOf(l.selfAOld))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	chains := [][]*certinfo.Info{{l.ms}, {l.selfA}, {l.ms, l.inter}, {l.otherLeaf}, {l.selfB}}
	want := []Status{StatusChainsTo, StatusStaleCopy, StatusChainsTo, StatusUntrusted, StatusUntrusted}
	errs := make(chan string, 4)
	for g := range 4 {
		go func() {
			msg := ""
			for i := range 200 {
				k := (i + g) % len(chains)
				if got := s.Judge(chains[k], captureTime.Add(time.Duration(i)*time.Minute), diagnose.Client).Status; got != want[k] && msg == "" {
					msg = fmt.Sprintf("chain %d: %s, want %s", k, got, want[k])
				}
			}
			errs <- msg
		}()
	}
	for range 4 {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

// TestJudgeLongChain checks that a hostile chain of many certificates is
// cut to MaxChain.
func TestJudgeLongChain(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{"root.pem": file(pemOf(l.root))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	chain := []*certinfo.Info{l.ms}
	for range 1000 {
		chain = append(chain, l.inter, nil)
	}
	j := s.Judge(chain, captureTime, diagnose.Server)
	if j.Status != StatusChainsTo || len(j.Chain) != MaxChain {
		t.Errorf("%s with %d certificates judged, want chains_to with %d", j.Status, len(j.Chain), MaxChain)
	}
}

// TestJudgementJSON checks the JSON form: snake_case keys, lists never
// null, the error and the anchor left out.
func TestJudgementJSON(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{"root.pem": file(pemOf(l.root))}, ".", "10.10.1.11")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		chain []*certinfo.Info
		want  string // the JSON, with the lab's random-free fields only
	}{
		{"untrusted, nothing sent", nil, `{"status":"untrusted","file":"","files":[],"detail":"The peer presented no certificate.","checks":[],"chain":[]}`},
		{"chains_to", []*certinfo.Info{l.ms, l.inter}, `{"status":"chains_to","file":"root.pem","files":["root.pem"],"detail":"CN=cucm8-pub.test-ms serial 0a chains to CN=Test Root CA, which the trust folder of 10.10.1.11 holds as root.pem, through intermediate CN=Test Issuing CA 1 sent by the peer.","checks":[],` +
			`"chain":[{"index":0,"subject":"CN=cucm8-pub.test-ms,O=Test Labs","serial":"0a","at_capture":{"status":"valid","days":1137}},{"index":1,"subject":"CN=Test Issuing CA 1,O=Test Labs","serial":"02","at_capture":{"status":"valid","days":4789}}],` +
			`"chain_used":[{"subject":"CN=cucm8-pub.test-ms","serial":"0a","source":"peer"},{"subject":"CN=Test Issuing CA 1","serial":"02","source":"peer"},{"subject":"CN=Test Root CA","serial":"01","source":"trust_folder","file":"root.pem"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(s.Judge(tt.chain, captureTime, diagnose.Server))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

// TestMissingIntermediateByKeyID: the certificate further up the presented
// chain names its issuer differently from the folder's root (a renamed CA),
// but its authority key identifier is the root's subject key identifier.
func TestMissingIntermediateByKeyID(t *testing.T) {
	root, key := makeCert(t, certSpec{cn: "Key Root", org: "Key Labs", serial: 60, from: rootFrom, to: rootUntil, ca: true, ku: kuCA, subjectKeyID: []byte{1, 2, 3, 4}})
	alias := *root.Cert
	alias.Subject.CommonName = "Key Root (old name)"
	alias.RawSubject = nil
	upper, ukey := makeCert(t, certSpec{cn: "Key Policy CA", org: "Key Labs", serial: 61, from: rootFrom, to: rootUntil, ca: true, ku: kuCA, parent: &alias, parentKey: key})
	missing, mkey := makeCert(t, certSpec{cn: "Key Issuing CA", org: "Other Name", serial: 62, from: rootFrom, to: rootUntil, ca: true, ku: kuCA, parent: upper.Cert, parentKey: ukey})
	leaf, _ := makeCert(t, certSpec{cn: "leaf.key.lab", org: "Other Name", serial: 63, from: labFrom, to: labTo, ku: kuLeaf, eku: ekuBoth, parent: missing.Cert, parentKey: mkey})
	s, err := Load(fstest.MapFS{"key-root.pem": file(pemOf(root))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(upper.Cert.AuthorityKeyId) != string(root.Cert.SubjectKeyId) || upper.Issuer == root.Subject {
		t.Fatalf("fixture: AKID %x, issuer %s", upper.Cert.AuthorityKeyId, upper.Issuer)
	}
	j := s.Judge([]*certinfo.Info{leaf, upper}, captureTime, diagnose.Server)
	if j.Status != StatusMissingIntermediate || j.File != "key-root.pem" || j.Missing != "CN=Key Issuing CA,O=Other Name" {
		t.Errorf("%s %q missing %q\n%s", j.Status, j.File, j.Missing, j.Detail)
	}
}
