package stages

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/capgen"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/tlsdecrypt"
)

// capture is a handshake-dense capture of about 8 MB (some 600 mutual-TLS
// connections with 4-certificate chains), made once.
var capture = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	_, err := capgen.WriteBench(&buf, capgen.BenchConfig{Size: 8 << 20, Seed: 1, Shape: capgen.ShapeDense})
	return buf.Bytes(), err
})

func denseCapture(b *testing.B) []byte {
	b.Helper()
	file, err := capture()
	if err != nil {
		b.Fatal(err)
	}
	return file
}

// perConn runs the benchmark loop body and reports connections per second
// and allocations per connection, conns being the connections of one run.
func perConn(b *testing.B, conns func() int, body func()) {
	b.Helper()
	n := conns()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		body()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	runs := float64(b.N)
	b.ReportMetric(float64(n)*runs/b.Elapsed().Seconds(), "conns/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/runs/float64(n), "allocs/conn")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/runs/float64(n), "B/conn")
}

// units counts what pcap delivers, reading every unit (no early stop).
type units struct{ n, conns int }

func (u *units) Event(*pcap.Event)               {}
func (u *units) Data(*pcap.Data) bool            { u.n++; return true }
func (u *units) End(*pcap.Conn, *pcap.ConnStats) { u.conns++ }

// BenchmarkReassembly is package pcap alone: decoding, flows and TCP
// reassembly into TLS records, every record delivered.
func BenchmarkReassembly(b *testing.B) {
	file := denseCapture(b)
	b.SetBytes(int64(len(file)))
	read := func() int {
		u := &units{}
		if _, err := pcap.Read(bytes.NewReader(file), "dense", pcap.Options{Framer: diagnose.Framer}, u); err != nil {
			b.Fatal(err)
		}
		return u.conns
	}
	perConn(b, read, func() { read() })
}

// trunkKeyLog is a trunk-shaped capture of about 8 MB whose every
// connection is a real crypto/tls session carrying SIP, with its key log,
// made once.
var trunkKeyLog = sync.OnceValues(func() ([2][]byte, error) {
	var file, keys bytes.Buffer
	_, err := capgen.WriteBench(&file, capgen.BenchConfig{Size: 8 << 20, Seed: 1, Shape: capgen.ShapeTrunk, KeyLog: &keys})
	return [2][]byte{file.Bytes(), keys.Bytes()}, err
})

// analyse runs the analysis of file and returns its connections.
func analyse(b *testing.B, file []byte, keep bool) []*diagnose.Connection {
	return analyseWith(b, file, keep, diagnose.Options{})
}

// analyseWith is analyse with opts (Emit is set here).
func analyseWith(b *testing.B, file []byte, keep bool, opts diagnose.Options) []*diagnose.Connection {
	var conns []*diagnose.Connection
	opts.Emit = func(c *diagnose.Connection) {
		if keep {
			conns = append(conns, c)
		}
	}
	a := diagnose.NewAnalyzer(opts)
	if err := a.Read(bytes.NewReader(file), "dense"); err != nil {
		b.Fatal(err)
	}
	return conns
}

// BenchmarkAnalysis is reassembly, TLS parsing and diagnosis: what one
// capture costs before any output.
func BenchmarkAnalysis(b *testing.B) {
	file := denseCapture(b)
	b.SetBytes(int64(len(file)))
	perConn(b, func() int { return len(analyse(b, file, true)) }, func() { analyse(b, file, false) })
}

// BenchmarkAnalysisJobs is BenchmarkAnalysis with the connections shared
// out between jobs (diagnose.Options.Jobs, analyze --jobs), 1 for the
// comparison in the same run.
func BenchmarkAnalysisJobs(b *testing.B) {
	file := denseCapture(b)
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			opts := diagnose.Options{Jobs: jobs}
			perConn(b, func() int { return len(analyseWith(b, file, true, opts)) }, func() { analyseWith(b, file, false, opts) })
		})
	}
}

// BenchmarkDecryption is BenchmarkAnalysis on a trunk capture of real
// sessions carrying SIP, with their key log (--keylog) and without: the
// difference is decryption and the SIP inside.
func BenchmarkDecryption(b *testing.B) {
	files, err := trunkKeyLog()
	if err != nil {
		b.Fatal(err)
	}
	file := files[0]
	var keys tlsdecrypt.KeyLog
	if err := keys.Read(bytes.NewReader(files[1]), "bench.keys"); err != nil {
		b.Fatal(err)
	}
	for _, run := range []struct {
		name string
		opts diagnose.Options
	}{
		{"keylog", diagnose.Options{KeyLog: &keys}},
		{"keylog-jobs2", diagnose.Options{KeyLog: &keys, Jobs: 2}},
		{"none", diagnose.Options{}},
	} {
		b.Run(run.name, func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			perConn(b, func() int { return len(analyseWith(b, file, true, run.opts)) }, func() { analyseWith(b, file, false, run.opts) })
		})
	}
}

// BenchmarkEncode is the output alone, per format, of the connections of
// one analysis: report.Writer with everything it derives (the view model,
// destinations, summary).
func BenchmarkEncode(b *testing.B) {
	file := denseCapture(b)
	conns := analyse(b, file, true)
	a := diagnose.NewAnalyzer(diagnose.Options{Emit: func(*diagnose.Connection) {}})
	if err := a.Read(bytes.NewReader(file), "dense"); err != nil {
		b.Fatal(err)
	}
	captures := a.Result().Captures
	for _, f := range []struct {
		name string
		opts report.WriterOptions
	}{
		{"json", report.WriterOptions{Format: report.FormatJSON}},
		{"json-indent", report.WriterOptions{Format: report.FormatJSON, Indent: true}},
		{"ndjson", report.WriterOptions{Format: report.FormatNDJSON}},
		{"text", report.WriterOptions{Format: report.FormatText}},
	} {
		b.Run(f.name, func(b *testing.B) {
			var out countWriter
			perConn(b, func() int { return len(conns) }, func() {
				w := report.NewWriter(&out, f.opts)
				for _, c := range conns {
					w.Add(c)
				}
				if err := w.Close(captures, nil); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(out.n)/float64(b.N)/float64(len(conns)), "out-B/conn")
		})
	}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
