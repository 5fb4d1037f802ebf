package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/memlimit"
	"github.com/siptls/siptls/triage"
)

// runTriage runs `siptls triage args...` from the repository root with a
// fixed version string, and returns the exit code, stdout and stderr.
func runTriage(t *testing.T, ios *IOStreams, args ...string) int {
	t.Helper()
	return run(testFactory(ios, goldenToday), append([]string{"triage"}, args...))
}

// triageOut is runTriage with streams of its own.
func triageOut(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCmd(goldenToday, append([]string{"triage"}, args...)...)
}

// TestTriageGolden compares text and JSON output for the triage captures.
func TestTriageGolden(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"captures", []string{"testdata/triage/captures"}, exitProblems},
		{"junk", []string{"testdata/triage/junk"}, exitTrouble},
		{"one-in-3", []string{"testdata/triage/captures/cucm7-pub.cap"}, exitProblems},
		{"trust", []string{"--trust-for", "10.10.1.11=testdata/trust/cucm7-pub-CallManager-trust", "testdata/triage/captures"}, exitProblems},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, text, _ := triageOut(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("text: exit status %d, want %d", code, tt.wantCode)
			}
			checkGolden(t, "triage-"+tt.name+".golden.txt", []byte(text))
			checkJSONGolden(t, "triage-"+tt.name+".golden.json", func(args ...string) (int, string, string) {
				code, out, errOut := triageOut(t, args...)
				if code != tt.wantCode {
					t.Errorf("%v: exit status %d, want %d", args, code, tt.wantCode)
				}
				return code, out, errOut
			}, true, tt.args...)
		})
	}
}

// TestTriageJobs checks that the merged result does not depend on how many
// captures are read at once, nor on the order they are named in.
func TestTriageJobs(t *testing.T) {
	chdirRoot(t)
	base := []string{"--format", "json"}
	files := []string{"testdata/triage/captures/cucm8-pub.pcapng", "testdata/triage/captures/cucm7-pub.cap",
		"testdata/triage/captures/cucm7-pub-later.cap", "testdata/sample-cucm-trunk.cap", "testdata/ok-tls13-go.pcap"}
	_, want, _ := triageOut(t, append(append(base, "--jobs", "1"), files...)...)
	for _, jobs := range []string{"2", "4", "8"} {
		rev := make([]string, len(files))
		for i, f := range files {
			rev[len(files)-1-i] = f
		}
		_, got, _ := triageOut(t, append(append(base, "--jobs", jobs), rev...)...)
		if got != want {
			t.Errorf("--jobs %s gives other output than --jobs 1", jobs)
		}
	}
}

