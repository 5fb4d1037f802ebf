// Package report renders an analysis for people and for scripts.
//
// Build turns a diagnose.Analysis into one view model, Report, that every
// format shares: WriteText for the terminal (plain and tab-aligned when piped,
// coloured verdicts on a terminal) and WriteJSON for scripts. The JSON schema,
// "siptls/v1", is documented field by field in docs/json-schema.md; field names
// and verdict words are a contract with users' scripts.
//
// Each capture's node is decided by diagnose.NodeFinder, not here: the
// caller gives the decision it judged certificates with (Writer and Merger
// SetCaptureNode), or else the Writer, Merger or Build asks a NodeFinder
// with the connections' packet evidence alone. The report turns it into
// captures[].node, capture_node and capture_node_evidence, whose sentence
// (NodeDetail) is written here, and into the capture facts line.
//
// Every string that comes from a capture or a trust folder (SNI,
// certificate names, ALPN, file names, error messages that quote them) is
// untrusted: the text renderers, and the commands' listings and messages on
// standard error, pass it through Sanitize, the one function for it, so
// that terminal escapes, bidirectional overrides and invalid UTF-8 (the
// 8-bit CSI 0x9b, shown as \x9b) in a certificate cannot rewrite the
// engineer's screen. The JSON writers keep the strings but pass the encoded
// JSON through EscapeJSON, which writes DEL, C1 controls and Cf characters
// as \u escapes (encoding/json already escapes C0 controls and writes
// invalid UTF-8 as U+FFFD).
//
// For many captures at once, a Merger (safe for concurrent use, one
// diagnose.Analyzer per file feeding it) keeps a small summary per connection,
// counts a connection seen in several captures once, and makes a Triage:
// pattern sentences, per-destination and per-pair counts, and a certificate
// inventory, written by WriteTriageText and WriteTriageJSON. Its memory is
// bounded whatever the input: a 136-byte summary for at most
// TriageOptions.MaxMatched connections (the rest are counted at once,
// unmatched), and capped tables (destinations, pairs, certificates, items
// listed per row); Triage.Omitted and the notes say what the caps left out.
//
// WriteHTML renders a Triage as one self-contained HTML page to attach to a
// support case (`--html FILE` on analyze and triage): captures with their
// SHA-256, the verdict banner, destination and pair tables, a ladder diagram
// (inline SVG) of each connection kept in full, and certificate cards with
// their PEM. The template and CSS are embedded and parsed once; the page has
// no script and loads nothing. Only html/template writes it and no capture
// string is ever converted to template.HTML, JS, URL or CSS (a test greps for
// such conversions); untrusted strings also go through Sanitize, so that a
// bidirectional override cannot reorder what the reader sees.
package report
