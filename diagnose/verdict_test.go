package diagnose

import (
	"bytes"
	"encoding/pem"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsparse"
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

// certDER is the DER of the first certificate in pemFile.
func certDER(t *testing.T, pemFile string) []byte {
	t.Helper()
	raw, err := os.ReadFile(pemFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s: no PEM block", pemFile)
	}
	return block.Bytes
}

func certificate(t *testing.T, pemFile string) []byte {
	t.Helper()
	der := certDER(t, pemFile)
	return handshake(11, func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(der) })
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

// helloRetryRandom is the Random of a HelloRetryRequest (RFC 8446 section 4.1.3).
var helloRetryRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// serverHello13 is a TLS 1.3 ServerHello (TLS_AES_128_GCM_SHA256, x25519),
// or a HelloRetryRequest asking for a secp256r1 key share.
func serverHello13(hrr bool) []byte {
	return handshake(2, func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		if hrr {
			b.AddBytes(helloRetryRandom)
		} else {
			b.AddBytes(bytes.Repeat([]byte{7}, 32))
		}
		b.AddUint8(0)
		b.AddUint16(0x1301)
		b.AddUint8(0)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(43) // supported_versions
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(0x0304) })
			b.AddUint16(51) // key_share
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				if hrr {
					b.AddUint16(0x0017)
					return
				}
				b.AddUint16(0x001d)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
			})
		})
	})
}

// sslv2ClientHello is an SSLv2-format ClientHello offering up to TLS 1.0.
func sslv2ClientHello() []byte {
	body := []byte{1, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 0x2f}
	body = append(body, bytes.Repeat([]byte{5}, 16)...)
	return append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...)
}

// chainMessage is a Certificate message (without a record header) with the
// certificate of pemFile, a 700-byte filler and the certificate again.
func chainMessage(t *testing.T, pemFile string) []byte {
	t.Helper()
	der := certDER(t, pemFile)
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(11)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range [][]byte{der, bytes.Repeat([]byte{0x30}, 700), der} {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
			}
		})
	})
	return b.BytesOrPanic()
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
	ev       pcap.EventKind // 0: a data unit
	dir      pcap.Dir
	data     []byte
	opaq     bool
	bytes    uint64        // GapBytes
	at       time.Duration // when, from the start (0: 1 ms after the step before)
	missing  []pcap.Range  // holes in data
	afterGap bool
}

// later returns s happening at least at d after the start of the capture.
func later(d time.Duration, s step) step { s.at = d; return s }

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
	return runStats(t, roles, ss, last, pcap.ConnStats{})
}

// runStats is run with the ConnStats that End reports (LastFrame and
// LastTime are filled in).
func runStats(t *testing.T, roles pcap.RoleSource, ss []step, last time.Duration, stats pcap.ConnStats) *Connection {
	t.Helper()
	return runOpts(t, Options{}, roles, ss, last, stats)
}

