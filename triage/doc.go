// Package triage makes the view model that package report renders, from
// what diagnose and trust found: it sits between trust and report in the
// flow (docs/design.md) and writes nothing to a terminal or a file.
//
// One view model serves every format. Connection, Certificate, Capture,
// Destination, Counts and Summary are built from diagnose's connections and
// trust's judgements (BuildJudgedConnection); an Aggregator counts
// destinations, each capture's node and the summary once connections have
// been streamed (report's Writer uses one); Build makes a whole Report held
// in memory.
//
// Each capture's node is decided by diagnose.NodeFinder: the caller gives
// the decision it judged certificates with (Aggregator and Merger
// SetCaptureNode), or else the Aggregator or Merger asks a NodeFinder with
// the connections' packet evidence alone. analyze and triage decide with a
// NodeBuffer (which holds a capture's connections back until it has decided,
// so that each is judged with the trust folder of the node that received
// its certificates) and promise their decisions (NodesGiven), so that the
// decision is made once. ApplyNode turns it into
// captures[].node, capture_node and capture_node_evidence, whose sentence
// (NodeDetail) is written here.
//
// For many captures at once, a Merger (safe for concurrent use, one
// diagnose.Analyzer per file feeding it) keeps a small summary per
// connection, counts a connection seen in several captures once (matched by
// initial sequence number, or by start time when no SYN was captured),
// estimates the clock offsets between captures from the connections they
// share, and makes a Triage: pattern sentences and the blame sentence,
// per-destination and per-pair counts, and a certificate inventory. Its
// memory is bounded whatever the input: a 144-byte summary for at most
// TriageOptions.MaxMatched connections (the rest are counted at once,
// unmatched), and capped tables (destinations, pairs, certificates, items
// listed per row); Triage.Omitted and the notes say what the caps left out.
//
// A certificate has one view, CertView, built once from a certinfo.Info by
// NewCertView: validity period, validity at an instant (the capture time,
// or today for `siptls certs`), PEM and kind. A connection's Certificate,
// the inventory's InventoryCert, `siptls certs`' CertsEntry
// (CertsInventory) and `siptls extract`'s ExtractedCertificate (an
// Extractor collects them) are filled from it; they stay separate structs
// only because their JSON field orders are separate contracts.
//
// Names quoted in the sentences (certificate names, capture paths) go
// through internal/sanitize, as report's text does.
package triage
