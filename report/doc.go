// Package report renders triage's view model for people and for scripts.
// It decides nothing: what a connection, a capture or a merge of captures
// means (verdict counts, the capture node, de-duplication, patterns and
// blame) is made by package triage; report writes it.
//
// What production uses:
//
//   - Writer (NewWriter, Add/AddJudged, SetCaptureNode, SetTrustStores,
//     Close) streams `siptls analyze`: each connection is rendered as text
//     (FormatText) or as a JSON object (FormatJSON) as soon as it is added
//     and then forgotten, and Close writes what needs every connection
//     (the remedies, capture facts, destinations, summary: the text's
//     "What to do, first" follows the connections, which are written as
//     they are decided, and the summary line stays last) from a
//     triage.Aggregator. The JSON
//     framing of the Report object is written by hand around the encoded
//     connections, "connections" before "actions" and "captures".
//   - WriteTriageText and WriteTriageJSON write a triage.Triage for
//     `siptls triage`: the remedies ("What to do, first"), the pattern
//     sentences, the per-destination and
//     per-pair tables, the connections not ok, the certificate inventory,
//     the captures and the notes.
//   - WriteHTML writes a triage.Triage as one self-contained HTML page to
//     attach to a support case (`--html FILE` on analyze and triage):
//     the remedies at the top (templates/actions.html.tmpl, html_actions.go),
//     captures with their SHA-256, the verdict banner, destination and pair
//     tables, a ladder diagram (inline SVG) of each connection kept in
//     full, and certificate cards with their PEM. The template and CSS are
//     embedded and parsed once; the page has no script and loads nothing.
//     Only html/template writes it and no capture string is ever converted
//     to template.HTML, JS, URL or CSS (a test greps for such conversions);
//     untrusted strings also go through Sanitize, so that a bidirectional
//     override cannot reorder what the reader sees.
//   - WriteCertsText writes `siptls certs`' inventory (a
//     triage.CertsReport) and WriteExtractText the summary of `siptls
//     extract` (a triage.ExtractIndex); their JSON is encoded by cmd from
//     the same values.
//   - Sanitize, for the commands' listings and messages on standard error.
//
// WriteText and WriteJSON render a whole triage.Report held in memory
// (triage.Build). Production does not use them; the tests do, to check that
// the streaming Writer writes the same bytes (TestStreamMatchesBuild).
//
// The JSON schema, "siptls/v1", is documented field by field in
// docs/json-schema.md; field names and verdict words are a contract with
// users' scripts.
//
// Every string that comes from a capture or a trust folder (SNI,
// certificate names, ALPN, file names, error messages that quote them) is
// untrusted: the text renderers, and the commands' listings and messages on
// standard error, pass it through Sanitize, the one function for it
// (internal/sanitize, which triage's sentences use too), so that terminal
// escapes, bidirectional overrides and invalid UTF-8 (the 8-bit CSI 0x9b,
// shown as \x9b) in a certificate cannot rewrite the engineer's screen. The
// JSON writers keep the strings but pass the encoded JSON through
// EscapeJSON, which writes DEL, C1 controls and Cf characters as \u escapes
// (encoding/json already escapes C0 controls and writes invalid UTF-8 as
// U+FFFD).
package report
