package report

import "github.com/siptls/siptls/triage"

// actions writes an action record per remedy.
func (w *ndjsonWriter) actions(actions []triage.Action) {
	for i := range actions {
		w.typed("action", &actions[i])
	}
}
