package report

import (
	"bytes"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/triagetest"
	"github.com/siptls/siptls/triage"
)

// wconn is a connection with any verdict and reason; alert is an alert the
// server sent ("" for none). A no_answer connection sent 4 SYNs.
type wconn struct {
	client, server string
	verdict        diagnose.Verdict
	reason         diagnose.Reason
	alert          string
}

// conns builds diagnose connections from ws, one second apart.
func conns(ws ...wconn) []*diagnose.Connection {
	var out []*diagnose.Connection
	for i, w := range ws {
		id := uint64(i + 1)
		start := time.Duration(i) * time.Second
		c := &diagnose.Connection{ID: id, Client: netip.MustParseAddrPort(fmt.Sprintf("%s:%d", w.client, 40000+i)), Server: netip.MustParseAddrPort(w.server),
			Start: triagetest.T0().Add(start), End: triagetest.T0().Add(start + time.Second), StartFrame: id * 10, EndFrame: id*10 + 9,
			Verdict: w.verdict, Reason: w.reason, ClientISN: uint32(id), ISNKnown: true}
		if w.alert != "" {
			c.Alert = &diagnose.Alert{Level: 2, Code: 48, Name: w.alert, SentBy: diagnose.Server, Frame: id*10 + 5}
		}
		if w.verdict == diagnose.VerdictNoAnswer {
			c.Stats[diagnose.Client].Packets = 4
		}
		out = append(out, c)
	}
	return out
}

// repeat returns n copies of w.
func repeat(n int, w wconn) []wconn {
	out := make([]wconn, n)
	for i := range out {
		out[i] = w
	}
	return out
}

func join(ws ...[]wconn) []wconn {
	var out []wconn
	for _, w := range ws {
		out = append(out, w...)
	}
	return out
}

func mergeAll(cs []*diagnose.Connection) *triage.Triage {
	m := triage.NewMerger(triage.TriageOptions{})
	for _, c := range cs {
		m.Add(c)
	}
	return m.Triage(triagetest.Infos(1), nil, nil, "test")
}

// Shorthands for the words tests: one client, destinations A to D.
const (
	wcl = "10.10.1.11"
	dA  = "10.20.1.21:5061"
	dB  = "10.20.1.22:5061"
	dC  = "10.20.1.23:5061"
	dD  = "10.20.1.24:5061"
)

var (
	okTo      = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictOK, diagnose.ReasonApplicationData, ""} }
	unknownCA = func(d string) wconn {
		return wconn{wcl, d, diagnose.VerdictFailed, diagnose.ReasonFatalAlert, "unknown_ca"}
	}
	midstream  = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictIncomplete, diagnose.ReasonMidstream, ""} }
	gapTo      = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictIncomplete, diagnose.ReasonGap, ""} }
	noAnswer   = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictNoAnswer, diagnose.ReasonSYNUnanswered, ""} }
	refusedBy  = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictRefused, diagnose.ReasonSYNReset, ""} }
	truncated  = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictTruncated, diagnose.ReasonSnaplen, ""} }
	plaintext  = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictNotTLS, diagnose.ReasonNotTLS, ""} }
	tls13Dark  = func(d string) wconn { return wconn{wcl, d, diagnose.VerdictIncomplete, diagnose.ReasonTLS13Hidden, ""} }
	endedEarly = func(d string) wconn {
		return wconn{wcl, d, diagnose.VerdictIncomplete, diagnose.ReasonCaptureEnded, ""}
	}
)

