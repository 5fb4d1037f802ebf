package triage

import (
	"fmt"
	"strings"

	"github.com/siptls/siptls/diagnose"
)

// Presentation is one connection that presented a certificate.
type Presentation struct {
	Capture    string `json:"capture"`
	Connection uint64 `json:"connection"`
	Client     string `json:"client"`
	Server     string `json:"server"`
	SentBy     string `json:"sent_by"`
	Index      int    `json:"index"`
	Frame      uint64 `json:"frame"`
}

// ExtractedCertificate is one entry of index.json.
type ExtractedCertificate struct {
	File        string         `json:"file"`
	Serial      string         `json:"serial"`
	Subject     string         `json:"subject"`
	Issuer      string         `json:"issuer"`
	NotBefore   *Time          `json:"not_before"`
	NotAfter    *Time          `json:"not_after"`
	SHA256      string         `json:"sha256"`
	SelfSigned  bool           `json:"self_signed"`
	IsCA        bool           `json:"is_ca"`
	ParseError  string         `json:"parse_error,omitempty"`
	Presented   int            `json:"presented"`
	PresentedBy []Presentation `json:"presented_by"`
	// LastSeen is the capture time of the last connection that presented
	// it: the certificate in use now is the one seen last.
	LastSeen *Time `json:"last_seen"`
	view     CertView
}

// ExtractIndex is the content of index.json (schema siptls/extract/v1),
// which report.WriteExtractText also summarises as text.
type ExtractIndex struct {
	Schema       string                  `json:"schema"`
	Captures     []string                `json:"captures"`
	Certificates []*ExtractedCertificate `json:"certificates"`
}

// View is the certificate view this entry was filled from.
func (e *ExtractedCertificate) View() CertView { return e.view }

// Extractor collects the distinct certificates presented on connections,
// in the order first seen, for `siptls extract`.
type Extractor struct {
	maxSeen int
	bySHA   map[string]*ExtractedCertificate
	order   []*ExtractedCertificate
}

// NewExtractor lists at most maxSeen connections per certificate (the
// count is always complete).
func NewExtractor(maxSeen int) *Extractor {
	return &Extractor{maxSeen: maxSeen, bySHA: map[string]*ExtractedCertificate{}}
}

// Add records the certificates c presented, read from the capture file
// capture; certificates without their bytes are left out.
func (x *Extractor) Add(capture string, c *diagnose.Connection) {
	for _, cert := range c.Certificates {
		i := cert.Info
		if i == nil || len(i.DER) == 0 {
			continue
		}
		e := x.bySHA[i.SHA256]
		if e == nil {
			v := NewCertView(i, cert.Time)
			e = &ExtractedCertificate{Serial: i.Serial, Subject: i.Subject, Issuer: i.Issuer, NotBefore: v.NotBefore, NotAfter: v.NotAfter,
				SHA256: i.SHA256, SelfSigned: i.SelfSigned, IsCA: i.IsCA, ParseError: i.ParseError, PresentedBy: []Presentation{}, view: v}
			x.bySHA[i.SHA256] = e
			x.order = append(x.order, e)
		}
		e.Presented++
		if e.LastSeen == nil || cert.Time.After(e.LastSeen.Time) {
			e.LastSeen = &Time{cert.Time}
		}
		if len(e.PresentedBy) < x.maxSeen {
			e.PresentedBy = append(e.PresentedBy, Presentation{Capture: capture, Connection: c.ID,
				Client: c.Client.String(), Server: c.Server.String(), SentBy: cert.SentBy.String(), Index: cert.Index, Frame: cert.Frame})
		}
	}
}

// Index names the files and returns index.json. The files are named after
// the CN as CUCM admins do (CN.pem). Of several certificates with one CN,
// the one presented last in capture time, the one in use, gets the plain
// name and the older ones CN.serial-<first 8 hex digits>.pem, so that the
// file an admin takes for the CN is never a stale copy; a CA certificate
// whose CN a leaf also has is CN-ca.pem. Entries stay in the order first
// seen.
func (x *Extractor) Index(captures []string) ExtractIndex {
	leaves := map[string]bool{} // lower-case file names of the certificates that are not CAs
	for _, e := range x.order {
		if !e.IsCA {
			leaves[strings.ToLower(e.view.Info.FileName())] = true
		}
	}
	base := make(map[*ExtractedCertificate]string, len(x.order))
	groups := map[string][]*ExtractedCertificate{} // by lower-case base, in the order first seen
	var keys []string
	for _, e := range x.order {
		b := e.view.Info.FileName()
		if e.IsCA && leaves[strings.ToLower(b)] {
			b += "-ca"
		}
		base[e] = b
		key := strings.ToLower(b)
		if groups[key] == nil {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], e)
	}
	used := map[string]bool{}
	for _, key := range keys {
		g := groups[key]
		latest := g[0]
		for _, e := range g[1:] {
			if e.LastSeen != nil && (latest.LastSeen == nil || e.LastSeen.After(latest.LastSeen.Time)) {
				latest = e
			}
		}
		for _, e := range g {
			name := base[e] + ".pem"
			if e != latest {
				name = fmt.Sprintf("%s.serial-%s.pem", base[e], serialPrefix(e.Serial))
			}
			for n := 2; used[strings.ToLower(name)]; n++ {
				name = fmt.Sprintf("%s-%d.pem", strings.TrimSuffix(name, ".pem"), n)
			}
			used[strings.ToLower(name)] = true
			e.File = name
		}
	}
	idx := ExtractIndex{Schema: "siptls/extract/v1", Captures: captures, Certificates: x.order}
	if idx.Certificates == nil {
		idx.Certificates = []*ExtractedCertificate{}
	}
	return idx
}

// serialPrefix is the first 8 hex digits of a serial ("unknown" without one).
func serialPrefix(serial string) string {
	if serial == "" {
		return "unknown"
	}
	return serial[:min(8, len(serial))]
}
