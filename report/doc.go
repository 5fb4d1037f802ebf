// Package report renders an analysis for people and for scripts.
//
// Build turns a diagnose.Analysis into one view model, Report, that every
// format shares: WriteText for the terminal (plain and tab-aligned when piped,
// coloured verdicts on a terminal) and WriteJSON for scripts. The JSON schema,
// "siptls/v1", is documented field by field in docs/json-schema.md; field names
// and verdict words are a contract with users' scripts.
//
// Every string that comes from a capture (SNI, certificate names, ALPN) is
// untrusted: the text renderer passes it through Sanitize so that terminal
// escapes and bidirectional overrides in a certificate cannot rewrite the
// engineer's screen.
//
// For many captures at once, a Merger (safe for concurrent use, one
// diagnose.Analyzer per file feeding it) keeps a small summary per connection,
// counts a connection seen in several captures once, and makes a Triage:
// pattern sentences, per-destination and per-pair counts, and a certificate
// inventory, written by WriteTriageText and WriteTriageJSON.
package report