// TestTriageMerge checks the facts the captures were made to show.
func TestTriageMerge(t *testing.T) {
	chdirRoot(t)
	_, js, _ := triageOut(t, "--format", "json", "testdata/triage/captures")
	var r triage.Triage
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if r.Schema != "siptls/v1" {
		t.Errorf("schema %q", r.Schema)
	}
	// cucm8-pub.pcapng saw 7 of cucm7-pub.cap's 21 connections.
	if r.Summary.Connections != 27 || r.Duplicates.Connections != 7 || r.Duplicates.ByISN != 7 {
		t.Errorf("connections %d, duplicates %+v; want 27 and 7 by ISN", r.Summary.Connections, r.Duplicates)
	}
	if len(r.Duplicates.ClockOffsets) != 1 || r.Duplicates.ClockOffsets[0].Seconds != 1.5 {
		t.Errorf("clock offsets %+v, want one of 1.5 s", r.Duplicates.ClockOffsets)
	}
	dest := map[string]triage.TriageDestination{}
	for _, d := range r.Destinations {
		dest[d.Server] = d
	}
	tests := []struct {
		server          string
		attempts, ok    int
		changed         bool
		alert           triage.AlertKey
		alertCount      int
		wantNamesPrefix string
	}{
		{"10.20.1.21:5061", 4, 4, false, triage.AlertKey{}, 0, "cucm8-pub"},
		{"10.20.1.22:5061", 4, 0, false, triage.AlertKey{SentBy: diagnose.Server, Name: "unknown_ca"}, 4, "cucm8-sub1"},
		{"10.20.1.23:5061", 10, 7, true, triage.AlertKey{SentBy: diagnose.Client, Name: "bad_certificate"}, 3, "cucm8-sub2"},
		{"10.30.1.5:5061", 4, 2, false, triage.AlertKey{SentBy: diagnose.Server, Name: "unknown_ca"}, 2, "cube1"},
		{"10.10.1.11:5061", 5, 3, false, triage.AlertKey{SentBy: diagnose.Server, Name: "unknown_ca"}, 2, "cucm7-pub"},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			d, ok := dest[tt.server]
			if !ok {
				t.Fatalf("no destination %s", tt.server)
			}
			if d.Attempts != tt.attempts || d.OK != tt.ok || d.CertificateChanged != tt.changed || d.Alerts[tt.alert] != tt.alertCount {
				t.Errorf("got attempts %d ok %d changed %v alerts %v", d.Attempts, d.OK, d.CertificateChanged, d.Alerts)
			}
			if len(d.Names) == 0 || !strings.HasPrefix(d.Names[0], tt.wantNamesPrefix) {
				t.Errorf("names %q", d.Names)
			}
		})
	}
	pats := strings.Join(r.Patterns, "\n")
	for _, want := range []string{
		"10.20.1.22:5061 (cucm8-sub1.clus2.lab) failed 4 of 4 times with unknown_ca sent by the server",
		"Only calls from 10.30.1.5 to 10.10.1.11:5061",
		"10.30.1.5:5061 (cube1.lab) is intermittent",
		"every failure came with the newest certificate",
		"Most likely to blame: 10.20.1.22:5061",
	} {
		if !strings.Contains(pats, want) {
			t.Errorf("patterns lack %q:\n%s", want, pats)
		}
	}
	stale := 0
	for _, c := range r.Certificates {
		if len(c.SameSubject) > 0 {
			stale++
			if c.CommonName != "cucm8-sub2.clus2.lab" {
				t.Errorf("stale flag on %s", c.CommonName)
			}
		}
	}
	if stale != 2 {
		t.Errorf("%d certificates flagged as sharing a subject, want 2", stale)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "clocks disagree") {
		t.Errorf("notes %q", r.Notes)
	}
	// One capture alone: one call in 3.
	_, js, _ = triageOut(t, "--format", "json", "testdata/triage/captures/cucm7-pub.cap")
	r = triage.Triage{}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Patterns) == 0 || !strings.Contains(r.Patterns[0], "10.20.1.21:5061 and 10.20.1.23:5061 succeeded 8 of 8") {
		t.Errorf("first pattern %q", r.Patterns)
	}
}

// TestTriageBadInput checks what happens with inputs that are not captures.
func TestTriageBadInput(t *testing.T) {
	chdirRoot(t)
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantErr    []string // in stderr
		wantOut    []string // in stdout
		wantNoConn bool
	}{
		{"glob matches nothing", []string{"testdata/triage/nothing-*.cap"}, exitTrouble,
			[]string{"nothing to triage", "the pattern matches no file"}, nil, true},
		{"folder without captures", []string{empty}, exitTrouble,
			[]string{"the folder holds no capture file"}, nil, true},
		{"glob matches nothing, other input good", []string{"testdata/triage/nothing-*.cap", "testdata/ok-tls13-go.pcap"}, exitTrouble,
			[]string{"the pattern matches no file"}, []string{"The one connection succeeded."}, false},
		{"missing file, rest goes on", []string{"testdata/triage/missing.cap", "testdata/triage/junk/trunk.cap"}, exitTrouble,
			[]string{"missing.cap"}, []string{"1 connection: 1 ok", "error: cannot read testdata/triage/missing.cap"}, false},
		{"junk folder: skipped files named, empty capture reported", []string{"testdata/triage/junk"}, exitTrouble,
			[]string{"empty.cap is empty"}, []string{"skipped testdata/triage/junk/README.txt", "skipped testdata/triage/junk/screen-output.txt", "1 connection: 1 ok"}, false},
		{"quoted glob", []string{"testdata/triage/captures/cucm7-pub*.cap"}, exitProblems,
			nil, []string{"[1] testdata/triage/captures/cucm7-pub.cap"}, false},
		{"bad jobs", []string{"--jobs", "0", "testdata/ok-tls13-go.pcap"}, exitTrouble, []string{"--jobs must be at least 1"}, nil, true},
		{"bad max-matched", []string{"--max-matched", "0", "testdata/ok-tls13-go.pcap"}, exitTrouble, []string{"--max-matched must be at least 1"}, nil, true},
		{"max-matched hit", []string{"--max-matched", "2", "testdata/triage/captures"}, exitProblems,
			nil, []string{"only the first 2 connections were matched across captures;", "raise triage's --max-matched to match more"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := triageOut(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d; stderr %q", code, tt.wantCode, errOut)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %q", w, errOut)
				}
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if tt.wantNoConn && strings.Contains(out, "connection:") {
				t.Errorf("unexpected report:\n%s", out)
			}
		})
	}
}