// TestTriageIncompleteIsNotFailed is issue 8's report: a healthy capture of
// sessions already open counted every incomplete connection as failed, and a
// destination whose only problem was midstream could be blamed or called
// intermittent.
func TestTriageIncompleteIsNotFailed(t *testing.T) {
	tests := []struct {
		name       string
		input      []wconn
		notFailing []string // destinations with no failed connection
		notWant    []string // words the patterns must not hold
	}{
		{"midstream only", repeat(2, midstream(dA)), []string{dA}, []string{"fail (", "blame", "intermittent"}},
		{"midstream beside a failing destination", join(repeat(3, unknownCA(dA)), repeat(2, midstream(dB)), repeat(3, okTo(dC))),
			[]string{dB, dC}, []string{dB + " failed", "blame: " + dA + " and " + dB, "blame: " + dB}},
		{"midstream at a working destination", join(repeat(3, okTo(dA)), []wconn{midstream(dA), gapTo(dA), tls13Dark(dA), endedEarly(dA)}, repeat(2, unknownCA(dB))),
			[]string{dA}, []string{dA + " is intermittent", "blame: " + dA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mergeAll(conns(tt.input...))
			for _, d := range r.Destinations {
				for _, nf := range tt.notFailing {
					if d.Server == nf && d.Failed != 0 {
						t.Errorf("%s counts %d failed, want 0 (verdicts %v)", d.Server, d.Failed, d.Verdicts)
					}
				}
			}
			all := strings.Join(r.Patterns, "\n")
			for _, nw := range tt.notWant {
				if strings.Contains(all, nw) {
					t.Errorf("patterns hold %q:\n%s", nw, all)
				}
			}
		})
	}
}

