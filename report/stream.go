package report

import (
	"bufio"
	"bytes"
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
	// FormatText is for a person: a paragraph per connection, then the
	// destinations and the summary.
	FormatText Format = iota
	// FormatJSON is one siptls/v1 JSON document (docs/json-schema.md),
	// compact unless WriterOptions.Indent is set.
	FormatJSON
	// FormatNDJSON is one JSON record per line (siptls/ndjson/v1), each
	// distinct certificate and CA list written once and referenced by hash.
	FormatNDJSON
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Format is the output format.
	Format Format
	// Version is the siptls version written in the JSON formats.
	Version string
	// Text are the options of FormatText.
	Text TextOptions
	// Indent writes FormatJSON indented by two spaces, for a person; the
	// default is one compact line, for programs (jq pretty-prints it).
	Indent bool
	// Events writes each connection's timeline in FormatNDJSON (-v);
	// FormatJSON always has it.
	Events bool
}

// writeBuffer is the size of a Writer's output buffer: output is written in
// blocks of this size, not a write call per field.
const writeBuffer = 64 << 10

// A Writer streams a report: each connection is written as soon as it is
// added and then forgotten, and Close writes what needs every connection
// (capture facts, destinations, summary, remedies). Memory stays flat in the
// number of connections. The JSON it writes is the Report object, with
// "connections" before "actions" and "captures".
//
// Rendering and writing happen on a goroutine of the Writer's own, so that
// the analysis and the encoding use two cores; Add only queues the connection,
// which must not change afterwards. A Writer is used from one goroutine.
// Output is buffered: text is flushed after each connection, so that a
// terminal sees connections as they are decided, and the JSON formats when
// the buffer is full and at Close.
type Writer struct {
	buf    *bufio.Writer
	out    *errWriter // over buf
	opts   WriterOptions
	agg    *triage.Aggregator
	n      int // connections written
	shown  int // connections written in text (OnlyProblems hides some)
	stores []triage.TrustStore
	nodes  map[int]diagnose.CaptureNode // SetCaptureNode; read by Close
	nd     *ndjsonWriter                // FormatNDJSON
	raw    []byte                       // FormatJSON: a connection's encoding, reused
	enc    []byte                       // FormatJSON: the indented encoding, reused
	views  triage.ViewBuilder           // the view of the connection being written (nothing keeps it)
	queue  chan judged
	done   chan struct{}
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

// NewWriter returns a Writer that writes to out as o says.
func NewWriter(out io.Writer, o WriterOptions) *Writer {
	buf := bufio.NewWriterSize(out, writeBuffer)
	w := &Writer{buf: buf, out: &errWriter{w: buf}, opts: o, agg: triage.NewAggregator(),
		queue: make(chan judged, 256), done: make(chan struct{})}
	if o.Format == FormatNDJSON {
		w.nd = newNDJSONWriter(w.out, o)
	}
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
	v := w.views.Build(c, t)
	w.agg.AddJudged(v, c, t)
	switch w.opts.Format {
	case FormatJSON:
		w.writeJSONConnection(v)
	case FormatNDJSON:
		if w.n == 0 {
			w.nd.header()
		}
		w.nd.connection(v)
	default:
		if !w.opts.Text.OnlyProblems || v.Verdict != diagnose.VerdictOK {
			writeConnectionText(w.out, v, w.opts.Text)
			w.shown++
			w.flush()
		}
	}
	w.n++
}

// flush writes the buffered output and keeps the first error.
func (w *Writer) flush() {
	if err := w.buf.Flush(); err != nil && w.out.err == nil {
		w.out.err = err
	}
}

// jsonHead writes the document's opening up to the connections array.
func (w *Writer) jsonHead() {
	if w.opts.Indent {
		fmt.Fprintf(w.out, "{\n  \"schema\": %q,\n  \"siptls_version\": %q,\n  \"connections\": [", triage.Schema, w.opts.Version)
	} else {
		fmt.Fprintf(w.out, "{\"schema\":%q,\"siptls_version\":%q,\"connections\":[", triage.Schema, w.opts.Version)
	}
}

func (w *Writer) writeJSONConnection(v *triage.Connection) {
	if w.n == 0 {
		w.jsonHead()
	} else {
		io.WriteString(w.out, ",")
	}
	if w.opts.Indent {
		io.WriteString(w.out, "\n    ")
	}
	// the generated encoder: json.Marshal's bytes without its reflection
	var err error
	w.raw, err = v.AppendJSON(w.raw[:0])
	w.writeEncoded(w.raw, err, "    ")
}

// writeValue writes v as JSON (json.Marshal), as writeEncoded does.
func (w *Writer) writeValue(v any, prefix string) {
	b, err := json.Marshal(v)
	w.writeEncoded(b, err, prefix)
}

// writeEncoded writes b, compact JSON, indented with prefix when the
// Writer indents, with EscapeJSON applied; it keeps the first error, err
// (from the encoding) included.
func (w *Writer) writeEncoded(b []byte, err error, prefix string) {
	if err == nil && w.opts.Indent {
		w.enc = w.enc[:0]
		w.enc, err = appendIndent(w.enc, b, prefix)
		b = w.enc
	}
	if err != nil {
		if w.out.err == nil {
			w.out.err = err
		}
		return
	}
	w.out.Write(EscapeJSON(b))
}

func (w *Writer) trustStores() []triage.TrustStore {
	if w.stores == nil {
		return []triage.TrustStore{}
	}
	return w.stores
}

// Close writes the capture facts, the destinations, the summary and the
// remedies (text: "What to do, first", after the connections and before
// the capture facts and the summary line), flushes the output and returns
// the first write error.
func (w *Writer) Close(captures []*pcap.CaptureInfo, errs []error) error {
	close(w.queue)
	<-w.done
	for i, n := range w.nodes {
		w.agg.SetCaptureNode(i, n)
	}
	caps, dests, sum := w.agg.Finish(captures, errs)
	actions := w.agg.Actions(caps)
	switch w.opts.Format {
	case FormatJSON:
		w.closeJSON(actions, caps, dests, sum)
	case FormatNDJSON:
		if w.n == 0 {
			w.nd.header()
		}
		w.nd.actions(actions)
		w.nd.finish(caps, dests, w.trustStores(), sum)
	default:
		// The remedies come after the connections they sum up (each was
		// written as soon as it was decided) and before the capture facts,
		// so that the summary line stays the last one.
		writeActionsText(w.out, actions, len(caps) > 1 || w.opts.Text.MultiCapture, false, w.opts.Text.Width)
		writeFooterText(w.out, caps, dests, sum, w.n, w.shown, w.opts.Text)
		writeTrustStoresText(w.out, w.stores)
	}
	w.flush()
	return w.out.err
}

// closeJSON ends the connections array and writes the document's other
// members.
func (w *Writer) closeJSON(actions []triage.Action, caps []triage.Capture, dests []triage.Destination, sum triage.Summary) {
	indent := w.opts.Indent
	switch {
	case w.n == 0:
		w.jsonHead()
		if indent {
			io.WriteString(w.out, "],\n")
		} else {
			io.WriteString(w.out, "]")
		}
	case indent:
		io.WriteString(w.out, "\n  ],\n")
	default:
		io.WriteString(w.out, "]")
	}
	for _, field := range []struct {
		name string
		v    any
	}{{"actions", actions}, {"captures", caps}, {"destinations", dests}, {"trust_stores", w.trustStores()}, {"summary", sum}} {
		if indent {
			fmt.Fprintf(w.out, "  %q: ", field.name)
		} else {
			fmt.Fprintf(w.out, ",%q:", field.name)
		}
		w.writeValue(field.v, "  ")
		if indent && field.name != "summary" {
			io.WriteString(w.out, ",")
		}
		if indent {
			io.WriteString(w.out, "\n")
		}
	}
	io.WriteString(w.out, "}\n")
}

// appendIndent appends src, compact JSON, indented as json.MarshalIndent
// would with prefix and two spaces, to dst.
func appendIndent(dst, src []byte, prefix string) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	err := json.Indent(buf, src, prefix, "  ")
	return buf.Bytes(), err
}
