package report

import (
	"fmt"
	"github.com/siptls/siptls/internal/english"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// WriteCertsText writes the inventory of `siptls certs` as text: per store,
// a summary line, a block per certificate, then the skipped files and the
// duplicates. File contents are untrusted: names and subjects go through
// Sanitize.
func WriteCertsText(w io.Writer, rep *triage.CertsReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for n, s := range rep.Stores {
		if n > 0 {
			fmt.Fprintln(tw)
		}
		files := map[string]bool{}
		for _, c := range s.Certificates {
			files[c.File] = true
		}
		fmt.Fprintf(tw, "%s: %s in %s", Sanitize(s.Path), countOf(len(s.Certificates), "certificate"), countOf(len(files), "file"))
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
			fmt.Fprintf(tw, "\n%s\n", Sanitize(name))
			issuer := Sanitize(c.Issuer)
			if c.SelfSigned {
				issuer += " (self-signed)"
			}
			row := func(label, value string) { fmt.Fprintf(tw, "  %s\t%s\n", label, value) }
			row("subject", Sanitize(c.Subject))
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
				row("names", Sanitize(strings.Join(append(append([]string{}, c.DNSNames...), c.IPAddresses...), ", ")))
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
			row("key", Sanitize(key)+", signed "+Sanitize(c.SignatureAlgorithm))
			if c.ParseError != "" {
				row("warning", "crypto/x509 refuses it: "+Sanitize(c.ParseError))
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
				fmt.Fprintf(tw, "  %s\t%s\n", Sanitize(what), Sanitize(reason))
			}
		}
		if len(s.Duplicates) > 0 {
			fmt.Fprintf(tw, "\nduplicates (the same certificate in several places):\n")
			for _, d := range s.Duplicates {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", Sanitize(strings.Join(d.Files, ", ")), Sanitize(d.Subject), d.SHA256)
			}
		}
	}
	return tw.Flush()
}

func validityText(c *triage.CertsEntry) string {
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
	return Sanitize(strings.Join(s, ", "))
}

func countOf(n int, word string) string {
	return english.Plural(n, word, word+"s")
}
