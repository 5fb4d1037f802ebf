package diagnose

import (
	"strings"
	"testing"
)

func TestParseSIP(t *testing.T) {
	const refused = "SIP/2.0 503 Service Unavailable\r\ni: x\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n"
	const trying = "SIP/2.0 100 Trying\r\nl: 0\r\n\r\n"
	invite := "INVITE sip:3001@10.20.1.21:5061 SIP/2.0\r\nCall-ID: abc@10.10.1.11\r\nCSeq:  101   INVITE\r\nContent-Length: 4\r\n\r\nv=0\n"
	tests := []struct {
		name   string
		input  string
		n      int
		ok     bool
		status int
		cseq   string
	}{
		{"request with a body", invite, len(invite), true, 0, "101 INVITE"},
		{"request, body not all there", invite[:len(invite)-2], 0, true, 0, ""},
		{"headers not all there", invite[:30], 0, true, 0, ""},
		{"response, compact headers", refused, len(refused), true, 503, "1 INVITE"},
		{"header names after white space (a bare LF, VT)", "SIP/2.0 200 OK\r\n\nl: 1\r\n\vCSeq: 1 OPTIONS\r\n\r\nx", 44, true, 200, "1 OPTIONS"},
		{"two messages: the first", trying + "SIP/2.0 180 Ringing\r\n", len(trying), true, 100, ""},
		{"HTTP is not SIP", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, false, 0, ""},
		{"HTTP/2's connection preface is not SIP", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, false, 0, ""},
		{"an HTTP request is not SIP", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, false, 0, ""},
		{"binary is not SIP", "\x17\x03\x03\x00\x10", 0, false, 0, ""},
		{"a bad status code", "SIP/2.0 99 Odd\r\n\r\n", 0, false, 0, ""},
		{"a negative Content-Length", "OPTIONS sip:a SIP/2.0\r\nContent-Length: -1\r\n\r\n", 0, false, 0, ""},
		{"empty", "", 0, true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, n, ok := parseSIP([]byte(tt.input), true)
			if n != tt.n || ok != tt.ok || m.Status != tt.status || (tt.n > 0 && m.CSeq != tt.cseq) {
				t.Errorf("parseSIP = %+v, %d, %v; want n %d ok %v status %d cseq %q", m, n, ok, tt.n, tt.ok, tt.status, tt.cseq)
			}
			// Not kept, a message is framed and checked the same, with no text.
			if c, cn, cok := parseSIP([]byte(tt.input), false); cn != n || cok != ok || c != (SIPMessage{Status: m.Status}) {
				t.Errorf("parseSIP not kept = %+v, %d, %v", c, cn, cok)
			}
		})
	}
}

func TestSIPSummary(t *testing.T) {
	msg := func(start, cseq string) SIPMessage {
		m := SIPMessage{StartLine: start, CSeq: cseq, CallID: "c1"}
		if rest, ok := strings.CutPrefix(start, "SIP/2.0 "); ok {
			m.Status = int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
		}
		return m
	}
	tests := []struct {
		name    string
		msgs    []SIPMessage
		stopped uint64
		dropped int
		lost    uint64
		want    string
	}{
		{"a call", []SIPMessage{msg("INVITE sip:7131001@cube1 SIP/2.0", "1 INVITE"), msg("SIP/2.0 100 Trying", "1 INVITE"),
			msg("SIP/2.0 200 OK", "1 INVITE"), msg("ACK sip:7131001@cube1 SIP/2.0", "1 ACK"), msg("BYE sip:x@y SIP/2.0", "2 BYE"), msg("SIP/2.0 200 OK", "2 BYE")},
			0, 0, 0, "INVITE 7131001 → 100, 200; ACK; BYE → 200"},
		{"no answer", []SIPMessage{msg("INVITE sip:cube1 SIP/2.0", "1 INVITE")}, 0, 0, 0, "INVITE → no answer"},
		{"no answer read before decryption stopped", []SIPMessage{msg("INVITE sip:cube1 SIP/2.0", "1 INVITE")}, 12, 0, 0,
			"INVITE → no answer read; decryption stopped at its bound (--decrypt-bytes 600 per direction) in frame 12, later SIP not read"},
		{"no answer kept before the cap", []SIPMessage{msg("OPTIONS sip:cube1 SIP/2.0", "1 OPTIONS")}, 0, 3, 0,
			"OPTIONS → no answer read; 3 later SIP messages not kept"},
		{"no answer read: SIP lost to a gap", []SIPMessage{msg("OPTIONS sip:cube1 SIP/2.0", "1 OPTIONS")}, 0, 0, 20,
			"OPTIONS → no answer read; SIP lost to a gap in the capture in frame 20"},
		{"a response to a request before the capture", []SIPMessage{msg("SIP/2.0 200 OK", "7 OPTIONS")}, 0, 0, 0, "(7 OPTIONS) → 200"},
	}
	for _, tt := range tests {
		if got := sipSummary(tt.msgs, tt.stopped, 600, tt.dropped, tt.lost); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzParseSIP: any bytes parse without panicking, and a message never
// claims more bytes than there are.
func FuzzParseSIP(f *testing.F) {
	f.Add([]byte("INVITE sip:3001@10.20.1.21 SIP/2.0\r\nContent-Length: 2\r\n\r\nab"))
	f.Add([]byte("SIP/2.0 200 OK\r\nl: 0\r\n\r\n"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, n, ok := parseSIP(b, true)
		if n > len(b) || n < 0 || !ok && n != 0 {
			t.Fatalf("n %d ok %v for %d bytes", n, ok, len(b))
		}
		if c, cn, cok := parseSIP(b, false); cn != n || cok != ok || c.Status != m.Status {
			t.Fatalf("not kept: n %d ok %v status %d; kept: n %d ok %v status %d", cn, cok, c.Status, n, ok, m.Status)
		}
	})
}
