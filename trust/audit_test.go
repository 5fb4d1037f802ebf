package trust

import (
	"slices"
	"testing"

	"github.com/siptls/siptls/certinfo"
)

func TestAuditCertificateRequest(t *testing.T) {
	l := newLab(t)
	tests := []struct {
		name        string
		authorities []string
		length      int
		chain       []*certinfo.Info
		wantListed  bool
		wantMatched string
		wantChecks  []CheckCode
	}{
		{"issuer listed", []string{"CN=Other Root CA,O=Other Org", "CN=Test Issuing CA 1,O=Test Labs"}, 120, []*certinfo.Info{l.ms}, true, "CN=Test Issuing CA 1,O=Test Labs", nil},
		{"root of the sent chain listed", []string{"CN=Test Root CA,O=Test Labs"}, 80, []*certinfo.Info{l.ms, l.inter}, true, "CN=Test Root CA,O=Test Labs", nil},
		{"self-signed client listed by its own name, case differs", []string{"cn=cucmA.test,o=Test Labs"}, 80, []*certinfo.Info{l.selfA}, true, "cn=cucmA.test,o=Test Labs", nil},
		{"issuer not listed", []string{"CN=Other Root CA,O=Other Org"}, 80, []*certinfo.Info{l.selfA}, false, "", []CheckCode{AuditIssuerNotListed}},
		{"empty list", nil, 40, []*certinfo.Info{l.selfA}, false, "", []CheckCode{AuditEmptyList}},
		{"no client certificate", []string{"CN=Test Root CA,O=Test Labs"}, 80, nil, false, "", nil},
		{"one record exactly", []string{"CN=Test Root CA,O=Test Labs"}, RecordLimit, []*certinfo.Info{l.ms, l.inter}, true, "CN=Test Root CA,O=Test Labs", nil},
		{"over a record (ok-big-certificate-request.pcap: 39,769 bytes)", []string{"CN=Test Root CA,O=Test Labs"}, 39769, []*certinfo.Info{l.ms, l.inter}, true, "CN=Test Root CA,O=Test Labs", []CheckCode{AuditOverRecord}},
		{"near the handshake limit", []string{"CN=Test Root CA,O=Test Labs"}, 60000, []*certinfo.Info{l.ms, l.inter}, true, "CN=Test Root CA,O=Test Labs", []CheckCode{AuditOverRecord, AuditNearHandshakeLimit}},
		{"over the handshake limit", []string{"CN=Other Root CA,O=Other Org"}, 70000, []*certinfo.Info{l.ms}, false, "", []CheckCode{AuditIssuerNotListed, AuditOverRecord, AuditNearHandshakeLimit}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := AuditCertificateRequest(tt.authorities, tt.length, tt.chain)
			if a.ClientIssuerListed != tt.wantListed || a.Matched != tt.wantMatched {
				t.Errorf("listed %v matched %q, want %v %q", a.ClientIssuerListed, a.Matched, tt.wantListed, tt.wantMatched)
			}
			if got := checkCodes(a.Checks); !slices.Equal(got, tt.wantChecks) {
				t.Errorf("checks %q, want %q", got, tt.wantChecks)
			}
			if a.Length != tt.length || len(a.Authorities) != len(tt.authorities) {
				t.Errorf("length %d authorities %d", a.Length, len(a.Authorities))
			}
			for _, c := range a.Checks {
				if c.Code == AuditNearHandshakeLimit && (tt.length > HandshakeLimit) != (c.Severity == SeverityError) {
					t.Errorf("severity %s for %d bytes", c.Severity, tt.length)
				}
			}
		})
	}
}
