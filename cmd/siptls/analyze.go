package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// AnalyzeOptions are the inputs of `siptls analyze`.
type AnalyzeOptions struct {
	IO     *IOStreams
	Inputs []string
	CaptureOptions
	Verbose      bool
	OnlyProblems bool
	// HTML is --html FILE: also write the self-contained HTML report there.
	HTML string
	// MaxDetail is --max-detail: the problem connections the HTML report
	// shows in full (all are counted).
	MaxDetail int
	// Jobs is --jobs: the goroutines that analyse each capture, its
	// connections shared out between them by 4-tuple.
	Jobs int
	// Version is written into the report (the binary's version; fixed in tests).
	Version string
	// Today is the date for "expires soon" warnings (the clock; fixed in tests).
	Today time.Time
}

func newCmdAnalyze(f *Factory, runF func(*AnalyzeOptions) error) *cobra.Command {
	opts := &AnalyzeOptions{IO: f.IO, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "analyze FILE...",
		Short: "Give a verdict for every TLS connection in one or more captures",
		Long: `Analyze reads each capture and prints one verdict per TLS connection:

  ok          the handshake finished and application data flowed both ways
  failed      a fatal alert, a reset or a close during the handshake, or a
              close right after it before any application data came back
  refused     the SYN was answered by a RST: nothing listens on the port
  no_answer   the SYN was never answered: firewall or routing
  incomplete  the capture cannot tell (it starts or ends mid-handshake, or
              bytes are missing)
  truncated   packets were cut by the capture's snap length (CUCM's default
              size=128): capture again with "size all"
  not_tls     the connection carries something other than TLS

Each verdict comes with a reason code, a sentence that cites frame numbers,
and the certificates each side presented.

A text file of tcpdump lines (what "utils network capture" prints on the
screen without "file") is read as screen text when every FILE is one: TCP
verdicts only (established, refused, no_answer, incomplete), per-destination
counts and the load balancing, with line numbers; no TLS facts. Its exit
status is 0 when every connection was established, not reset, and not ended
by the server within 2 s.

Exit status: 0 when every connection is ok, 1 when any is not, 2 on bad
usage or unreadable input: a capture file, or a --trust path, file or
subfolder that could not be read (a sentence on standard error names the
path and the reason; results found before the problem are still shown). A
--trust path that is a device or a named pipe is refused at once.`,
		Example: `  # one capture taken on CUCM with "size all"
  siptls analyze platform-cli-NAME.cap

  # the full timeline of each connection, every certificate of each chain
  siptls analyze -v NAME.cap

  # JSON for scripts (schema siptls/v1, see docs/json-schema.md)
  siptls analyze --format json NAME.cap | jq '.connections[] | select(.verdict != "ok")'

  # TLS on other ports too, also after STARTTLS
  siptls analyze --any-port capture.pcapng

  # also write a self-contained HTML report to attach to a support case
  siptls analyze --html report.html --trust CallManager-trust/ NAME.cap`,
		Args: needArgs("analyze needs at least one capture file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs, opts.Today = args, f.Now()
			if err := opts.check(); err != nil {
				return err
			}
			if opts.Jobs < 1 || opts.Jobs > pcap.MaxShards {
				return fmt.Errorf("--jobs must be from 1 to %d, not %d", pcap.MaxShards, opts.Jobs)
			}
			if runF != nil {
				return runF(opts)
			}
			return toOutput(&opts.IO, opts.Output, func() error { return analyzeRun(opts) })
		},
		ValidArgsFunction: completeCaptures,
	}
	opts.addFlags(cmd)
	flags := cmd.Flags()
	flags.BoolVarP(&opts.Verbose, "verbose", "v", false, "show each connection's timeline and whole certificate chains")
	flags.BoolVar(&opts.OnlyProblems, "problems", false, "list only connections whose verdict is not ok")
	flags.StringVar(&opts.HTML, "html", "", "also write a self-contained HTML `FILE` (ladder diagrams, certificates, trust verdicts) to attach to a case")
	flags.IntVar(&opts.MaxDetail, "max-detail", 200, "with --html: `N` problem connections shown in full in the report (all are counted)")
	flags.IntVar(&opts.Jobs, "jobs", 1, "`N` goroutines analyse each capture, its connections shared out between them (faster with --keylog; the same report unless --max-conns or --max-buffer-total is reached)")
	return cmd
}

