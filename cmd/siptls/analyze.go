package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/report"
)

// AnalyzeOptions are the inputs of `siptls analyze`.
type AnalyzeOptions struct {
	IO           *IOStreams
	Inputs       []string
	Format       string
	Ports        []uint
	AnyPort      bool
	Verbose      bool
	OnlyProblems bool
	MaxConns     int
	MaxBuffer    int
	// Version is written into the report (the binary's version; fixed in tests).
	Version string
}

func newCmdAnalyze(ios *IOStreams, runF func(*AnalyzeOptions) error) *cobra.Command {
	opts := &AnalyzeOptions{IO: ios, Version: version()}
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

Exit status: 0 when every connection is ok, 1 when any is not, 2 on bad
usage or unreadable input (results found before the problem are still shown).`,
		Example: `  # one capture taken on CUCM with "size all"
  siptls analyze platform-cli-NAME.cap

  # the full timeline of each connection, every certificate of each chain
  siptls analyze -v NAME.cap

  # JSON for scripts (schema siptls/v1, see docs/json-schema.md)
  siptls analyze --format json NAME.cap | jq '.connections[] | select(.verdict != "ok")'

  # TLS on other ports too, also after STARTTLS
  siptls analyze --any-port capture.pcapng`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("analyze needs at least one capture file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			switch opts.Format {
			case "text", "json":
			default:
				return fmt.Errorf("--format must be text or json, not %q", opts.Format)
			}
			for _, p := range opts.Ports {
				if p == 0 || p > 65535 {
					return fmt.Errorf("--port %d is not a TCP port", p)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return analyzeRun(opts)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return []string{"cap", "pcap", "pcapng", "gz"}, cobra.ShellCompDirectiveFilterFileExt
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "text", "output format: text or json")
	f.UintSliceVar(&opts.Ports, "port", nil, "TCP port carrying SIP over TLS (repeatable; default 5061)")
	f.BoolVar(&opts.AnyPort, "any-port", false, "find TLS on every TCP port by its record header, also after STARTTLS")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "show each connection's timeline and whole certificate chains")
	f.BoolVar(&opts.OnlyProblems, "problems", false, "list only connections whose verdict is not ok")
	f.IntVar(&opts.MaxConns, "max-conns", 100000, "connections tracked at once; beyond it the least recently active is ended early")
	f.IntVar(&opts.MaxBuffer, "max-buffer", 256<<10, "bytes buffered per connection direction")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func analyzeRun(opts *AnalyzeOptions) error {
	ports := make([]uint16, 0, len(opts.Ports))
	for _, p := range opts.Ports {
		ports = append(ports, uint16(p))
	}
	format := report.FormatText
	if opts.Format == "json" {
		format = report.FormatJSON
	}
	w := report.NewWriter(opts.IO.Out, format, opts.Version, report.TextOptions{
		Color:        opts.IO.OutTTY,
		Verbose:      opts.Verbose,
		OnlyProblems: opts.OnlyProblems,
		MultiCapture: len(opts.Inputs) > 1,
	})
	problems := 0
	a := diagnose.NewAnalyzer(diagnose.Options{
		Ports:     ports,
		AnyPort:   opts.AnyPort,
		MaxConns:  opts.MaxConns,
		MaxBuffer: opts.MaxBuffer,
		Emit: func(c *diagnose.Connection) {
			if c.Verdict != diagnose.VerdictOK {
				problems++
			}
			w.Add(c)
		},
	})
	for _, in := range opts.Inputs {
		_ = a.ReadFile(in) // errors are kept in the analysis
	}
	res := a.Result()
	if err := w.Close(res.Captures, res.Errors); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("writing the report: %w", err)}
	}
	if len(res.Errors) > 0 {
		for _, e := range res.Errors[:len(res.Errors)-1] {
			fmt.Fprintf(opts.IO.ErrOut, "siptls: %v\n", e)
		}
		return &exitError{code: exitTrouble, err: res.Errors[len(res.Errors)-1]}
	}
	if problems > 0 {
		return &exitError{code: exitProblems}
	}
	return nil
}
