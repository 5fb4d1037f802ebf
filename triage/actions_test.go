package triage

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/triagetest"
)

// rejected is a connection from client to server whose server sent fatal
// unknown_ca after the client's self-signed certificate leaf.
func rejected(capture int, id uint64, client, server string, start time.Duration, isn uint32, leaf *certinfo.Info) *diagnose.Connection {
	c := triagetest.Conn(capture, id, client, server, start, isn, diagnose.VerdictFailed, "unknown_ca", nil)
	c.AbortedBy = diagnose.Server
	c.Certificates = []diagnose.Certificate{{SentBy: diagnose.Client, Frame: id*10 + 3, Time: c.Start, Info: leaf}}
	return c
}

func selfSigned(sha, serial, cn string) *certinfo.Info {
	i := triagetest.Cert(sha, serial, cn)
	i.SelfSigned, i.Issuer = true, i.Subject
	return i
}

// actionsConns are connections of two captures: one rejected connection
// seen in both (same ISN), three more of the same remedy, one of another,
// a refused one, two incomplete ones, and ok ones.
func actionsConns() []*diagnose.Connection {
	pub := selfSigned("aa", "5026278633196c663438d6dd6992ccee", "cucm7-pub.clus1.lab")
	cube := selfSigned("bb", "503d", "cube1.lab")
	var conns []*diagnose.Connection
	for i := range 4 {
		conns = append(conns, rejected(0, uint64(i+1), fmt.Sprintf("10.10.1.11:%d", 40000+i), "10.20.1.22:5061", time.Duration(i)*time.Second, uint32(100+i), pub))
	}
	// The first one again, from the other end's capture.
	conns = append(conns, rejected(1, 7, "10.10.1.11:40000", "10.20.1.22:5061", 0, 100, pub))
	conns = append(conns, rejected(1, 8, "10.30.1.5:46500", "10.10.1.11:5061", 10*time.Second, 200, cube))
	refused := triagetest.Conn(0, 9, "10.10.1.11:41000", "10.20.1.24:5061", 11*time.Second, 300, diagnose.VerdictRefused, "", nil)
	refused.Reason, refused.AbortedBy = diagnose.ReasonSYNReset, diagnose.Server
	conns = append(conns, refused)
	for i := range 3 {
		mid := triagetest.Conn(1, uint64(10+i), fmt.Sprintf("10.20.1.21:%d", 45000+i), "10.10.1.11:5061", time.Duration(20+i)*time.Second, 0, diagnose.VerdictIncomplete, "", nil)
		mid.Reason = diagnose.ReasonMidstream
		conns = append(conns, mid)
	}
	for i := range 3 {
		conns = append(conns, triagetest.Conn(0, uint64(20+i), fmt.Sprintf("10.10.1.11:%d", 42000+i), "10.20.1.21:5061", time.Duration(30+i)*time.Second, uint32(400+i), diagnose.VerdictOK, "", nil))
	}
	return conns
}

// TestActionsRankAndDedup checks the order of the remedies (those that
// explain call failures first, then by connections, then by code), that a
// connection seen in two captures counts once, and the evidence.
func TestActionsRankAndDedup(t *testing.T) {
	_, tr := mergeAll(TriageOptions{}, actionsConns())
	type got struct {
		code   ActionCode
		node   string
		n      int
		frames string
	}
	var have []got
	for _, a := range tr.Actions {
		var f []string
		for _, e := range a.Evidence {
			f = append(f, fmt.Sprintf("%s#%d@%d", e.File, e.Connection, e.Frame))
		}
		have = append(have, got{a.Code, a.Node, a.Connections, strings.Join(f, " ")})
	}
	want := []got{
		{ActionUploadCertificate, "10.20.1.22", 4, "c0.pcap#1@15 c0.pcap#2@25 c0.pcap#3@35 c0.pcap#4@45"},
		// One each: by code.
		{ActionFixListener, "10.20.1.24", 1, "c0.pcap#9@90"},
		{ActionUploadCertificate, "10.10.1.11", 1, "c1.pcap#8@85"},
		// Undecided connections last, although they are more; the node is
		// the capture's.
		{ActionCaptureAgain, "10.10.1.11", 3, "c1.pcap#10@100 c1.pcap#11@110 c1.pcap#12@120"},
	}
	if !reflect.DeepEqual(have, want) {
		t.Errorf("actions\n got %v\nwant %v", have, want)
	}
	if s := tr.Actions[0].Sentence; s != "Upload CN=cucm7-pub.clus1.lab (serial 5026278633196c66…), self-signed, as CallManager-trust on 10.20.1.22." {
		t.Errorf("sentence %q", s)
	}
	if w := ActionWords(&tr.Actions[0], true); w != "explains 4 failed connections, e.g. [0] frame 15" {
		t.Errorf("words %q", w)
	}
	if w := ActionWords(&tr.Actions[3], false); w != "concerns 3 incomplete connections, e.g. frame 100" {
		t.Errorf("words %q", w)
	}
}

