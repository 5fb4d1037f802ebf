package triage

import (
	"encoding/pem"
	"fmt"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/trust"
)

// CertView is the one view of a certificate that every output starts from:
// NewCertView builds it once from a certinfo.Info, with the validity period
// as JSON times, the validity at one instant (the capture time for analyze,
// triage and extract, today for certs) and the PEM encoding.
//
// The JSON outputs that show a certificate (a connection's certificates,
// the triage inventory, certs and extract's index.json) are contracts with
// different field orders, so each keeps a thin struct of its own, filled
// from a CertView; a connection's certificates and the inventory share the
// run of fields of CertSummary, filled by Summary. None of them parses the
// certificate or formats validity or PEM itself.
type CertView struct {
	// Info is the parsed certificate (nil when its bytes were not seen).
	Info *certinfo.Info
	// NotBefore and NotAfter are nil when unreadable.
	NotBefore, NotAfter *Time
	// Validity is the validity at the instant given to NewCertView.
	Validity trust.Validity
}

// NewCertView builds the view of i at the instant at (i may be nil).
func NewCertView(i *certinfo.Info, at time.Time) CertView {
	v := CertView{Info: i}
	if i == nil {
		return v
	}
	v.NotBefore, v.NotAfter = timePair(i.NotBefore, i.NotAfter)
	v.Validity.Status, v.Validity.Days = i.ValidAt(at)
	return v
}

// timePair is timePtr of a and of b in one allocation: a view is made per
// certificate per connection.
func timePair(a, b time.Time) (*Time, *Time) {
	both := &[2]Time{{a}, {b}}
	pa, pb := &both[0], &both[1]
	if a.IsZero() {
		pa = nil
	}
	if b.IsZero() {
		pb = nil
	}
	return pa, pb
}

// ValidityText is the validity as the JSON field validity_at_capture says
// it: "valid", or the status with the days ("expired (12 days)"); empty when
// the end of the validity period is unknown.
func (v CertView) ValidityText() string {
	if v.Info == nil || v.Info.NotAfter.IsZero() {
		return ""
	}
	if v.Validity.Status == certinfo.Valid {
		return v.Validity.Status.String()
	}
	return fmt.Sprintf("%s (%d days)", v.Validity.Status, v.Validity.Days)
}

// CertSummary is the part of a certificate's JSON that a connection's
// certificates and the triage inventory share, in the same field order:
// the names, the validity period and the validity at the capture time.
// Both embed it, so encoding/json writes its fields in their place.
type CertSummary struct {
	Serial            string `json:"serial"`
	Subject           string `json:"subject"`
	Issuer            string `json:"issuer"`
	CommonName        string `json:"common_name"`
	NotBefore         *Time  `json:"not_before"`
	NotAfter          *Time  `json:"not_after"`
	ValidityAtCapture string `json:"validity_at_capture"`
}

// Summary is the view's CertSummary (empty when Info is nil).
func (v CertView) Summary() CertSummary {
	if v.Info == nil {
		return CertSummary{}
	}
	i := v.Info
	return CertSummary{Serial: i.Serial, Subject: i.Subject, Issuer: i.Issuer, CommonName: i.SubjectCN,
		NotBefore: v.NotBefore, NotAfter: v.NotAfter, ValidityAtCapture: v.ValidityText()}
}

// PEM is the certificate as one PEM block, or nil without its DER.
func (v CertView) PEM() []byte {
	if v.Info == nil || len(v.Info.DER) == 0 {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: v.Info.DER})
}

// Kind is "ca" or "leaf" by the basicConstraints cA flag (CUCM's own
// self-signed CallManager certificates are CA:TRUE).
func (v CertView) Kind() string {
	if v.Info != nil && v.Info.IsCA {
		return "ca"
	}
	return "leaf"
}
