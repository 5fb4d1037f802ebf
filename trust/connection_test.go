package trust

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/tlsparse"
)

// TestStoreFor checks which trust folder judges what a node receives: a
// --trust-for folder for its own node, the capture node's folder for the
// capture node, or for either end when the capture node is unknown, and
// none for a node nobody exported.
func TestStoreFor(t *testing.T) {
	capture := &Store{Path: "cucm7-pub"}
	peer := &Store{Path: "cucm8-pub", Node: "10.20.1.21"}
	j := NewJudge([]*Store{capture, peer}, nil, time.Time{})
	node := netip.MustParseAddr("10.10.1.11")
	tests := []struct {
		name     string
		receiver string
		node     netip.Addr
		want     *Store
		unknown  bool
	}{
		{"capture node receives", "10.10.1.11", node, capture, false},
		{"peer with its own folder receives", "10.20.1.21", node, peer, false},
		{"peer without a folder receives", "10.20.1.22", node, nil, false},
		{"node unknown: the capture node's folder judges either end", "10.20.1.22", netip.Addr{}, capture, true},
		{"node unknown, peer has its own folder", "10.20.1.21", netip.Addr{}, peer, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, unknown := j.storeFor(netip.MustParseAddr(tt.receiver), tt.node); got != tt.want || unknown != tt.unknown {
				t.Errorf("storeFor(%s) = %v, %v; want %v, %v", tt.receiver, got, unknown, tt.want, tt.unknown)
			}
		})
	}
}

// TestConnectionNodeUnknown checks that without a capture node the capture
// node's folder judges both ends and the sentence says on what condition.
func TestConnectionNodeUnknown(t *testing.T) {
	l := newLab(t)
	s, err := Load(fstest.MapFS{"cucmB.test.pem": file(pemOf(l.selfB))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	s.Path = "cucmB-trust"
	at := day(2026, 11, 20)
	c := &diagnose.Connection{Client: netip.MustParseAddrPort("10.20.1.21:40000"), Server: netip.MustParseAddrPort("10.10.1.11:5061"),
		Verdict: diagnose.VerdictFailed, Reason: diagnose.ReasonFatalAlert,
		Alert: &diagnose.Alert{Level: 2, Name: "unknown_ca", SentBy: diagnose.Server, After: &diagnose.Message{Side: diagnose.Client, Type: tlsparse.TypeCertificate}},
		Certificates: []diagnose.Certificate{
			{SentBy: diagnose.Server, Time: at, Info: l.selfB},
			{SentBy: diagnose.Client, Time: at, Info: l.selfA},
		}}
	tests := []struct {
		name     string
		node     netip.Addr
		want     string // sent_by:status:node_unknown of each judged side
		sentence string
	}{
		{"node known: only what it received", netip.MustParseAddr("10.10.1.11"), "client:untrusted:false",
			"The trust folder cucmB-trust explains it: CN=cucmA.test serial"},
		{"node unknown: both ends", netip.Addr{}, "server:exact_match:true client:untrusted:true",
			"If the capture node is the server (the capture does not tell), the trust folder cucmB-trust explains it: CN=cucmA.test serial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := NewJudge([]*Store{s}, nil, time.Time{}).Connection(c, tt.node)
			var got []string
			for _, st := range ct.Sides {
				got = append(got, fmt.Sprintf("%s:%s:%v", st.SentBy, st.Judgement.Status, st.NodeUnknown))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("sides %q, want %q", g, tt.want)
			}
			if !strings.HasPrefix(ct.Sentence, tt.sentence) {
				t.Errorf("sentence %q, want it to start with %q", ct.Sentence, tt.sentence)
			}
		})
	}
}

// TestConnectionPartialChain checks chains the capture did not show whole:
// a lost intermediate makes a verdict that depends on it capture_incomplete
// (never missing_intermediate), a verdict the present certificates settle
// stands, and a lost leaf is not judged at all.
func TestConnectionPartialChain(t *testing.T) {
	l := newLab(t)
	root, err := Load(fstest.MapFS{"root.pem": file(pemOf(l.root))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	inter, err := Load(fstest.MapFS{"inter.pem": file(pemOf(l.inter))}, ".", "")
	if err != nil {
		t.Fatal(err)
	}
	at := day(2026, 11, 20)
	node := netip.MustParseAddr("10.10.1.11")
	conn := func(certs []diagnose.Certificate, partial []diagnose.PartialCertificate) *diagnose.Connection {
		return &diagnose.Connection{Client: netip.MustParseAddrPort("10.10.1.11:40000"), Server: netip.MustParseAddrPort("10.20.1.21:5061"),
			Certificates: certs, PartialCertificates: partial}
	}
	cert := func(i int, info *certinfo.Info) diagnose.Certificate {
		return diagnose.Certificate{SentBy: diagnose.Server, Index: i, Time: at, Info: info}
	}
	lostInter := []diagnose.PartialCertificate{{SentBy: diagnose.Server, Index: 1, Length: 900, Missing: []diagnose.ByteRange{{Start: 100, End: 600}}}}
	tests := []struct {
		name    string
		store   *Store
		c       *diagnose.Connection
		want    Status // "" for no judgement of the server's chain
		wantHas string
	}{
		{"whole chain, root in the folder", root, conn([]diagnose.Certificate{cert(0, l.ms), cert(1, l.inter)}, nil), StatusChainsTo, ""},
		{"intermediate lost: no missing_intermediate", root, conn([]diagnose.Certificate{cert(0, l.ms)}, lostInter), StatusCaptureIncomplete, "certificate 2 of the chain"},
		{"intermediate lost, but the folder holds the issuer", inter, conn([]diagnose.Certificate{cert(0, l.ms)}, lostInter), StatusChainsTo, ""},
		{"leaf lost: nothing to judge", root, conn([]diagnose.Certificate{cert(1, l.inter)}, []diagnose.PartialCertificate{{SentBy: diagnose.Server, Index: 0, Length: 900}}), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := NewJudge([]*Store{tt.store}, nil, time.Time{})
			st := j.Connection(tt.c, node).For(diagnose.Server)
			switch {
			case tt.want == "" && st != nil:
				t.Fatalf("judged %s, want no judgement", st.Judgement.Status)
			case tt.want == "":
				return
			case st == nil:
				t.Fatalf("no judgement, want %s", tt.want)
			}
			if st.Judgement.Status != tt.want || !strings.Contains(st.Judgement.Detail, tt.wantHas) {
				t.Errorf("got %s (%s), want %s with %q", st.Judgement.Status, st.Judgement.Detail, tt.want, tt.wantHas)
			}
		})
	}
}