// TestTriageWords pins the pattern sentences for each kind of outcome.
func TestTriageWords(t *testing.T) {
	tests := []struct {
		name  string
		input []wconn
		want  []string
	}{
		{"one midstream", repeat(1, midstream(dA)), []string{
			"The one connection could not be judged and is not counted as a failure: 1 incomplete (midstream: already open when the capture began).",
		}},
		{"midstream only", repeat(2, midstream(dA)), []string{
			"No connection was seen to fail, and none could be judged: 2 incomplete (midstream: already open when the capture began).",
		}},
		{"ok and incomplete", join(repeat(3, okTo(dA)), []wconn{midstream(dB), gapTo(dB), truncated(dC)}), []string{
			"No connection was seen to fail: 3 ok, and 3 that could not be judged: 2 incomplete (1 gap: bytes missing from the capture; 1 midstream: already open when the capture began), 1 truncated (snaplen: packets cut by the snap length).",
		}},
		{"midstream beside a failing destination", join(repeat(3, unknownCA(dA)), repeat(2, midstream(dB)), repeat(3, okTo(dC))), []string{
			"From 10.10.1.11: 10.20.1.21:5061 failed 3 of 3 times with unknown_ca sent by the server; 10.20.1.23:5061 succeeded 3 of 3: about one call in 2 fails (3 of 6).",
			"Most likely to blame: 10.20.1.21:5061, 3 of 3 attempts failed (unknown_ca sent by the server).",
			"2 connections could not be judged and are not counted as failures: 2 incomplete (midstream: already open when the capture began).",
		}},
		{"no_answer and refused named as themselves", join(repeat(3, unknownCA(dA)), []wconn{noAnswer(dB)}, repeat(2, refusedBy(dC)), repeat(3, okTo(dD))), []string{
			"From 10.10.1.11: 10.20.1.21:5061 failed 3 of 3 times with unknown_ca sent by the server; 10.20.1.22:5061 never answered (4 SYNs, no_answer); 10.20.1.23:5061 refused all 2 connections (SYN answered by RST: refused); 10.20.1.24:5061 succeeded 3 of 3: about one call in 2 fails (6 of 9).",
			"Most likely to blame: 10.20.1.21:5061 (3 of 3 failed), 10.20.1.23:5061 (2 of 2 refused) and 10.20.1.22:5061 (1 of 1 no_answer), where no attempt worked.",
		}},
		{"intermittent no_answer", join(repeat(3, okTo(dA)), []wconn{noAnswer(dA)}, repeat(2, unknownCA(dB)), repeat(2, okTo(dC))), []string{
			"From 10.10.1.11: 10.20.1.22:5061 failed 2 of 2 times with unknown_ca sent by the server; 10.20.1.23:5061 succeeded 2 of 2; 10.20.1.21:5061 did not answer 1 of 4 (no_answer): about one call in 3 fails (3 of 8).",
			"10.20.1.21:5061 is intermittent: 1 of 4 attempts were never answered (4 SYNs, no_answer), at 2026-11-20 14:03:03.",
			"Most likely to blame: 10.20.1.22:5061, 2 of 2 attempts failed (unknown_ca sent by the server).",
		}},
		{"mixed verdicts at one destination", join(repeat(2, okTo(dA)), []wconn{unknownCA(dA), refusedBy(dA), plaintext(dA)}, repeat(2, okTo(dB))), []string{
			"10.20.1.21:5061 is intermittent: 3 of 5 attempts did not work (1 failed with unknown_ca sent by the server, 1 refused, 1 not_tls), between 2026-11-20 14:03:02 and 2026-11-20 14:03:04.",
			"Most likely to blame: 10.20.1.21:5061, 3 of 5 attempts did not work (1 failed with unknown_ca sent by the server, 1 refused, 1 not_tls).",
		}},
		{"common cause: every destination at about the same rate", join(
			repeat(7, okTo(dA)), repeat(3, unknownCA(dA)),
			repeat(6, okTo(dB)), repeat(3, unknownCA(dB)),
			repeat(7, okTo(dC)), repeat(4, unknownCA(dC))), []string{
			"10.20.1.21:5061 is intermittent",
			"10.20.1.22:5061 is intermittent",
			"10.20.1.23:5061 is intermittent",
			"No destination stands out: all 3 fail at about the same rate (30% to 36%: 10.20.1.21:5061 3 of 10, 10.20.1.22:5061 3 of 9 and 10.20.1.23:5061 4 of 11), so a common cause is more likely than any one destination: the calling node's own certificate or its trust (every failure came from 10.10.1.11), or a network element in the path.",
		}},
		{"common cause: every destination fails every attempt", join(repeat(2, unknownCA(dA)), repeat(3, unknownCA(dB))), []string{
			"No destination stands out: all 2 failed every attempt, so a common cause is more likely than any one destination: the calling node's own certificate or its trust (every failure came from 10.10.1.11), or a network element in the path.",
		}},
		{"two at about the same rate, one fine", join(
			repeat(7, okTo(dA)), repeat(3, unknownCA(dA)),
			repeat(6, okTo(dB)), repeat(3, unknownCA(dB)),
			repeat(5, okTo(dC))), []string{
			"10.20.1.21:5061 is intermittent: 3 of 10 attempts failed, with unknown_ca sent by the server, between 2026-11-20 14:03:07 and 2026-11-20 14:03:09.",
			"10.20.1.22:5061 is intermittent: 3 of 9 attempts failed, with unknown_ca sent by the server, between 2026-11-20 14:03:16 and 2026-11-20 14:03:18.",
			"Most likely to blame: 10.20.1.22:5061 (3 of 9 failed) and 10.20.1.21:5061 (3 of 10 failed), which fail at about the same rate.",
		}},
		{"truncated with a visible alert, and a cap hit", []wconn{{wcl, dA, diagnose.VerdictTruncated, diagnose.ReasonSnaplen, "unknown_ca"}, truncated(dB),
			{wcl, dB, diagnose.VerdictIncomplete, diagnose.Reason("cap_hit"), ""}}, []string{
			"No connection was seen to fail, and none could be judged: 1 incomplete (cap_hit: cut short by --max-buffer or --max-conns), 2 truncated (snaplen: packets cut by the snap length); alerts still visible on them: unknown_ca sent by the server (1).",
		}},
		{"only one client never gets an answer", []wconn{noAnswer(dA), noAnswer(dA), {"10.10.1.12", dA, diagnose.VerdictOK, diagnose.ReasonApplicationData, ""}, okTo(dB)}, []string{
			"From 10.10.1.11: 10.20.1.21:5061 never answered (2 attempts, 8 SYNs, no_answer); 10.20.1.22:5061 succeeded 1 of 1: about one call in 2 fails (2 of 3).",
			"Only calls from 10.10.1.11 to 10.20.1.21:5061 fail (2 of 2, with no_answer: SYN never answered); 10.10.1.12 succeeded 1 of 1.",
			"Most likely to blame: 10.20.1.21:5061, 2 of 3 attempts were never answered (8 SYNs, no_answer).",
		}},
		{"common cause: nothing answers", join(repeat(2, noAnswer(dA)), repeat(1, noAnswer(dB)), repeat(1, refusedBy(dB))), []string{
			"No destination stands out: no attempt to any of the 2 worked (1 refused, 3 no_answer), so a common cause is more likely than any one destination: the calling node's own port or transport settings (every failure came from 10.10.1.11), or a network element in the path.",
		}},
		{"common cause: two clients", join(repeat(1, unknownCA(dA)), repeat(1, okTo(dA)), []wconn{{"10.10.1.12", dB, diagnose.VerdictFailed, diagnose.ReasonFatalAlert, "unknown_ca"}},
			[]wconn{{"10.10.1.12", dB, diagnose.VerdictOK, diagnose.ReasonApplicationData, ""}}), []string{
			"10.20.1.21:5061 is intermittent: 1 of 2 attempts failed, with unknown_ca sent by the server, at 2026-11-20 14:03:00.",
			"10.20.1.22:5061 is intermittent: 1 of 2 attempts failed, with unknown_ca sent by the server, at 2026-11-20 14:03:02.",
			"No destination stands out: all 2 fail at about the same rate (50% to 50%: 10.20.1.21:5061 1 of 2 and 10.20.1.22:5061 1 of 2), so a common cause is more likely than any one destination: the calling nodes' own certificates or their trust (failures came from 10.10.1.11 and 10.10.1.12), or a network element in the path.",
		}},
		{"blamed from every client", []wconn{unknownCA(dA), {"10.10.1.12", dA, diagnose.VerdictFailed, diagnose.ReasonFatalAlert, "unknown_ca"},
			{"10.10.1.12", dA, diagnose.VerdictIncomplete, diagnose.ReasonMidstream, ""}, {"10.10.1.13", dA, diagnose.VerdictIncomplete, diagnose.ReasonMidstream, ""}, okTo(dB)}, []string{
			"From 10.10.1.11: 10.20.1.21:5061 failed 1 of 1 times with unknown_ca sent by the server; 10.20.1.22:5061 succeeded 1 of 1: about one call in 2 fails (1 of 2).",
			"Most likely to blame: 10.20.1.21:5061, 2 of 2 attempts failed (unknown_ca sent by the server), from every client.",
			"2 connections could not be judged and are not counted as failures: 2 incomplete (midstream: already open when the capture began).",
		}},
		{"many blamed together", join(repeat(2, unknownCA("10.20.1.1:5061")), repeat(2, unknownCA("10.20.1.2:5061")), repeat(2, unknownCA("10.20.1.3:5061")),
			repeat(2, unknownCA("10.20.1.4:5061")), repeat(2, unknownCA("10.20.1.5:5061")), repeat(1, unknownCA("10.20.1.6:5061")), repeat(1, noAnswer("10.20.1.7:5061")),
			repeat(3, okTo(dA))), []string{
			"From 10.10.1.11: ",
			"Most likely to blame: 10.20.1.1:5061 (2 of 2 failed), 10.20.1.2:5061 (2 of 2 failed), 10.20.1.3:5061 (2 of 2 failed), 10.20.1.4:5061 (2 of 2 failed), 10.20.1.5:5061 (2 of 2 failed) and 2 more (the destinations table lists them), where no attempt worked.",
		}},
		{"one undecided beside a failure", []wconn{unknownCA(dA), okTo(dB), midstream(dC)}, []string{
			"From 10.10.1.11: ",
			"Most likely to blame: 10.20.1.21:5061, 1 of 1 attempts failed (unknown_ca sent by the server).",
			"1 connection could not be judged and is not counted as a failure: 1 incomplete (midstream: already open when the capture began).",
		}},
		{"clearly worse", join(
			repeat(9, okTo(dA)), repeat(1, unknownCA(dA)),
			repeat(5, okTo(dB)), repeat(5, unknownCA(dB))), []string{
			"10.20.1.21:5061 is intermittent: 1 of 10 attempts failed, with unknown_ca sent by the server, at 2026-11-20 14:03:09.",
			"10.20.1.22:5061 is intermittent: 5 of 10 attempts failed, with unknown_ca sent by the server, between 2026-11-20 14:03:15 and 2026-11-20 14:03:19.",
			"Most likely to blame: 10.20.1.22:5061, 5 of 10 attempts failed (unknown_ca sent by the server).",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mergeAll(conns(tt.input...))
			all := strings.Join(r.Patterns, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("patterns lack\n%s\ngot\n%s", w, all)
				}
			}
			if len(r.Patterns) != len(tt.want) {
				t.Errorf("%d patterns, want %d:\n%s", len(r.Patterns), len(tt.want), all)
			}
		})
	}
}