// TestActionsOrderIndependent checks that the remedies do not depend on
// the order the connections come in, nor on concurrent adding.
func TestActionsOrderIndependent(t *testing.T) {
	conns := actionsConns()
	build := func(order []*diagnose.Connection, concurrent bool) []Action {
		m := NewMerger(TriageOptions{})
		var wg sync.WaitGroup
		for _, c := range order {
			if concurrent {
				wg.Go(func() { m.Add(c) })
			} else {
				m.Add(c)
			}
		}
		wg.Wait()
		return m.Triage(triagetest.Infos(2), nil, nil, "test").Actions
	}
	want := build(conns, false)
	rev := slices.Clone(conns)
	slices.Reverse(rev)
	if got := build(rev, false); !reflect.DeepEqual(got, want) {
		t.Errorf("reversed order:\n got %+v\nwant %+v", got, want)
	}
	if got := build(conns, true); !reflect.DeepEqual(got, want) {
		t.Errorf("concurrent:\n got %+v\nwant %+v", got, want)
	}
}

// TestActionsEvidenceCap checks that an action lists the first
// MaxActionEvidence connections by capture and ID, whatever the order.
func TestActionsEvidenceCap(t *testing.T) {
	leaf := selfSigned("aa", "01", "cucm7-pub.clus1.lab")
	m := NewMerger(TriageOptions{})
	for i := 12; i >= 1; i-- {
		m.Add(rejected(0, uint64(i), fmt.Sprintf("10.10.1.11:%d", 40000+i), "10.20.1.22:5061", time.Duration(i)*time.Second, uint32(i), leaf))
	}
	a := m.Triage(triagetest.Infos(1), nil, nil, "test").Actions
	if len(a) != 1 || a[0].Connections != 12 {
		t.Fatalf("actions %+v, want one explaining 12", a)
	}
	var ids []uint64
	for _, e := range a[0].Evidence {
		ids = append(ids, e.Connection)
	}
	if !slices.Equal(ids, []uint64{1, 2, 3, 4, 5}) {
		t.Errorf("evidence connections %v, want 1 to 5", ids)
	}
}

// TestActionsCap checks MaxActions: the remedies beyond it are not listed
// and a note counts their connections.
func TestActionsCap(t *testing.T) {
	m := NewMerger(TriageOptions{MaxActions: 1})
	m.Add(rejected(0, 1, "10.10.1.11:40001", "10.20.1.22:5061", 0, 1, selfSigned("aa", "01", "a")))
	m.Add(rejected(0, 2, "10.10.1.11:40002", "10.20.1.23:5061", time.Second, 2, selfSigned("bb", "02", "b")))
	m.Add(rejected(0, 3, "10.10.1.11:40003", "10.20.1.23:5061", 2*time.Second, 3, selfSigned("bb", "02", "b")))
	tr := m.Triage(triagetest.Infos(1), nil, nil, "test")
	if len(tr.Actions) != 1 || tr.Actions[0].Node != "10.20.1.22" {
		t.Errorf("actions %+v, want the first remedy met only", tr.Actions)
	}
	want := "the remedies list the first 1 distinct ones met; 2 connections with other remedies are not counted in them"
	if !slices.Contains(tr.Notes, want) {
		t.Errorf("notes %q, want %q", tr.Notes, want)
	}
}

// TestActionsNone checks that there is no remedy when every connection is
// ok, and that the list is empty, not null.
func TestActionsNone(t *testing.T) {
	m := NewMerger(TriageOptions{})
	agg := NewAggregator()
	for i := range 3 {
		c := triagetest.Conn(0, uint64(i+1), fmt.Sprintf("10.10.1.11:%d", 40000+i), "10.20.1.21:5061", time.Duration(i)*time.Second, uint32(i+1), diagnose.VerdictOK, "", nil)
		m.Add(c)
		v := BuildJudgedConnection(c, nil)
		agg.Add(&v, c)
	}
	if a := m.Triage(triagetest.Infos(1), nil, nil, "test").Actions; a == nil || len(a) != 0 {
		t.Errorf("triage actions %#v, want []", a)
	}
	caps, _, _ := agg.Finish(triagetest.Infos(1), nil)
	if a := agg.Actions(caps); a == nil || len(a) != 0 {
		t.Errorf("analyze actions %#v, want []", a)
	}
}

// TestActionsAggregatorMatchesMerger checks that analyze (an Aggregator)
// and triage (a Merger) find the same remedies for one capture.
func TestActionsAggregatorMatchesMerger(t *testing.T) {
	var one []*diagnose.Connection
	for _, c := range actionsConns() {
		if c.Capture == 0 {
			one = append(one, c)
		}
	}
	m := NewMerger(TriageOptions{})
	agg := NewAggregator()
	for _, c := range one {
		m.Add(c)
		v := BuildJudgedConnection(c, nil)
		agg.Add(&v, c)
	}
	caps, _, _ := agg.Finish(triagetest.Infos(1), nil)
	got := agg.Actions(caps)
	want := m.Triage(triagetest.Infos(1), nil, nil, "test").Actions
	if !reflect.DeepEqual(got, want) || len(got) != 2 {
		t.Errorf("aggregator %+v\nmerger %+v", got, want)
	}
}
