package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/triage"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "cucm7-pub.clus1.lab", "cucm7-pub.clus1.lab"},
		{"utf-8 kept", "São Paulo – Ünïcødé", "São Paulo – Ünïcødé"},
		{"ansi escape", "evil\x1b[31mred\x1b[0m", `evil\x1b[31mred\x1b[0m`},
		{"newline and tab", "a\nb\tc", `a\x0ab\x09c`},
		{"right-to-left override", "gpj.\u202eexe", `gpj.\u202eexe`},
		{"zero width joiner", "a\u200db", `a\u200db`},
		{"del", "a\x7fb", `a\x7fb`},
		{"c1 control", "a\u009bb", `a\x9bb`},
		{"invalid utf-8: 8-bit csi", "a\x9b31mb", `a\x9b31mb`},
		{"invalid utf-8: cut rune", "caf\xc3", `caf\xc3`},
		{"invalid utf-8: overlong nul", "a\xc0\x80b", `a\xc0\x80b`},
		{"invalid utf-8: surrogate", "a\xed\xa0\x80b", `a\xed\xa0\x80b`},
		{"replacement character kept", "a\ufffdb", "a\ufffdb"},
		{"already escaped text kept", `a\x9bb`, `a\x9bb`},
		{"bom", "\ufeffcucm", `\ufeffcucm`},
		{"cf beyond the bmp", "a\U0001343ab", `a\U0001343ab`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// analysis builds a small analysis by hand: two captures, three
// connections, one of them with a hostile certificate name and SNI.
func analysis() *diagnose.Analysis {
	t0 := time.Date(2026, 11, 20, 14, 3, 0, 0, time.UTC)
	ap := netip.MustParseAddrPort
	hostile := &certinfo.Info{Serial: "01", Subject: "CN=\x1b[2J<script>", Issuer: "CN=x", SubjectCN: "\x1b[2J<script>",
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour), DNSNames: []string{"a\u202eb"}}
	conns := []*diagnose.Connection{
		{ID: 1, Capture: 0, Client: ap("10.10.1.11:30001"), Server: ap("10.20.1.21:5061"), Start: t0, End: t0.Add(time.Second),
			StartFrame: 1, EndFrame: 20, Verdict: diagnose.VerdictOK, Reason: diagnose.ReasonApplicationData, Summary: "fine", AbortedBy: diagnose.Neither,
			TLSVersion: "TLS 1.2", SNI: "\x1b]0;title\x07", Certificates: []diagnose.Certificate{{SentBy: diagnose.Server, Frame: 6, Time: t0, Info: hostile}},
			Events: []diagnose.Event{{Frame: 1, Time: t0, From: diagnose.Client, What: "SYN"}}},
		{ID: 2, Capture: 0, Client: ap("10.10.1.11:30002"), Server: ap("10.20.1.22:5061"), Start: t0.Add(2 * time.Second), End: t0.Add(3 * time.Second),
			StartFrame: 21, EndFrame: 30, Verdict: diagnose.VerdictFailed, Reason: diagnose.ReasonFatalAlert, Summary: "alert", AbortedBy: diagnose.Server,
			Alert: &diagnose.Alert{Level: 2, Code: 48, Name: "unknown_ca", SentBy: diagnose.Server, Frame: 28, Time: t0.Add(2 * time.Second)}},
		{ID: 1, Capture: 1, Client: ap("[fd00::11]:30003"), Server: ap("10.20.1.22:5061"), Start: t0.Add(4 * time.Second), End: t0.Add(5 * time.Second),
			Verdict: diagnose.VerdictNoAnswer, Reason: diagnose.ReasonSYNUnanswered, Summary: "no answer", AbortedBy: diagnose.Neither},
	}
	return &diagnose.Analysis{
		Captures: []*pcap.CaptureInfo{
			{Path: "a.cap", Format: "pcap", LinkTypes: []string{"Ethernet"}, Packets: 30, First: t0, Last: t0.Add(3 * time.Second)},
			{Path: "b.pcapng", Format: "pcapng", LinkTypes: []string{"Linux cooked v2"}, Packets: 3},
		},
		Connections: conns,
	}
}

