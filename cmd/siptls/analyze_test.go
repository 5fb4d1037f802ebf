package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/internal/golden"
	"github.com/siptls/siptls/screentext"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// runAnalyze runs `siptls analyze args...` from the repository root with a
// fixed version string, and returns the exit code, stdout and stderr.
func runAnalyze(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCmd(goldenToday, append([]string{"analyze"}, args...)...)
}

// repoRoot is where the README's commands run; golden output names files
// relative to it, as a user would type them.
func chdirRoot(t *testing.T) {
	t.Helper()
	t.Chdir("../..")
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("cmd", "siptls", "testdata", name), got, *update)
}

// TestAnalyzeGolden compares text and JSON output with golden files for
// captures that show each kind of verdict.
func TestAnalyzeGolden(t *testing.T) {
	chdirRoot(t)
	for _, name := range []string{
		"sample-cucm-trunk.cap",
		"fail-unknown-ca-openssl-server.pcap",
		"fail-rst-after-client-cert.pcap",
		"fail-subject-name-mismatch-close.pcap",
		"fail-empty-client-cert.pcap",
		"refused-syn-rst.pcap",
		"snaplen128-cut.pcap",
		"ok-tls13-go.pcap",
		"ok-big-certificate-request.pcap",
		"tcp-gap-in-server-certificate.pcap",
		"not-tls-plaintext-sip-5061.pcap",
		"midstream-appdata-only.pcap",
		"midstream-close-notify.pcap",
		"idle-close-no-client-cert.pcap",
		"tcp-reordered-after-ack.pcap",
		"tcp-gap-in-4cert-chain.pcap",
		"tcp-gap-over-record-header.pcap",
		"ok-tls13-hello-retry-request.pcap",
	} {
		t.Run(name, func(t *testing.T) {
			_, text, _ := runAnalyze(t, "-v", "testdata/"+name)
			checkGolden(t, name+".golden.txt", []byte(text))
			checkJSONGolden(t, name+".golden.json", analyzer(t), true, "testdata/"+name)
		})
	}
}

// TestAnalyzeTrust compares the sample with cucm7-pub's exported
// CallManager-trust folder: the CUBE's certificate is a stale copy, the
// peers' certificates are exact matches, and the failed connection's summary
// names the file to replace.
func TestAnalyzeTrust(t *testing.T) {
	chdirRoot(t)
	args := []string{"--trust", "testdata/trust/cucm7-pub-CallManager-trust", "--expect-name", "cucm8-pub.clus2.lab,cucm8-sub1.clus2.lab,cucm8-sub2.clus2.lab", "testdata/sample-cucm-trunk.cap"}
	code, text, errOut := runAnalyze(t, append([]string{"-v"}, args...)...)
	if code != exitProblems {
		t.Errorf("exit status %d, want %d (stderr %q)", code, exitProblems, errOut)
	}
	checkGolden(t, "sample-trust.golden.txt", []byte(text))
	js := checkJSONGolden(t, "sample-trust.golden.json", analyzer(t), true, args...)

	var r triage.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.TrustStores) != 1 || r.TrustStores[0].Certificates == 0 {
		t.Fatalf("trust_stores %+v", r.TrustStores)
	}
	statuses := map[string]string{}
	for _, c := range r.Connections {
		for _, cert := range c.Certificates {
			if cert.Trust != nil {
				statuses[cert.CommonName] = string(cert.Trust.Status)
			}
		}
		if c.Client == "10.30.1.5:46021" && !strings.Contains(c.Summary, "replace cube1.lab.der with the certificate the peer presents now") {
			t.Errorf("the CUBE's failure does not name the stale file: %s", c.Summary)
		}
		if c.Server == "10.20.1.21:5061" && (c.NameCheck == nil || !c.NameCheck.OK) {
			t.Errorf("name check on %s: %+v", c.Server, c.NameCheck)
		}
	}
	want := map[string]string{"cube1.lab": "stale_copy", "cucm8-pub.clus2.lab": "exact_match", "cucm8-sub1.clus2.lab": "exact_match", "cucm8-sub2.clus2.lab": "exact_match"}
	for cn, st := range want {
		if statuses[cn] != st {
			t.Errorf("%s: trust %q, want %q", cn, statuses[cn], st)
		}
	}
	// cucm7-pub's own certificate is judged by the peers' folders, which we do not have.
	if st, ok := statuses["cucm7-pub.clus1.lab"]; ok {
		t.Errorf("the capture node's own certificate was judged by its own folder: %s", st)
	}
}

