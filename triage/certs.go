package triage

import (
	"time"

	"github.com/siptls/siptls/trust"
)

// CertsReport is the JSON output of `siptls certs` (schema siptls/certs/v1),
// which report.WriteCertsText also renders as text.
type CertsReport struct {
	Schema string        `json:"schema"`
	Today  Time          `json:"today"`
	Stores []*CertsStore `json:"stores"`
	Errors []CertsError  `json:"errors"`
}

// CertsStore is one PATH of the command line.
type CertsStore struct {
	Path         string           `json:"path"`
	Certificates []*CertsEntry    `json:"certificates"`
	Skipped      []CertsSkipped   `json:"skipped"`
	Duplicates   []CertsDuplicate `json:"duplicates"`
}

// CertsEntry is one certificate of the inventory.
type CertsEntry struct {
	File               string         `json:"file"`
	Index              int            `json:"index"`
	Subject            string         `json:"subject"`
	Issuer             string         `json:"issuer"`
	CommonName         string         `json:"common_name"`
	Serial             string         `json:"serial"`
	NotBefore          *Time          `json:"not_before"`
	NotAfter           *Time          `json:"not_after"`
	ValidityToday      trust.Validity `json:"validity_today"`
	SHA256             string         `json:"sha256"`
	SHA1               string         `json:"sha1"`
	Kind               string         `json:"kind"`
	IsCA               bool           `json:"is_ca"`
	SelfSigned         bool           `json:"self_signed"`
	ExtKeyUsage        []string       `json:"ext_key_usage"`
	KeyUsage           []string       `json:"key_usage"`
	KeyType            string         `json:"key_type"`
	KeyBits            int            `json:"key_bits"`
	Curve              string         `json:"curve,omitempty"`
	SignatureAlgorithm string         `json:"signature_algorithm"`
	DNSNames           []string       `json:"dns_names"`
	IPAddresses        []string       `json:"ip_addresses"`
	ParseError         string         `json:"parse_error,omitempty"`
}

// CertsSkipped is a file, or part of a file, without a usable certificate.
type CertsSkipped struct {
	File   string `json:"file"`
	Part   string `json:"part,omitempty"`
	Reason string `json:"reason"`
	Error  string `json:"error,omitempty"`
}

// CertsDuplicate is a certificate found in more than one place.
type CertsDuplicate struct {
	SHA256  string   `json:"sha256"`
	Subject string   `json:"subject"`
	Files   []string `json:"files"`
}

// CertsError is a PATH that could not be listed.
type CertsError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// NewCertsReport is an empty inventory made today.
func NewCertsReport(today time.Time) *CertsReport {
	return &CertsReport{Schema: "siptls/certs/v1", Today: Time{Time: today}, Stores: []*CertsStore{}, Errors: []CertsError{}}
}

// CertsInventory turns a loaded store into its JSON and text view, with
// each certificate's validity today.
func CertsInventory(s *trust.Store, today time.Time) *CertsStore {
	cs := &CertsStore{Path: s.Path, Certificates: []*CertsEntry{}, Skipped: []CertsSkipped{}, Duplicates: []CertsDuplicate{}}
	for _, e := range s.Certs {
		v := NewCertView(e.Info, today)
		i := v.Info
		ce := &CertsEntry{
			File: e.File, Index: e.Index, Subject: i.Subject, Issuer: i.Issuer, CommonName: i.SubjectCN, Serial: i.Serial,
			NotBefore: v.NotBefore, NotAfter: v.NotAfter, ValidityToday: v.Validity,
			SHA256: i.SHA256, SHA1: i.SHA1, Kind: v.Kind(), IsCA: i.IsCA, SelfSigned: i.SelfSigned,
			ExtKeyUsage: nonNil(i.ExtKeyUsage), KeyUsage: nonNil(i.KeyUsage), KeyType: i.KeyType, KeyBits: i.KeyBits,
			Curve: i.Curve, SignatureAlgorithm: i.SignatureAlgorithm,
			DNSNames: nonNil(i.DNSNames), IPAddresses: nonNil(i.IPAddresses), ParseError: i.ParseError,
		}
		cs.Certificates = append(cs.Certificates, ce)
	}
	for _, k := range s.Skipped {
		sk := CertsSkipped{File: k.File, Part: k.Part, Reason: k.Reason}
		if k.Err != nil {
			sk.Error = k.Err.Error()
		}
		cs.Skipped = append(cs.Skipped, sk)
	}
	for _, d := range s.Duplicates {
		cs.Duplicates = append(cs.Duplicates, CertsDuplicate{SHA256: d.SHA256, Subject: d.Subject, Files: d.Where})
	}
	return cs
}