// runOpts is runStats with an Analyzer made with opts.
func runOpts(t *testing.T, opts Options, roles pcap.RoleSource, ss []step, last time.Duration, stats pcap.ConnStats) *Connection {
	t.Helper()
	t0 := time.Date(2026, 11, 20, 14, 3, 0, 0, time.UTC)
	a := NewAnalyzer(opts)
	c := &pcap.Conn{ID: 1, Client: netip.MustParseAddrPort("10.10.1.11:40000"), Server: netip.MustParseAddrPort("10.20.1.22:5061"),
		Roles: roles, FirstFrame: 1, FirstTime: t0}
	var now time.Duration
	for i, s := range ss {
		if i > 0 {
			now += time.Millisecond
		}
		now = max(now, s.at)
		frame, at := uint64(i+1), t0.Add(now)
		if s.ev != 0 {
			a.Event(&pcap.Event{Conn: c, Kind: s.ev, Dir: s.dir, Frame: frame, Time: at, GapBytes: s.bytes, Len: 62})
			continue
		}
		data := s.data
		if len(s.missing) > 0 {
			data = bytes.Clone(data)
			for _, m := range s.missing {
				clear(data[m.Start:m.End])
			}
		}
		a.Data(&pcap.Data{Conn: c, Dir: s.dir, Bytes: data, Opaque: s.opaq, FirstFrame: frame, Frame: frame, Time: at, Missing: s.missing, AfterGap: s.afterGap})
	}
	stats.LastFrame, stats.LastTime = uint64(len(ss)), t0.Add(max(last, now))
	a.End(c, &stats)
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
	helloNoCR := []step{c2s(clientHello()), s2c(serverHello()), s2c(helloDone)}
	doneNoCR := steps(helloNoCR, []step{c2s(ccs), c2s(finished), s2c(ccs), s2c(finished)})
	tls13 := []step{c2s(clientHello()), s2c(serverHello13(false)), s2c(ccs), s2c(appData), c2s(ccs), c2s(appData)}
	hrr := []step{c2s(clientHello()), s2c(serverHello13(true)), s2c(ccs), c2s(ccs), c2s(clientHello()), s2c(serverHello13(false)), s2c(appData), c2s(appData)}
	chain := chainMessage(t, "../testdata/certs/cucm8-sub1.pem")
	leafLen := int(chain[7])<<16 | int(chain[8])<<8 | int(chain[9])
	// a hole in the filler: record header 5, message header 4, list 3, leaf 3+leafLen, filler 3
	fillerAt := 5 + 4 + 3 + 3 + leafLen + 3
	tests := []struct {
		name        string
		roles       pcap.RoleSource
		steps       []step
		stats       pcap.ConnStats
		last        time.Duration
		verdict     Verdict
		reason      Reason
		abortedBy   string
		summaryHas  []string
		wantClient  string
		wantAlert   string
		wantPresent bool
		summaryNot  []string
		eventsHave  []string
		eventsNot   []string
		wantHRR     bool
		wantVersion string
		wantCerts   int // certificates whole (checked when wantPartial > 0)
		wantPartial int
		wantFinding FindingCode
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
			verdict: VerdictFailed, reason: ReasonClosedAfterHandshake, abortedBy: "server", wantAlert: "encrypted_alert",
			summaryHas: []string{"asked for the client's certificate in frame 6", "sent an encrypted alert in frame 12 and closed the connection in frame 13"}},
		{name: "close_notify after data is not a failure", steps: steps(tcpOpen(), done, []step{c2s(appData), s2c(appData), c2s(encAlert), fin(pcap.ClientToServer)}),
			verdict: VerdictOK, reason: ReasonApplicationData},
		{name: "idle close 61 s after the handshake, no client certificate asked", steps: steps(tcpOpen(), doneNoCR, []step{later(61*time.Second, fin(pcap.ServerToClient)), fin(pcap.ClientToServer)}),
			verdict: VerdictOK, reason: ReasonIdleClose, abortedBy: "none", summaryHas: []string{"idle for 61 s", "the server closed the connection in frame 11"}},
		{name: "idle close 61 s after the handshake with a client certificate", steps: steps(tcpOpen(), done, []step{later(61*time.Second, s2c(encAlert)), fin(pcap.ServerToClient)}),
			verdict: VerdictOK, reason: ReasonIdleClose, summaryHas: []string{"idle for 61 s", "encrypted alert in frame 12"}},
		{name: "prompt close without a CertificateRequest is not the Subject Name look", steps: steps(tcpOpen(), doneNoCR, []step{fin(pcap.ClientToServer)}),
			verdict: VerdictOK, reason: ReasonClosedWithoutData, summaryHas: []string{"asked for no client certificate"}},
		{name: "the client sends data and closes itself", steps: steps(tcpOpen(), done, []step{c2s(appData), fin(pcap.ClientToServer), fin(pcap.ServerToClient)}),
			verdict: VerdictOK, reason: ReasonApplicationData, summaryHas: []string{"the client sent application data (from frame 12), then closed the connection itself in frame 13"}},
		{name: "the server ignores the client's data for 5 s, then closes", steps: steps(tcpOpen(), done, []step{c2s(appData), later(5*time.Second, fin(pcap.ServerToClient))}),
			verdict: VerdictOK, reason: ReasonIdleClose},
		{name: "a close before the peer's Finished is during the handshake", steps: steps(tcpOpen(), hello, []step{c2s(ccs), c2s(finished), fin(pcap.ClientToServer), s2c(ccs), s2c(finished)}),
			verdict: VerdictFailed, reason: ReasonClosedDuringHandshake, abortedBy: "client", summaryNot: []string{"handshake finished"}},
		{name: "TLS 1.3: data both ways", steps: steps(tcpOpen(), tls13, []step{s2c(appData), c2s(appData)}),
			verdict: VerdictOK, reason: ReasonApplicationData, summaryHas: []string{"TLS 1.3", "not visible"}},
		{name: "TLS 1.3 with a HelloRetryRequest", steps: steps(tcpOpen(), hrr, []step{s2c(appData), c2s(appData)}),
			verdict: VerdictOK, reason: ReasonApplicationData, wantHRR: true, wantVersion: "TLS 1.3",
			summaryNot: []string{"The  handshake"}, eventsHave: []string{"HelloRetryRequest (TLS_AES_128_GCM_SHA256, asks for a key share for secp256r1)", "second ClientHello", "ServerHello (TLS 1.3, TLS_AES_128_GCM_SHA256)"},
			eventsNot: []string{"handshake message (Finished)", "ChangeCipherSpec"}},
		{name: "TLS 1.3: the server answers the client's flight with one small record and closes", steps: steps(tcpOpen(), tls13, []step{c2s(appData), s2c(record(23, make([]byte, 19))), fin(pcap.ServerToClient)}),
			verdict: VerdictFailed, reason: ReasonClosedAfterHandshake, abortedBy: "server"},
		{name: "TLS 1.3: capture ends after the ServerHello", steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(serverHello13(false))}),
			verdict: VerdictIncomplete, reason: ReasonTLS13Hidden},
		{name: "SSLv2-format ClientHello, capture ended", steps: steps(tcpOpen(), []step{c2s(sslv2ClientHello())}),
			verdict: VerdictIncomplete, reason: ReasonCaptureEnded, eventsHave: []string{"SSLv2-format ClientHello (up to TLS 1.0)"}},
		{name: "SSLv2-format ClientHello answered by a TLS ServerHello, then RST", steps: steps(tcpOpen(), []step{c2s(sslv2ClientHello()), s2c(serverHello()), rst(pcap.ClientToServer)}),
			verdict: VerdictFailed, reason: ReasonResetDuringHandshake, abortedBy: "client"},
		{name: "STARTTLS: plaintext, then a handshake and data", steps: steps(tcpOpen(), []step{{dir: pcap.ClientToServer, data: []byte("STARTTLS\r\n"), opaq: true}, {dir: pcap.ServerToClient, data: []byte("220 go\r\n"), opaq: true}}, done, []step{c2s(appData), s2c(appData)}),
			verdict: VerdictOK, reason: ReasonApplicationData},
		{name: "midstream: encrypted alert and FIN decide nothing", roles: pcap.RoleFromPort, steps: []step{{ev: pcap.EventMidstream}, c2s(appData), s2c(appData), s2c(encAlert), fin(pcap.ServerToClient), fin(pcap.ClientToServer)},
			verdict: VerdictIncomplete, reason: ReasonMidstream, abortedBy: "none", summaryHas: []string{"most likely close_notify", "the server closed the connection in frame 5"}, summaryNot: []string{"fatal"},
			eventsHave: []string{"encrypted alert (most likely close_notify)"}},
		{name: "midstream: still open", roles: pcap.RoleFromPort, steps: []step{{ev: pcap.EventMidstream}, c2s(appData), s2c(appData)},
			verdict: VerdictIncomplete, reason: ReasonMidstream, summaryHas: []string{"still open when the capture ended"}},
		{name: "midstream: RST", roles: pcap.RoleFromPort, steps: []step{{ev: pcap.EventMidstream}, c2s(appData), rst(pcap.ServerToClient)},
			verdict: VerdictIncomplete, reason: ReasonMidstream, summaryHas: []string{"the server reset the connection in frame 3"}},
		{name: "a hole inside a certificate: the others are read", steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(serverHello()), {dir: pcap.ServerToClient, data: record(22, chain), missing: []pcap.Range{{Start: fillerAt + 100, End: fillerAt + 200}}}, s2c(certificateRequest()), s2c(helloDone)}, clientDone, []step{s2c(ccs), s2c(finished), c2s(appData), s2c(appData)}),
			verdict: VerdictOK, reason: ReasonApplicationData, wantCerts: 2, wantPartial: 1, eventsHave: []string{"certificate 2 partly missing"}},
		{name: "framing lost inside the Certificate: the begun message is partial", steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(serverHello()), s2c(record(22, chain[:300])), {dir: pcap.ServerToClient, data: certificateRequest(), afterGap: true}, s2c(helloDone)}, clientDone, []step{s2c(ccs), s2c(finished), c2s(appData), s2c(appData)}),
			verdict: VerdictOK, reason: ReasonApplicationData, wantCerts: 0, wantPartial: 1, eventsHave: []string{"CertificateRequest"}},
		{name: "--max-conns ended it early: never failed", steps: steps(tcpOpen(), hello), stats: pcap.ConnStats{Evicted: true},
			verdict: VerdictIncomplete, reason: ReasonCapHit, summaryHas: []string{"--max-conns 50000", "What was seen last: "}},
		{name: "--max-buffer cut it short: a close is not judged", steps: steps(tcpOpen(), hello, []step{{ev: pcap.EventCapHit, dir: pcap.ServerToClient}, fin(pcap.ServerToClient)}), stats: pcap.ConnStats{CapHit: true},
			verdict: VerdictIncomplete, reason: ReasonCapHit, summaryHas: []string{"--max-buffer 262144", "What was seen before"}},
		{name: "an overlap with other content is a finding, not a verdict", steps: steps(tcpOpen(), done, []step{{ev: pcap.EventOverlap, dir: pcap.ServerToClient}, c2s(appData), s2c(appData)}),
			verdict: VerdictOK, reason: ReasonApplicationData, wantFinding: "overlap_conflict"},
		{name: "a Certificate message longer than --max-buffer is a cap, not malformed", steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(serverHello()), s2c(record(22, []byte{11, 0x04, 0x93, 0xe0, 0, 0})), fin(pcap.ClientToServer)}),
			verdict: VerdictIncomplete, reason: ReasonCapHit, wantFinding: "cap_hit", summaryHas: []string{"--max-buffer 262144"}},
		{name: "--max-buffer hit after data both ways: still ok", steps: steps(tcpOpen(), done, []step{c2s(appData), s2c(appData)}), stats: pcap.ConnStats{CapHit: true},
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
			c := runStats(t, tt.roles, tt.steps, tt.last, tt.stats)
			if c.Verdict != tt.verdict || c.Reason != tt.reason {
				t.Errorf("verdict %s/%s, want %s/%s\nsummary: %s", c.Verdict, c.Reason, tt.verdict, tt.reason, c.Summary)
			}
			if tt.abortedBy != "" && c.AbortedBy.String() != tt.abortedBy {
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
			for _, s := range tt.summaryNot {
				if strings.Contains(c.Summary, s) {
					t.Errorf("summary %q says %q", c.Summary, s)
				}
			}
			var events []string
			for _, e := range c.Events {
				events = append(events, e.What)
			}
			all := strings.Join(events, "\n")
			for _, s := range tt.eventsHave {
				if !strings.Contains(all, s) {
					t.Errorf("timeline does not say %q:\n%s", s, all)
				}
			}
			for _, s := range tt.eventsNot {
				if strings.Contains(all, s) {
					t.Errorf("timeline says %q:\n%s", s, all)
				}
			}
			if c.HelloRetryRequest != tt.wantHRR {
				t.Errorf("HelloRetryRequest = %v", c.HelloRetryRequest)
			}
			if tt.wantVersion != "" && c.TLSVersion != tt.wantVersion {
				t.Errorf("version %q, want %q", c.TLSVersion, tt.wantVersion)
			}
			if tt.wantFinding != "" && !slices.ContainsFunc(c.Findings, func(f Finding) bool { return f.Code == tt.wantFinding }) {
				t.Errorf("findings %+v, want %s", c.Findings, tt.wantFinding)
			}
			if tt.wantPartial > 0 && (len(c.Certificates) != tt.wantCerts || len(c.PartialCertificates) != tt.wantPartial) {
				t.Errorf("%d whole and %d partial certificates, want %d and %d", len(c.Certificates), len(c.PartialCertificates), tt.wantCerts, tt.wantPartial)
			}
		})
	}
}

