package triage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/triagetest"
)

// TestTriageDedup checks how views of one connection in two captures merge.
func TestTriageDedup(t *testing.T) {
	const a, b = "10.10.1.11:40000", "10.20.1.21:5061"
	ok := diagnose.VerdictOK
	tests := []struct {
		name       string
		input      []*diagnose.Connection
		wantConns  int
		wantISN    int
		wantTime   int
		wantOffset float64
		wantNote   bool
	}{
		{"same ISN, clock 1.5 s apart", []*diagnose.Connection{
			triagetest.Conn(0, 1, a, b, 0, 77, ok, "", nil), triagetest.Conn(1, 1, a, b, 1500*time.Millisecond, 77, ok, "", nil)}, 1, 1, 0, 1.5, true},
		{"other ISN: a new connection on the same ports", []*diagnose.Connection{
			triagetest.Conn(0, 1, a, b, 0, 77, ok, "", nil), triagetest.Conn(1, 1, a, b, 0, 78, ok, "", nil)}, 2, 0, 0, 0, false},
		{"no SYN in one capture: start within 2 s", []*diagnose.Connection{
			triagetest.Conn(0, 1, a, b, 0, 77, ok, "", nil), triagetest.Conn(1, 1, a, b, 300*time.Millisecond, 0, ok, "", nil)}, 1, 0, 1, 0.3, false},
		{"no SYN, starts 3 s apart", []*diagnose.Connection{
			triagetest.Conn(0, 1, a, b, 0, 0, ok, "", nil), triagetest.Conn(1, 1, a, b, 3*time.Second, 0, ok, "", nil)}, 2, 0, 0, 0, false},
		{"same capture twice the same tuple: two connections", []*diagnose.Connection{
			triagetest.Conn(0, 1, a, b, 0, 0, ok, "", nil), triagetest.Conn(0, 2, a, b, time.Second, 0, ok, "", nil)}, 2, 0, 0, 0, false},
		{"three captures", []*diagnose.Connection{
			triagetest.Conn(0, 1, a, b, 0, 5, ok, "", nil), triagetest.Conn(1, 4, a, b, 0, 5, ok, "", nil), triagetest.Conn(2, 9, a, b, 0, 5, ok, "", nil)}, 1, 2, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMerger(TriageOptions{})
			for _, c := range tt.input {
				m.Add(c)
			}
			r := m.Triage(triagetest.Infos(3), nil, nil, "test")
			if r.Summary.Connections != tt.wantConns || r.Duplicates.ByISN != tt.wantISN || r.Duplicates.ByTime != tt.wantTime {
				t.Errorf("connections %d, duplicates %+v", r.Summary.Connections, r.Duplicates)
			}
			if tt.wantOffset != 0 && (len(r.Duplicates.ClockOffsets) == 0 || r.Duplicates.ClockOffsets[0].Seconds != tt.wantOffset) {
				t.Errorf("clock offsets %+v, want %v", r.Duplicates.ClockOffsets, tt.wantOffset)
			}
			if got := len(r.Notes) > 0; got != tt.wantNote {
				t.Errorf("notes %q, want a note: %v", r.Notes, tt.wantNote)
			}
			if tt.wantConns == 1 && len(r.Connections) == 1 && len(r.Connections[0].SeenIn) != len(tt.input) {
				t.Errorf("seen in %v", r.Connections[0].SeenIn)
			}
		})
	}
}

