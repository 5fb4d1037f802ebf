package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/memlimit"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// TriageOptions are the inputs of `siptls triage`.
type TriageOptions struct {
	IO     *IOStreams
	Inputs []string
	// CaptureOptions' MaxBufferTotal is shared by the captures read in
	// parallel, and so is MaxConns.
	CaptureOptions
	Jobs  int
	Quiet bool
	// Verbose is -v: with --format ndjson, each connection's timeline.
	Verbose bool
	// MaxDetail caps the problem connections listed in full.
	MaxDetail int
	// MaxMatched caps the connections kept to match the views of one
	// connection in several captures (--max-matched).
	MaxMatched int
	// HTML is --html FILE: also write the self-contained HTML report there.
	HTML string
	// Today is the date for "expires soon" warnings (the clock; fixed in tests).
	Today time.Time
	// Version is written into the report (the binary's version; fixed in tests).
	Version string
	// Now is the clock of the progress display (time.Now; fixed in tests).
	Now func() time.Time
	// Memory is the runtime's memory governor (nil: none), given one share
	// per capture read at once.
	Memory *memlimit.Governor
	// parallel is set when several captures are read at once.
	parallel bool
}

func newCmdTriage(f *Factory, runF func(*TriageOptions) error) *cobra.Command {
	opts := &TriageOptions{IO: f.IO, Version: f.Version, Now: f.Now, Memory: f.Memory}
	cmd := &cobra.Command{
		Use:   "triage PATH...",
		Short: "Merge many captures: which destination fails, how often, and why",
		Long: `Triage reads many captures (files, folders searched recursively for .cap,
.pcap, .pcapng and .gz files, and glob patterns, also quoted) in parallel and
merges them into one picture:

  patterns       plain sentences: "10.20.1.22:5061 failed 4 of 4 times ...;
                 10.20.1.21:5061 succeeded 4 of 4: about one call in 3 fails",
                 intermittent destinations, the one most likely to blame
  destinations   per server ip:port: attempts, ok, failures by reason and
                 alert, first and last failure, the leaf certificates it
                 presented and whether they changed
  pairs          the same per client address and destination
  connections    every failed connection, one line each, with frame numbers
  certificates   every distinct certificate, who presented it, and a flag
                 when two certificates share a subject (a stale copy)

A connection seen in two captures (taken on both ends, or twice) is counted
once: matched by its addresses and ports and the client's initial sequence
number, or its start time within 2 s when the SYN was not captured. Up to
--max-matched connections are kept for matching; beyond it the rest are
counted unmatched and a note says how many. --max-conns is divided among
the captures read at once (--jobs), so memory does not grow with them. The
tables are capped too (2,000
destinations, 10,000 pairs, 10,000 certificates, 20 items listed in a cell);
the output says what was left out.

Exit status: 0 when every connection is ok, 1 when any is not, 2 on bad
usage or an unreadable input: a capture file, a folder or subfolder, or a
--trust path, file or subfolder that could not be read (a sentence on
standard error names each path and the reason; the other inputs are still
merged and reported).`,
		Example: `  # every capture of a ticket, taken on the publisher and the subscribers
  siptls triage ticket-69123/

  # globs are expanded by siptls too (quoted for Windows shells)
  siptls triage 'captures/*.cap.gz' node2.pcapng

  # JSON for scripts
  siptls triage --format json ticket/ | jq '.patterns[]'

  # also a self-contained HTML report to attach to the case
  siptls triage --html ticket-69123.html ticket-69123/`,
		Args: needArgs("triage needs at least one capture file, folder or pattern"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs, opts.Today = args, f.Now()
			if err := opts.check(); err != nil {
				return err
			}
			if opts.MaxMatched < 1 {
				return fmt.Errorf("--max-matched must be at least 1, not %d", opts.MaxMatched)
			}
			if opts.Jobs < 1 {
				return fmt.Errorf("--jobs must be at least 1, not %d", opts.Jobs)
			}
			if runF != nil {
				return runF(opts)
			}
			return toOutput(&opts.IO, opts.Output, func() error { return triageRun(opts) })
		},
		ValidArgsFunction: completeCaptures,
	}
	opts.addFlags(cmd)
	flags := cmd.Flags()
	flags.Lookup("max-conns").Usage = "connections tracked at once (about 2 KB each), shared by the captures read in parallel; beyond it the least recently active is ended early"
	flags.IntVar(&opts.Jobs, "jobs", runtime.NumCPU(), "`N` captures read at once")
	flags.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress display on standard error")
	flags.BoolVarP(&opts.Verbose, "verbose", "v", false, "with --format ndjson: write each connection's timeline (json always has it)")
	flags.IntVar(&opts.MaxDetail, "max-detail", 200, "`N` problem connections listed in full (all are counted)")
	flags.IntVar(&opts.MaxMatched, "max-matched", triage.DefaultMaxMatched, "`N` connections kept (about 140 bytes each) to match a connection seen in several captures; the rest are counted unmatched")
	flags.StringVar(&opts.HTML, "html", "", "also write a self-contained HTML `FILE` (ladder diagrams, certificates, trust verdicts) to attach to a case")
	return cmd
}

