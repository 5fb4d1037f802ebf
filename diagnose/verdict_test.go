package diagnose

import (
	"encoding/pem"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/siptls/siptls/pcap"
)

// Hand-built TLS records, just valid enough for the parser.

func record(typ uint8, body []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(typ)
	b.AddUint16(0x0303)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return b.BytesOrPanic()
}

func handshake(typ uint8, body func(*cryptobyte.Builder)) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(typ)
	b.AddUint24LengthPrefixed(body)
	return record(22, b.BytesOrPanic())
}

func clientHello() []byte {
	return handshake(1, func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		b.AddBytes(make([]byte, 32))
		b.AddUint8(0)                                                                  // session id
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(0x002f) }) // TLS_RSA_WITH_AES_128_CBC_SHA
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
	})
}

func serverHello() []byte {
	return handshake(2, func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		b.AddBytes(make([]byte, 32))
		b.AddUint8(0)
		b.AddUint16(0x002f)
		b.AddUint8(0)
	})
}

func emptyCertificate() []byte {
	return handshake(11, func(b *cryptobyte.Builder) { b.AddUint24(0) })
}

func certificate(t *testing.T, pemFile string) []byte {
	t.Helper()
	raw, err := os.ReadFile(pemFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s: no PEM block", pemFile)
	}
	return handshake(11, func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(block.Bytes) })
		})
	})
}

func certificateRequest() []byte {
	return handshake(13, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(1) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(0x0401) })
		b.AddUint16(0) // no CA names
	})
}

var (
	ccs       = record(20, []byte{1})
	finished  = record(22, make([]byte, 40)) // encrypted after CCS
	appData   = record(23, make([]byte, 300))
	encAlert  = record(21, make([]byte, 26))
	helloDone = handshake(14, func(*cryptobyte.Builder) {})
)

func alert(level, code uint8) []byte { return record(21, []byte{level, code}) }

// step is one thing the capture reader reports.
type step struct {
	ev    pcap.EventKind // 0: a data unit
	dir   pcap.Dir
	data  []byte
	opaq  bool
	bytes uint64 // GapBytes
}

func syn() step           { return step{ev: pcap.EventSYN} }
func synAck() step        { return step{ev: pcap.EventSYNACK, dir: pcap.ServerToClient} }
func ack() step           { return step{ev: pcap.EventHandshakeACK} }
func rst(d pcap.Dir) step { return step{ev: pcap.EventRST, dir: d} }
func fin(d pcap.Dir) step { return step{ev: pcap.EventFIN, dir: d} }
func c2s(b []byte) step   { return step{dir: pcap.ClientToServer, data: b} }
func s2c(b []byte) step   { return step{dir: pcap.ServerToClient, data: b} }
func tcpOpen() []step     { return []step{syn(), synAck(), ack()} }
func steps(s ...[]step) []step {
	var out []step
	for _, x := range s {
		out = append(out, x...)
	}
	return out
}

// run feeds steps to an Analyzer as package pcap would, one frame per step.
func run(t *testing.T, roles pcap.RoleSource, ss []step, last time.Duration) *Connection {
	t.Helper()
	t0 := time.Date(2026, 11, 20, 14, 3, 0, 0, time.UTC)
	a := NewAnalyzer(Options{})
	c := &pcap.Conn{ID: 1, Client: netip.MustParseAddrPort("10.10.1.11:40000"), Server: netip.MustParseAddrPort("10.20.1.22:5061"),
		Roles: roles, FirstFrame: 1, FirstTime: t0}
	for i, s := range ss {
		frame, at := uint64(i+1), t0.Add(time.Duration(i)*time.Millisecond)
		if s.ev != 0 {
			a.Event(&pcap.Event{Conn: c, Kind: s.ev, Dir: s.dir, Frame: frame, Time: at, GapBytes: s.bytes, Len: 62})
			continue
		}
		a.Data(&pcap.Data{Conn: c, Dir: s.dir, Bytes: s.data, Opaque: s.opaq, FirstFrame: frame, Frame: frame, Time: at})
	}
	a.End(c, &pcap.ConnStats{LastFrame: uint64(len(ss)), LastTime: t0.Add(last)})
	conns := a.Result().Connections
	if len(conns) != 1 {
		t.Fatalf("%d connections", len(conns))
	}
	return conns[0]
}