// TestAnalyzeTrustVerdicts checks that every trust verdict, and the
// validity checks, come out of a real capture in testdata/ judged with an
// exported trust folder.
func TestAnalyzeTrustVerdicts(t *testing.T) {
	chdirRoot(t)
	const cucm7 = "testdata/trust/cucm7-pub-CallManager-trust"
	tests := []struct {
		file       string
		args       []string
		cn         string // the judged leaf
		wantStatus string
		wantCheck  trust.CheckCode
	}{
		{"sample-cucm-trunk.cap", []string{"--trust", cucm7}, "cucm8-pub.clus2.lab", "exact_match", ""},
		{"sample-cucm-trunk.cap", []string{"--trust", cucm7}, "cube1.lab", "stale_copy", ""},
		{"ok-client-chain-leaf-intermediate.pcap", []string{"--node", "10.10.1.11", "--trust", cucm7}, "cucm8-pub.clus2.lab-ms", "chains_to", ""},
		{"fail-missing-intermediate.pcap", []string{"--trust-for", "10.30.1.5=testdata/trust/cube1-trustpoints"}, "cucm8-pub.clus2.lab-ms", "missing_intermediate", ""},
		{"fail-missing-intermediate.pcap", []string{"--trust-for", "10.20.1.21=testdata/trust/cube1-trustpoints"}, "cube1.lab", "untrusted", ""},
		{"fail-expired-server-cert.pcap", []string{"--node", "10.10.1.11", "--trust", cucm7}, "cucm8-sub1.clus2.lab", "stale_copy", "expired_at_capture"},
		{"fail-not-yet-valid-server-cert.pcap", []string{"--node", "10.10.1.11", "--trust", cucm7}, "cucm8-sub1.clus2.lab", "stale_copy", "not_yet_valid_at_capture"},
		{"fail-client-cert-no-clientauth-go.pcap", []string{"--node", "10.10.1.11", "--trust", cucm7}, "cucm8-pub.clus2.lab", "chains_to", "missing_client_auth"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.wantStatus, func(t *testing.T) {
			_, out, errOut := runAnalyze(t, append(append([]string{"--format", "json"}, tt.args...), "testdata/"+tt.file)...)
			var r triage.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v (stderr %q)", err, errOut)
			}
			found := false
			for _, c := range r.Connections {
				for _, cert := range c.Certificates {
					if cert.CommonName != tt.cn || cert.Trust == nil {
						continue
					}
					found = true
					if string(cert.Trust.Status) != tt.wantStatus {
						t.Errorf("%s: trust %s, want %s (%s)", tt.cn, cert.Trust.Status, tt.wantStatus, cert.Trust.Detail)
					}
					if tt.wantCheck != "" {
						has := false
						for _, ch := range cert.Checks {
							has = has || ch.Code == tt.wantCheck
						}
						if !has {
							t.Errorf("%s: no %s check in %+v", tt.cn, tt.wantCheck, cert.Checks)
						}
					}
				}
			}
			if !found {
				t.Errorf("no judged certificate with CN %s", tt.cn)
			}
		})
	}
}

func TestAnalyzeTrustBadInput(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--trust", "testdata/no-such-folder", "testdata/sample-cucm-trunk.cap"}, "testdata/no-such-folder"},
		{[]string{"--trust-for", "nope", "testdata/sample-cucm-trunk.cap"}, `--trust-for "nope" must be IP=PATH`},
		{[]string{"--node", "cucm7", "testdata/sample-cucm-trunk.cap"}, `--node "cucm7" is not an IP address`},
	}
	for _, tt := range tests {
		code, _, errOut := runAnalyze(t, tt.args...)
		if code != exitTrouble || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.wantErr)
		}
	}
}