// scenario is one-in-3 from one client, plus a second client that alone
// fails to a destination the first reaches.
func scenario() []*diagnose.Connection {
	c21 := triagetest.Cert("21aa", "01", "cucm8-pub.clus2.lab")
	c22 := triagetest.Cert("22aa", "02", "cucm8-sub1.clus2.lab")
	c23 := triagetest.Cert("23aa", "03", "cucm8-sub2.clus2.lab")
	c23new := triagetest.Cert("23bb", "04", "cucm8-sub2.clus2.lab")
	var cs []*diagnose.Connection
	id := uint64(0)
	next := func() uint64 { id++; return id }
	for i := 0; i < 9; i++ {
		start := time.Duration(i) * 10 * time.Second
		switch i % 3 {
		case 0:
			cs = append(cs, triagetest.Conn(0, next(), fmt.Sprintf("10.10.1.11:%d", 40000+i), "10.20.1.21:5061", start, uint32(100+i), diagnose.VerdictOK, "", c21))
		case 1:
			cs = append(cs, triagetest.Conn(0, next(), fmt.Sprintf("10.10.1.11:%d", 40000+i), "10.20.1.22:5061", start, uint32(100+i), diagnose.VerdictFailed, "unknown_ca", c22))
		case 2:
			leaf := c23
			v := diagnose.VerdictOK
			if i == 8 {
				leaf, v = c23new, diagnose.VerdictFailed
			}
			cs = append(cs, triagetest.Conn(0, next(), fmt.Sprintf("10.10.1.11:%d", 40000+i), "10.20.1.23:5061", start, uint32(100+i), v, "", leaf))
		}
	}
	// The second client fails to 10.20.1.21, which the first reaches.
	cs = append(cs, triagetest.Conn(1, 1, "10.10.1.12:41000", "10.20.1.21:5061", time.Second, 900, diagnose.VerdictFailed, "", c21))
	cs = append(cs, triagetest.Conn(1, 2, "10.10.1.12:41001", "10.20.1.21:5061", 2*time.Second, 901, diagnose.VerdictFailed, "", c21))
	return cs
}

// mergeAll adds conns, of two captures, to a Merger with opts and returns
// it with its Triage.
func mergeAll(opts TriageOptions, conns []*diagnose.Connection) (*Merger, *Triage) {
	m := NewMerger(opts)
	for _, c := range conns {
		m.Add(c)
	}
	return m, m.Triage(triagetest.Infos(2), nil, nil, "test")
}

func TestTriagePatterns(t *testing.T) {
	_, r := mergeAll(TriageOptions{}, scenario())
	want := []string{
		"From 10.10.1.11: 10.20.1.22:5061 (cucm8-sub1.clus2.lab) failed 3 of 3 times with unknown_ca sent by the server; 10.20.1.21:5061 succeeded 3 of 3; 10.20.1.23:5061 failed 1 of 3: about one call in 2 fails (4 of 9).",
		"From 10.10.1.12: ",
		"Only calls from 10.10.1.12 to 10.20.1.21:5061 (cucm8-pub.clus2.lab) fail (2 of 2, with reset during the handshake); 10.10.1.11 succeeded 3 of 3.",
		"10.20.1.23:5061 (cucm8-sub2.clus2.lab) is intermittent: 1 of 3 attempts failed, with reset during the handshake, at 2026-11-20 14:04:20;",
		"every failure came with the newest certificate",
		"Most likely to blame: 10.20.1.22:5061 (cucm8-sub1.clus2.lab), 3 of 3 attempts failed (unknown_ca sent by the server).",
	}
	all := strings.Join(r.Patterns, "\n")
	for i, w := range want {
		if i == 1 {
			if strings.Contains(all, w) {
				t.Errorf("a client with no successful destination gets a one-in-N sentence:\n%s", all)
			}
			continue
		}
		if !strings.Contains(all, w) {
			t.Errorf("patterns lack %q:\n%s", w, all)
		}
	}
	d := r.Destinations[2]
	if d.Server != "10.20.1.23:5061" || !d.CertificateChanged || len(d.Certificates) != 2 || d.Certificates[1].Failed != 1 {
		t.Errorf("10.20.1.23 = %+v", d)
	}
	if len(r.Pairs) != 4 || r.Pairs[3].Client != "10.10.1.12" || r.Pairs[3].Failed != 2 {
		t.Errorf("pairs %+v", r.Pairs)
	}
	var stale []string
	for _, c := range r.Certificates {
		if len(c.SameSubject) > 0 {
			stale = append(stale, c.SHA256)
		}
	}
	if !reflect.DeepEqual(stale, []string{"23aa", "23bb"}) {
		t.Errorf("certificates sharing a subject %v", stale)
	}
}

// TestTriageBlameSeveral checks that several destinations failing every
// attempt are named together rather than one picked.
func TestTriageBlameSeveral(t *testing.T) {
	m := NewMerger(TriageOptions{})
	m.Add(triagetest.Conn(0, 1, "10.0.0.1:1", "10.0.0.2:5061", 0, 1, diagnose.VerdictFailed, "unknown_ca", nil))
	m.Add(triagetest.Conn(0, 2, "10.0.0.1:2", "10.0.0.3:5061", 0, 2, diagnose.VerdictFailed, "", nil))
	m.Add(triagetest.Conn(0, 3, "10.0.0.1:3", "10.0.0.4:5061", 0, 3, diagnose.VerdictOK, "", nil))
	r := m.Triage(triagetest.Infos(1), nil, nil, "test")
	want := []string{
		"From 10.0.0.1: 10.0.0.2:5061 failed 1 of 1 times with unknown_ca sent by the server; 10.0.0.3:5061 failed 1 of 1 times with reset during the handshake; 10.0.0.4:5061 succeeded 1 of 1: about one call in 2 fails (2 of 3).",
		"Most likely to blame: 10.0.0.2:5061 and 10.0.0.3:5061, which failed every attempt.",
	}
	if !reflect.DeepEqual(r.Patterns, want) {
		t.Errorf("patterns\n%q\nwant\n%q", r.Patterns, want)
	}
}

