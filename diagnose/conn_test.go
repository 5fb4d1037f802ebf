package diagnose

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/siptls/siptls/pcap"
	"golang.org/x/crypto/cryptobyte"
)

// TestRecordPaths pins what data and handshake do with records that stop
// a direction or that the other tests do not send: a malformed record, an
// alert whose bytes were lost, a record of another content type, a
// handshake message over the buffer cap or over the shared budget, and a
// CertificateRequest with a CA name that cannot be read.
func TestRecordPaths(t *testing.T) {
	chain := chainMessage(t, "../testdata/certs/cucm8-sub1.pem")
	sh := serverHello()
	unreadableCA := handshake(13, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(1) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(0x0401) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{0xff, 0x00}) })
		})
	})
	tests := []struct {
		name  string
		opts  Options
		steps []step
		want  string // verdict and reason, findings, events and the CertificateRequest, one a line
	}{
		{name: "malformed record stops the direction", want: `incomplete capture_ended
finding malformed_record: tlsparse: record at offset 47: trailing bytes
1 client SYN
2 server SYN-ACK
3 client ACK (TCP connection established)
4 client ClientHello (up to TLS 1.2, 1 cipher suite)
`,
			steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(append(bytes.Clone(sh), 0)), s2c(helloDone)})},
		{name: "alert with lost bytes", want: `incomplete capture_ended
1 client SYN
2 server SYN-ACK
3 client ACK (TCP connection established)
4 client ClientHello (up to TLS 1.2, 1 cipher suite)
5 server alert (its bytes were not captured)
`,
			steps: steps(tcpOpen(), []step{c2s(clientHello()), {dir: pcap.ServerToClient, data: alert(2, 40), missing: []pcap.Range{{Start: 5, End: 7}}}})},
		{name: "heartbeat record", want: `incomplete capture_ended
1 client SYN
2 server SYN-ACK
3 client ACK (TCP connection established)
4 client ClientHello (up to TLS 1.2, 1 cipher suite)
5 server heartbeat record
`,
			steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(record(24, []byte{1, 0, 0}))})},
		{name: "message over the buffer cap", want: `incomplete cap_hit
finding cap_hit: a handshake message declares more than the 200 bytes a message may buffer (--max-buffer); it is not read
1 client SYN
2 server SYN-ACK
3 client ACK (TCP connection established)
4 client ClientHello (up to TLS 1.2, 1 cipher suite)
5 server ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA)
`, opts: Options{MaxHandshakeMessage: 200},
			steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(sh), s2c(record(22, chain)), s2c(helloDone)})},
		{name: "message over the shared budget", want: `incomplete cap_hit
finding cap_hit: the 100 bytes buffered across all connections (--max-buffer-total) were reached while a handshake message of this connection was read; its direction stopped being read
1 client SYN
2 server SYN-ACK
3 client ACK (TCP connection established)
4 client ClientHello (up to TLS 1.2, 1 cipher suite)
5 server ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA)
`, opts: Options{Budget: pcap.NewBudget(100)},
			steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(record(22, append(bytes.Clone(sh[5:]), chain[:300]...))), s2c(helloDone)})},
		{name: "unreadable CA name", want: `incomplete capture_ended
1 client SYN
2 server SYN-ACK
3 client ACK (TCP connection established)
4 client ClientHello (up to TLS 1.2, 1 cipher suite)
5 server ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA)
6 server CertificateRequest (1 CA name)
7 server ServerHelloDone
CertificateRequest [rsa_sign] [rsa_pkcs1_sha256] [] unreadable 1
`,
			steps: steps(tcpOpen(), []step{c2s(clientHello()), s2c(sh), s2c(unreadableCA), s2c(helloDone)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := runOpts(t, tt.opts, pcap.RoleFromSYN, tt.steps, 0, pcap.ConnStats{})
			var b strings.Builder
			fmt.Fprintf(&b, "%s %s\n", c.Verdict, c.Reason)
			for _, f := range c.Findings {
				fmt.Fprintf(&b, "finding %s: %s\n", f.Code, f.Detail)
			}
			for _, e := range c.Events {
				fmt.Fprintf(&b, "%d %s %s\n", e.Frame, e.From, e.What)
			}
			if cr := c.CertificateRequest; cr != nil {
				fmt.Fprintf(&b, "CertificateRequest %v %v %v unreadable %d\n", cr.CertificateTypes, cr.SignatureAlgorithms, cr.CertificateAuthorities, cr.Unreadable)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestEventsGrowth: the capacities a timeline takes as it grows, with and
// without a hello, up to its cap.
func TestEventsGrowth(t *testing.T) {
	caps := func(max int, hello func(n int) bool) []int {
		var out []int
		for n := 0; n < max; {
			n += eventsGrowth(n, max, hello(n))
			out = append(out, n)
		}
		return out
	}
	tests := []struct {
		name  string
		max   int
		hello func(n int) bool
		want  []int
	}{
		{"TCP only", 64, func(int) bool { return false }, []int{4, 8, 24, 48, 64}},
		{"a hello among the first 4", 64, func(int) bool { return true }, []int{4, 24, 48, 64}},
		{"a hello after 6 events", 64, func(n int) bool { return n >= 8 }, []int{4, 8, 24, 48, 64}},
		{"a cap of 6", 6, func(int) bool { return false }, []int{4, 6}},
		{"a cap of 2", 2, func(int) bool { return true }, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := caps(tt.max, tt.hello); !slices.Equal(got, tt.want) {
				t.Errorf("capacities %v, want %v", got, tt.want)
			}
		})
	}
}