// TestCertificatesBounded: a peer that sends Certificate messages for ever
// gets its first certificates kept and the rest counted.
func TestCertificatesBounded(t *testing.T) {
	ss := steps(tcpOpen(), []step{c2s(clientHello()), s2c(serverHello())})
	cert := certificate(t, "../testdata/certs/cucm8-sub1.pem")
	for range maxCertificates + 10 {
		ss = append(ss, s2c(cert))
	}
	c := run(t, pcap.RoleFromSYN, ss, 0)
	if len(c.Certificates) != maxCertificates || c.CertificatesDropped != 10 {
		t.Errorf("%d certificates kept, %d dropped; want %d and 10", len(c.Certificates), c.CertificatesDropped, maxCertificates)
	}
}

// TestFramerRandomHighBitBytes checks that bytes with the high bit set are
// not framed as SSLv2 records unless they hold an SSLv2 hello: random bytes
// on 5061 must stay not_tls. Message type 4 (SERVER-HELLO) is forced, as a
// type check alone let one buffer in 256 through.
func TestFramerRandomHighBitBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	b := make([]byte, 64)
	for i := range 20000 {
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		b[0] |= 0x80
		if i%2 == 0 {
			b[2] = tlsparse.SSLv2MsgServerHello
		}
		if n := Framer(b); n > 0 {
			t.Fatalf("% x framed as a %d-byte record", b[:16], n)
		}
	}
}

