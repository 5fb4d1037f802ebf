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
)

// TestNodeVotes checks which end the capture node's folder and the
// expected names call the peer.
func TestNodeVotes(t *testing.T) {
	l := newLab(t)
	// The capture node's CallManager-trust: its peer cucmB (self-signed),
	// an old copy of cucmA, and the root CA.
	folder := fstest.MapFS{"cucmB.test.pem": file(pemOf(l.selfB)), "cucmA-old.pem": file(pemOf(l.selfAOld)), "root.pem": file(pemOf(l.root))}
	at := day(2026, 11, 20)
	type chains struct{ client, server []*certinfo.Info }
	tests := []struct {
		name   string
		folder fstest.MapFS // nil: no --trust
		expect []ExpectName
		chains chains
		want   string // "signal:peer-side[:status or name]" joined by spaces
	}{
		{
			name:   "the folder holds the server's certificate, not the client's",
			chains: chains{client: []*certinfo.Info{l.selfExpired}, server: []*certinfo.Info{l.selfB}},
			want:   "trust_folder:server:exact_match",
		},
		{
			name:   "an older copy of the client's certificate",
			chains: chains{client: []*certinfo.Info{l.selfA}, server: []*certinfo.Info{l.selfExpired}},
			want:   "trust_folder:client:stale_copy",
		},
		{
			name:   "the folder anchors both ends: no vote",
			chains: chains{client: []*certinfo.Info{l.ms, l.inter}, server: []*certinfo.Info{l.selfB}},
		},
		{
			name:   "one end only presented a chain: no vote",
			chains: chains{server: []*certinfo.Info{l.selfB}},
		},
		{
			name:   "neither end is known: no vote",
			chains: chains{client: []*certinfo.Info{l.selfExpired}, server: []*certinfo.Info{l.otherLeaf}},
		},
		{
			name:   "the server's certificate matches --expect-name",
			folder: fstest.MapFS{},
			expect: []ExpectName{{Names: []string{"cucmB.test"}}},
			chains: chains{client: []*certinfo.Info{l.selfExpired}, server: []*certinfo.Info{l.selfB}},
			want:   "expect_name:server:cucmb.test",
		},
		{
			name:   "names for the client's address",
			folder: fstest.MapFS{},
			expect: []ExpectName{{Names: []string{"nobody.test"}}, {Peer: "10.20.1.21", Names: []string{"cucmE.test"}}},
			chains: chains{client: []*certinfo.Info{l.selfExpired}, server: []*certinfo.Info{l.selfB}},
			want:   "expect_name:client:cucme.test",
		},
		{
			name:   "both ends match: no vote",
			folder: fstest.MapFS{},
			expect: []ExpectName{{Names: []string{"cucmB.test", "cucmE.test"}}},
			chains: chains{client: []*certinfo.Info{l.selfExpired}, server: []*certinfo.Info{l.selfB}},
		},
		{
			name:   "the other end presented nothing: no vote",
			folder: fstest.MapFS{},
			expect: []ExpectName{{Names: []string{"cucmB.test"}}},
			chains: chains{server: []*certinfo.Info{l.selfB}},
		},
		{
			name:   "folder and names together",
			expect: []ExpectName{{Names: []string{"cucmB.test"}}},
			chains: chains{client: []*certinfo.Info{l.selfExpired}, server: []*certinfo.Info{l.selfB}},
			want:   "trust_folder:server:exact_match expect_name:server:cucmb.test",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := tt.folder
			if fs == nil {
				fs = folder
			}
			var stores []*Store
			if len(fs) > 0 {
				s, err := Load(fs, ".", "")
				if err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			c := &diagnose.Connection{Client: netip.MustParseAddrPort("10.20.1.21:40000"), Server: netip.MustParseAddrPort("10.10.1.11:5061")}
			for i, info := range tt.chains.client {
				c.Certificates = append(c.Certificates, diagnose.Certificate{SentBy: diagnose.Client, Index: i, Time: at, Info: info})
			}
			for i, info := range tt.chains.server {
				c.Certificates = append(c.Certificates, diagnose.Certificate{SentBy: diagnose.Server, Index: i, Time: at, Info: info})
			}
			var got []string
			for _, v := range NewJudge(stores, tt.expect, time.Time{}).NodeVotes(c) {
				detail := v.Status
				if v.Signal == diagnose.SignalExpectName {
					detail = v.Name
				}
				got = append(got, fmt.Sprintf("%s:%s:%s", v.Signal, v.Peer, detail))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("votes %q, want %q", g, tt.want)
			}
		})
	}
}
