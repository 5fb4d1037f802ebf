package report

import (
	"encoding/json"
	"io"

	"github.com/siptls/siptls/triage"
)

// WriteJSON writes the report as indented JSON followed by a newline. DEL,
// C1 controls and Cf characters are written as \u escapes (EscapeJSON).
func WriteJSON(w io.Writer, r *triage.Report) error {
	enc := json.NewEncoder(JSONEscaper(w))
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