// TestAnalyzeVerdicts checks every connection of every end-to-end capture
// against testdata/expected.tsv, where the generator (testdata/gen) wrote,
// for each connection it recorded from a real TLS stack, the verdict and
// reason that connection must get. Bad input files must exit 2. An optional
// 7th column holds the analyze flags a file's rows hold under (e.g.
// --any-port); a row with verdict "-" is a TCP connection that must not be a
// Connection at all, only counted in captures[].other_connections.
func TestAnalyzeVerdicts(t *testing.T) {
	chdirRoot(t)
	raw, err := os.ReadFile("testdata/expected.tsv")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ client, server, want string }
	files := map[string][]row{}
	flags := map[string]string{}
	var order []string
	for i, line := range strings.Split(string(raw), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 5 {
			t.Fatalf("testdata/expected.tsv line %d: %d fields", i+1, len(f))
		}
		fl := ""
		if len(f) >= 7 {
			fl = f[6]
		}
		if _, ok := files[f[0]]; !ok {
			order = append(order, f[0])
			flags[f[0]] = fl
		} else if flags[f[0]] != fl {
			t.Fatalf("testdata/expected.tsv line %d: flags %q, but %q on the file's first row", i+1, fl, flags[f[0]])
		}
		files[f[0]] = append(files[f[0]], row{f[1], f[2], f[3] + "/" + f[4]})
	}
	if len(order) < 40 {
		t.Fatalf("testdata/expected.tsv names only %d files", len(order))
	}
	for _, file := range order {
		rows := files[file]
		t.Run(file, func(t *testing.T) {
			args := append(strings.Fields(flags[file]), "--format", "json", "testdata/"+file)
			code, out, errOut := runAnalyze(t, args...)
			if strings.HasPrefix(rows[0].want, "error/") && screentext.SniffFile("testdata/"+file) {
				// not a capture, but screen text: analyze reads its TCP lines (TestAnalyzeScreenText)
				var d struct {
					Source string `json:"source"`
				}
				if err := json.Unmarshal([]byte(out), &d); err != nil || d.Source != "screen_text" || code == exitTrouble {
					t.Errorf("exit status %d, source %q (%v), want a screen_text report", code, d.Source, err)
				}
				return
			}
			if strings.HasPrefix(rows[0].want, "error/") {
				if code != exitTrouble {
					t.Errorf("exit status %d, want %d for bad input", code, exitTrouble)
				}
				return
			}
			var r triage.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("output is not JSON: %v (stderr %q)", err, errOut)
			}
			got := map[string]string{}
			for _, c := range r.Connections {
				got[c.Client+" "+c.Server] = string(c.Verdict) + "/" + string(c.Reason)
			}
			conns, others := 0, 0
			allOK := true
			for _, w := range rows {
				g, seen := got[w.client+" "+w.server]
				if strings.HasPrefix(w.want, "-/") {
					others++
					if seen {
						t.Errorf("%s -> %s: got a connection %q, want none (%s)", w.client, w.server, g, w.want)
					}
					continue
				}
				conns++
				if g != w.want {
					t.Errorf("%s -> %s: got %q, want %q", w.client, w.server, g, w.want)
				}
				allOK = allOK && strings.HasPrefix(w.want, "ok/")
			}
			if len(r.Connections) != conns {
				t.Errorf("%d connections, want %d", len(r.Connections), conns)
			}
			if others > 0 {
				// Read the count without the report package's field, so that the
				// test states the JSON contract (captures[].other_connections).
				var c struct {
					Captures []struct {
						OtherConnections int `json:"other_connections"`
					} `json:"captures"`
				}
				if err := json.Unmarshal([]byte(out), &c); err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, cp := range c.Captures {
					n += cp.OtherConnections
				}
				if n != others {
					t.Errorf("captures[].other_connections add up to %d, want %d", n, others)
				}
			}
			wantCode := exitProblems
			if allOK {
				wantCode = exitOK
			}
			if strings.HasPrefix(file, "bad-") {
				wantCode = exitTrouble // damaged files keep their results and exit 2
			}
			if code != wantCode {
				t.Errorf("exit status %d, want %d (stderr %q)", code, wantCode, errOut)
			}
		})
	}
}

