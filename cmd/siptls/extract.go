package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

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

// Presentation is one connection that presented a certificate.
type Presentation struct {
	Capture    string `json:"capture"`
	Connection uint64 `json:"connection"`
	Client     string `json:"client"`
	Server     string `json:"server"`
	SentBy     string `json:"sent_by"`
	Index      int    `json:"index"`
	Frame      uint64 `json:"frame"`
}

// ExtractedCertificate is one entry of index.json.
type ExtractedCertificate struct {
	File        string         `json:"file"`
	Serial      string         `json:"serial"`
	Subject     string         `json:"subject"`
	Issuer      string         `json:"issuer"`
	NotBefore   *triage.Time   `json:"not_before"`
	NotAfter    *triage.Time   `json:"not_after"`
	SHA256      string         `json:"sha256"`
	SelfSigned  bool           `json:"self_signed"`
	IsCA        bool           `json:"is_ca"`
	ParseError  string         `json:"parse_error,omitempty"`
	Presented   int            `json:"presented"`
	PresentedBy []Presentation `json:"presented_by"`
	view        triage.CertView
}

// ExtractIndex is the content of index.json.
type ExtractIndex struct {
	Schema       string                  `json:"schema"`
	Captures     []string                `json:"captures"`
	Certificates []*ExtractedCertificate `json:"certificates"`
}

func presentedIn(n int) string {
	if n == 1 {
		return "in 1 connection"
	}
	return fmt.Sprintf("in %d connections", n)
}

func extractRun(opts *ExtractOptions) error {
	bySHA := map[string]*ExtractedCertificate{}
	var order []*ExtractedCertificate
	capture := ""
	a := diagnose.NewAnalyzer(diagnose.Options{
		Ports:   tcpPorts(opts.Ports),
		AnyPort: opts.AnyPort,
		Emit: func(c *diagnose.Connection) {
			for _, cert := range c.Certificates {
				i := cert.Info
				if i == nil || len(i.DER) == 0 {
					continue
				}
				e := bySHA[i.SHA256]
				if e == nil {
					v := triage.NewCertView(i, cert.Time)
					e = &ExtractedCertificate{Serial: i.Serial, Subject: i.Subject, Issuer: i.Issuer, NotBefore: v.NotBefore, NotAfter: v.NotAfter,
						SHA256: i.SHA256, SelfSigned: i.SelfSigned, IsCA: i.IsCA, ParseError: i.ParseError, PresentedBy: []Presentation{}, view: v}
					bySHA[i.SHA256] = e
					order = append(order, e)
				}
				e.Presented++
				if len(e.PresentedBy) < opts.MaxSeen {
					e.PresentedBy = append(e.PresentedBy, Presentation{Capture: capture, Connection: c.ID,
						Client: c.Client.String(), Server: c.Server.String(), SentBy: cert.SentBy.String(), Index: cert.Index, Frame: cert.Frame})
				}
			}
		},
	})
	var inputErrs []error
	for _, in := range opts.Inputs {
		capture = in
		if err := a.ReadFile(in); err != nil {
			inputErrs = append(inputErrs, err)
		}
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("cannot create %s: %w", opts.Out, err)}
	}
	// Name the files after the CN as CUCM admins do, in the order the
	// certificates were first seen; a second certificate with the same name
	// gets a numbered suffix.
	used := map[string]bool{}
	for _, e := range order {
		base := e.view.Info.FileName()
		name := base + ".pem"
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s-%d.pem", base, n)
		}
		used[strings.ToLower(name)] = true
		e.File = name
		block := e.view.PEM()
		if err := os.WriteFile(filepath.Join(opts.Out, name), block, 0o644); err != nil {
			return &exitError{code: exitTrouble, err: fmt.Errorf("cannot write %s: %w", filepath.Join(opts.Out, name), err)}
		}
	}
	idx := ExtractIndex{Schema: "siptls/extract/v1", Captures: opts.Inputs, Certificates: order}
	if idx.Certificates == nil {
		idx.Certificates = []*ExtractedCertificate{}
	}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(opts.Out, "index.json"), append(report.EscapeJSON(b), '\n'), 0o644)
	}
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("cannot write the index: %w", err)}
	}
	fmt.Fprintf(opts.IO.Out, "%d certificates written to %s (index.json lists who presented each):\n", len(order), report.Sanitize(opts.Out))
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	for _, e := range order {
		fmt.Fprintf(tw, "  %s\tserial %s\t%s\t%s\n", report.Sanitize(e.File), report.Sanitize(e.Serial), presentedIn(e.Presented), report.Sanitize(e.Subject))
	}
	tw.Flush()
	if len(order) == 0 {
		fmt.Fprintf(opts.IO.Out, "  (none: no certificate was visible; TLS 1.3 hides them, and a capture cut at 128 bytes cannot show them)\n")
	}
	return inputErrors(opts.IO, inputErrs)
}
