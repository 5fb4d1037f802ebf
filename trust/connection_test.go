package trust

import (
	"net/netip"
	"testing"
	"time"
)

// TestStoreFor checks which trust folder judges what a node receives: a
// --trust-for folder for its own node, the capture node's folder for the
// capture node (or for either end when the capture node is unknown), and
// none for a node nobody exported, nor when the capture node is unknown.
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
	}{
		{"capture node receives", "10.10.1.11", node, capture},
		{"peer with its own folder receives", "10.20.1.21", node, peer},
		{"peer without a folder receives", "10.20.1.22", node, nil},
		{"node unknown: the capture node's folder cannot judge", "10.20.1.22", netip.Addr{}, nil},
		{"node unknown, peer has its own folder", "10.20.1.21", netip.Addr{}, peer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := j.storeFor(netip.MustParseAddr(tt.receiver), tt.node); got != tt.want {
				t.Errorf("storeFor(%s) = %v, want %v", tt.receiver, got, tt.want)
			}
		})
	}
}