// TestAnalyzeBadInput checks that bad input gives one clear sentence naming
// the file, exit status 2, and no Go error text or stack trace.
func TestAnalyzeBadInput(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"screen text beside a capture", []string{"testdata/bad-cucm-screen-output.txt", "testdata/refused-syn-rst.pcap"}, "testdata/bad-cucm-screen-output.txt is not a capture file: this is the text `utils network capture` prints on the screen"},
		{"empty", []string{"testdata/bad-empty.cap"}, "testdata/bad-empty.cap is empty"},
		{"link type", []string{"testdata/bad-linktype-147.pcap"}, "testdata/bad-linktype-147.pcap uses link type"},
		{"damaged record", []string{"testdata/bad-record-caplen-4mb.pcap"}, "testdata/bad-record-caplen-4mb.pcap is damaged at frame 6"},
		{"cut last record", []string{"testdata/bad-truncated-last-record.pcap"}, "testdata/bad-truncated-last-record.pcap is cut off in the middle of frame 25"},
		{"directory", []string{"testdata"}, "testdata is a directory"},
		{"missing", []string{"testdata/no-such-file.cap"}, "testdata/no-such-file.cap"},
		{"no args", nil, "analyze needs at least one capture file"},
		{"bad format", []string{"--format", "xml", "testdata/bad-empty.cap"}, `--format must be text, json or ndjson, not "xml"`},
		{"bad port", []string{"--port", "70000", "testdata/bad-empty.cap"}, "--port 70000 is not a TCP port"},
		{"zero max-conns", []string{"--max-conns", "0", "testdata/sample-cucm-trunk.cap"}, "--max-conns must be at least 1, not 0"},
		{"negative max-buffer", []string{"--max-buffer", "-5", "testdata/sample-cucm-trunk.cap"}, "--max-buffer must be at least 1, not -5"},
		{"zero max-buffer-total", []string{"--max-buffer-total", "0", "testdata/sample-cucm-trunk.cap"}, "--max-buffer-total must be at least 1, not 0"},
		{"negative decrypt-bytes", []string{"--decrypt-bytes", "-1", "testdata/sample-cucm-trunk.cap"}, "--decrypt-bytes must be 0 or more, not -1"},
		{"zero sip-messages", []string{"--sip-messages", "0", "testdata/sample-cucm-trunk.cap"}, "--sip-messages must be at least 1, not 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runAnalyze(t, tt.args...)
			if code != exitTrouble {
				t.Errorf("exit status %d, want %d", code, exitTrouble)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stderr shows a Go stack trace: %s", errOut)
			}
		})
	}
}