func TestVerdicts(t *testing.T) {
	hello := []step{c2s(clientHello()), s2c(serverHello()), s2c(certificateRequest()), s2c(helloDone)}
	clientDone := []step{c2s(emptyCertificate()), c2s(ccs), c2s(finished)}
	done := steps(hello, []step{c2s(ccs), c2s(finished), s2c(ccs), s2c(finished)})
	tests := []struct {
		name        string
		roles       pcap.RoleSource
		steps       []step
		last        time.Duration
		verdict     Verdict
		reason      Reason
		abortedBy   string
		summaryHas  []string
		wantClient  string
		wantAlert   string
		wantPresent bool
	}{
		{name: "SYN answered by RST", steps: []step{syn(), rst(pcap.ServerToClient)},
			verdict: VerdictRefused, reason: ReasonSYNReset, abortedBy: "server", summaryHas: []string{"frame 1", "frame 2", "nothing listens on 10.20.1.22:5061"}},
		{name: "SYN retransmitted", steps: []step{syn(), {ev: pcap.EventSYNRetransmit}, {ev: pcap.EventSYNRetransmit}}, last: 3 * time.Second,
			verdict: VerdictNoAnswer, reason: ReasonSYNUnanswered, abortedBy: "none", summaryHas: []string{"3 SYNs", "firewall"}},
		{name: "one SYN at the end of the capture", steps: []step{syn()},
			verdict: VerdictIncomplete, reason: ReasonCaptureEnded, summaryHas: []string{"capture ended right after the SYN"}},
		{name: "handshake and data both ways", steps: steps(tcpOpen(), done, []step{c2s(appData), s2c(appData), fin(pcap.ClientToServer)}),
			verdict: VerdictOK, reason: ReasonApplicationData, abortedBy: "none"},
		{name: "handshake_failure after the ClientHello", steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(alert(2, 40)), fin(pcap.ServerToClient)}),
			verdict: VerdictFailed, reason: ReasonFatalAlert, abortedBy: "server", wantAlert: "handshake_failure",
			summaryHas: []string{"sent fatal handshake_failure in frame 5 right after the client's ClientHello in frame 4", "no cipher suite or TLS version in common"}},
		{name: "unknown_ca from the server after the client's Certificate", steps: steps(tcpOpen(), hello, []step{c2s(certificate(t, "../testdata/certs/cucm7-pub.pem")), s2c(alert(2, 48))}),
			verdict: VerdictFailed, reason: ReasonFatalAlert, abortedBy: "server", wantAlert: "unknown_ca",
			summaryHas: []string{"right after the client's Certificate in frame 8", "upload that self-signed certificate (CN=cucm7-pub.clus1.lab, serial", "as CallManager-trust on 10.20.1.22"}},
		{name: "empty client certificate answered by handshake_failure", steps: steps(tcpOpen(), hello, clientDone, []step{s2c(alert(2, 40))}),
			verdict: VerdictFailed, reason: ReasonEmptyClientCertificate, abortedBy: "server", wantAlert: "handshake_failure", summaryHas: []string{"the client sent none"}},
		{name: "RST after the ServerHelloDone", steps: steps(tcpOpen(), hello, []step{rst(pcap.ClientToServer)}),
			verdict: VerdictFailed, reason: ReasonResetDuringHandshake, abortedBy: "client", summaryHas: []string{"reset the TCP connection in frame 8", "right after the server's ServerHelloDone in frame 7"}},
		{name: "FIN during the handshake", steps: steps(tcpOpen(), []step{c2s(clientHello()), fin(pcap.ServerToClient)}),
			verdict: VerdictFailed, reason: ReasonClosedDuringHandshake, abortedBy: "server"},
		{name: "closed after the handshake, no data", steps: steps(tcpOpen(), done, []step{c2s(appData), fin(pcap.ServerToClient)}),
			verdict: VerdictFailed, reason: ReasonClosedAfterHandshake, abortedBy: "server", summaryHas: []string{"X.509 Subject Name"}},
		{name: "encrypted alert after the handshake, no data", steps: steps(tcpOpen(), done, []step{s2c(encAlert), fin(pcap.ServerToClient)}),
			verdict: VerdictFailed, reason: ReasonClosedAfterHandshake, abortedBy: "server", wantAlert: "encrypted_alert"},
		{name: "close_notify after data is not a failure", steps: steps(tcpOpen(), done, []step{c2s(appData), s2c(appData), c2s(encAlert), fin(pcap.ClientToServer)}),
			verdict: VerdictOK, reason: ReasonApplicationData},
		{name: "handshake finished, capture ended", steps: steps(tcpOpen(), done),
			verdict: VerdictIncomplete, reason: ReasonCaptureEnded},
		{name: "capture ended mid-handshake", steps: steps(tcpOpen(), hello),
			verdict: VerdictIncomplete, reason: ReasonCaptureEnded, summaryHas: []string{"last message: the server's ServerHelloDone in frame 7"}},
		{name: "not TLS", steps: steps(tcpOpen(), []step{{dir: pcap.ClientToServer, data: []byte("OPTIONS sip:x SIP/2.0\r\n"), opaq: true}, fin(pcap.ServerToClient)}),
			verdict: VerdictNotTLS, reason: ReasonNotTLS},
		{name: "cut by the snap length", steps: steps(tcpOpen(), []step{{ev: pcap.EventCut, dir: pcap.ServerToClient}, s2c(alert(2, 48))}),
			verdict: VerdictTruncated, reason: ReasonSnaplen, abortedBy: "server", wantAlert: "unknown_ca", summaryHas: []string{"size all", "survived the cut"}},
		{name: "gap before the ServerHello", steps: steps(tcpOpen(), []step{c2s(clientHello()), {ev: pcap.EventGap, dir: pcap.ServerToClient, bytes: 1448}}),
			verdict: VerdictIncomplete, reason: ReasonGap},
		{name: "midstream, data both ways", roles: pcap.RoleFromPort, steps: []step{{ev: pcap.EventMidstream}, c2s(appData), s2c(appData)},
			verdict: VerdictIncomplete, reason: ReasonMidstream, summaryHas: []string{"handshake had succeeded"}},
		{name: "ClientHello from the guessed server: roles swap", roles: pcap.RoleGuessed, steps: []step{{ev: pcap.EventMidstream}, s2c(clientHello()), c2s(serverHello())},
			verdict: VerdictIncomplete, reason: ReasonCaptureEnded, wantClient: "10.20.1.22:5061"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := run(t, tt.roles, tt.steps, tt.last)
			if c.Verdict != tt.verdict || c.Reason != tt.reason {
				t.Errorf("verdict %s/%s, want %s/%s\nsummary: %s", c.Verdict, c.Reason, tt.verdict, tt.reason, c.Summary)
			}
			if tt.abortedBy != "" && c.AbortedBy != tt.abortedBy {
				t.Errorf("aborted_by %q, want %q", c.AbortedBy, tt.abortedBy)
			}
			for _, s := range tt.summaryHas {
				if !strings.Contains(c.Summary, s) {
					t.Errorf("summary %q does not say %q", c.Summary, s)
				}
			}
			if tt.wantClient != "" && c.Client.String() != tt.wantClient {
				t.Errorf("client %s, want %s", c.Client, tt.wantClient)
			}
			if tt.wantAlert != "" && (c.Alert == nil || c.Alert.Name != tt.wantAlert) {
				t.Errorf("alert %+v, want %s", c.Alert, tt.wantAlert)
			}
			if c.Summary == "" || c.Verdict == "" {
				t.Error("no verdict or summary")
			}
		})
	}
}
