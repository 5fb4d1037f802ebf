package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/siptls/siptls/report"
)

// Exit codes, as diff uses them.
const (
	exitOK       = 0 // every connection's handshake is fine
	exitProblems = 1 // at least one connection is not ok
	exitTrouble  = 2 // bad usage or unreadable input
)

// exitError ends a command with a given exit code. Err, if not nil, is
// printed as "siptls: Err" on standard error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Main runs siptls with the given arguments and returns the exit code.
func Main(args []string, ios *IOStreams) int {
	return run(newFactory(ios), args)
}

// run builds the commands from f, runs the one args name and returns the
// exit code; tests call it with a factory of their own.
func run(f *Factory, args []string) int {
	ios := f.IO
	root := newCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			printError(ios.ErrOut, ee.err)
		}
		return ee.code
	}
	// Usage errors from cobra and from flag parsing.
	printError(ios.ErrOut, err)
	fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return exitTrouble
}

// printError writes "siptls: " and err on w, each line of it (errors.Join
// makes several) passed through report.Sanitize: an error names paths and
// may quote input, which must not reach the terminal raw.
func printError(w io.Writer, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(w, "siptls: %s\n", report.Sanitize(line))
	}
}

func newCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "siptls [FILE...]",
		Short: "Explain why SIP over TLS fails, from a packet capture",
		Long: `siptls reads a packet capture (pcap or pcapng, plain or gzip) taken on a
Cisco CUCM node, CUBE or any host, finds the SIP over TLS connections (TCP 5061
by default) and tells, for each one, whether the TLS handshake worked and, if
not, where it broke, who gave up and why, with the frame numbers to open in
Wireshark and the certificates each side presented.

Take the capture on CUCM with the full packet size:
  utils network capture eth0 file NAME count 100000 size all port 5061
and download it with:
  file get activelog platform/cli/NAME.cap

With capture files and no command (what dropping a capture on siptls, or
opening it with siptls, does), siptls analyzes them, writes the HTML report
next to the first one (NAME.cap.siptls.html) and opens it in the browser.`,
		Example: `  siptls NAME.cap
  siptls analyze NAME.cap
  siptls analyze --format json NAME.cap > result.json
  siptls analyze -v --port 5061 --port 5062 node1.cap node2.pcapng.gz`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Version,
		Args:          cobra.ArbitraryArgs,
	}
	root.SuggestionsMinimumDistance = 2
	var noOpen bool
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		if _, err := os.Stat(args[0]); err != nil && !strings.ContainsAny(args[0], `./\`) {
			// not a file, and a word: a mistyped command
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += "; did you mean " + strings.Join(s, " or ") + "?"
			}
			return errors.New(msg)
		}
		return dropRun(f, args, noOpen)
	}
	root.Flags().BoolVar(&noOpen, "no-open", false, "with FILE and no command: do not open the HTML report in the browser")
	root.SetVersionTemplate("siptls {{.Version}}\n")
	// --version has no short flag: -v is --verbose, as in analyze and
	// triage, and `siptls -v analyze x.cap` reaches analyze's -v (root
	// knows -v as a flag without a value, so it does not take "analyze"
	// for its value).
	root.Flags().Bool("version", false, "print the siptls version")
	root.Flags().BoolP("verbose", "v", false, "more detail (analyze, triage)")
	_ = root.Flags().MarkHidden("verbose")
	root.AddCommand(newCmdAnalyze(f, nil))
	root.AddCommand(newCmdExtract(f, nil))
	root.AddCommand(newCmdCerts(f, nil))
	root.AddCommand(newCmdTriage(f, nil))
	root.AddCommand(newCmdVersion(f))
	return root
}