// TestAnalyzeCaps checks that a connection cut short by --max-buffer or
// --max-conns is never called failed: it is incomplete/cap_hit, with the cap
// named, unless its evidence was complete (ok).
func TestAnalyzeCaps(t *testing.T) {
	chdirRoot(t)
	verdicts := func(args ...string) map[string]triage.Connection {
		t.Helper()
		code, out, errOut := runAnalyze(t, append([]string{"--format", "json"}, args...)...)
		if code == exitTrouble {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var r triage.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		m := map[string]triage.Connection{}
		for _, c := range r.Connections {
			m[c.Client+" "+c.Server] = c
		}
		return m
	}
	const sample = "testdata/sample-cucm-trunk.cap"
	// the sample's records each fit in one segment; these ones span several
	const spanning = "testdata/tcp-gap-in-4cert-chain.pcap"
	for _, tt := range []struct {
		capture string
		caps    []string
	}{
		{sample, []string{"--max-buffer", "100"}},
		{sample, []string{"--max-conns", "1"}},
		{sample, []string{"--max-buffer", "1000", "--max-conns", "2"}},
		{spanning, []string{"--max-buffer-total", "5000"}},
	} {
		caps := tt.caps
		free := verdicts(tt.capture)
		t.Run(strings.Join(caps, " "), func(t *testing.T) {
			got := verdicts(append(caps, tt.capture)...)
			capped := 0
			for k, c := range got {
				switch {
				case c.Verdict == "failed" && (free[k].Verdict != "failed" || free[k].Reason != c.Reason):
					// a failure whose evidence was complete (the alert and
					// the close both seen) stays; a cap never makes one
					t.Errorf("%s: failed (%s) under %v, %s/%s without: %s", k, c.Reason, caps, free[k].Verdict, free[k].Reason, c.Summary)
				case c.Reason == "cap_hit":
					capped++
					if !strings.Contains(c.Summary, caps[0]) {
						t.Errorf("%s: cap_hit does not name %s: %s", k, caps[0], c.Summary)
					}
				case free[k].Verdict != "" && c.Verdict != free[k].Verdict:
					t.Errorf("%s: %s/%s under %v, %s/%s without", k, c.Verdict, c.Reason, caps, free[k].Verdict, free[k].Reason)
				}
			}
			if capped == 0 {
				t.Errorf("no connection reports cap_hit under %v", caps)
			}
		})
	}
}

// TestAnalyzeFlags checks how flags reach the options.
func TestAnalyzeFlags(t *testing.T) {
	caps := func(o CaptureOptions) CaptureOptions {
		if o.Format == "" {
			o.Format = "text"
		}
		if o.MaxConns == 0 {
			o.MaxConns = 50000
		}
		if o.MaxBuffer == 0 {
			o.MaxBuffer = 256 << 10
		}
		o.MaxBufferTotal = 32 << 20
		if o.DecryptBytes == 0 {
			o.DecryptBytes = 8 << 10
		}
		if o.SIPMessages == 0 {
			o.SIPMessages = 64
		}
		return o
	}
	tests := []struct {
		name string
		args []string
		want AnalyzeOptions
	}{
		{"defaults", []string{"a.cap"}, AnalyzeOptions{Inputs: []string{"a.cap"}, CaptureOptions: caps(CaptureOptions{}), MaxDetail: 200, Jobs: 1}},
		{"json ports", []string{"--format", "json", "--port", "5061", "--port", "5062", "a.cap", "b.pcapng"},
			AnalyzeOptions{Inputs: []string{"a.cap", "b.pcapng"}, CaptureOptions: caps(CaptureOptions{Format: "json", Ports: []uint{5061, 5062}}), MaxDetail: 200, Jobs: 1}},
		{"any port verbose problems", []string{"--any-port", "-v", "--problems", "--max-conns", "10", "--max-buffer", "65536", "a.cap"},
			AnalyzeOptions{Inputs: []string{"a.cap"}, CaptureOptions: caps(CaptureOptions{AnyPort: true, MaxConns: 10, MaxBuffer: 65536}), Verbose: true, OnlyProblems: true, MaxDetail: 200, Jobs: 1}},
		{"trust", []string{"--trust", "t1", "--trust", "t 2", "--trust-for", "10.20.1.21=peer", "--node", "10.10.1.11", "--expect-name", "a.lab,b.lab", "--expect-name", "10.20.1.22=c.lab", "a.cap"},
			AnalyzeOptions{Inputs: []string{"a.cap"}, MaxDetail: 200, Jobs: 1, CaptureOptions: caps(CaptureOptions{Trust: []string{"t1", "t 2"}, TrustFor: []string{"10.20.1.21=peer"},
				Node: "10.10.1.11", ExpectName: []string{"a.lab,b.lab", "10.20.1.22=c.lab"}})}},
		{"keylog rsa-key indent", []string{"--keylog", "a.keys", "--keylog", "b keys", "--rsa-key", "cube.key", "--format", "json", "--indent", "a.cap"},
			AnalyzeOptions{Inputs: []string{"a.cap"}, MaxDetail: 200, Jobs: 1, CaptureOptions: caps(CaptureOptions{KeyLogs: []string{"a.keys", "b keys"}, RSAKeyFiles: []string{"cube.key"}, Format: "json", Indent: true})}},
		{"decryption bounds", []string{"--keylog", "a.keys", "--decrypt-bytes", "4096", "--sip-messages", "8", "a.cap"},
			AnalyzeOptions{Inputs: []string{"a.cap"}, MaxDetail: 200, Jobs: 1, CaptureOptions: caps(CaptureOptions{KeyLogs: []string{"a.keys"}, DecryptBytes: 4096, SIPMessages: 8})}},
		{"jobs", []string{"--jobs", "3", "a.cap"}, AnalyzeOptions{Inputs: []string{"a.cap"}, CaptureOptions: caps(CaptureOptions{}), MaxDetail: 200, Jobs: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := parseFlags(t, newCmdAnalyze, tt.args)
			g := *got
			g.IO, g.Version, g.Today = nil, "", time.Time{}
			if !equalOptions(g, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", g, tt.want)
			}
		})
	}
}

func equalOptions(a, b AnalyzeOptions) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestVersion checks the version command and flag.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		ios, _, out, _ := Test()
		if code := Main(args, ios); code != 0 {
			t.Errorf("%v: exit status %d", args, code)
		}
		if !strings.HasPrefix(out.String(), "siptls ") {
			t.Errorf("%v: output %q", args, out.String())
		}
	}
}