func analyzeRun(opts *AnalyzeOptions) error {
	if done, err := screenTextRun(opts); done {
		return err
	}
	judge, stores, keyErrs, err := opts.loadJudgeAndKeys(opts.Today)
	if err != nil {
		return err
	}
	w := report.NewWriter(opts.IO.Out, report.WriterOptions{
		Format:  reportFormat(opts.Format),
		Version: opts.Version,
		Indent:  opts.Indent,
		Events:  opts.Verbose,
		Text: report.TextOptions{
			Color:        opts.IO.Color(),
			Verbose:      opts.Verbose,
			OnlyProblems: opts.OnlyProblems,
			MultiCapture: len(opts.Inputs) > 1,
			Width:        opts.IO.Width(),
		},
	})
	w.SetTrustStores(stores)
	w.NodesGiven() // nb below decides each capture's node
	var merger *triage.Merger
	var hashes *fileHashes
	if opts.HTML != "" {
		merger = triage.NewMerger(triage.TriageOptions{MaxFailed: opts.MaxDetail, NodesGiven: true})
		hashes = startHashes(opts.Inputs)
	}
	problems := 0
	var node netip.Addr
	if opts.Node != "" {
		node = netip.MustParseAddr(opts.Node)
	}
	nb := &triage.NodeBuffer{Fixed: node, Judge: judge, Emit: func(c *diagnose.Connection, node netip.Addr) {
		if c.Verdict != diagnose.VerdictOK {
			problems++
		}
		var t *trust.ConnectionTrust
		if judge != nil {
			t = judge.Connection(c, node)
		}
		w.AddJudged(c, t)
		if merger != nil {
			merger.AddJudged(c, t)
		}
	}}
	a := diagnose.NewAnalyzer(diagnose.Options{
		Ports:     tcpPorts(opts.Ports),
		AnyPort:   opts.AnyPort,
		MaxConns:  opts.MaxConns,
		MaxBuffer: opts.MaxBuffer,
		Budget:    pcap.NewBudget(opts.MaxBufferTotal),
		KeyLog:    opts.keys,
		RSAKeys:   opts.rsaKeys,
		Emit:      nb.Add,
		Jobs:      opts.Jobs,

		DecryptBytes: opts.decryptBytes(), SIPMessages: opts.SIPMessages,
	})
	for i, in := range opts.Inputs {
		if in == "-" { // standard input: a capture piped in (tcpdump -w -, zcat, ssh)
			_ = a.Read(opts.IO.In, "-")
		} else {
			_ = a.ReadFile(in) // errors are kept in the analysis
		}
		d := nb.Flush()
		w.SetCaptureNode(i, d)
		if merger != nil {
			merger.SetCaptureNode(i, d)
		}
		nodeNote(opts.IO.ErrOut, in, d, judge)
	}
	res := a.Result()
	if err := w.Close(res.Captures, res.Errors); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("writing the report: %w", err)}
	}
	if merger != nil {
		t := merger.Triage(res.Captures, res.Errors, nil, opts.Version)
		t.TrustStores = triage.TrustStores(stores)
		meta := report.HTMLMeta{Version: opts.Version, Generated: opts.Today, CaptureSHA256: hashes.Wait()}
		if err := writeHTMLFile(opts.HTML, func(w io.Writer) error { return report.WriteHTML(w, t, meta) }); err != nil {
			return err
		}
	}
	if err := inputErrors(opts.IO, append(append(keyErrs, trustUnreadable(stores)...), screenTextHints(folderHints(res.Errors))...)); err != nil {
		return err
	}
	if problems > 0 {
		return &exitError{code: exitProblems}
	}
	return nil
}

// trustUnreadable returns one error per file or subfolder of the trust
// stores that could not be read, naming it by its full path: such input
// makes the exit status 2, after the report.
func trustUnreadable(stores []*trust.Store) []error {
	var errs []error
	for _, s := range stores {
		for _, k := range s.Unreadable() {
			var le *trust.LoadError
			if errors.As(k.Err, &le) {
				reason := le.Err
				var pe *fs.PathError
				if errors.As(reason, &pe) { // the path is named already
					reason = pe.Err
				}
				errs = append(errs, &trust.LoadError{Path: filepath.Join(s.Path, filepath.FromSlash(k.File)), Err: reason})
			}
		}
	}
	return errs
}

