package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/siptls/siptls/triage"
)

const cucm7Trust = "testdata/trust/cucm7-pub-CallManager-trust"

// TestCaptureNode checks the capture node and its evidence on real captures
// (node-*.pcap, made by real kernels with testdata/gen/netns.sh) and on the
// generator's, with and without the trust folder, --expect-name and --node.
func TestCaptureNode(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name string
		args []string
		// want is "NODE CODE" or "- unknown REASON"; signals lists every
		// signal's code:node.
		want, signals string
		// note is what stderr must say ("" for nothing)
		note string
		// judged is sent_by:status:node_unknown of each leaf the trust
		// folder judged
		judged string
	}{
		{
			name: "one subnet: the node's own checksums are wrong",
			args: []string{"testdata/node-same-subnet-offload.pcap"},
			want: "10.10.1.11 checksum_offload", signals: "checksum_offload:10.10.1.11",
		},
		{
			name: "one subnet, with the node's trust folder",
			args: []string{"--trust", cucm7Trust, "testdata/node-same-subnet-offload.pcap"},
			want: "10.10.1.11 checksum_offload", signals: "checksum_offload:10.10.1.11 trust_folder:10.10.1.11",
			judged: "client:exact_match:false",
		},
		{
			name: "a routed peer: TTL, and the reaction times agree",
			args: []string{"testdata/node-routed-client-side.pcap"},
			want: "10.10.1.11 ttl", signals: "ttl:10.10.1.11 reaction_time:10.10.1.11",
		},
		{
			name: "--node overrides",
			args: []string{"--node", "10.20.1.21", "--trust", cucm7Trust, "testdata/node-routed-client-side.pcap"},
			want: "10.20.1.21 flag", signals: "flag:10.20.1.21 ttl:10.10.1.11 reaction_time:10.10.1.11 trust_folder:10.10.1.11",
			judged: "client:untrusted:false",
		},
		{
			name: "many peers",
			args: []string{"testdata/sample-cucm-trunk.cap"},
			want: "10.10.1.11 single_end", signals: "single_end:10.10.1.11",
		},
		{
			name: "one synthetic call: nothing tells",
			args: []string{"testdata/fail-unknown-ca-openssl-server.pcap"},
			want: "- unknown no_signal", signals: "",
		},
		{
			name: "the trust folder holds the peer's certificate",
			args: []string{"--trust", cucm7Trust, "testdata/fail-unknown-ca-openssl-server.pcap"},
			want: "10.10.1.11 trust_folder", signals: "trust_folder:10.10.1.11",
			judged: "server:exact_match:false",
		},
		{
			name: "the peer's certificate matches --expect-name",
			args: []string{"--expect-name", "cucm8-sub1.clus2.lab", "testdata/fail-unknown-ca-openssl-server.pcap"},
			want: "10.10.1.11 expect_name", signals: "expect_name:10.10.1.11",
		},
		{
			name: "not told: the folder judges both ends",
			args: []string{"--trust", cucm7Trust, "testdata/tcp-gap-in-server-certificate.pcap"},
			want: "- unknown no_signal", signals: "",
			note:   "testdata/tcp-gap-in-server-certificate.pcap: the capture node could not be told (every connection has the same two ends",
			judged: "client:untrusted:true",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out, errOut := runAnalyze(t, append([]string{"--format", "json"}, tt.args...)...)
			var r triage.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("output is not JSON: %v (stderr %q)", err, errOut)
			}
			c := r.Captures[0]
			e := c.CaptureNodeEvidence
			if e == nil {
				t.Fatal("no capture_node_evidence")
			}
			got := c.CaptureNode + " " + string(e.Code)
			if c.CaptureNode == "" {
				got = "- " + string(e.Code) + " " + string(e.UnknownReason)
			}
			if got != tt.want || c.Node != c.CaptureNode {
				t.Errorf("node %q (capture_node %q), want %q", c.Node, got, tt.want)
			}
			var signals []string
			for _, s := range e.Signals {
				signals = append(signals, string(s.Code)+":"+s.Node)
			}
			if g := strings.Join(signals, " "); g != tt.signals {
				t.Errorf("signals %q, want %q", g, tt.signals)
			}
			if tt.note == "" && strings.Contains(errOut, "capture node") || !strings.Contains(errOut, tt.note) {
				t.Errorf("stderr %q, want %q", errOut, tt.note)
			}
			var judged []string
			for _, conn := range r.Connections {
				for _, cert := range conn.Certificates {
					if cert.Trust != nil {
						judged = append(judged, cert.SentBy.String()+":"+string(cert.Trust.Status)+":"+map[bool]string{true: "true", false: "false"}[cert.Trust.NodeUnknown])
					}
				}
			}
			if g := strings.Join(judged, " "); g != tt.judged {
				t.Errorf("judged %q, want %q", g, tt.judged)
			}
		})
	}
}

// TestCaptureNodeGolden shows the capture node in the text and JSON of the
// two real captures, judged with the node's trust folder.
func TestCaptureNodeGolden(t *testing.T) {
	chdirRoot(t)
	for _, name := range []string{"node-same-subnet-offload.pcap", "node-routed-client-side.pcap"} {
		t.Run(name, func(t *testing.T) {
			args := []string{"--trust", cucm7Trust, "testdata/" + name}
			_, text, _ := runAnalyze(t, args...)
			checkGolden(t, name+".golden.txt", []byte(text))
			checkJSONGolden(t, name+".golden.json", analyzer(t), true, args...)
		})
	}
}
