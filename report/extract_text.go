package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/siptls/siptls/internal/english"
	"github.com/siptls/siptls/triage"
)

// WriteExtractText writes the summary of `siptls extract`: how many
// certificates were written to the folder out, then one line per file.
func WriteExtractText(w io.Writer, out string, idx triage.ExtractIndex) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%d certificates written to %s (index.json lists who presented each):\n", len(idx.Certificates), Sanitize(out))
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	for _, e := range idx.Certificates {
		kind := "leaf" // a CA-signed peer certificate
		switch {
		case e.IsCA && e.SelfSigned:
			kind = "self-signed" // CUCM's own CallManager certificates, or a root
		case e.IsCA:
			kind = "CA" // an issuing CA: what the other side needs in its trust
		}
		fmt.Fprintf(tw, "  %s\t%s\tserial %s\t%s\t%s\n", Sanitize(e.File), kind, Sanitize(e.Serial), presentedIn(e.Presented), Sanitize(e.Subject))
	}
	tw.Flush()
	if len(idx.Certificates) == 0 {
		fmt.Fprintf(ew, "  (none: no certificate was visible; TLS 1.3 hides them, and a capture cut at 128 bytes cannot show them)\n")
	}
	return ew.err
}

func presentedIn(n int) string {
	return "in " + english.Plural(n, "connection", "connections")
}
