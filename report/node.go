package report

import (
	"fmt"
	"strings"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/triage"
)

// writeNodeText adds the capture node and how it was found to a capture's
// facts line: ", capture node 10.10.1.11 (TTL 64 on its packets, 63 on the
// peer's)", or ", capture node could not be told (...)".
func writeNodeText(b *strings.Builder, c *triage.Capture) {
	e := c.CaptureNodeEvidence
	switch {
	case c.Node != "" && e != nil && e.Detail != "":
		fmt.Fprintf(b, ", capture node %s (%s)", c.Node, Sanitize(e.Detail))
	case c.Node != "":
		fmt.Fprintf(b, ", capture node %s", c.Node)
	case e != nil && e.UnknownReason != "" && e.UnknownReason != diagnose.NodeNoConnections:
		fmt.Fprintf(b, ", capture node could not be told (%s)", Sanitize(e.Detail))
	}
}
