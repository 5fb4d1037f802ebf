package trust

import (
	"slices"
	"testing"

	"github.com/siptls/siptls/certinfo"
)

func TestMatchNames(t *testing.T) {
	l := newLab(t)
	tests := []struct {
		name     string
		info     string // which lab certificate
		expected []string
		want     string
		wantOK   bool
	}{
		{"CN exact", "ms", []string{"cucm8-pub.test-ms"}, "cucm8-pub.test-ms", true},
		{"case-insensitive, trailing dot", "selfA", []string{"CUCMA.TEST."}, "cucma.test", true},
		{"comma and space separated list", "selfB", []string{"cucm7-pub.clus1.lab, cucmb.test cube1.lab"}, "cucmb.test", true},
		{"several flags", "selfB", []string{"x.test", "cucmB.test"}, "cucmb.test", true},
		{"DNS SAN only", "ms", []string{"nothing", "CUCM8-PUB.TEST-MS"}, "cucm8-pub.test-ms", true},
		{"no match", "selfA", []string{"cucma", "cucma.test.lab"}, "", false},
		{"no wildcard expansion", "selfA", []string{"*.test"}, "", false},
		{"empty list", "selfA", nil, "", false},
		{"nil info", "", []string{"a"}, "", false},
	}
	infos := map[string]*certinfo.Info{"ms": l.ms, "selfA": l.selfA, "selfB": l.selfB, "": nil}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MatchNames(infos[tt.info], tt.expected)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("MatchNames = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseExpectNames(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantPeer  string
		wantNames []string
	}{
		{"names", "cucm8-pub.clus2.lab,cucm8-sub1.clus2.lab", "", []string{"cucm8-pub.clus2.lab", "cucm8-sub1.clus2.lab"}},
		{"space separated, mixed case", "  CUBE1.lab  cube1 ", "", []string{"cube1.lab", "cube1"}},
		{"peer IPv4", "10.30.1.5=cube1.lab", "10.30.1.5", []string{"cube1.lab"}},
		{"peer IPv6 canonicalised", "2001:DB8::0001=a.lab, b.lab.", "2001:db8::1", []string{"a.lab", "b.lab"}},
		{"equals without an address is a name", "weird=name", "", []string{"weird=name"}},
		{"empty", "", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer, names := ParseExpectNames(tt.input)
			if peer != tt.wantPeer || !slices.Equal(names, tt.wantNames) {
				t.Errorf("ParseExpectNames(%q) = %q, %q; want %q, %q", tt.input, peer, names, tt.wantPeer, tt.wantNames)
			}
		})
	}
}
