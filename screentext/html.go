package screentext

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/siptls/siptls/internal/sanitize"
)

//go:embed templates/report.html
var reportHTML string

var htmlTemplate = template.Must(template.New("report").Parse(reportHTML))

// WriteHTML writes a self-contained HTML page (inline CSS, no script, no
// external URL) with the text report of the analysis, for --html and for a
// screen text dropped on siptls.
func WriteHTML(w io.Writer, a *Analysis, version string) error {
	var text strings.Builder
	writeText(&text, a, WriteOptions{})
	var names []string
	for _, t := range a.Texts {
		names = append(names, sanitize.String(t.Path))
	}
	return htmlTemplate.Execute(w, struct {
		Title, Text, Version string
		HowTo                []string
	}{strings.Join(names, ", "), text.String(), version, HowToCapture})
}