// InputError says that a path, folder or pattern given to triage yields no
// capture.
type InputError struct {
	Arg    string
	Reason string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %s", e.Arg, e.Reason) }

// expandInputs turns the arguments into capture files, sorted and without
// repeats, and notes for files skipped in folders.
func expandInputs(args []string) (files []string, notes []string, err error) {
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	var errs []error
	for _, arg := range args {
		var matches []string
		if hasMeta(arg) {
			m, gerr := filepath.Glob(arg)
			if gerr != nil {
				errs = append(errs, &InputError{arg, "is not a valid pattern: " + gerr.Error()})
				continue
			}
			if len(m) == 0 {
				errs = append(errs, &InputError{arg, "the pattern matches no file"})
				continue
			}
			matches = m
		} else {
			matches = []string{arg}
		}
		found := 0
		for _, p := range matches {
			st, serr := os.Stat(p)
			if serr != nil || !st.IsDir() {
				// A missing or unreadable file is reported when it is read.
				add(p)
				found++
				continue
			}
			root := p
			if lst, lerr := os.Lstat(p); lerr == nil && lst.Mode()&fs.ModeSymlink != 0 {
				// a symbolic link to a folder, given as an argument, is
				// followed (WalkDir follows none); links inside are not
				root = p + string(filepath.Separator)
			}
			werr := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					notes = append(notes, report.Sanitize(fmt.Sprintf("skipped %s: %v", path, err)))
					errs = append(errs, &InputError{path, "could not be read: " + readReason(err)})
					if d != nil && d.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
				if d.IsDir() {
					return nil
				}
				if isCaptureName(path) {
					add(path)
					found++
				} else {
					notes = append(notes, report.Sanitize(fmt.Sprintf("skipped %s: not a capture file name (.cap, .pcap, .pcapng, .gz)", path)))
				}
				return nil
			})
			if werr != nil {
				errs = append(errs, werr)
			}
		}
		if found == 0 && !hasMeta(arg) {
			errs = append(errs, &InputError{arg, "the folder holds no capture file (.cap, .pcap, .pcapng, .gz)"})
		} else if found == 0 {
			errs = append(errs, &InputError{arg, "the pattern matches only folders without capture files"})
		}
	}
	sort.Strings(files)
	return files, notes, errors.Join(errs...)
}

// readReason is the reason of a file system error, without the path that
// InputError already names ("permission denied").
func readReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

func isCaptureName(p string) bool {
	l := strings.ToLower(p)
	for _, e := range []string{".cap", ".pcap", ".pcapng", ".gz"} {
		if strings.HasSuffix(l, e) {
			return true
		}
	}
	return false
}

