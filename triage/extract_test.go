package triage

import (
	"testing"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
)

// TestExtractNames: of two certificates with one CN the one presented
// last gets CN.pem, whichever was seen first; a CA that shares its CN with
// a leaf is CN-ca.pem.
func TestExtractNames(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	cert := func(serial string, ca bool) *certinfo.Info {
		return &certinfo.Info{SubjectCN: "cucm8-sub2.clus2.lab", Serial: serial, SHA256: serial + "00", DER: []byte(serial), IsCA: ca}
	}
	stale, current, ca := cert("16a868a007a76305", false), cert("524580eba4fb5ac6", false), cert("7f00112233445566", true)
	x := NewExtractor(10)
	present := func(at time.Duration, infos ...*certinfo.Info) {
		c := &diagnose.Connection{ID: uint64(at)}
		for i, info := range infos {
			c.Certificates = append(c.Certificates, diagnose.Certificate{Info: info, Index: i, Time: t0.Add(at)})
		}
		x.Add("a.cap", c)
	}
	present(0, stale)                 // the old certificate, seen first
	present(time.Minute, current, ca) // the new one, and its CA of the same CN
	idx := x.Index([]string{"a.cap"})
	got := map[string]string{}
	for _, e := range idx.Certificates {
		got[e.Serial] = e.File
	}
	want := map[string]string{
		"524580eba4fb5ac6": "cucm8-sub2.clus2.lab.pem",
		"16a868a007a76305": "cucm8-sub2.clus2.lab.serial-16a868a0.pem",
		"7f00112233445566": "cucm8-sub2.clus2.lab-ca.pem",
	}
	for serial, file := range want {
		if got[serial] != file {
			t.Errorf("serial %s in %q, want %q", serial, got[serial], file)
		}
	}
	if idx.Certificates[0].Serial != "16a868a007a76305" {
		t.Error("entries are no longer in the order first seen")
	}
}
