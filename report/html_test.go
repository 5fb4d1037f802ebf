package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"flag"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/capgen"
	"github.com/siptls/siptls/internal/golden"
	"github.com/siptls/siptls/internal/triagetest"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// htmlClock is the fixed generation time of the golden reports.
var htmlClock = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// triageOf analyses captures as `siptls analyze --html` does: one analyzer,
// every connection judged with the trust folder (when given) and merged.
func triageOf(t testing.TB, trustDir string, node string, paths ...string) *triage.Triage {
	t.Helper()
	var judge *trust.Judge
	var stores []*trust.Store
	if trustDir != "" {
		s, err := trust.LoadPath(trustDir, "")
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
		judge = trust.NewJudge(stores, nil, htmlClock)
	}
	m := triage.NewMerger(triage.TriageOptions{})
	a := diagnose.NewAnalyzer(diagnose.Options{Emit: func(c *diagnose.Connection) {
		var ct *trust.ConnectionTrust
		if judge != nil {
			ct = judge.Connection(c, netip.MustParseAddr(node))
		}
		m.AddJudged(c, ct)
	}})
	for _, p := range paths {
		if err := a.ReadFile(p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	res := a.Result()
	tr := m.Triage(res.Captures, res.Errors, nil, "test")
	tr.TrustStores = triage.TrustStores(stores)
	return tr
}

// htmlCases are the captures whose reports are golden.
var htmlCases = []struct {
	name   string
	golden string
	trust  string
	node   string
	inputs []string
}{
	{"sample with trust folder", "sample-cucm-trunk.golden.html", "../testdata/trust/cucm7-pub-CallManager-trust", "10.10.1.11", []string{"../testdata/sample-cucm-trunk.cap"}},
	{"hostile names", "hostile-names.golden.html", "", "", []string{"../testdata/hostile-names.pcap"}},
	{"snaplen 128", "snaplen128-cut.golden.html", "", "", []string{"../testdata/snaplen128-cut.pcap"}},
	{"TLS 1.3 decrypted with its embedded key log", "keylog-tls13-embedded.golden.html", "", "", []string{"../testdata/keylog-tls13-embedded.pcapng"}},
}

func writeHTMLFor(t testing.TB, trustDir, node string, inputs ...string) []byte {
	t.Helper()
	tr := triageOf(t, trustDir, node, inputs...)
	sums := make([]string, len(tr.Captures))
	for i, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = fmt.Sprintf("%x", sha256.Sum256(b))
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, tr, HTMLMeta{Version: "test", Generated: htmlClock, CaptureSHA256: sums}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteHTMLGolden(t *testing.T) {
	for _, tt := range htmlCases {
		t.Run(tt.name, func(t *testing.T) {
			got := writeHTMLFor(t, tt.trust, tt.node, tt.inputs...)
			golden.Check(t, filepath.Join("testdata", tt.golden), got, *update)
			again := writeHTMLFor(t, tt.trust, tt.node, tt.inputs...)
			if !bytes.Equal(got, again) {
				t.Error("two runs on the same input wrote different reports")
			}
		})
	}
}

// TestWriteHTMLStructure parses the reports and checks what a reader relies
// on: the verdict banner, one ladder per connection shown, alerts in red,
// certificate cards with PEM, and the snaplen banner.
func TestWriteHTMLStructure(t *testing.T) {
	tests := []struct {
		name        string
		input       string
		trust, node string
		want        []string // substrings of the page's text
		wantCut     bool
		wantLadders int
		wantAlerts  int // alert arrows
		wantPEM     int
	}{
		{name: "sample", input: "../testdata/sample-cucm-trunk.cap", trust: "../testdata/trust/cucm7-pub-CallManager-trust", node: "10.10.1.11",
			want:        []string{"12 connections: 7 ok, 4 failed, 1 no_answer", "10.20.1.22:5061", "unknown_ca", "stale_copy", "cucm7-pub-CallManager-trust"},
			wantLadders: -1, wantAlerts: -1, wantPEM: -1},
		{name: "hostile", input: "../testdata/hostile-names.pcap",
			want:        []string{"1 connection: 1 failed", "<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, `\1B[31mRED`, `\x1b[31m`, `\u202e`, "bad_certificate"},
			wantLadders: 1, wantAlerts: 1, wantPEM: 1},
		{name: "cut at 128 bytes", input: "../testdata/snaplen128-cut.pcap", want: []string{"Packets were cut", "size all"}, wantCut: true, wantLadders: -1, wantAlerts: -1, wantPEM: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := writeHTMLFor(t, tt.trust, tt.node, tt.input)
			doc, err := html.Parse(bytes.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			var ladders, alerts, pems, scripts, imgs int
			var banner, cut bool
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.TextNode {
					text.WriteString(n.Data)
					text.WriteByte(' ')
				}
				if n.Type == html.ElementNode {
					switch n.Data {
					case "svg":
						if attr(n, "class") == "ladder" {
							ladders++
						}
					case "g":
						if attr(n, "class") == "alert" {
							alerts++
						}
					case "pre":
						if attr(n, "class") == "pem" {
							pems++
						}
					case "script":
						scripts++
					case "img", "iframe", "object", "embed", "link":
						imgs++
					}
					if attr(n, "id") == "verdict" {
						banner = true
					}
					if strings.HasPrefix(attr(n, "id"), "cut-banner") {
						cut = true
					}
					for _, a := range n.Attr {
						if strings.HasPrefix(strings.ToLower(a.Key), "on") {
							t.Errorf("<%s %s=%q>: an event handler attribute", n.Data, a.Key, a.Val)
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			if !banner {
				t.Error("no verdict banner (id=verdict)")
			}
			if cut != tt.wantCut {
				t.Errorf("snaplen banner shown = %v, want %v", cut, tt.wantCut)
			}
			if scripts != 0 || imgs != 0 {
				t.Errorf("%d script and %d img/iframe/object/embed/link elements, want none", scripts, imgs)
			}
			for _, w := range tt.want {
				if !strings.Contains(text.String(), w) {
					t.Errorf("the page's text lacks %q", w)
				}
			}
			check := func(what string, got, want int) {
				if want >= 0 && got != want {
					t.Errorf("%s: got %d, want %d", what, got, want)
				} else if want < 0 && got == 0 {
					t.Errorf("%s: got none", what)
				}
			}
			check("ladders", ladders, tt.wantLadders)
			check("alert arrows", alerts, tt.wantAlerts)
			if !tt.wantCut {
				check("PEM blocks", pems, tt.wantPEM)
			}
		})
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestWriteHTMLHostileBytes checks the raw page: the hostile strings are
// escaped, and no ESC, BEL or bidirectional override reaches it.
func TestWriteHTMLHostileBytes(t *testing.T) {
	page := string(writeHTMLFor(t, "", "", "../testdata/hostile-names.pcap"))
	for _, bad := range []string{"<script", "<img", "\x1b", "\x07", "\u202e", "onerror=alert(1)>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", `\u202e`, `\1B[31mRED`, `\x1b[31m`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the escaped form %q", want)
		}
	}
}

// TestHTMLSelfContained checks that the page loads nothing: no URL in a src
// or href attribute other than a fragment, no @import or url() in the CSS.
func TestHTMLSelfContained(t *testing.T) {
	for _, tt := range htmlCases {
		t.Run(tt.name, func(t *testing.T) {
			page := string(writeHTMLFor(t, tt.trust, tt.node, tt.inputs...))
			for _, m := range regexp.MustCompile(`(?i)\b(src|href|action|srcset|xlink:href|data)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(page, -1) {
				if !strings.HasPrefix(m[2], "#") {
					t.Errorf("%s=%q: not a fragment", m[1], m[2])
				}
			}
			for _, bad := range []string{"@import", "url(", "<script", "<link", "@font-face"} {
				if strings.Contains(page, bad) {
					t.Errorf("the page contains %q", bad)
				}
			}
		})
	}
}

// TestNoTypedContentConversions greps the report package for conversions
// that would let data bypass html/template's escaping.
func TestNoTypedContentConversions(t *testing.T) {
	re := regexp.MustCompile(`template\.(HTML|JS|JSStr|URL|CSS|HTMLAttr|Srcset)\(`)
	err := fs.WalkDir(os.DirFS("."), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".tmpl")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			// This test's own pattern is the only allowed mention.
			if re.MatchString(line) && !strings.Contains(line, "regexp.MustCompile") {
				t.Errorf("%s:%d: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteHTMLEmpty renders a triage with no connection at all.
func TestWriteHTMLEmpty(t *testing.T) {
	tr := triage.NewMerger(triage.TriageOptions{}).Triage(nil, nil, nil, "test")
	var b bytes.Buffer
	if err := WriteHTML(&b, tr, HTMLMeta{Version: "test", Generated: htmlClock}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No TLS connection was found", "No capture was read.", "No destination.", "No pair.", "No certificate was read from the captures."} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("an empty triage's page lacks %q", want)
		}
	}
	// A table with a header and no row says nothing.
	if m := regexp.MustCompile(`</th></tr>\s*</table>`).FindString(b.String()); m != "" {
		t.Errorf("an empty table: %q", m)
	}
}

func TestLadderLabel(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"message with detail", "ClientHello (up to TLS 1.2, 10 cipher suites)", "ClientHello"},
		{"alert", "alert fatal bad_certificate", "alert fatal bad_certificate"},
		{"escape sanitised", "Certificate\x1b[2J", `Certificate\x1b[2J`},
		{"long cut", strings.Repeat("x", 60), strings.Repeat("x", 47) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ladderLabel(tt.input); got != tt.want {
				t.Errorf("ladderLabel(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

// TestHTMLSizeBounded generates two benchmark captures, one four times the
// other, and checks that the report stays bounded: the caps on connections
// in full (here 5) and on pairs keep it from growing with the capture.
func TestHTMLSizeBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 40 MB of captures")
	}
	sizes := []int64{8 << 20, 32 << 20}
	var pages []int
	for _, size := range sizes {
		var capture bytes.Buffer
		if _, err := capgen.WriteBench(&capture, capgen.BenchConfig{Size: size, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		m := triage.NewMerger(triage.TriageOptions{MaxFailed: 5})
		a := diagnose.NewAnalyzer(diagnose.Options{Emit: m.Add})
		if err := a.Read(bytes.NewReader(capture.Bytes()), "bench.pcap"); err != nil {
			t.Fatal(err)
		}
		res := a.Result()
		tr := m.Triage(res.Captures, res.Errors, nil, "test")
		if tr.Detail.FailedOmitted == 0 {
			t.Fatalf("%d bytes: no failed connection beyond the cap; the test needs a larger capture", size)
		}
		var b bytes.Buffer
		if err := WriteHTML(&b, tr, HTMLMeta{Version: "test", Generated: htmlClock}); err != nil {
			t.Fatal(err)
		}
		t.Logf("capture %d MiB: %d connections, %d failed, %d pairs: HTML %d bytes", size>>20, tr.Summary.Connections, tr.Summary.Problems, len(tr.Pairs), b.Len())
		pages = append(pages, b.Len())
	}
	if pages[1] > pages[0]*3/2 {
		t.Errorf("a capture 4 times larger made a report %d bytes long, against %d: the report grows with the capture", pages[1], pages[0])
	}
	if pages[1] > 1<<20 {
		t.Errorf("report of %d bytes with 5 connections in full: over 1 MiB", pages[1])
	}
}

// TestHTMLPairsCap checks that pairs with a failure are listed first and
// that the omitted pairs are counted.
func TestHTMLPairsCap(t *testing.T) {
	tests := []struct {
		name       string
		ok, failed int
		wantListed int
		wantOmit   int
		wantOmitF  int
	}{
		{"few", 3, 2, 5, 0, 0},
		{"ok ones dropped", MaxHTMLPairs, 10, MaxHTMLPairs, 10, 0},
		{"failed ones beyond the cap", 5, MaxHTMLPairs + 3, MaxHTMLPairs, 8, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &triage.Triage{Summary: triage.Summary{Verdicts: map[diagnose.Verdict]int{}}}
			for i := 0; i < tt.ok; i++ {
				tr.Pairs = append(tr.Pairs, triage.Pair{Client: fmt.Sprintf("10.0.%d.%d", i/250, i%250), Server: "10.1.1.1:5061", Counts: triage.Counts{Attempts: 1, OK: 1}})
			}
			for i := 0; i < tt.failed; i++ {
				tr.Pairs = append(tr.Pairs, triage.Pair{Client: fmt.Sprintf("10.2.%d.%d", i/250, i%250), Server: "10.1.1.1:5061", Counts: triage.Counts{Attempts: 1, Failed: 1, CallFailures: 1}})
			}
			p := buildHTMLPage(tr, HTMLMeta{})
			if len(p.Pairs) != tt.wantListed || p.PairsOmitted != tt.wantOmit || p.PairsOmittedFailed != tt.wantOmitF {
				t.Errorf("listed %d, omitted %d (%d failed); want %d, %d (%d)", len(p.Pairs), p.PairsOmitted, p.PairsOmittedFailed, tt.wantListed, tt.wantOmit, tt.wantOmitF)
			}
			if tt.failed > 0 && p.Pairs[0].CallFailures == 0 {
				t.Error("the first pair listed has no failure")
			}
		})
	}
}

func TestCardSANs(t *testing.T) {
	many := make([]string, 10000)
	for i := range many {
		many[i] = fmt.Sprintf("sip-%05d.clus2.lab", i+1)
	}
	tests := []struct {
		name      string
		dns, ips  []string
		wantLen   int
		wantFirst string
		wantLast  string
		wantMore  int
	}{
		{"none", nil, nil, 0, "", "", 0},
		{"DNS then IP", []string{"a.lab"}, []string{"10.0.0.1"}, 2, "DNS: a.lab", "IP: 10.0.0.1", 0},
		{"exactly the cap", many[:MaxHTMLSANs], nil, MaxHTMLSANs, "DNS: sip-00001.clus2.lab", "DNS: sip-00020.clus2.lab", 0},
		{"IP addresses past the cap", many[:MaxHTMLSANs], []string{"10.0.0.1"}, MaxHTMLSANs, "DNS: sip-00001.clus2.lab", "DNS: sip-00020.clus2.lab", 1},
		{"10,000", many, nil, MaxHTMLSANs, "DNS: sip-00001.clus2.lab", "DNS: sip-00020.clus2.lab", 9980},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, more := cardSANs(tt.dns, tt.ips)
			if len(list) != tt.wantLen || more != tt.wantMore {
				t.Fatalf("%d listed, %d more; want %d, %d", len(list), more, tt.wantLen, tt.wantMore)
			}
			if len(list) > 0 && (list[0] != tt.wantFirst || list[len(list)-1] != tt.wantLast) {
				t.Errorf("listed %q … %q, want %q … %q", list[0], list[len(list)-1], tt.wantFirst, tt.wantLast)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 9980: "9,980", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestHTMLManySANs renders the certificate with 10,000 DNS SANs: the card
// lists 20 and counts the 9,980 others, and the page stays small.
func TestHTMLManySANs(t *testing.T) {
	page := string(writeHTMLFor(t, "", "", "../testdata/hostile-many-sans.pcap"))
	if n := strings.Count(page, "<div>DNS: sip-"); n != MaxHTMLSANs {
		t.Errorf("the card lists %d DNS names, want %d", n, MaxHTMLSANs)
	}
	for _, w := range []string{"DNS: sip-00020.clus2.lab", "and 9,980 more (the JSON output lists them all)"} {
		if !strings.Contains(page, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
	if strings.Contains(page, "DNS: sip-00021.clus2.lab") {
		t.Error("the card lists the 21st name")
	}
	t.Logf("page of %d bytes", len(page))
	if len(page) > 400<<10 {
		t.Errorf("page of %d bytes: over 400 KiB", len(page))
	}
}

// TestHTMLUnreadFacts renders a connection whose leaf certificate is cut
// short (crypto/x509 refuses it; certinfo reads its serial and subject but
// not its key) and whose capture clock went back 21 years in the middle:
// the card says what was not read instead of "Key: , signed with", and the
// ladder shows no negative time.
func TestHTMLUnreadFacts(t *testing.T) {
	block, _ := pem.Decode(mustRead(t, "../testdata/certs/cucm7-pub.pem"))
	if block == nil {
		t.Fatal("no PEM block in cucm7-pub.pem")
	}
	var leaf *certinfo.Info
	for n := len(block.Bytes) - 1; n > 0; n-- {
		if i := certinfo.Parse(block.Bytes[:n]); i.Serial != "" && i.Subject != "" && i.KeyType == "" {
			leaf = i
			break
		}
	}
	if leaf == nil || leaf.ParseError == "" {
		t.Fatal("no prefix of cucm7-pub's certificate with a serial and a subject but no key")
	}
	c := triagetest.Conn(0, 1, "10.10.1.11:38224", "10.20.1.22:5061", 0, 1, diagnose.VerdictFailed, "unknown_ca", leaf)
	c.Events = []diagnose.Event{
		{Frame: 1, Time: c.Start, From: diagnose.Client, Kind: diagnose.EventTCP, What: "SYN"},
		{Frame: 2, Time: c.Start.Add(-668322441995528 * time.Microsecond), From: diagnose.Server, Kind: diagnose.EventTCP, What: "SYN-ACK"},
		{Frame: 3, Time: c.Start.Add(2 * time.Millisecond), From: diagnose.Client, Kind: diagnose.EventTCP, What: "ACK"},
	}
	c.End = c.Start.Add(-time.Hour)
	m := triage.NewMerger(triage.TriageOptions{})
	m.Add(c)
	tr := m.Triage(triagetest.Infos(1), nil, nil, "test")
	var b bytes.Buffer
	if err := WriteHTML(&b, tr, HTMLMeta{Version: "test", Generated: htmlClock}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, w := range []string{
		"key not read</span>, signed with " + leaf.SignatureAlgorithm,
		leaf.Serial, "key usage and EKU not read", "none read",
		"&#43;2.000 ms",
		"frame 2, 2005-09-16 ", "before the connection&#39;s first packet (the capture&#39;s clock went back)",
		">–</text>",
	} {
		if !strings.Contains(page, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
	for _, bad := range []string{"<td>, signed with", "signed with </td>", "> bits", "lasted"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if m := regexp.MustCompile(`-[0-9.]+ m?s\b`).FindAllString(page, -1); len(m) > 0 {
		t.Errorf("the page shows negative times: %q", m)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLadderLanes checks the heads of the lifelines: role and address, and
// the name of the leaf certificate each side presented.
func TestLadderLanes(t *testing.T) {
	leaf := func(side diagnose.Side, index int, cn string, dns ...string) triage.Certificate {
		c := triage.Certificate{SentBy: side, Index: index, DNSNames: dns}
		c.CommonName = cn
		return c
	}
	tests := []struct {
		name                   string
		client, server         string
		certs                  []triage.Certificate
		wantClient, wantServer string
		wantCName, wantSName   string
	}{
		{"both leaves", "10.10.1.11:38224", "10.20.1.22:5061",
			[]triage.Certificate{leaf(diagnose.Server, 0, "cucm8-sub1.clus2.lab"), leaf(diagnose.Server, 1, "Example Labs Issuing CA 1"), leaf(diagnose.Client, 0, "cucm7-pub.clus1.lab")},
			"client 10.10.1.11:38224", "server 10.20.1.22:5061", "cucm7-pub.clus1.lab", "cucm8-sub1.clus2.lab"},
		{"no common name: first DNS SAN", "10.10.1.11:38224", "10.20.1.22:5061",
			[]triage.Certificate{leaf(diagnose.Server, 0, "", "sip-00001.clus2.lab", "sip-00002.clus2.lab")},
			"client 10.10.1.11:38224", "server 10.20.1.22:5061", "", "sip-00001.clus2.lab"},
		{"certificates not seen", "10.10.1.11:38224", "10.20.1.22:5061", nil,
			"client 10.10.1.11:38224", "server 10.20.1.22:5061", "", ""},
		{"long address and name cut", "[fd00:10:10:0:0:0:1234:11]:40300", "[fd00:10:20::21]:5061",
			[]triage.Certificate{leaf(diagnose.Server, 0, "a-very-long-node-name.voice.clus2.example.lab")},
			"client [fd00:10:10:0:0:0:12…", "server [fd00:10:20::21]:5061", "", "a-very-long-node-name.voice…"},
		{"escapes made visible", "10.10.1.11:38224", "10.20.1.22:5061",
			[]triage.Certificate{leaf(diagnose.Server, 0, "\x1b[31mred")},
			"client 10.10.1.11:38224", "server 10.20.1.22:5061", "", `\x1b[31mred`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &triage.Connection{Client: tt.client, Server: tt.server, Certificates: tt.certs}
			l := buildLadder(c)
			if l.ClientLabel != tt.wantClient || l.ServerLabel != tt.wantServer || l.ClientName != tt.wantCName || l.ServerName != tt.wantSName {
				t.Errorf("lanes %q (%q), %q (%q); want %q (%q), %q (%q)", l.ClientLabel, l.ClientName, l.ServerLabel, l.ServerName,
					tt.wantClient, tt.wantCName, tt.wantServer, tt.wantSName)
			}
		})
	}
}