// TestStreamMatchesBuild checks that the streaming Writer produces the same
// JSON document as Build followed by WriteJSON, so the two paths cannot drift.
func TestStreamMatchesBuild(t *testing.T) {
	a := analysis()
	var streamed bytes.Buffer
	w := NewWriter(&streamed, WriterOptions{Format: FormatJSON, Version: "test"})
	for _, c := range a.Connections {
		w.Add(c)
	}
	if err := w.Close(a.Captures, a.Errors); err != nil {
		t.Fatal(err)
	}
	var built bytes.Buffer
	if err := WriteJSON(&built, triage.Build(a, "test")); err != nil {
		t.Fatal(err)
	}
	var s, b any
	if err := json.Unmarshal(streamed.Bytes(), &s); err != nil {
		t.Fatalf("streamed output is not JSON: %v\n%s", err, streamed.Bytes())
	}
	if err := json.Unmarshal(built.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, b) {
		t.Errorf("streamed and built JSON differ\nstreamed: %s\nbuilt: %s", streamed.Bytes(), built.Bytes())
	}

	// The same holds for text.
	var st, bt bytes.Buffer
	tw := NewWriter(&st, WriterOptions{Format: FormatText, Version: "test", Text: TextOptions{Verbose: true, MultiCapture: true}})
	for _, c := range a.Connections {
		tw.Add(c)
	}
	if err := tw.Close(a.Captures, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&bt, triage.Build(a, "test"), TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if st.String() != bt.String() {
		t.Errorf("streamed and built text differ\nstreamed:\n%s\nbuilt:\n%s", st.String(), bt.String())
	}
}

func TestEmptyStream(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, WriterOptions{Format: FormatJSON, Version: "test"})
	if err := w.Close(nil, nil); err != nil {
		t.Fatal(err)
	}
	var r triage.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.Bytes())
	}
	if r.Schema != triage.Schema || r.Connections == nil || len(r.Connections) != 0 {
		t.Errorf("empty report = %+v", r)
	}
}

// TestAggregates checks destinations, the capture node and the summary.
func TestAggregates(t *testing.T) {
	r := triage.Build(analysis(), "test")
	if got := r.Captures[0].Node; got != "10.10.1.11" {
		t.Errorf("capture node = %q, want 10.10.1.11", got)
	}
	if got := r.Captures[1].Node; got != "" {
		t.Errorf("capture node of a one-connection capture = %q, want \"\" (either end could be it)", got)
	}
	var servers []string
	for _, d := range r.Destinations {
		servers = append(servers, d.Server)
	}
	if want := []string{"10.20.1.21:5061", "10.20.1.22:5061"}; !reflect.DeepEqual(servers, want) {
		t.Errorf("destinations %v, want %v", servers, want)
	}
	d := r.Destinations[1]
	if d.Attempts != 2 || d.Verdicts["failed"] != 1 || d.Verdicts["no_answer"] != 1 || d.Alerts[triage.AlertKey{SentBy: diagnose.Server, Name: "unknown_ca"}] != 1 {
		t.Errorf("destination 10.20.1.22:5061 = %+v", d)
	}
	if d.FirstFailure == nil || d.LastFailure == nil || !d.LastFailure.After(d.FirstFailure.Time) {
		t.Errorf("failure times %v %v", d.FirstFailure, d.LastFailure)
	}
	if r.Summary.Connections != 3 || r.Summary.Problems != 2 {
		t.Errorf("summary %+v", r.Summary)
	}
	if a := r.Connections[1].Alert; a == nil || a.Level == nil || *a.Level != 2 || *a.Code != 48 {
		t.Errorf("alert %+v", a)
	}
}

// TestTextIsSanitized checks that capture text cannot reach the terminal raw.
func TestTextIsSanitized(t *testing.T) {
	var out bytes.Buffer
	if err := WriteText(&out, triage.Build(analysis(), "test"), TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\u202e", "\x07"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("text output contains raw %q:\n%s", bad, out.String())
		}
	}
	if !strings.Contains(out.String(), `\x1b[2J<script>`) {
		t.Errorf("the hostile name is not shown escaped:\n%s", out.String())
	}
}

func TestOnlyProblems(t *testing.T) {
	var out bytes.Buffer
	if err := WriteText(&out, triage.Build(analysis(), "test"), TextOptions{OnlyProblems: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "#0/1 ") || !strings.Contains(out.String(), "#0/2 ") {
		t.Errorf("--problems output:\n%s", out.String())
	}
}