// countingReader counts the bytes read into a shared total.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func triageRun(opts *TriageOptions) error {
	files, notes, err := expandInputs(opts.Inputs)
	if len(files) == 0 {
		if err == nil {
			err = errors.New("no capture file given")
		}
		return &exitError{code: exitTrouble, err: fmt.Errorf("nothing to triage: %w", err)}
	}
	var inputErrs []error
	if err != nil {
		inputErrs = append(inputErrs, err)
	}
	ports := tcpPorts(opts.Ports)
	var total int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			total += st.Size()
		}
	}
	judge, stores, keyErrs, err := opts.loadJudgeAndKeys(opts.Today)
	if err != nil {
		return err
	}
	inputErrs = append(inputErrs, keyErrs...)
	m := triage.NewMerger(triage.TriageOptions{MaxFailed: opts.MaxDetail, MaxMatched: opts.MaxMatched, NodesGiven: true})
	var hashes *fileHashes
	if opts.HTML != "" {
		hashes = startHashes(files)
	}
	cache := certinfo.NewCache(4096)
	budget := pcap.NewBudget(opts.MaxBufferTotal) // shared by the files read in parallel
	atOnce := min(opts.Jobs, len(files))          // captures read at once
	// --max-conns is shared too, so that memory does not grow with --jobs;
	// the memory limit's floor is not (one share per capture).
	perFile := *opts
	perFile.MaxConns = max(1, opts.MaxConns/atOnce)
	opts.Memory.SetShares(atOnce)
	// Captures read at once keep the cores busy: none of them needs a
	// goroutine reading ahead (in the same run, 20 captures of 20 MB with
	// --jobs 2 took 0.77 s without, 0.84 s with).
	perFile.parallel = atOnce > 1
	infos := make([]*pcap.CaptureInfo, len(files))
	errs := make([]error, len(files))
	nodes := make([]diagnose.CaptureNode, len(files))
	var bytesDone atomic.Int64
	var filesDone atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range atOnce {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				infos[i], errs[i] = triageFile(files[i], i, &perFile, ports, cache, budget, m, judge, &nodes[i], &bytesDone)
				filesDone.Add(1)
			}
		}()
	}
	stop := make(chan struct{})
	progressDone := make(chan struct{})
	if opts.IO.ErrTTY && !opts.Quiet {
		ticker := time.NewTicker(progressEvery)
		defer ticker.Stop()
		go progress(opts.IO.ErrOut, opts.Now, ticker.C, len(files), total, &filesDone, &bytesDone, stop, progressDone)
	} else {
		close(progressDone)
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(stop)
	<-progressDone

	var readErrs []error
	for _, e := range errs {
		if e != nil {
			readErrs = append(readErrs, e)
		}
	}
	for i, d := range nodes {
		nodeNote(opts.IO.ErrOut, files[i], d, judge)
	}
	t := m.Triage(infos, readErrs, notes, opts.Version)
	t.TrustStores = triage.TrustStores(stores)
	if err := writeTriage(opts, t); err != nil {
		return err
	}
	if hashes != nil {
		meta := report.HTMLMeta{Version: opts.Version, Generated: opts.Today, CaptureSHA256: hashes.Wait()}
		if err := writeHTMLFile(opts.HTML, func(w io.Writer) error { return report.WriteHTML(w, t, meta) }); err != nil {
			return err
		}
	}
	if err := inputErrors(opts.IO, append(append(inputErrs, trustUnreadable(stores)...), readErrs...)); err != nil {
		return err
	}
	if t.Summary.Problems > 0 {
		return &exitError{code: exitProblems}
	}
	return nil
}

