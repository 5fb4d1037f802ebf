package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// CertsOptions are the inputs of `siptls certs`.
type CertsOptions struct {
	IO     *IOStreams
	Paths  []string
	Format string
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
			return certsRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// CertsReport is the JSON output of `siptls certs`.
type CertsReport struct {
	Schema string        `json:"schema"`
	Today  triage.Time   `json:"today"`
	Stores []*CertsStore `json:"stores"`
	Errors []CertsError  `json:"errors"`
}

// CertsStore is one PATH of the command line.
type CertsStore struct {
	Path         string           `json:"path"`
	Certificates []*CertsEntry    `json:"certificates"`
	Skipped      []CertsSkipped   `json:"skipped"`
	Duplicates   []CertsDuplicate `json:"duplicates"`
}

// CertsEntry is one certificate of the inventory.
type CertsEntry struct {
	File               string         `json:"file"`
	Index              int            `json:"index"`
	Subject            string         `json:"subject"`
	Issuer             string         `json:"issuer"`
	CommonName         string         `json:"common_name"`
	Serial             string         `json:"serial"`
	NotBefore          *triage.Time   `json:"not_before"`
	NotAfter           *triage.Time   `json:"not_after"`
	ValidityToday      trust.Validity `json:"validity_today"`
	SHA256             string         `json:"sha256"`
	SHA1               string         `json:"sha1"`
	Kind               string         `json:"kind"`
	IsCA               bool           `json:"is_ca"`
	SelfSigned         bool           `json:"self_signed"`
	ExtKeyUsage        []string       `json:"ext_key_usage"`
	KeyUsage           []string       `json:"key_usage"`
	KeyType            string         `json:"key_type"`
	KeyBits            int            `json:"key_bits"`
	Curve              string         `json:"curve,omitempty"`
	SignatureAlgorithm string         `json:"signature_algorithm"`
	DNSNames           []string       `json:"dns_names"`
	IPAddresses        []string       `json:"ip_addresses"`
	ParseError         string         `json:"parse_error,omitempty"`
}

// CertsSkipped is a file, or part of a file, without a usable certificate.
type CertsSkipped struct {
	File   string `json:"file"`
	Part   string `json:"part,omitempty"`
	Reason string `json:"reason"`
	Error  string `json:"error,omitempty"`
}

// CertsDuplicate is a certificate found in more than one place.
type CertsDuplicate struct {
	SHA256  string   `json:"sha256"`
	Subject string   `json:"subject"`
	Files   []string `json:"files"`
}

// CertsError is a PATH that could not be listed.
type CertsError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

func certsRun(opts *CertsOptions) error {
	today := opts.Now().UTC()
	rep := &CertsReport{Schema: "siptls/certs/v1", Today: triage.Time{Time: today}, Stores: []*CertsStore{}, Errors: []CertsError{}}
	var errs []error
	loaded := 0
	for _, p := range opts.Paths {
		s, err := trust.LoadPath(p, "")
		if err != nil {
			errs = append(errs, err)
			rep.Errors = append(rep.Errors, CertsError{Path: p, Error: err.Error()})
		}
		if s == nil {
			continue
		}
		if len(s.Certs) > 0 {
			loaded++
		}
		errs = append(errs, trustUnreadable([]*trust.Store{s})...)
		rep.Stores = append(rep.Stores, certsInventory(s, today))
	}
	var werr error
	if opts.Format == "json" {
		enc := json.NewEncoder(report.JSONEscaper(opts.IO.Out))
		enc.SetIndent("", "  ")
		werr = enc.Encode(rep)
	} else {
		werr = writeCertsText(opts.IO.Out, rep)
	}
	if werr != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("writing the inventory: %w", werr)}
	}
	if loaded == 0 && len(errs) == 0 {
		return &exitError{code: exitTrouble, err: errors.New("no certificate found")}
	}
	return inputErrors(opts.IO, errs)
}

// inventory turns a loaded store into its JSON and text view.
func certsInventory(s *trust.Store, today time.Time) *CertsStore {
	cs := &CertsStore{Path: s.Path, Certificates: []*CertsEntry{}, Skipped: []CertsSkipped{}, Duplicates: []CertsDuplicate{}}
	for _, e := range s.Certs {
		v := triage.NewCertView(e.Info, today)
		i := v.Info
		ce := &CertsEntry{
			File: e.File, Index: e.Index, Subject: i.Subject, Issuer: i.Issuer, CommonName: i.SubjectCN, Serial: i.Serial,
			NotBefore: v.NotBefore, NotAfter: v.NotAfter, ValidityToday: v.Validity,
			SHA256: i.SHA256, SHA1: i.SHA1, Kind: v.Kind(), IsCA: i.IsCA, SelfSigned: i.SelfSigned,
			ExtKeyUsage: certsNonNil(i.ExtKeyUsage), KeyUsage: certsNonNil(i.KeyUsage), KeyType: i.KeyType, KeyBits: i.KeyBits,
			Curve: i.Curve, SignatureAlgorithm: i.SignatureAlgorithm,
			DNSNames: certsNonNil(i.DNSNames), IPAddresses: certsNonNil(i.IPAddresses), ParseError: i.ParseError,
		}
		cs.Certificates = append(cs.Certificates, ce)
	}
	for _, k := range s.Skipped {
		sk := CertsSkipped{File: k.File, Part: k.Part, Reason: k.Reason}
		if k.Err != nil {
			sk.Error = k.Err.Error()
		}
		cs.Skipped = append(cs.Skipped, sk)
	}
	for _, d := range s.Duplicates {
		cs.Duplicates = append(cs.Duplicates, CertsDuplicate{SHA256: d.SHA256, Subject: d.Subject, Files: d.Where})
	}
	return cs
}

func certsNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeCertsText(w io.Writer, rep *CertsReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for n, s := range rep.Stores {
		if n > 0 {
			fmt.Fprintln(tw)
		}
		files := map[string]bool{}
		for _, c := range s.Certificates {
			files[c.File] = true
		}
		fmt.Fprintf(tw, "%s: %s in %s", report.Sanitize(s.Path), countOf(len(s.Certificates), "certificate"), countOf(len(files), "file"))
		if len(s.Skipped) > 0 {
			fmt.Fprintf(tw, ", %d skipped", len(s.Skipped))
		}
		if len(s.Duplicates) > 0 {
			fmt.Fprintf(tw, ", %s", countOf(len(s.Duplicates), "duplicate"))
		}
		fmt.Fprintln(tw)
		for _, c := range s.Certificates {
			name := c.File
			if c.Index > 0 {
				name = fmt.Sprintf("%s#%d", c.File, c.Index)
			}
			fmt.Fprintf(tw, "\n%s\n", report.Sanitize(name))
			issuer := report.Sanitize(c.Issuer)
			if c.SelfSigned {
				issuer += " (self-signed)"
			}
			row := func(label, value string) { fmt.Fprintf(tw, "  %s\t%s\n", label, value) }
			row("subject", report.Sanitize(c.Subject))
			row("issuer", issuer)
			row("serial", c.Serial)
			row("validity", validityText(c))
			row("sha256", c.SHA256)
			k := "leaf"
			if c.IsCA {
				k = "CA"
			}
			if c.SelfSigned {
				k += ", self-signed"
			}
			row("kind", k)
			if len(c.DNSNames)+len(c.IPAddresses) > 0 {
				row("names", report.Sanitize(strings.Join(append(append([]string{}, c.DNSNames...), c.IPAddresses...), ", ")))
			}
			row("eku", listOrNone(c.ExtKeyUsage))
			row("key usage", listOrNone(c.KeyUsage))
			key := c.KeyType
			if c.KeyBits > 0 {
				key += fmt.Sprintf(" %d", c.KeyBits)
			}
			if c.Curve != "" {
				key += " " + c.Curve
			}
			row("key", report.Sanitize(key)+", signed "+report.Sanitize(c.SignatureAlgorithm))
			if c.ParseError != "" {
				row("warning", "crypto/x509 refuses it: "+report.Sanitize(c.ParseError))
			}
		}
		if len(s.Skipped) > 0 {
			fmt.Fprintf(tw, "\nskipped:\n")
			for _, k := range s.Skipped {
				what := k.File
				if k.Part != "" {
					what += " " + k.Part
				}
				reason := k.Reason
				if k.Error != "" {
					reason += ": " + k.Error
				}
				fmt.Fprintf(tw, "  %s\t%s\n", report.Sanitize(what), report.Sanitize(reason))
			}
		}
		if len(s.Duplicates) > 0 {
			fmt.Fprintf(tw, "\nduplicates (the same certificate in several places):\n")
			for _, d := range s.Duplicates {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", report.Sanitize(strings.Join(d.Files, ", ")), report.Sanitize(d.Subject), d.SHA256)
			}
		}
	}
	return tw.Flush()
}

func validityText(c *CertsEntry) string {
	if c.NotBefore == nil || c.NotAfter == nil {
		return "unreadable"
	}
	r := c.NotBefore.Format(time.DateOnly) + " to " + c.NotAfter.Format(time.DateOnly)
	v := c.ValidityToday
	switch v.Status {
	case certinfo.Valid:
		r += fmt.Sprintf(" (valid, %s left", countOf(v.Days, "day"))
		if v.Days < trust.ExpiresSoonDays {
			r += ": renew it soon"
		}
		r += ")"
	case certinfo.Expired:
		r += fmt.Sprintf(" (EXPIRED %s ago)", countOf(v.Days, "day"))
	case certinfo.NotYetValid:
		r += fmt.Sprintf(" (NOT YET VALID, starts in %s)", countOf(v.Days, "day"))
	}
	return r
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return report.Sanitize(strings.Join(s, ", "))
}

func countOf(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