func TestTriageNoProblems(t *testing.T) {
	tests := []struct {
		name  string
		input []*diagnose.Connection
		want  string
	}{
		{"none", nil, "No TLS connection was found in the captures."},
		{"one", []*diagnose.Connection{triagetest.Conn(0, 1, "10.0.0.1:1", "10.0.0.2:5061", 0, 1, diagnose.VerdictOK, "", nil)}, "The one connection succeeded."},
		{"two", []*diagnose.Connection{triagetest.Conn(0, 1, "10.0.0.1:1", "10.0.0.2:5061", 0, 1, diagnose.VerdictOK, "", nil),
			triagetest.Conn(0, 2, "10.0.0.1:2", "10.0.0.2:5061", 0, 2, diagnose.VerdictOK, "", nil)}, "All 2 connections succeeded."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMerger(TriageOptions{})
			for _, c := range tt.input {
				m.Add(c)
			}
			r := m.Triage(triagetest.Infos(1), nil, nil, "test")
			if !reflect.DeepEqual(r.Patterns, []string{tt.want}) {
				t.Errorf("patterns %q, want %q", r.Patterns, tt.want)
			}
		})
	}
}

// TestTriageOrderIndependent adds the same connections in many orders and
// from several goroutines: the JSON must not change.
func TestTriageOrderIndependent(t *testing.T) {
	cs := scenario()
	render := func(order []*diagnose.Connection, goroutines int) string {
		m := NewMerger(TriageOptions{MaxFailed: 3, MaxOK: 2})
		var wg sync.WaitGroup
		ch := make(chan *diagnose.Connection)
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range ch {
					m.Add(c)
				}
			}()
		}
		for _, c := range order {
			ch <- c
		}
		close(ch)
		wg.Wait()
		var b bytes.Buffer
		if err := writeJSON(&b, m.Triage(triagetest.Infos(2), nil, nil, "test")); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	want := render(cs, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ {
		order := append([]*diagnose.Connection(nil), cs...)
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		if got := render(order, 1+i%4); got != want {
			t.Fatalf("order %d gives other JSON", i)
		}
	}
}

func TestTriageManySucceeded(t *testing.T) {
	m := NewMerger(TriageOptions{})
	m.Add(triagetest.Conn(0, 1, "10.0.0.1:1", "10.0.1.1:5061", 0, 1, diagnose.VerdictFailed, "unknown_ca", nil))
	for i := 2; i <= 7; i++ {
		m.Add(triagetest.Conn(0, uint64(i), fmt.Sprintf("10.0.0.1:%d", i), fmt.Sprintf("10.0.1.%d:5061", i), 0, uint32(i), diagnose.VerdictOK, "", nil))
	}
	r := m.Triage(triagetest.Infos(1), nil, nil, "test")
	want := "From 10.0.0.1: 10.0.1.1:5061 failed 1 of 1 times with unknown_ca sent by the server; the other 6 destinations (10.0.1.2:5061 … 10.0.1.7:5061) succeeded 6 of 6: about one call in 7 fails (1 of 7)."
	if len(r.Patterns) == 0 || r.Patterns[0] != want {
		t.Errorf("patterns %q\nwant %q", r.Patterns, want)
	}
}

// TestConnSumSize keeps the per-connection summary of a Merger small: it is
// kept for up to --max-matched connections (README, "Speed and memory").
func TestConnSumSize(t *testing.T) {
	const want = 144
	if got := unsafe.Sizeof(connSum{}); got > want {
		t.Errorf("connSum is %d bytes, want at most %d", got, want)
	} else {
		t.Logf("connSum is %d bytes", got)
	}
}

