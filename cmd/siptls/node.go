package main

import (
	"fmt"
	"io"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/report"
	"github.com/siptls/siptls/triage"
	"github.com/siptls/siptls/trust"
)

// nodeNote tells on w that a capture's node could not be told while a
// --trust folder needed it.
func nodeNote(w io.Writer, path string, d diagnose.CaptureNode, judge *trust.Judge) {
	if d.Addr.IsValid() || d.Unknown == diagnose.NodeNoConnections || judge == nil || !judge.NeedsNode() {
		return
	}
	fmt.Fprintf(w, "siptls: %s: the capture node could not be told (%s); the --trust folder judged the certificates of both ends: give --node IP to judge only those the node received\n",
		report.Sanitize(path), report.Sanitize(triage.NodeDetail(d)))
}