// triageFile analyses one capture, adding its connections to m as capture
// idx, and its node decision to m and *node.
func triageFile(path string, idx int, opts *TriageOptions, ports []uint16, cache *certinfo.Cache, budget *pcap.Budget, m *triage.Merger, judge *trust.Judge, node *diagnose.CaptureNode, done *atomic.Int64) (*pcap.CaptureInfo, error) {
	var fixed netip.Addr
	if opts.Node != "" {
		fixed = netip.MustParseAddr(opts.Node)
	}
	nb := &triage.NodeBuffer{Fixed: fixed, Judge: judge, Emit: func(c *diagnose.Connection, node netip.Addr) {
		var t *trust.ConnectionTrust
		if judge != nil {
			t = judge.Connection(c, node)
		}
		m.AddJudged(c, t)
	}}
	a := diagnose.NewAnalyzer(diagnose.Options{
		Ports: ports, AnyPort: opts.AnyPort, MaxConns: opts.MaxConns, MaxBuffer: opts.MaxBuffer, Budget: budget, Cache: cache, KeyLog: opts.keys, RSAKeys: opts.rsaKeys,
		DecryptBytes: opts.decryptBytes(), SIPMessages: opts.SIPMessages,
		NoPrefetch: opts.parallel,
		Emit: func(c *diagnose.Connection) {
			c.Capture = idx
			nb.Add(c)
		},
	})
	defer func() {
		*node = nb.Flush()
		m.SetCaptureNode(idx, *node)
	}()
	// Only regular files are read: a FIFO, device or socket is refused
	// without blocking, as analyze refuses it.
	f, st, err := pcap.OpenFile(path)
	if err != nil {
		_ = a.ReadFile(path) // records the error as analyze reports it
	} else {
		_ = a.Read(&countingReader{r: f, n: done}, path)
		f.Close()
		if res := a.Result(); len(res.Captures) == 1 {
			res.Captures[0].Size = st.Size()
		}
	}
	res := a.Result()
	info := &pcap.CaptureInfo{Path: path}
	if len(res.Captures) > 0 {
		info = res.Captures[0]
	}
	if len(res.Errors) > 0 {
		return info, res.Errors[0]
	}
	return info, nil
}

// progressEvery is how often the progress line is redrawn.
const progressEvery = 250 * time.Millisecond

// progress redraws one line on w at each tick (every progressEvery from
// triageRun's ticker; tests send the ticks) until stop is closed.
func progress(w io.Writer, now func() time.Time, tick <-chan time.Time, files int, total int64, filesDone, bytesDone *atomic.Int64, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	start := now()
	width := 0
	for {
		select {
		case <-stop:
			fmt.Fprintf(w, "\r%s\r", strings.Repeat(" ", width))
			return
		case <-tick:
			line := progressLine(int(filesDone.Load()), files, bytesDone.Load(), total, now().Sub(start))
			width = max(width, len(line))
			fmt.Fprintf(w, "\r%-*s", width, line)
		}
	}
}

// progressLine is "3/20 files, 410 MiB of 4.0 GiB, 95 MiB/s, ETA 38s".
func progressLine(filesDone, files int, done, total int64, elapsed time.Duration) string {
	s := fmt.Sprintf("%d/%d files, %s of %s", filesDone, files, humanBytes(done), humanBytes(total))
	if elapsed <= 0 || done <= 0 {
		return s
	}
	rate := float64(done) / elapsed.Seconds()
	s += fmt.Sprintf(", %s/s", humanBytes(int64(rate)))
	if total > done {
		eta := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
		s += fmt.Sprintf(", ETA %s", eta)
	}
	return s
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// writeTriage writes t on standard output in opts.Format.
func writeTriage(opts *TriageOptions, t *triage.Triage) error {
	var err error
	switch opts.Format {
	case "json":
		err = report.WriteTriageJSON(opts.IO.Out, t, opts.Indent)
	case "ndjson":
		err = report.WriteTriageNDJSON(opts.IO.Out, t, opts.Verbose)
	default:
		err = report.WriteTriageText(opts.IO.Out, t, report.TextOptions{Color: opts.IO.Color(), Width: opts.IO.Width()})
	}
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("writing the report: %w", err)}
	}
	return nil
}