// TestProtocolVersionOffered: a protocol_version alert says what the
// client offered when its ClientHello was seen (the public capture
// alert-protocol-version shows a TLS 1.0 client).
func TestProtocolVersionOffered(t *testing.T) {
	ra := &rawAlert{level: 2, code: 70, name: "protocol_version"}
	tests := []struct {
		offered tlsparse.Version
		want    string
	}{
		{tlsparse.VersionTLS10, "the client offered up to TLS 1.0, and the server needs another"},
		{0, "it does not accept the TLS version offered (a TLS version floor"},
	}
	for _, tt := range tests {
		if got := alertMeaning(ra, nil, false, nil, "", tt.offered); !strings.Contains(got, tt.want) {
			t.Errorf("offered %v: %q, want %q in it", tt.offered, got, tt.want)
		}
	}
}

// TestSNIMismatch: a client's rejection of the server's certificate gets
// the name note only when the certificate carries neither the SNI nor a
// wildcard covering it.
func TestSNIMismatch(t *testing.T) {
	leaf := &certinfo.Info{SubjectCN: "cucm8-pub.clus2.lab", DNSNames: []string{"cucm8-pub", "*.voice.clus2.lab"}}
	tests := []struct {
		sni      string
		leaf     *certinfo.Info
		mismatch bool
	}{
		{"cucm8.clus2.lab", leaf, true},
		{"CUCM8-PUB.clus2.lab.", leaf, false}, // case and trailing dot
		{"cucm8-pub", leaf, false},
		{"sbc1.voice.clus2.lab", leaf, false},  // the wildcard covers one label
		{"a.sbc1.voice.clus2.lab", leaf, true}, // not two
		{"", leaf, false},                      // no SNI: nothing to compare
		{"cucm8.clus2.lab", nil, false},        // no certificate
	}
	for _, tt := range tests {
		got := sniMismatch(tt.sni, tt.leaf)
		if (got != "") != tt.mismatch {
			t.Errorf("SNI %q: %q, want a mismatch: %v", tt.sni, got, tt.mismatch)
		}
		if got != "" && !strings.Contains(got, "The certificate names cucm8-pub.clus2.lab, cucm8-pub, *.voice.clus2.lab, not "+strings.ToLower(tt.sni)) {
			t.Errorf("SNI %q: %q does not name both", tt.sni, got)
		}
	}
}