// loadTrust loads the --trust and --trust-for folders and the --expect-name
// flags. It returns a nil Judge when there is nothing to judge with.
func loadTrust(trustPaths, trustFor, expectNames []string, today time.Time) (*trust.Judge, []*trust.Store, error) {
	var stores []*trust.Store
	load := func(path, node string) error {
		s, err := trust.LoadPath(path, node)
		if err != nil {
			return &exitError{code: exitTrouble, err: err}
		}
		stores = append(stores, s)
		return nil
	}
	for _, p := range trustPaths {
		if err := load(p, ""); err != nil {
			return nil, nil, err
		}
	}
	for _, tf := range trustFor {
		ip, path, _ := strings.Cut(tf, "=")
		if err := load(path, ip); err != nil {
			return nil, nil, err
		}
	}
	var expect []trust.ExpectName
	for _, e := range expectNames {
		peer, names := trust.ParseExpectNames(e)
		expect = append(expect, trust.ExpectName{Peer: peer, Names: names})
	}
	if len(stores) == 0 && len(expect) == 0 {
		return nil, nil, nil
	}
	return trust.NewJudge(stores, expect, today), stores, nil
}

// addTrustFlags registers the flags that compare certificates with
// CallManager-trust folders (analyze and triage share them).
func addTrustFlags(f *pflag.FlagSet, trustPaths, trustFor *[]string, node *string, expect *[]string) {
	f.StringArrayVar(trustPaths, "trust", nil, "the capture node's exported CallManager-trust certificates: a folder or file `PATH` (repeatable)")
	f.StringArrayVar(trustFor, "trust-for", nil, "another node's CallManager-trust folder, as `IP=PATH` with that node's address (repeatable)")
	f.StringVar(node, "node", "", "`IP` address of the capture node (default: told from the capture, see the README)")
	f.StringArrayVar(expect, "expect-name", nil, "the X.509 Subject Names set in the SIP Trunk Security Profile on the capture node, comma or space separated, as `[IP=]NAMES`; with IP= (the peer's address) for that peer only (repeatable)")
}

// checkFlags validates the flags analyze and triage share: --format,
// --port, --node and --trust-for.
// reportFormat is the report.Format of a checked --format.
func reportFormat(format string) report.Format {
	switch format {
	case "json":
		return report.FormatJSON
	case "ndjson":
		return report.FormatNDJSON
	}
	return report.FormatText
}

func checkFlags(format string, ports []uint, node string, trustFor []string) error {
	switch format {
	case "text", "json", "ndjson":
	default:
		return fmt.Errorf("--format must be text, json or ndjson, not %q", format)
	}
	if err := checkPorts(ports); err != nil {
		return err
	}
	if node != "" {
		if _, err := netip.ParseAddr(node); err != nil {
			return fmt.Errorf("--node %q is not an IP address", node)
		}
	}
	for _, tf := range trustFor {
		ip, path, ok := strings.Cut(tf, "=")
		if _, err := netip.ParseAddr(ip); !ok || err != nil || path == "" {
			return fmt.Errorf("--trust-for %q must be IP=PATH", tf)
		}
	}
	return nil
}

// inputHint is an input error of the capture reader with what to do
// instead, after it.
type inputHint struct {
	err  *pcap.InputError
	hint string // ": to read …" or "; its TCP lines …"
}

func (h inputHint) Error() string { return h.err.Error() + h.hint }

func (h inputHint) Unwrap() error { return h.err }

// withHints adds to each input error of problem p the hint that hint
// gives for its path.
func withHints(errs []error, p pcap.Problem, hint func(path string) string) []error {
	out := make([]error, len(errs))
	for i, err := range errs {
		var ie *pcap.InputError
		if errors.As(err, &ie) && ie.Problem == p {
			err = inputHint{ie, hint(ie.Path)}
		}
		out[i] = err
	}
	return out
}

// folderHints adds to each error about a folder given to analyze the hint
// to use triage.
func folderHints(errs []error) []error {
	return withHints(errs, pcap.ProblemDirectory, func(path string) string {
		return ": to read every capture in a folder, use siptls triage " + path
	})
}
