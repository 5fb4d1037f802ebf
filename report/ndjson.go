package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"slices"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/jsonenc"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// NDJSONSchema names the record format of FormatNDJSON
// (docs/json-schema.md, "NDJSON").
const NDJSONSchema = "siptls/ndjson/v1"

// maxSeen bounds the certificate and CA-list hashes an ndjsonWriter
// remembers as written. Past it the sets start again, so that a capture
// with millions of distinct certificates does not grow memory: a record
// may then be written twice, and readers key records by sha256.
const maxSeen = 1 << 16

// ndjsonWriter writes FormatNDJSON: a header record, then for each
// connection the certificate and ca_list records it is the first to
// reference, and the connection record; at the end the capture,
// destination, trust_store and summary records.
type ndjsonWriter struct {
	out    *errWriter
	opts   WriterOptions
	certs  map[string]struct{} // sha256 of certificate records written
	lists  map[string]struct{} // sha256 of ca_list records written
	line   []byte              // the record being encoded, reused
	hasher hash.Hash           // SHA-256 of a CA list, reused
	// the connection record being written and its certificates, reused
	rec  ndConnection
	trec ndTriageConnection
	refs []ndCertRef
}

func newNDJSONWriter(out *errWriter, o WriterOptions) *ndjsonWriter {
	return &ndjsonWriter{out: out, opts: o, certs: map[string]struct{}{}, lists: map[string]struct{}{}, hasher: sha256.New()}
}

// ndHeader is the first record.
type ndHeader struct {
	Type    string `json:"type"` // "header"
	Schema  string `json:"schema"`
	Version string `json:"siptls_version"`
}

// ndCertificate is a certificate record: the facts of one distinct
// certificate, whoever presented it. It is the siptls/v1 Certificate
// without what depends on the connection that presented it (absent
// fields), which the connection's ndCertRef carries.
type ndCertificate struct {
	Type string `json:"type"` // "certificate"
	*triage.Certificate
	SentBy            *struct{} `json:"sent_by,omitempty"`
	Index             *struct{} `json:"index,omitempty"`
	Frame             *struct{} `json:"frame,omitempty"`
	ValidityAtCapture *struct{} `json:"validity_at_capture,omitempty"`
	Trust             *struct{} `json:"trust,omitempty"`
	Checks            *struct{} `json:"checks,omitempty"`
}

// ndCertRef is a certificate as a connection presented it: where, and what
// was judged of it there; its facts are in the certificate record of the
// same sha256.
type ndCertRef struct {
	SentBy            diagnose.Side     `json:"sent_by"`
	Index             int               `json:"index"`
	Frame             uint64            `json:"frame"`
	SHA256            string            `json:"sha256"`
	ValidityAtCapture string            `json:"validity_at_capture"`
	Trust             *triage.CertTrust `json:"trust"`
	Checks            []trust.Check     `json:"checks"`
}

// ndCAList is a ca_list record: the names of a CertificateRequest's
// certificate_authorities, referenced by the sha256 of the names joined by
// newlines.
type ndCAList struct {
	Type   string   `json:"type"` // "ca_list"
	SHA256 string   `json:"sha256"`
	Names  []string `json:"names"`
}

// ndCertificateRequest is a connection's CertificateRequest, with its CA
// list by reference.
type ndCertificateRequest struct {
	*triage.CertificateRequest
	// CertificateAuthorities hides the list itself (always null).
	CertificateAuthorities *struct{} `json:"certificate_authorities,omitempty"`
	CAList                 string    `json:"certificate_authorities_sha256"`
}

// ndConnection is a connection record: the siptls/v1 connection object with
// certificates and the CA list by reference, and events only with Events.
type ndConnection struct {
	Type string `json:"type"` // "connection"
	*triage.Connection
	CertificateRequest *ndCertificateRequest `json:"certificate_request"`
	Certificates       []ndCertRef           `json:"certificates"`
	Events             []triage.Event        `json:"events,omitempty"`
}

func (w *ndjsonWriter) header() {
	w.record(ndHeader{Type: "header", Schema: NDJSONSchema, Version: w.opts.Version})
}

// ndTriageConnection is a triage connection record: a connection record
// and the captures that saw it.
type ndTriageConnection struct {
	ndConnection
	SeenIn []int `json:"seen_in"`
}

