package report

import (
	"io"

	"github.com/siptls/siptls/triage"
)

// WriteJSON writes the report as indented JSON followed by a newline, as
// WriteJSONDocument does (DEL, C1 controls and Cf characters as \u
// escapes).
func WriteJSON(w io.Writer, r *triage.Report) error { return WriteJSONDocument(w, r, true) }
