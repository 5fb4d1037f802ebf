package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// Format is an output format of a Writer.
type Format int

// The formats a Writer streams.
const (
	FormatText Format = iota
	FormatJSON
)

// A Writer streams a report: each connection is written as soon as it is
// added and then forgotten, and Close writes what needs every connection
// (capture facts, destinations, summary). Memory stays flat in the number of
// connections. The JSON it writes is the Report object, with "connections"
// before "captures".
//
// Rendering and writing happen on a goroutine of the Writer's own, so that
// the analysis and the encoding use two cores; Add only queues the connection,
// which must not change afterwards. A Writer is used from one goroutine.
type Writer struct {
	out     *errWriter
	format  Format
	version string
	text    TextOptions
	agg     *triage.Aggregator
	n       int // connections written
	shown   int // connections written in text (OnlyProblems hides some)
	stores  []triage.TrustStore
	nodes   map[int]diagnose.CaptureNode // SetCaptureNode; read by Close
	queue   chan judged
	done    chan struct{}
}

type judged struct {
	c *diagnose.Connection
	t *trust.ConnectionTrust
}

// SetTrustStores names the trust folders the connections were judged with.
func (w *Writer) SetTrustStores(stores []*trust.Store) { w.stores = triage.TrustStores(stores) }

// SetCaptureNode gives the decision on a capture's node (by index in the
// list given to Close), as the connections were judged with it. Without
// it, the Writer asks diagnose.NodeFinder with the connections' packet
// evidence alone.
func (w *Writer) SetCaptureNode(capture int, n diagnose.CaptureNode) {
	if w.nodes == nil {
		w.nodes = map[int]diagnose.CaptureNode{}
	}
	w.nodes[capture] = n
}

// NodesGiven promises that every capture's node is given with
// SetCaptureNode before Close, so that the Writer does not decide it a
// second time (triage.Aggregator.NodesGiven). Call it before Add.
func (w *Writer) NodesGiven() { w.agg.NodesGiven() }

// NewWriter returns a Writer of the given format. TextOptions apply to text.
func NewWriter(out io.Writer, f Format, version string, o TextOptions) *Writer {
	w := &Writer{out: &errWriter{w: out}, format: f, version: version, text: o, agg: triage.NewAggregator(),
		queue: make(chan judged, 256), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for j := range w.queue {
			w.write(j.c, j.t)
		}
	}()
	return w
}

// Add writes one connection.
func (w *Writer) Add(c *diagnose.Connection) { w.AddJudged(c, nil) }

// AddJudged writes one connection with what the trust folders say about it.
func (w *Writer) AddJudged(c *diagnose.Connection, t *trust.ConnectionTrust) {
	w.queue <- judged{c, t}
}

func (w *Writer) write(c *diagnose.Connection, t *trust.ConnectionTrust) {
	v := triage.BuildJudgedConnection(c, t)
	w.agg.Add(&v, c)
	switch w.format {
	case FormatJSON:
		if w.n == 0 {
			fmt.Fprintf(w.out, "{\n  \"schema\": %q,\n  \"siptls_version\": %q,\n  \"connections\": [", triage.Schema, w.version)
		} else {
			io.WriteString(w.out, ",")
		}
		b, err := json.MarshalIndent(&v, "    ", "  ")
		b = EscapeJSON(b)
		if err != nil && w.out.err == nil {
			w.out.err = err
		}
		io.WriteString(w.out, "\n    ")
		w.out.Write(b)
	default:
		if !w.text.OnlyProblems || v.Verdict != diagnose.VerdictOK {
			writeConnectionText(w.out, &v, w.text)
			w.shown++
		}
	}
	w.n++
}

func (w *Writer) trustStores() []triage.TrustStore {
	if w.stores == nil {
		return []triage.TrustStore{}
	}
	return w.stores
}

// Close writes the capture facts, the destinations and the summary, and
// returns the first write error.
func (w *Writer) Close(captures []*pcap.CaptureInfo, errs []error) error {
	close(w.queue)
	<-w.done
	for i, n := range w.nodes {
		w.agg.SetCaptureNode(i, n)
	}
	caps, dests, sum := w.agg.Finish(captures, errs)
	switch w.format {
	case FormatJSON:
		if w.n == 0 {
			fmt.Fprintf(w.out, "{\n  \"schema\": %q,\n  \"siptls_version\": %q,\n  \"connections\": [],\n", triage.Schema, w.version)
		} else {
			io.WriteString(w.out, "\n  ],\n")
		}
		for i, field := range []struct {
			name string
			v    any
		}{{"captures", caps}, {"destinations", dests}, {"trust_stores", w.trustStores()}, {"summary", sum}} {
			b, err := json.MarshalIndent(field.v, "  ", "  ")
			b = EscapeJSON(b)
			if err != nil && w.out.err == nil {
				w.out.err = err
			}
			fmt.Fprintf(w.out, "  %q: %s", field.name, b)
			if i < 3 {
				io.WriteString(w.out, ",")
			}
			io.WriteString(w.out, "\n")
		}
		io.WriteString(w.out, "}\n")
	default:
		writeFooterText(w.out, caps, dests, sum, w.n, w.shown, w.text)
		writeTrustStoresText(w.out, w.stores)
	}
	return w.out.err
}
