package main

import (
	"fmt"
	"io"

	"github.com/siptls/siptls/internal/english"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/screentext"
)

// tlsFlagsGiven names the flags given that only TLS facts use: screen text
// has none, so they are left out, and said to be.
func tlsFlagsGiven(o *CaptureOptions) []string {
	var given []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"--trust", len(o.Trust) > 0}, {"--trust-for", len(o.TrustFor) > 0}, {"--node", o.Node != ""},
		{"--expect-name", len(o.ExpectName) > 0}, {"--keylog", len(o.KeyLogs) > 0}, {"--rsa-key", len(o.RSAKeyFiles) > 0},
	} {
		if f.set {
			given = append(given, f.name)
		}
	}
	return given
}

// screenTextRun is analyze on screen text: when every input is the text
// CUCM's `utils network capture` prints without `file` (tcpdump's one-line
// output, see screentext.Sniff), it reads them with package screentext,
// writes the TCP-level verdicts in the --format asked for (and the --html
// page), and returns done. Otherwise it does nothing: captures, and screen
// text given beside captures, go to the capture reader, which names the
// screen text as such (exit status 2).
//
// The exit status is that of captures: 0 when every connection was
// established and not reset, 1 when any is refused, no_answer,
// incomplete or reset, 2 when a text holds no packet line or cannot be read.
func screenTextRun(opts *AnalyzeOptions) (done bool, err error) {
	for _, in := range opts.Inputs {
		if in == "-" || !screentext.SniffFile(in) {
			return false, nil
		}
	}
	if ignored := tlsFlagsGiven(&opts.CaptureOptions); len(ignored) > 0 {
		verb := "is"
		if len(ignored) > 1 {
			verb = "are"
		}
		fmt.Fprintf(opts.IO.ErrOut, "siptls: %s %s of no use on screen text, which shows no certificates, names or encrypted bytes: left out\n",
			english.JoinAnd(ignored), verb)
	}
	var texts []*screentext.Text
	var errs, bad []error
	for _, in := range opts.Inputs {
		t, err := screentext.ReadFile(in, screentext.Options{Ports: tcpPorts(opts.Ports)})
		texts, errs = append(texts, t), append(errs, err)
		if err != nil {
			bad = append(bad, err)
		}
	}
	a := screentext.Analyze(texts, errs)
	format := screentext.FormatText
	switch opts.Format {
	case "json":
		format = screentext.FormatJSON
	case "ndjson":
		format = screentext.FormatNDJSON
	}
	if err := screentext.Write(opts.IO.Out, a, screentext.WriteOptions{Format: format, Version: opts.Version, Indent: opts.Indent, OnlyProblems: opts.OnlyProblems, Width: opts.IO.Width()}); err != nil {
		return true, &exitError{code: exitTrouble, err: fmt.Errorf("writing the report: %w", err)}
	}
	if opts.HTML != "" {
		if err := writeHTMLFile(opts.HTML, func(w io.Writer) error { return screentext.WriteHTML(w, a, opts.Version) }); err != nil {
			return true, err
		}
	}
	if err := inputErrors(opts.IO, bad); err != nil {
		return true, err
	}
	if a.Summary.Problems > 0 {
		return true, &exitError{code: exitProblems}
	}
	return true, nil
}

// screenTextHints adds to each error about screen text given beside
// captures the hint to analyze it alone.
func screenTextHints(errs []error) []error {
	return withHints(errs, pcap.ProblemScreenText, func(path string) string {
		return "; its TCP lines are read when it is given to analyze alone: siptls analyze " + path
	})
}
