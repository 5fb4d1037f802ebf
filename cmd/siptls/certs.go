package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// CertsOptions are the inputs of `siptls certs`.
type CertsOptions struct {
	IO     *IOStreams
	Paths  []string
	Format string
	// Indent is --indent: indented JSON for a person.
	Indent bool
	// Output is -o/--output: the file to write instead of standard output.
	Output string
	// Now gives today's date for the validity column (fixed in tests).
	Now func() time.Time
}

func newCmdCerts(f *Factory, runF func(*CertsOptions) error) *cobra.Command {
	opts := &CertsOptions{IO: f.IO, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "certs PATH...",
		Short: "List the certificates of a trust folder or certificate files",
		Long: `Certs lists every certificate in each PATH, a folder (walked recursively) or a
file, as exported from CUCM OS Administration > Security > Certificate
Management (CallManager-trust), like certigo dump: file, subject, issuer,
serial, validity (and how many days are left today), SHA-256, CA or leaf,
extended key usage and key.

PEM files with one or many certificates, DER files (.der, .cer, .crt) and
PKCS#7 bundles (.p7b, .p7c) are read, whatever their extension says. Files
that hold no certificate (a README, a private key) are listed as skipped with
the reason, and a certificate found in two places is listed as a duplicate.

Exit status: 0 when certificates were listed, 2 when no PATH held any, or
when a PATH, or a file or subfolder in it, could not be read (a sentence on
standard error names it and the reason; what could be read is still
listed). A PATH that is a device or a named pipe is never read.`,
		Example: `  siptls certs cucm7-pub-CallManager-trust/
  siptls certs --format json trust/ cube1.lab.pem | jq '.stores[].certificates[].sha256'`,
		Args: needArgs("certs needs at least one folder or file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			switch opts.Format {
			case "text", "json":
			default:
				return fmt.Errorf("--format must be text or json, not %q", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return toOutput(&opts.IO, opts.Output, func() error { return certsRun(opts) })
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the output to `FILE` instead of standard output (- : standard output)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format, `text|json`")
	cmd.Flags().BoolVar(&opts.Indent, "indent", false, "with --format json: indent the JSON for a person (the default is one compact line)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func certsRun(opts *CertsOptions) error {
	today := opts.Now().UTC()
	rep := triage.NewCertsReport(today)
	var errs []error
	loaded := 0
	for _, p := range opts.Paths {
		s, err := trust.LoadPath(p, "")
		if err != nil {
			errs = append(errs, err)
			rep.Errors = append(rep.Errors, triage.CertsError{Path: p, Error: err.Error()})
		}
		if s == nil {
			continue
		}
		if len(s.Certs) > 0 {
			loaded++
		}
		errs = append(errs, trustUnreadable([]*trust.Store{s})...)
		rep.Stores = append(rep.Stores, triage.CertsInventory(s, today))
	}
	var werr error
	if opts.Format == "json" {
		werr = report.WriteJSONDocument(opts.IO.Out, rep, opts.Indent)
	} else {
		werr = report.WriteCertsText(opts.IO.Out, rep)
	}
	if werr != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("writing the inventory: %w", werr)}
	}
	if loaded == 0 && len(errs) == 0 {
		return &exitError{code: exitTrouble, err: errors.New("no certificate found")}
	}
	return inputErrors(opts.IO, errs)
}