// TestTriageCaps checks each cap of a Merger with small caps: what is kept,
// what is counted as omitted, and the note.
func TestTriageCaps(t *testing.T) {
	ok, failed := diagnose.VerdictOK, diagnose.VerdictFailed
	// six connections, each seen in captures 0 and 1
	sixSeenTwice := func() []*diagnose.Connection {
		var cs []*diagnose.Connection
		for i := range 6 {
			for capture := range 2 {
				cs = append(cs, triagetest.Conn(capture, uint64(i+1), fmt.Sprintf("10.0.0.1:%d", 40000+i), "10.0.1.1:5061", time.Duration(i)*time.Second, uint32(i+1), ok, "", nil))
			}
		}
		return cs
	}
	tests := []struct {
		name  string
		opts  TriageOptions
		conns func() []*diagnose.Connection
		check func(t *testing.T, r *Triage)
		note  string // a note that must be there
	}{
		{
			name:  "max matched: the lowest keys are matched, the rest counted once each",
			opts:  TriageOptions{MaxMatched: 4},
			conns: sixSeenTwice,
			check: func(t *testing.T, r *Triage) {
				// Kept for matching: the four views that started first,
				// both views of connections 1 and 2, counted once each. The
				// views of 3 to 6 are counted unmatched, each once.
				if r.Omitted.Unmatched != 8 || r.Summary.Connections != 10 || r.Duplicates.Connections != 2 {
					t.Errorf("unmatched %d, connections %d, duplicates %d; want 8, 10, 2", r.Omitted.Unmatched, r.Summary.Connections, r.Duplicates.Connections)
				}
			},
			note: "only the first 4 connections were matched across captures; 8 more were counted without matching",
		},
		{
			name:  "max matched not hit: duplicates counted once",
			opts:  TriageOptions{MaxMatched: 12},
			conns: sixSeenTwice,
			check: func(t *testing.T, r *Triage) {
				if r.Omitted.Unmatched != 0 || r.Summary.Connections != 6 || r.Duplicates.Connections != 6 {
					t.Errorf("unmatched %d, connections %d, duplicates %d; want 0, 6, 6", r.Omitted.Unmatched, r.Summary.Connections, r.Duplicates.Connections)
				}
			},
		},
		{
			name: "destinations",
			opts: TriageOptions{MaxDestinations: 2},
			conns: func() []*diagnose.Connection {
				var cs []*diagnose.Connection
				for i := range 5 {
					cs = append(cs, triagetest.Conn(0, uint64(i+1), "10.0.0.1:40000", fmt.Sprintf("10.0.1.%d:5061", i+1), 0, uint32(i+1), failed, "unknown_ca", nil))
				}
				return cs
			},
			check: func(t *testing.T, r *Triage) {
				if len(r.Destinations) != 2 || r.Omitted.Destinations != 3 || r.Summary.Connections != 5 {
					t.Errorf("%d destinations, %d omitted, %d connections; want 2, 3, 5", len(r.Destinations), r.Omitted.Destinations, r.Summary.Connections)
				}
			},
			note: "the destinations table lists the first 2 destinations met; 3 connections to others are counted only in the summary",
		},
		{
			name: "pairs and clients listed",
			opts: TriageOptions{MaxPairs: 3, MaxListed: 2},
			conns: func() []*diagnose.Connection {
				var cs []*diagnose.Connection
				for i := range 5 {
					cs = append(cs, triagetest.Conn(0, uint64(i+1), fmt.Sprintf("10.0.0.%d:40000", i+1), "10.0.1.1:5061", 0, uint32(i+1), ok, "", nil))
				}
				return cs
			},
			check: func(t *testing.T, r *Triage) {
				if len(r.Pairs) != 3 || r.Omitted.Pairs != 2 {
					t.Errorf("%d pairs, %d omitted; want 3, 2", len(r.Pairs), r.Omitted.Pairs)
				}
				if d := r.Destinations[0]; len(d.Clients) != 2 || d.ClientsMore != 1 || d.Attempts != 5 {
					t.Errorf("clients %q and %d more, %d attempts; want 2, 1 more, 5", d.Clients, d.ClientsMore, d.Attempts)
				}
			},
			note: "the pairs table lists the first 3 client and destination pairs met; 2 connections of other pairs",
		},
		{
			name: "certificates, leaf certificates of a destination, same subject",
			opts: TriageOptions{MaxCertificates: 4, MaxListed: 2},
			conns: func() []*diagnose.Connection {
				var cs []*diagnose.Connection
				for i := range 6 {
					leaf := triagetest.Cert(fmt.Sprintf("%02x", i), fmt.Sprint(i), "sbc")
					cs = append(cs, triagetest.Conn(0, uint64(i+1), "10.0.0.1:40000", "10.0.1.1:5061", time.Duration(i)*time.Second, uint32(i+1), failed, "unknown_ca", leaf))
				}
				return cs
			},
			check: func(t *testing.T, r *Triage) {
				if len(r.Certificates) != 4 || r.Omitted.Certificates != 2 {
					t.Errorf("%d certificates, %d omitted; want 4, 2", len(r.Certificates), r.Omitted.Certificates)
				}
				for _, c := range r.Certificates {
					if len(c.SameSubject) != 2 || c.SameSubjectMore != 1 {
						t.Errorf("%s: same subject %q and %d more; want 2 and 1 more", c.SHA256, c.SameSubject, c.SameSubjectMore)
					}
				}
				if d := r.Destinations[0]; len(d.Certificates) != 2 || d.CertificatesMore != 2 || !d.CertificateChanged {
					t.Errorf("leaf certificates %d and more on %d connections (changed %v); want 2, 2, true", len(d.Certificates), d.CertificatesMore, d.CertificateChanged)
				}
			},
			note: "the certificate inventory lists the first 4 distinct certificates met (and at most 8 of a connection); 2 more presented are not listed",
		},
		{
			name: "presenters",
			opts: TriageOptions{MaxListed: 2},
			conns: func() []*diagnose.Connection {
				var cs []*diagnose.Connection
				leaf := triagetest.Cert("aa", "01", "phone")
				for i := range 5 {
					c := triagetest.Conn(0, uint64(i+1), fmt.Sprintf("10.0.0.%d:40000", i+1), "10.0.1.1:5061", 0, uint32(i+1), ok, "", nil)
					c.Certificates = []diagnose.Certificate{{SentBy: diagnose.Client, Info: leaf, Time: c.Start}}
					cs = append(cs, c)
				}
				return cs
			},
			check: func(t *testing.T, r *Triage) {
				if c := r.Certificates[0]; len(c.PresentedBy) != 2 || c.PresentedByMore != 3 || c.Connections != 5 {
					t.Errorf("presented by %d and %d more, %d connections; want 2, 3, 5", len(c.PresentedBy), c.PresentedByMore, c.Connections)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, r := mergeAll(tt.opts, tt.conns())
			tt.check(t, r)
			if tt.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("notes %q lack %q", r.Notes, tt.note)
			}
			// Triage leaves the Merger as it was: a second call agrees.
			if again := m.Triage(triagetest.Infos(2), nil, nil, "test"); again.Summary.Connections != r.Summary.Connections || len(again.Notes) != len(r.Notes) {
				t.Errorf("a second Triage differs: %d connections, %d notes", again.Summary.Connections, len(again.Notes))
			}
		})
	}
}

