package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/siptls/siptls/triage"
)

// WriteTriageJSON writes t as one siptls/v1 JSON document and a newline:
// compact, or indented by two spaces for a person. DEL, C1 controls and Cf
// characters are written as \u escapes (EscapeJSON).
func WriteTriageJSON(w io.Writer, t *triage.Triage, indent bool) error {
	return WriteJSONDocument(w, t, indent)
}

// WriteJSONDocument writes v as one JSON document and a newline: compact,
// or indented by two spaces for a person (as json.MarshalIndent). DEL, C1
// controls and Cf characters are written as \u escapes (EscapeJSON).
func WriteJSONDocument(w io.Writer, v any, indent bool) error {
	b, err := json.Marshal(v)
	if err == nil && indent {
		b, err = appendIndent(nil, b, "")
	}
	if err != nil {
		return err
	}
	b = append(EscapeJSON(b), '\n')
	_, err = w.Write(b)
	return err
}

// WriteTriageNDJSON writes t as siptls/ndjson/v1 records, one per line: the
// header, then action, pattern, capture, connection (with the certificate and
// ca_list records it is the first to reference), destination, pair,
// inventory, duplicates, omitted, connection_detail, trust_store, note and
// summary records. Connections carry their events only when events is set.
func WriteTriageNDJSON(w io.Writer, t *triage.Triage, events bool) error {
	buf := bufio.NewWriterSize(w, writeBuffer)
	ew := &errWriter{w: buf}
	nd := newNDJSONWriter(ew, WriterOptions{Format: FormatNDJSON, Version: t.Version, Events: events})
	nd.header()
	nd.actions(t.Actions)
	for _, p := range t.Patterns {
		nd.typed("pattern", &struct {
			Text string `json:"text"`
		}{p})
	}
	for i := range t.Captures {
		nd.typed("capture", &t.Captures[i])
	}
	for i := range t.Connections {
		nd.triageConnection(&t.Connections[i])
	}
	for i := range t.Destinations {
		nd.typed("destination", &t.Destinations[i])
	}
	for i := range t.Pairs {
		nd.typed("pair", &t.Pairs[i])
	}
	for i := range t.Certificates {
		nd.typed("inventory", &t.Certificates[i])
	}
	nd.typed("duplicates", &t.Duplicates)
	nd.typed("omitted", &t.Omitted)
	nd.typed("connection_detail", &t.Detail)
	for i := range t.TrustStores {
		nd.typed("trust_store", &t.TrustStores[i])
	}
	for _, n := range t.Notes {
		nd.typed("note", &struct {
			Text string `json:"text"`
		}{n})
	}
	nd.typed("summary", &t.Summary)
	if err := buf.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
	return ew.err
}
