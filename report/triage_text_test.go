package report

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/triagetest"
	"github.com/siptls/siptls/triage"
)

// TestTriageDetailCap checks that full detail is capped and the cap is told.
func TestTriageDetailCap(t *testing.T) {
	tests := []struct {
		name               string
		failed, ok         int
		maxFailed, maxOK   int
		wantFailed, wantOK int
		wantOmitted        int
		wantNote           bool
	}{
		{"under the caps", 3, 3, 5, 5, 3, 3, 0, false},
		{"failed over the cap", 10, 1, 4, 5, 4, 1, 6, true},
		{"ok sampled", 0, 50, 4, 5, 0, 5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := triage.NewMerger(triage.TriageOptions{MaxFailed: tt.maxFailed, MaxOK: tt.maxOK})
			id := uint64(0)
			for i := 0; i < tt.failed; i++ {
				id++
				m.Add(triagetest.Conn(0, id, fmt.Sprintf("10.0.0.1:%d", id), "10.0.0.2:5061", time.Duration(id)*time.Second, uint32(id), diagnose.VerdictFailed, "", nil))
			}
			for i := 0; i < tt.ok; i++ {
				id++
				m.Add(triagetest.Conn(0, id, fmt.Sprintf("10.0.0.1:%d", id), "10.0.0.2:5061", time.Duration(id)*time.Second, uint32(id), diagnose.VerdictOK, "", nil))
			}
			r := m.Triage(triagetest.Infos(1), nil, nil, "test")
			if r.Detail.FailedKept != tt.wantFailed || r.Detail.OKKept != tt.wantOK || r.Detail.FailedOmitted != tt.wantOmitted {
				t.Errorf("detail %+v", r.Detail)
			}
			if r.Summary.Connections != tt.failed+tt.ok {
				t.Errorf("counted %d connections", r.Summary.Connections)
			}
			if tt.failed > 0 && r.Connections[0].ID != 1 {
				t.Errorf("first kept connection is %d, want the first one", r.Connections[0].ID)
			}
			if got := len(r.Notes) > 0; got != tt.wantNote {
				t.Errorf("notes %q", r.Notes)
			}
			var b bytes.Buffer
			if err := WriteTriageText(&b, r, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if tt.wantOmitted > 0 && !strings.Contains(b.String(), fmt.Sprintf("%d more not listed", tt.wantOmitted)) {
				t.Errorf("text does not tell the cap:\n%s", b.String())
			}
		})
	}
}

func TestPairsToShow(t *testing.T) {
	ok := func(c, s string) triage.Pair {
		return triage.Pair{Client: c, Server: s, Counts: triage.Counts{Attempts: 1, OK: 1}}
	}
	bad := func(c, s string) triage.Pair {
		return triage.Pair{Client: c, Server: s, Counts: triage.Counts{Attempts: 1, Failed: 1, CallFailures: 1}}
	}
	tests := []struct {
		name  string
		input []triage.Pair
		max   int
		want  []int
	}{
		{"all fit", []triage.Pair{ok("a", "x"), bad("b", "x")}, 2, []int{0, 1}},
		{"failed first, then contrast", []triage.Pair{ok("a", "y"), ok("b", "x"), bad("c", "x"), ok("d", "z")}, 2, []int{1, 2}},
		{"failed beyond the cap", []triage.Pair{bad("a", "x"), bad("b", "y"), bad("c", "z")}, 2, []int{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pairsToShow(tt.input, tt.max); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTriageTextCaps checks that many clients do not flood the text.
func TestTriageTextCaps(t *testing.T) {
	m := triage.NewMerger(triage.TriageOptions{})
	leaf := triagetest.Cert("aa", "01", "phone")
	for i := 0; i < 60; i++ {
		c := triagetest.Conn(0, uint64(i+1), fmt.Sprintf("10.30.0.%d:50000", i+1), "10.10.1.11:5061", time.Duration(i)*time.Second, uint32(i+1), diagnose.VerdictOK, "", nil)
		c.Certificates = []diagnose.Certificate{{SentBy: diagnose.Client, Info: leaf, Time: c.Start}}
		m.Add(c)
	}
	var b bytes.Buffer
	if err := WriteTriageText(&b, m.Triage(triagetest.Infos(1), nil, nil, "test"), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	// 20 presenters are kept (MaxListed), 4 named; the other 40 are counted.
	for _, want := range []string{"… and 20 more pairs, all ok", "and 16 more, others x40"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