// TestAnalyzeKeylog shows a TLS 1.3 rejection with the client's key log:
// the certificates and the real alert (unknown_ca) appear, and the verdict
// names the certificate to upload. A key log line that cannot be read is
// reported by number after the report, with exit status 2; a key log that
// cannot be opened stops the command.
func TestAnalyzeKeylog(t *testing.T) {
	chdirRoot(t)
	const capture = "testdata/keylog-tls13-server-rejects-client.pcap"
	args := []string{"--keylog", "testdata/keylog-tls13-server-rejects-client.keys", capture}
	code, text, errOut := runAnalyze(t, append([]string{"-v"}, args...)...)
	if code != exitProblems || errOut != "" {
		t.Errorf("exit status %d, stderr %q", code, errOut)
	}
	checkGolden(t, "keylog-tls13-server-rejects-client.golden.txt", []byte(text))
	checkJSONGolden(t, "keylog-tls13-server-rejects-client.golden.json", analyzer(t), true, args...)

	// The decrypted TLS 1.3 certificates are judged against --trust.
	_, text, _ = runAnalyze(t, append([]string{"--trust", "testdata/trust/cucm7-pub-CallManager-trust"}, args...)...)
	if !strings.Contains(text, "trust (testdata/trust/cucm7-pub-CallManager-trust): exact_match: CN=cucm8-sub2.clus2.lab serial 524580eba4fb5ac6a4af6a6df2ce8b7a") {
		t.Errorf("--keylog --trust: the client's TLS 1.3 certificate is not judged\n%s", text)
	}

	// TLS fine, the call refused in SIP: the 503 shows with the key log.
	args503 := []string{"--keylog", "testdata/keylog-tls12-sip-503.keys", "testdata/keylog-tls12-sip-503.pcap"}
	_, text, _ = runAnalyze(t, append([]string{"-v"}, args503...)...)
	checkGolden(t, "keylog-tls12-sip-503.golden.txt", []byte(text))
	checkJSONGolden(t, "keylog-tls12-sip-503.golden.json", analyzer(t), true, args503...)

	// --decrypt-bytes 1: the first record of each direction is decrypted,
	// the alerts still are, and the SIP summary says where it stopped.
	argsBound := []string{"--keylog", "testdata/keylog-tls12-sip.keys", "--decrypt-bytes", "1", "testdata/keylog-tls12-sip.pcap"}
	_, text, _ = runAnalyze(t, append([]string{"-v"}, argsBound...)...)
	checkGolden(t, "keylog-tls12-sip-decrypt-bytes.golden.txt", []byte(text))
	checkJSONGolden(t, "keylog-tls12-sip-decrypt-bytes.golden.json", analyzer(t), true, argsBound...)

	bad := filepath.Join(t.TempDir(), "bad.keys")
	keys, err := os.ReadFile("testdata/keylog-tls13-server-rejects-client.keys")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, append([]byte("CLIENT_RANDOM zz 00\n"), keys...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, text, errOut = runAnalyze(t, "--keylog", bad, capture)
	if code != exitTrouble || !strings.Contains(text, "unknown_ca") || !strings.Contains(errOut, bad+" line 1: CLIENT_RANDOM: the client random is not 32 bytes of hex") {
		t.Errorf("bad line: exit %d, stderr %q, report decrypted: %v", code, errOut, strings.Contains(text, "unknown_ca"))
	}
	code, _, errOut = runAnalyze(t, "--keylog", "testdata/no-such.keys", capture)
	if code != exitTrouble || !strings.Contains(errOut, "cannot read the key log") {
		t.Errorf("missing key log: exit %d, stderr %q", code, errOut)
	}

	// --rsa-key: the CUBE's key decrypts its TLS_RSA session; a file that
	// is not a key stops the command, naming it.
	code, text, _ = runAnalyze(t, "--rsa-key", "testdata/certs/cube1.key", "testdata/ok-cube-strict-cipher.pcap")
	if code != exitOK || !strings.Contains(text, "Decrypted SIP: INVITE 3004 → 100, 180, 200; ACK.") {
		t.Errorf("--rsa-key: exit %d\n%s", code, text)
	}
	code, _, errOut = runAnalyze(t, "--rsa-key", "testdata/certs/cube1.pem", "testdata/ok-cube-strict-cipher.pcap")
	if code != exitTrouble || !strings.Contains(errOut, "siptls: testdata/certs/cube1.pem: no RSA PRIVATE KEY or PRIVATE KEY block") {
		t.Errorf("a certificate as --rsa-key: exit %d, stderr %q", code, errOut)
	}
}

// TestAnalyzeOnlyUnreadable: when no input could be read, standard output
// stays empty and standard error has one sentence per input; with one
// readable input beside it, the report is written as usual.
func TestAnalyzeOnlyUnreadable(t *testing.T) {
	chdirRoot(t)
	code, out, errOut := runAnalyze(t, "testdata/bad-empty.cap", "testdata/trust")
	if code != exitTrouble || out != "" || strings.Count(errOut, "\n") != 2 || !strings.Contains(errOut, "to read every capture in a folder, use siptls triage testdata/trust") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runAnalyze(t, "testdata/bad-empty.cap", "testdata/refused-syn-rst.pcap")
	if code != exitTrouble || !strings.Contains(out, "refused (syn_reset)") {
		t.Errorf("with a readable capture beside it: exit %d\n%s", code, out)
	}
}

// TestAnalyzeStdin: "-" reads the capture from standard input, as it comes
// from `tcpdump -w -` or `zcat`; the report is the one of the file.
func TestAnalyzeStdin(t *testing.T) {
	chdirRoot(t)
	b, err := os.ReadFile("testdata/sample-cucm-trunk.cap")
	if err != nil {
		t.Fatal(err)
	}
	ios, in, out, errOut := Test()
	in.Write(b)
	code := run(&Factory{IO: ios, Now: func() time.Time { return goldenToday }, Version: "test"}, []string{"analyze", "-"})
	_, want, _ := runAnalyze(t, "testdata/sample-cucm-trunk.cap")
	want = strings.ReplaceAll(want, "testdata/sample-cucm-trunk.cap:", "-:")
	if code != exitProblems || out.String() != want || errOut.Len() != 0 {
		t.Errorf("exit %d, stderr %q, report differs from the file's: %v", code, errOut.String(), out.String() != want)
	}
}
