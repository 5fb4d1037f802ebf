package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/siptls/siptls/triage"
)

// wantAction is what a test expects of one remedy.
type wantAction struct {
	code        triage.ActionCode
	node        string
	connections int
	frames      []uint64 // the evidence frames, in order
	sentence    string   // a part of the sentence
}

// TestActionsFromCaptures runs analyze (and triage) on the testdata
// captures that show each kind of failure and checks the remedies the
// report opens with: their kind, node, count, evidence and the facts the
// sentence names. Every remedy kind must come out of at least one real
// capture.
func TestActionsFromCaptures(t *testing.T) {
	chdirRoot(t)
	const trust7 = "testdata/trust/cucm7-pub-CallManager-trust"
	tests := []struct {
		name   string
		triage bool
		args   []string
		want   []wantAction
	}{
		{"unknown_ca, self-signed", false, []string{"testdata/fail-unknown-ca-openssl-server.pcap"}, []wantAction{
			{triage.ActionUploadCertificate, "10.20.1.22", 1, []uint64{12}, "Upload CN=cucm7-pub.clus1.lab (serial 5026278633196c66…), self-signed, as CallManager-trust on 10.20.1.22 (cucm8-sub1.clus2.lab)."}}},
		{"reset after the client's certificate", false, []string{"testdata/fail-rst-after-client-cert.pcap"}, []wantAction{
			{triage.ActionUploadCertificate, "10.20.1.21", 1, []uint64{12}, "as CallManager-trust on 10.20.1.21"}}},
		{"CA-signed leaf without --trust", false, []string{"testdata/fail-missing-intermediate.pcap"}, []wantAction{
			{triage.ActionUploadCA, "10.30.1.5", 1, []uint64{11}, "Upload the CA CN=Example Labs Issuing CA 1,O=Example Labs,C=US, which issued CN=cucm8-pub.clus2.lab-ms"}}},
		{"missing intermediate with the CUBE's trustpoints", false, []string{"--trust", "testdata/trust/cube1-trustpoints", "--node", "10.30.1.5", "testdata/fail-missing-intermediate.pcap"}, []wantAction{
			{triage.ActionUploadIntermediate, "10.30.1.5", 1, []uint64{11}, "Upload the intermediate CA CN=Example Labs Issuing CA 1,O=Example Labs,C=US as CallManager-trust on 10.30.1.5 (cube1.lab)"}}},
		{"stale copy with cucm7-pub's folder", false, []string{"--trust", trust7, "--node", "10.10.1.11", "testdata/sample-cucm-trunk.cap"}, []wantAction{
			{triage.ActionUploadCertificate, "10.20.1.22", 3, []uint64{43, 153, 250}, "Upload CN=cucm7-pub.clus1.lab"},
			{triage.ActionCheckPath, "10.20.1.24", 1, []uint64{237}, "10.20.1.24:5061"},
			{triage.ActionReplaceStaleCopy, "10.10.1.11", 1, []uint64{200}, "Replace cube1.lab.der in the CallManager-trust of 10.10.1.11 (cucm7-pub.clus1.lab) with the certificate 10.30.1.5 (cube1.lab) presents now, CN=cube1.lab"}}},
		{"client certificate without clientAuth (OpenSSL)", false, []string{"testdata/fail-client-cert-no-clientauth-openssl.pcap"}, []wantAction{
			{triage.ActionReissueEKU, "10.20.1.21", 1, []uint64{12}, "it lacks clientAuth, so 10.10.1.11 rejects it"}}},
		{"client certificate without clientAuth (Go)", false, []string{"testdata/fail-client-cert-no-clientauth-go.pcap"}, []wantAction{
			{triage.ActionReissueEKU, "10.20.1.21", 1, []uint64{12}, "serverAuth and clientAuth"}}},
		{"expired", false, []string{"testdata/fail-expired-server-cert.pcap"}, []wantAction{
			{triage.ActionRenewCertificate, "10.20.1.22", 1, []uint64{9}, "which expired on 2026-10-30"}}},
		{"not yet valid", false, []string{"testdata/fail-not-yet-valid-server-cert.pcap"}, []wantAction{
			{triage.ActionRenewCertificate, "10.20.1.22", 1, []uint64{9}, "which is valid only from 2026-12-02"}}},
		{"subject name, no --expect-name", false, []string{"testdata/fail-subject-name-mismatch-close.pcap"}, []wantAction{
			{triage.ActionCheckSubjectName, "10.20.1.21", 1, []uint64{14}, "it must match the CN or a SAN of the certificate 10.10.1.11 presents, CN=cucm7-pub.clus1.lab"}}},
		{"subject name, --expect-name does not match", false, []string{"--node", "10.20.1.21", "--expect-name", "10.10.1.11=cucm7-pub-wrong.lab", "testdata/fail-subject-name-mismatch-close.pcap"}, []wantAction{
			{triage.ActionFixSubjectName, "10.20.1.21", 1, []uint64{14}, "one of the names expected now: cucm7-pub-wrong.lab"}}},
		{"subject name, --expect-name matches", false, []string{"--node", "10.20.1.21", "--expect-name", "10.10.1.11=cucm7-pub", "testdata/fail-subject-name-mismatch-close.pcap"}, []wantAction{
			{triage.ActionInvestigate, "10.20.1.21", 1, []uint64{14}, "(closed_after_handshake): siptls knows no remedy for it"}}},
		{"TLS 1.3 rejection, certificates hidden", false, []string{"testdata/fail-tls13-server-rejects-client.pcap"}, []wantAction{
			{triage.ActionCheckHiddenCertificate, "10.10.1.11", 1, []uint64{16}, "TLS 1.3 hides the certificates"}}},
		{"TLS 1.3 rejection decrypted", false, []string{"--keylog", "testdata/keylog-tls13-server-rejects-client.keys", "testdata/keylog-tls13-server-rejects-client.pcap"}, []wantAction{
			{triage.ActionUploadCertificate, "10.10.1.11", 1, nil, "Upload CN=cucm8-sub2.clus2.lab"}}},
		{"empty client certificate", false, []string{"testdata/fail-empty-client-cert.pcap"}, []wantAction{
			{triage.ActionClientCertificate, "10.10.1.11", 1, []uint64{11}, "Give 10.10.1.11 a certificate to present to 10.20.1.22:5061"}}},
		{"no common cipher", false, []string{"testdata/fail-no-common-cipher.pcap"}, []wantAction{
			{triage.ActionAlignCiphers, "10.30.1.5", 1, []uint64{6}, "Align the TLS cipher suites of 10.30.1.5 and 10.10.1.11"}}},
		{"protocol version", false, []string{"testdata/fail-protocol-version.pcap"}, []wantAction{
			{triage.ActionAlignVersions, "10.20.1.21", 1, []uint64{6}, "offered up to TLS 1.1"}}},
		{"refused", false, []string{"testdata/refused-syn-rst.pcap"}, []wantAction{
			{triage.ActionFixListener, "10.20.1.22", 1, []uint64{2}, "Make 10.20.1.22:5061 listen for SIP over TLS"}}},
		{"no answer", false, []string{"testdata/no-answer-syn-retransmitted.pcap"}, []wantAction{
			{triage.ActionCheckPath, "10.20.1.24", 1, []uint64{1}, "Check the firewalls and routing to 10.20.1.24:5061"}}},
		{"not TLS", false, []string{"testdata/not-tls-plaintext-sip-5061.pcap"}, []wantAction{
			{triage.ActionFixTransport, "10.10.1.11", 1, []uint64{1}, "trunk to 10.10.1.11:5061"}}},
		{"snap length 128", false, []string{"testdata/snaplen128-cut.pcap"}, []wantAction{
			{triage.ActionCaptureAgain, "10.10.1.11", 2, []uint64{4, 37}, "Capture again with `size all`"}}},
		{"midstream", false, []string{"testdata/midstream-close-notify.pcap"}, []wantAction{
			{triage.ActionCaptureAgain, "", 1, []uint64{1}, "Capture again from before the calls"}}},
		{"capture ended", false, []string{"testdata/incomplete-capture-ends-mid-handshake.pcap"}, []wantAction{
			{triage.ActionCaptureAgain, "", 1, nil, "Capture for longer"}}},
		{"--max-conns 1", false, []string{"--max-conns", "1", "testdata/sample-cucm-trunk.cap"}, []wantAction{
			{triage.ActionUploadCertificate, "10.20.1.22", 3, []uint64{43, 153, 250}, "10.20.1.22"},
			{triage.ActionUploadCertificate, "10.10.1.11", 1, []uint64{200}, "Upload CN=cube1.lab"},
			{triage.ActionRaiseLimits, "10.10.1.11", 2, nil, "Run siptls again on testdata/sample-cucm-trunk.cap with higher limits"}}},
		{"triage without a trust folder", true, []string{"testdata/triage/captures"}, []wantAction{
			{triage.ActionUploadCertificate, "10.20.1.22", 4, []uint64{73, 216, 356, 499}, "Upload CN=cucm7-pub.clus1.lab"},
			{triage.ActionUploadCertificate, "10.10.1.11", 3, []uint64{102, 116, 130}, "Upload CN=cucm8-sub2.clus2.lab (serial 524580eba4fb5ac6…)"},
			{triage.ActionUploadCertificate, "10.10.1.11", 2, []uint64{199, 434}, "Upload CN=cube1.lab"},
			{triage.ActionUploadCertificate, "10.30.1.5", 2, []uint64{183, 451}, "as CallManager-trust on 10.30.1.5 (cube1.lab)"}}},
		{"everything ok", false, []string{"testdata/ok-tls12-rsa-go.pcap"}, nil},
		// Triage counts a connection seen in several captures once.
		{"triage with cucm7-pub's folder", true, []string{"--trust-for", "10.10.1.11=" + trust7, "testdata/triage/captures"}, []wantAction{
			{triage.ActionUploadCertificate, "10.20.1.22", 4, []uint64{73, 216, 356, 499}, "Upload CN=cucm7-pub.clus1.lab"},
			// cucm7-pub's folder holds the certificate it rejected.
			{triage.ActionCheckTrustStore, "10.10.1.11", 3, []uint64{102, 116, 130}, "its file cucm8-sub2.clus2.lab.pem trusts CN=cucm8-sub2.clus2.lab (serial 524580eba4fb5ac6…), yet 10.10.1.11 rejected it"},
			{triage.ActionReplaceStaleCopy, "10.10.1.11", 2, []uint64{199, 434}, "Replace cube1.lab.der"},
			{triage.ActionUploadCertificate, "10.30.1.5", 2, []uint64{183, 451}, "as CallManager-trust on 10.30.1.5 (cube1.lab)"}}},
	}
	produced := map[triage.ActionCode]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out string
			if tt.triage {
				_, out, _ = triageOut(t, append([]string{"--format", "json"}, tt.args...)...)
			} else {
				_, out, _ = runAnalyze(t, append([]string{"--format", "json"}, tt.args...)...)
			}
			var doc struct {
				Actions []triage.Action `json:"actions"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("output is not JSON: %v\n%.400s", err, out)
			}
			if doc.Actions == nil {
				t.Fatalf("no actions member (want [] at least):\n%.400s", out)
			}
			if len(doc.Actions) != len(tt.want) {
				t.Fatalf("%d actions, want %d:\n%s", len(doc.Actions), len(tt.want), sentences(doc.Actions))
			}
			for i, w := range tt.want {
				a := doc.Actions[i]
				produced[a.Code] = true
				if a.Code != w.code || a.Node != w.node || a.Connections != w.connections {
					t.Errorf("action %d: %s on %q explaining %d, want %s on %q explaining %d", i, a.Code, a.Node, a.Connections, w.code, w.node, w.connections)
				}
				var frames []uint64
				for _, e := range a.Evidence {
					frames = append(frames, e.Frame)
				}
				if w.frames != nil && !slices.Equal(frames, w.frames) {
					t.Errorf("action %d: evidence frames %v, want %v", i, frames, w.frames)
				}
				if len(a.Evidence) != min(a.Connections, triage.MaxActionEvidence) {
					t.Errorf("action %d: %d evidence for %d connections", i, len(a.Evidence), a.Connections)
				}
				if !strings.Contains(a.Sentence, w.sentence) {
					t.Errorf("action %d: sentence\n%s\nwant it to contain\n%s", i, a.Sentence, w.sentence)
				}
				if a.Code != triage.ActionCaptureAgain && a.Code != triage.ActionRaiseLimits && a.Code != triage.ActionInvestigate &&
					strings.Contains(a.Sentence, "CN=") != (a.Certificate != "") {
					t.Errorf("action %d names a certificate %v but its certificate is %q", i, strings.Contains(a.Sentence, "CN="), a.Certificate)
				}
			}
		})
	}
	for _, code := range triage.ActionCodes() {
		if !produced[code] {
			t.Errorf("no testdata capture produced the remedy kind %s", code)
		}
	}
}

func sentences(actions []triage.Action) string {
	var b strings.Builder
	for _, a := range actions {
		b.WriteString("  " + string(a.Code) + ": " + a.Sentence + "\n")
	}
	return b.String()
}