// TestCountsOutcomes checks what a destination counts for every verdict.
func TestCountsOutcomes(t *testing.T) {
	tests := []struct {
		name                       string
		input                      []wconn
		failed, callFailures, syns int
		firstFailure, lastFailure  int // seconds after t0, -1 for none
		verdictReasons             triage.VerdictReasons
	}{
		{"ok", []wconn{okTo(dA)}, 0, 0, 0, -1, -1, triage.VerdictReasons{"ok": {"application_data": 1}}},
		{"failed", []wconn{okTo(dA), unknownCA(dA)}, 1, 1, 0, 1, 1, triage.VerdictReasons{"ok": {"application_data": 1}, "failed": {"fatal_alert": 1}}},
		{"refused and no_answer are call failures", []wconn{refusedBy(dA), okTo(dA), noAnswer(dA)}, 0, 2, 4, 0, 2,
			triage.VerdictReasons{"refused": {"syn_reset": 1}, "ok": {"application_data": 1}, "no_answer": {"syn_unanswered": 1}}},
		{"not_tls is a call failure", []wconn{plaintext(dA)}, 0, 1, 0, 0, 0, triage.VerdictReasons{"not_tls": {"not_tls": 1}}},
		{"incomplete and truncated are not", []wconn{midstream(dA), gapTo(dA), tls13Dark(dA), endedEarly(dA), truncated(dA)}, 0, 0, 0, -1, -1,
			triage.VerdictReasons{"incomplete": {"midstream": 1, "gap": 1, "tls13_hidden": 1, "capture_ended": 1}, "truncated": {"snaplen": 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := conns(tt.input...)
			for _, d := range []triage.Counts{mergeAll(cs).Destinations[0].Counts, triage.Build(&diagnose.Analysis{Connections: cs}, "test").Destinations[0].Counts} {
				if d.Failed != tt.failed || d.CallFailures != tt.callFailures || d.SYNsUnanswered != tt.syns {
					t.Errorf("failed %d, call failures %d, SYNs %d; want %d, %d, %d", d.Failed, d.CallFailures, d.SYNsUnanswered, tt.failed, tt.callFailures, tt.syns)
				}
				if !reflect.DeepEqual(d.VerdictReasons, tt.verdictReasons) {
					t.Errorf("verdict reasons %v, want %v", d.VerdictReasons, tt.verdictReasons)
				}
				for _, f := range []struct {
					name string
					got  *triage.Time
					want int
				}{{"first", d.FirstFailure, tt.firstFailure}, {"last", d.LastFailure, tt.lastFailure}} {
					switch {
					case f.want < 0 && f.got != nil:
						t.Errorf("%s failure %v, want none", f.name, f.got)
					case f.want >= 0 && (f.got == nil || !f.got.Equal(triagetest.T0().Add(time.Duration(f.want)*time.Second))):
						t.Errorf("%s failure %v, want t0+%ds", f.name, f.got, f.want)
					}
				}
			}
		})
	}
}

// TestSummaryWords checks the summary line and the destination lines of
// analyze, and the HTML headline.
func TestSummaryWords(t *testing.T) {
	tests := []struct {
		name         string
		input        []wconn
		wantLine     string
		wantDest     string
		wantHeadline string
		wantBanner   string
	}{
		{"midstream", repeat(2, midstream(dA)), "2 connections: 2 incomplete (midstream)", "2 attempts: 2 incomplete (midstream)",
			"2 connections: 2 incomplete (midstream)", "warn"},
		{"two reasons", []wconn{midstream(dA), gapTo(dA)}, "2 connections: 2 incomplete (1 gap, 1 midstream)", "2 attempts: 2 incomplete (1 gap, 1 midstream)",
			"2 connections: 2 incomplete (1 gap, 1 midstream)", "warn"},
		{"sample-like", join(repeat(7, okTo(dA)), repeat(4, unknownCA(dA)), []wconn{noAnswer(dA)}), "12 connections: 7 ok, 4 failed, 1 no_answer",
			"12 attempts: 7 ok, 4 failed, 1 no_answer (alerts: server unknown_ca x4)", "12 connections: 7 ok, 4 failed, 1 no_answer", "bad"},
		{"refused only", []wconn{refusedBy(dA)}, "1 connection: 1 refused", "1 attempt: 1 refused", "1 connection: 1 refused", "bad"},
		{"all ok", repeat(2, okTo(dA)), "2 connections: 2 ok", "2 attempts: 2 ok", "All 2 connections succeeded", "ok"},
		{"one ok", repeat(1, okTo(dA)), "1 connection: 1 ok", "1 attempt: 1 ok", "The one connection succeeded", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := conns(tt.input...)
			r := triage.Build(&diagnose.Analysis{Connections: cs}, "test")
			if got := summaryLine(r.Summary, false); got != tt.wantLine {
				t.Errorf("summary line %q, want %q", got, tt.wantLine)
			}
			if got := destinationCounts(&r.Destinations[0], false); got != tt.wantDest {
				t.Errorf("destination %q, want %q", got, tt.wantDest)
			}
			p := buildHTMLPage(mergeAll(cs), HTMLMeta{})
			if p.Headline != tt.wantHeadline || p.Banner != tt.wantBanner {
				t.Errorf("HTML headline %q (%s), want %q (%s)", p.Headline, p.Banner, tt.wantHeadline, tt.wantBanner)
			}
		})
	}
}

