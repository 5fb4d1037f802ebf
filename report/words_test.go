package report

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
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
			Start: t0().Add(start), End: t0().Add(start + time.Second), StartFrame: id * 10, EndFrame: id*10 + 9,
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

func mergeAll(cs []*diagnose.Connection) *Triage {
	m := NewMerger(TriageOptions{})
	for _, c := range cs {
		m.Add(c)
	}
	return m.Triage(infos(1), nil, nil, "test")
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

// TestCountsOutcomes checks what a destination counts for every verdict.
func TestCountsOutcomes(t *testing.T) {
	tests := []struct {
		name                       string
		input                      []wconn
		failed, callFailures, syns int
		firstFailure, lastFailure  int // seconds after t0, -1 for none
		verdictReasons             map[string]map[string]int
	}{
		{"ok", []wconn{okTo(dA)}, 0, 0, 0, -1, -1, map[string]map[string]int{"ok": {"application_data": 1}}},
		{"failed", []wconn{okTo(dA), unknownCA(dA)}, 1, 1, 0, 1, 1, map[string]map[string]int{"ok": {"application_data": 1}, "failed": {"fatal_alert": 1}}},
		{"refused and no_answer are call failures", []wconn{refusedBy(dA), okTo(dA), noAnswer(dA)}, 0, 2, 4, 0, 2,
			map[string]map[string]int{"refused": {"syn_reset": 1}, "ok": {"application_data": 1}, "no_answer": {"syn_unanswered": 1}}},
		{"not_tls is a call failure", []wconn{plaintext(dA)}, 0, 1, 0, 0, 0, map[string]map[string]int{"not_tls": {"not_tls": 1}}},
		{"incomplete and truncated are not", []wconn{midstream(dA), gapTo(dA), tls13Dark(dA), endedEarly(dA), truncated(dA)}, 0, 0, 0, -1, -1,
			map[string]map[string]int{"incomplete": {"midstream": 1, "gap": 1, "tls13_hidden": 1, "capture_ended": 1}, "truncated": {"snaplen": 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := conns(tt.input...)
			for _, d := range []Counts{mergeAll(cs).Destinations[0].Counts, Build(&diagnose.Analysis{Connections: cs}, "test").Destinations[0].Counts} {
				if d.Failed != tt.failed || d.CallFailures != tt.callFailures || d.SYNsUnanswered != tt.syns {
					t.Errorf("failed %d, call failures %d, SYNs %d; want %d, %d, %d", d.Failed, d.CallFailures, d.SYNsUnanswered, tt.failed, tt.callFailures, tt.syns)
				}
				if !reflect.DeepEqual(d.VerdictReasons, tt.verdictReasons) {
					t.Errorf("verdict reasons %v, want %v", d.VerdictReasons, tt.verdictReasons)
				}
				for _, f := range []struct {
					name string
					got  *Time
					want int
				}{{"first", d.FirstFailure, tt.firstFailure}, {"last", d.LastFailure, tt.lastFailure}} {
					switch {
					case f.want < 0 && f.got != nil:
						t.Errorf("%s failure %v, want none", f.name, f.got)
					case f.want >= 0 && (f.got == nil || !f.got.Equal(t0().Add(time.Duration(f.want)*time.Second))):
						t.Errorf("%s failure %v, want t0+%ds", f.name, f.got, f.want)
					}
				}
			}
		})
	}
}