// AppendJSON appends v as json.Marshal(v) writes it: the connection
// record's object, by its generated encoder, with seen_in added before
// its closing brace (v's own key comes after the embedded record's, which
// always holds "type"). TestAppendJSONMatchesMarshal holds it to
// json.Marshal.
func (v *ndTriageConnection) AppendJSON(b []byte) ([]byte, error) {
	b, err := v.ndConnection.AppendJSON(b)
	if err != nil {
		return b, err
	}
	b = append(b[:len(b)-1], `,"seen_in":`...)
	if v.SeenIn == nil {
		b = jsonenc.AppendNull(b)
	} else {
		b = append(b, '[')
		for i, n := range v.SeenIn {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendInt(b, n)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func (w *ndjsonWriter) triageConnection(c *triage.TriageConnection) {
	w.trec = ndTriageConnection{ndConnection: w.connectionRecord(&c.Connection), SeenIn: c.SeenIn}
	w.encode(&w.trec)
}

func (w *ndjsonWriter) connection(c *triage.Connection) {
	w.rec = w.connectionRecord(c)
	w.encode(&w.rec)
}

// A jsonAppender appends itself as JSON, as json.Marshal writes it: the
// connection records, by the code json_gen.go holds.
type jsonAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// encode writes v, whose Type field says its type, with its generated
// encoder (json.Marshal's bytes without the reflection); json.Marshal
// writes it while json_gen.go is being made again.
func (w *ndjsonWriter) encode(v any) {
	if a, ok := v.(jsonAppender); ok {
		w.appended(a.AppendJSON(w.line[:0]))
		return
	}
	w.record(v)
}

// connectionRecord writes the certificate and ca_list records c is the
// first to reference and returns c's record.
func (w *ndjsonWriter) connectionRecord(c *triage.Connection) ndConnection {
	if w.refs == nil {
		w.refs = make([]ndCertRef, 0, 8) // never nil: JSON [] for none
	}
	w.refs = slices.Grow(w.refs[:0], len(c.Certificates))[:len(c.Certificates)]
	rec := ndConnection{Type: "connection", Connection: c, Certificates: w.refs}
	for i := range c.Certificates {
		cert := &c.Certificates[i]
		w.certificate(cert)
		rec.Certificates[i] = ndCertRef{SentBy: cert.SentBy, Index: cert.Index, Frame: cert.Frame, SHA256: cert.SHA256,
			ValidityAtCapture: cert.ValidityAtCapture, Trust: cert.Trust, Checks: cert.Checks}
	}
	if cr := c.CertificateRequest; cr != nil {
		rec.CertificateRequest = &ndCertificateRequest{CertificateRequest: cr, CAList: w.caList(cr.CertificateAuthorities)}
	}
	if w.opts.Events {
		rec.Events = c.Events
	}
	return rec
}

// certificate writes c's certificate record unless it was written.
func (w *ndjsonWriter) certificate(c *triage.Certificate) {
	if _, ok := w.certs[c.SHA256]; ok {
		return
	}
	if len(w.certs) >= maxSeen {
		clear(w.certs)
	}
	w.certs[c.SHA256] = struct{}{}
	w.record(&ndCertificate{Type: "certificate", Certificate: c})
}

// caList writes the ca_list record of names unless it was written, and
// returns its hash.
func (w *ndjsonWriter) caList(names []string) string {
	w.hasher.Reset()
	for i, n := range names {
		if i > 0 {
			w.hasher.Write([]byte{'\n'})
		}
		io.WriteString(w.hasher, n)
	}
	h := hex.EncodeToString(w.hasher.Sum(nil))
	if _, ok := w.lists[h]; ok {
		return h
	}
	if len(w.lists) >= maxSeen {
		clear(w.lists)
	}
	w.lists[h] = struct{}{}
	w.record(&ndCAList{Type: "ca_list", SHA256: h, Names: names})
	return h
}

// finish writes the records that need every connection.
func (w *ndjsonWriter) finish(caps []triage.Capture, dests []triage.Destination, stores []triage.TrustStore, sum triage.Summary) {
	for i := range caps {
		w.typed("capture", &caps[i])
	}
	for i := range dests {
		w.typed("destination", &dests[i])
	}
	for i := range stores {
		w.typed("trust_store", &stores[i])
	}
	w.typed("summary", &sum)
}

// typed writes v, a JSON object, as a record with "type" first.
func (w *ndjsonWriter) typed(typ string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		w.fail(err)
		return
	}
	w.line = jsonenc.AppendTyped(w.line[:0], typ, b)
	w.write()
}

// appended writes the record the generated encoder appended to w.line[:0]
// (json_gen.go: json.Marshal's bytes without its reflection).
func (w *ndjsonWriter) appended(b []byte, err error) {
	if err != nil {
		w.fail(err)
		return
	}
	w.line = b
	w.write()
}

// record writes v, whose Type field says its type.
func (w *ndjsonWriter) record(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		w.fail(err)
		return
	}
	w.line = append(w.line[:0], b...)
	w.write()
}

func (w *ndjsonWriter) write() {
	w.line = append(EscapeJSON(w.line), '\n')
	w.out.Write(w.line)
}

// fail keeps err as the Writer's first error.
func (w *ndjsonWriter) fail(err error) {
	if w.out.err == nil {
		w.out.err = err
	}
}