// TestTriageSameSubjectFlood: thousands of certificates with one subject
// make a bounded report (it was quadratic).
func TestTriageSameSubjectFlood(t *testing.T) {
	m := NewMerger(TriageOptions{})
	const n = 3000
	for i := range n {
		leaf := triagetest.Cert(fmt.Sprintf("%064x", i), fmt.Sprint(i), "sbc")
		m.Add(triagetest.Conn(0, uint64(i+1), "10.0.0.1:40000", "10.0.1.1:5061", time.Duration(i)*time.Millisecond, uint32(i+1), diagnose.VerdictOK, "", leaf))
	}
	r := m.Triage(triagetest.Infos(1), nil, nil, "test")
	var b bytes.Buffer
	if err := writeJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 10<<20 {
		t.Errorf("JSON of %d certificates with one subject is %d bytes", n, b.Len())
	}
	for _, c := range r.Certificates {
		if c.SameSubjectCount() != n-1 || len(c.SameSubject) > DefaultMaxListed {
			t.Fatalf("%s: %d same subject listed, %d in all; want at most %d, %d", c.SHA256, len(c.SameSubject), c.SameSubjectCount(), DefaultMaxListed, n-1)
		}
	}
}

// TestTriageHugeNames: the inventory keeps at most maxInvString bytes of a
// certificate's names, and still groups certificates by their whole subject.
func TestTriageHugeNames(t *testing.T) {
	m := NewMerger(TriageOptions{})
	long := strings.Repeat("é", 3000) // 6,000 bytes
	for i, subject := range []string{"CN=" + long + "a", "CN=" + long + "a", "CN=" + long + "b"} {
		leaf := triagetest.Cert(fmt.Sprintf("%064x", i), fmt.Sprint(i), long)
		leaf.Subject, leaf.Issuer = subject, subject
		m.Add(triagetest.Conn(0, uint64(i+1), "10.0.0.1:40000", "10.0.1.1:5061", 0, uint32(i+1), diagnose.VerdictOK, "", leaf))
	}
	r := m.Triage(triagetest.Infos(1), nil, nil, "test")
	for i, c := range r.Certificates {
		for _, s := range []string{c.Subject, c.Issuer, c.CommonName} {
			if len(s) > maxInvString || !strings.HasSuffix(s, "…") || !utf8.ValidString(s) {
				t.Errorf("certificate %d keeps %d bytes (valid UTF-8 %v), want at most %d ending in …", i, len(s), utf8.ValidString(s), maxInvString)
			}
		}
		want := 1 // the first two share their subject, though its first 1,024 bytes are all alike
		if i == 2 {
			want = 0
		}
		if c.SameSubjectCount() != want {
			t.Errorf("certificate %d: %d with the same subject, want %d", i, c.SameSubjectCount(), want)
		}
	}
}

