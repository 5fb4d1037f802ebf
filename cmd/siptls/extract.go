package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
)

// ExtractOptions are the inputs of `siptls extract`.
type ExtractOptions struct {
	IO      *IOStreams
	Inputs  []string
	Out     string
	Ports   []uint
	AnyPort bool
	// MaxSeen caps how many connections are listed per certificate in the
	// index (the count is always complete).
	MaxSeen int
}

func newCmdExtract(f *Factory, runF func(*ExtractOptions) error) *cobra.Command {
	opts := &ExtractOptions{IO: f.IO, MaxSeen: 100}
	cmd := &cobra.Command{
		Use:   "extract FILE... --out DIR",
		Short: "Write every certificate seen in the captures as a PEM file, ready to upload",
		Long: `Extract writes each distinct certificate presented in the captures to DIR as a
PEM file named after its common name, as CUCM administrators name exported
certificates (cucm7-pub.clus1.lab.pem; a suffix -2, -3 ... when two different
certificates share a name). These are the files to upload as CallManager-trust
on the node that must trust them.

DIR/index.json lists, for every file written, the certificate's serial,
subject, issuer, validity and SHA-256, and the connections that presented it
(capture file, connection id, client, server, which side, frame).

TLS 1.3 certificates are encrypted and cannot be extracted.

Exit status: 0 when every capture was read, 2 when one could not be read (a
sentence on standard error names it and the reason; the certificates of the
others are still written) or DIR could not be written.`,
		Example: `  siptls extract NAME.cap --out certs/
  siptls extract node1.cap node2.pcapng --any-port --out certs/`,
		Args: needArgs("extract needs at least one capture file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if opts.Out == "" {
				return fmt.Errorf("extract needs --out DIR, the folder to write the certificates to")
			}
			if err := checkPorts(opts.Ports); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return extractRun(opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVarP(&opts.Out, "out", "o", "", "folder to write the PEM files and index.json to (created if missing)")
	addPortFlags(flags, &opts.Ports, &opts.AnyPort)
	return cmd
}

func extractRun(opts *ExtractOptions) error {
	x := triage.NewExtractor(opts.MaxSeen)
	capture := ""
	a := diagnose.NewAnalyzer(diagnose.Options{
		Ports:   tcpPorts(opts.Ports),
		AnyPort: opts.AnyPort,
		Emit:    func(c *diagnose.Connection) { x.Add(capture, c) },
	})
	// Folders are read as triage reads them: every capture in them.
	files, notes, err := expandInputs(opts.Inputs)
	var inputErrs []error
	if err != nil {
		inputErrs = append(inputErrs, err)
	}
	for _, n := range notes {
		fmt.Fprintf(opts.IO.ErrOut, "siptls: %s\n", n)
	}
	if len(files) == 0 {
		// nothing to extract from: nothing is written
		if err == nil {
			err = errors.New("no capture file given")
		}
		return &exitError{code: exitTrouble, err: fmt.Errorf("nothing to extract: %w", err)}
	}
	for _, in := range files {
		capture = in
		if err := a.ReadFile(in); err != nil {
			inputErrs = append(inputErrs, err)
		}
	}
	if len(inputErrs) == len(files) && err == nil || len(inputErrs) > len(files) {
		// no capture could be read: the folder is not created or filled
		return inputErrors(opts.IO, inputErrs)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("cannot create %s: %w", opts.Out, err)}
	}
	idx := x.Index(files)
	for _, e := range idx.Certificates {
		if err := os.WriteFile(filepath.Join(opts.Out, e.File), e.View().PEM(), 0o644); err != nil {
			return &exitError{code: exitTrouble, err: fmt.Errorf("cannot write %s: %w", filepath.Join(opts.Out, e.File), err)}
		}
	}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(opts.Out, "index.json"), append(report.EscapeJSON(b), '\n'), 0o644)
	}
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("cannot write the index: %w", err)}
	}
	// As ever, a summary that cannot be written does not change the exit
	// status: the files are there.
	_ = report.WriteExtractText(opts.IO.Out, opts.Out, idx)
	return inputErrors(opts.IO, inputErrs)
}