// TestIncompleteOutputs checks that the HTML and triage's text never say
// that incomplete connections failed.
func TestIncompleteOutputs(t *testing.T) {
	r := mergeAll(conns(repeat(2, midstream(dA))...))
	var b bytes.Buffer
	if err := WriteHTML(&b, r, HTMLMeta{Version: "test", Generated: triagetest.T0()}); err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(b.String(), "connections failed"); i >= 0 {
		t.Errorf("the HTML says connections failed: …%s…", b.String()[max(0, i-80):i+20])
	}
	b.Reset()
	if err := WriteTriageText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "that failed") || !strings.Contains(b.String(), "0   0       2 incomplete (midstream)") {
		t.Errorf("the text lists failed connections, or does not name the incomplete ones:\n%s", b.String())
	}
}

// TestOtherOutcomes checks the cell that names the verdicts other than ok
// and failed in the destination and pair tables.
func TestOtherOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		input     []wconn
		want      string
		wantClass string
	}{
		{"ok and failed only", []wconn{okTo(dA), unknownCA(dA)}, "", ""},
		{"no_answer", []wconn{okTo(dA), noAnswer(dA)}, "1 no_answer", "bad"},
		{"every other verdict", []wconn{refusedBy(dA), noAnswer(dA), midstream(dA), midstream(dA), gapTo(dA), truncated(dA), plaintext(dA)},
			"1 refused, 1 no_answer, 3 incomplete (2 midstream, 1 gap), 1 truncated, 1 not_tls", "bad"},
		{"cannot tell only", []wconn{okTo(dA), tls13Dark(dA), truncated(dA)}, "1 incomplete (tls13_hidden), 1 truncated", "warn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mergeAll(conns(tt.input...)).Destinations[0].Counts
			if got, class := otherOutcomes(c), otherClass(c); got != tt.want || class != tt.wantClass {
				t.Errorf("got %q (%q), want %q (%q)", got, class, tt.want, tt.wantClass)
			}
		})
	}
}