// TestTriageMaxMatchedOrder: with --max-matched hit, the result does not
// depend on the order connections are added in, also from several
// goroutines: the first started are matched, the rest counted unmatched.
func TestTriageMaxMatchedOrder(t *testing.T) {
	var conns []*diagnose.Connection
	for i := range 40 {
		for capture := range 2 {
			v := diagnose.VerdictOK
			if i%3 == 0 {
				v = diagnose.VerdictFailed
			}
			conns = append(conns, triagetest.Conn(capture, uint64(i+1), fmt.Sprintf("10.0.0.%d:40000", i%7+1), fmt.Sprintf("10.0.1.%d:5061", i%5+1),
				time.Duration(i)*time.Second, uint32(i+1), v, "unknown_ca", nil))
		}
	}
	run := func(order []int, workers int) string {
		m := NewMerger(TriageOptions{MaxMatched: 30})
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					m.Add(conns[i])
				}
			}()
		}
		for _, i := range order {
			next <- i
		}
		close(next)
		wg.Wait()
		var b bytes.Buffer
		if err := writeJSON(&b, m.Triage(triagetest.Infos(2), nil, nil, "test")); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	order := make([]int, len(conns))
	for i := range order {
		order[i] = i
	}
	want := run(order, 1)
	if !strings.Contains(want, `"unmatched": 50`) {
		t.Fatalf("want 50 unmatched connections:\n%s", want)
	}
	slices.Reverse(order)
	if got := run(order, 4); got != want {
		t.Errorf("reversed order from 4 goroutines gives another result")
	}
}

// BenchmarkTriageMerge measures Add and Triage over 100k connections from 4
// captures, a quarter of them seen twice, to 16 destinations.
func BenchmarkTriageMerge(b *testing.B) {
	const n = 100000
	certs := make([]*certinfo.Info, 16)
	for i := range certs {
		certs[i] = triagetest.Cert(fmt.Sprintf("%064x", i), fmt.Sprintf("%02x", i), fmt.Sprintf("dest%d.lab", i))
	}
	conns := make([]*diagnose.Connection, 0, n)
	for i := 0; i < n; i++ {
		v, alert := diagnose.VerdictOK, ""
		if i%16 == 5 {
			v, alert = diagnose.VerdictFailed, "unknown_ca"
		}
		capture := i % 4
		if i%4 == 3 {
			capture = 0 // the same connection again, from the peer's capture
		}
		c := triagetest.Conn(capture, uint64(i+1), fmt.Sprintf("10.10.%d.%d:%d", i%3, 11, 30000+i%30000), fmt.Sprintf("10.20.3.%d:5061", 20+i%16),
			time.Duration(i)*time.Millisecond, uint32(i*7+1), v, alert, certs[i%16])
		conns = append(conns, c)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := NewMerger(TriageOptions{})
		for _, c := range conns {
			m.Add(c)
		}
		_ = m.Triage(triagetest.Infos(4), nil, nil, "bench")
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "conns/s")
}

// writeJSON writes t as report.WriteTriageJSON does, so that tests can
// compare two Triages whole.
func writeJSON(w io.Writer, t *Triage) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