// TestTriageProgress checks that progress goes to a terminal only.
func TestTriageProgress(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name  string
		tty   bool
		quiet bool
		want  bool
	}{
		{"terminal", true, false, true},
		{"terminal, --quiet", true, true, false},
		{"piped", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := Test()
			ios.ErrTTY = tt.tty
			args := []string{"testdata/triage/captures"}
			if tt.quiet {
				args = append([]string{"--quiet"}, args...)
			}
			runTriage(t, ios, args...)
			// The run may end before the first redraw; the line is always
			// cleared with \r at the end on a terminal.
			if got := strings.Contains(errOut.String(), "\r"); got != tt.want {
				t.Errorf("progress shown %v, want %v: %q", got, tt.want, errOut.String())
			}
		})
	}
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name             string
		filesDone, files int
		done, total      int64
		elapsed          time.Duration
		want             string
	}{
		{"start", 0, 20, 0, 4 << 30, 0, "0/20 files, 0 B of 4.0 GiB"},
		{"midway", 5, 20, 1 << 30, 4 << 30, 10 * time.Second, "5/20 files, 1.0 GiB of 4.0 GiB, 102 MiB/s, ETA 30s"},
		{"done", 20, 20, 4 << 30, 4 << 30, 40 * time.Second, "20/20 files, 4.0 GiB of 4.0 GiB, 102 MiB/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressLine(tt.filesDone, tt.files, tt.done, tt.total, tt.elapsed); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestProgressRedraw sends two ticks and checks the two lines drawn, each
// over the last, and the line cleared at the end.
func TestProgressRedraw(t *testing.T) {
	var files, done atomic.Int64
	files.Store(1)
	done.Store(2 << 20)
	var buf bytes.Buffer
	tick := make(chan time.Time)
	stop := make(chan struct{})
	fin := make(chan struct{})
	start := time.Unix(0, 0)
	calls := 0
	now := func() time.Time { calls++; return start.Add(time.Duration(calls) * time.Second) }
	go progress(&buf, now, tick, 2, 4<<20, &files, &done, stop, fin)
	// tick is unbuffered: the second send waits until the first line is drawn.
	tick <- time.Time{}
	tick <- time.Time{}
	close(stop)
	<-fin
	const line1, line2 = "1/2 files, 2 MiB of 4 MiB, 2 MiB/s, ETA 1s", "1/2 files, 2 MiB of 4 MiB, 1 MiB/s, ETA 2s"
	want := "\r" + line1 + "\r" + line2 + "\r" + strings.Repeat(" ", len(line1)) + "\r"
	if got := buf.String(); got != want {
		t.Errorf("progress output\n got %q\nwant %q", got, want)
	}
}

// TestTriageTrust checks that the certificate inventory carries the verdicts
// of the trust folder of the node that received each certificate.
func TestTriageTrust(t *testing.T) {
	chdirRoot(t)
	ios, _, out, _ := Test()
	runTriage(t, ios, "--format", "json", "--trust-for", "10.10.1.11=testdata/trust/cucm7-pub-CallManager-trust", "testdata/triage/captures")
	var tr triage.Triage
	if err := json.Unmarshal(out.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	if len(tr.TrustStores) != 1 || tr.TrustStores[0].Node != "10.10.1.11" {
		t.Errorf("trust_stores %+v", tr.TrustStores)
	}
	got := map[string]string{}
	for _, c := range tr.Certificates {
		for _, v := range c.Trust {
			got[c.CommonName+" "+c.Serial[:8]] = string(v.Status)
		}
	}
	for k, want := range map[string]string{"cube1.lab 503d5eef": "stale_copy", "cucm8-sub1.clus2.lab 3fd709cd": "exact_match"} {
		if got[k] != want {
			t.Errorf("%s: trust %q, want %q (all: %v)", k, got[k], want, got)
		}
	}
	if _, judged := got["cucm7-pub.clus1.lab 50262786"]; judged {
		t.Error("cucm7-pub's own certificate was judged by its own folder")
	}
}

// TestTriageFlags checks how flags reach the options, and that the
// factory's clock and version do.
func TestTriageFlags(t *testing.T) {
	def := func(o TriageOptions) TriageOptions {
		if o.Format == "" {
			o.Format = "text"
		}
		o.MaxConns, o.MaxBuffer, o.MaxBufferTotal = 50000, 256<<10, 32<<20
		if o.Jobs == 0 {
			o.Jobs = runtime.NumCPU()
		}
		o.MaxDetail, o.MaxMatched = 200, triage.DefaultMaxMatched
		if o.DecryptBytes == 0 {
			o.DecryptBytes, o.SIPMessages = 8<<10, 64
		}
		return o
	}
	tests := []struct {
		name string
		args []string
		want TriageOptions
	}{
		{"defaults", []string{"a/"}, def(TriageOptions{Inputs: []string{"a/"}})},
		{"json ports jobs quiet", []string{"--format", "json", "--port", "5061", "--port", "5062", "--any-port", "--jobs", "3", "-q", "a/", "b.cap"},
			def(TriageOptions{Inputs: []string{"a/", "b.cap"}, CaptureOptions: CaptureOptions{Format: "json", Ports: []uint{5061, 5062}, AnyPort: true}, Jobs: 3, Quiet: true})},
		{"decryption bounds", []string{"--decrypt-bytes", "1", "--sip-messages", "3", "a/"},
			def(TriageOptions{Inputs: []string{"a/"}, CaptureOptions: CaptureOptions{DecryptBytes: 1, SIPMessages: 3}})},
		{"trust html", []string{"--trust", "t1", "--trust-for", "10.20.1.21=peer", "--node", "10.10.1.11", "--expect-name", "a.lab", "--html", "r.html", "a/"},
			def(TriageOptions{Inputs: []string{"a/"}, CaptureOptions: CaptureOptions{Trust: []string{"t1"}, TrustFor: []string{"10.20.1.21=peer"}, Node: "10.10.1.11", ExpectName: []string{"a.lab"}}, HTML: "r.html"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ios := parseFlags(t, newCmdTriage, tt.args)
			if got.Version != "test" || !got.Today.Equal(goldenToday) || !got.Now().Equal(goldenToday) || got.IO != ios {
				t.Errorf("the factory did not reach the options: version %q, today %v", got.Version, got.Today)
			}
			g := *got
			g.IO, g.Now, g.Version, g.Today = nil, nil, "", time.Time{}
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", g, tt.want)
			}
		})
	}
}

// TestTriageMemoryShares checks that triage gives the memory governor one
// share of its floor per capture read at once (package memlimit).
func TestTriageMemoryShares(t *testing.T) {
	chdirRoot(t)
	const floor = 1 << 30 // above any heap this test makes: the limit stays at the floor
	g := memlimit.Start(memlimit.Policy{Floor: floor, Ceiling: 64 << 30, Garbage: 1})
	defer g.Stop()
	two := []string{"testdata/triage/captures/cucm7-pub.cap", "testdata/ok-tls13-go.pcap"}
	tests := []struct {
		jobs  string
		files []string
		want  int64
	}{
		{"2", two, 2 * floor},
		{"1", two, floor},
		{"4", two[:1], floor},
	}
	for _, tt := range tests {
		ios, _, _, _ := Test()
		f := testFactory(ios, goldenToday)
		f.Memory = g
		run(f, append([]string{"triage", "-q", "--jobs", tt.jobs}, tt.files...))
		if got := g.Limit(); got != tt.want {
			t.Errorf("--jobs %s, %d captures: the limit is %d MiB, want %d MiB", tt.jobs, len(tt.files), got>>20, tt.want>>20)
		}
	}
}
