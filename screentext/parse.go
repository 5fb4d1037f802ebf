package screentext

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Flags are the TCP flags a line shows.
type Flags uint8

// The TCP flags tcpdump prints.
const (
	FlagSYN Flags = 1 << iota
	FlagFIN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
)

// Syntax is the way a line prints the TCP header.
type Syntax uint8

const (
	// SyntaxBrackets is tcpdump 4.x (since 4.1): `Flags [S.], seq 1, ack 2, ..., length 0`.
	SyntaxBrackets Syntax = iota + 1
	// SyntaxLetters is tcpdump 3.x and 4.0, as CUCM 7 and 8 print it:
	// `S 1:1(0) ack 2 win 5840 <mss 1460,...>`, `. ack 1 win 1460`.
	SyntaxLetters
)

// Endpoint is one end of a connection as the line prints it: an address
// (with -n) or a host name, and a port.
type Endpoint struct {
	Host string // as printed: "10.20.1.21", "fd00::1" or "cucm8-pub.bbbburns.lab"
	Port uint16
}

// String returns host:port, with an IPv6 address in brackets.
func (e Endpoint) String() string {
	if a, err := netip.ParseAddr(e.Host); err == nil && a.Is6() {
		return "[" + e.Host + "]:" + strconv.Itoa(int(e.Port))
	}
	return e.Host + ":" + strconv.Itoa(int(e.Port))
}

// key is the endpoint compared without regard to the case of a host name.
func (e Endpoint) key() Endpoint { return Endpoint{strings.ToLower(e.Host), e.Port} }

// Stamp is the time a line starts with: the time of day as printed, and
// its value.
type Stamp struct {
	Text string // as printed: "13:31:51.787879" or "2026-11-20 14:03:00.210000"
	// At is the time since midnight, or since 1970-01-01 UTC when the line
	// prints a date (tcpdump -tttt).
	At    time.Duration
	Dated bool
}

// Since returns how long after s the stamp t is. Times of day without a
// date that go backwards are taken to have passed midnight.
func (t Stamp) Since(s Stamp) time.Duration {
	d := t.At - s.At
	if d < 0 && !t.Dated && !s.Dated {
		d += 24 * time.Hour
	}
	return d
}

// Packet is what one tcpdump line says about a TCP segment.
type Packet struct {
	Line     int // 1-based line number in the text
	Time     Stamp
	IPv6     bool // the line says IP6
	Src, Dst Endpoint
	Flags    Flags
	Syntax   Syntax
	// Seq is the segment's first sequence number, when HasSeq; tcpdump
	// prints it absolute on a SYN (relative afterwards, unless -S).
	Seq    uint32
	HasSeq bool
	// Length is the number of payload bytes, -1 when the line does not say.
	Length int
}

// LineProblem says why a line that is not blank and not the chatter of
// CUCM or tcpdump could not be read as a TCP packet line.
type LineProblem string

// The problems of unreadable lines.
const (
	ProblemNoTime     LineProblem = "no_time"      // it does not start with a time of day
	ProblemNotIP      LineProblem = "not_ip"       // no `IP` or `IP6` after the time (ARP, -e, -v continuation lines)
	ProblemCutOff     LineProblem = "cut_off"      // it ends before the TCP flags
	ProblemAddress    LineProblem = "address"      // an end is not host.port
	ProblemNotTCP     LineProblem = "not_tcp"      // UDP, ICMP or another protocol
	ProblemTooLong    LineProblem = "too_long"     // longer than MaxLine bytes
	ProblemBadFlagSet LineProblem = "bad_tcp_part" // the TCP part is neither syntax
)

// services are the port names tcpdump prints without -n for the ports a
// SIP trunk uses (from /etc/services).
var services = map[string]uint16{"sip-tls": 5061, "sips": 5061, "sip": 5060, "https": 443, "http": 80}

// ParseLine reads one line of tcpdump's one-line output. It returns the
// packet, or the problem that kept it from reading the line. n is the
// line's number, kept in Packet.Line.
func ParseLine(s string, n int) (Packet, LineProblem) {
	p := Packet{Line: n, Length: -1}
	rest := strings.TrimSpace(s)
	tok, rest := cutToken(rest)
	if isDate(tok) {
		t2, r2 := cutToken(rest)
		st, ok := parseClock(t2)
		if !ok {
			return p, ProblemNoTime
		}
		d, _ := time.Parse("2006-01-02", tok)
		st.At += time.Duration(d.Unix()) * time.Second
		st.Text, st.Dated = tok+" "+t2, true
		p.Time, rest = st, r2
	} else {
		st, ok := parseClock(tok)
		if !ok {
			return p, ProblemNoTime
		}
		p.Time = st
	}
	// tcpdump -i any prints the interface and In/Out before IP.
	for i := 0; ; i++ {
		tok, rest = cutToken(rest)
		if tok == "IP" || tok == "IP6" {
			p.IPv6 = tok == "IP6"
			break
		}
		if tok == "" {
			return p, ProblemCutOff
		}
		if i == 3 {
			return p, ProblemNotIP
		}
	}
	src, rest := cutToken(rest)
	arrow, rest := cutToken(rest)
	dst, rest := cutToken(rest)
	if src == "" || arrow == "" || dst == "" {
		return p, ProblemCutOff
	}
	if arrow != ">" || !strings.HasSuffix(dst, ":") {
		if arrow != ">" {
			return p, ProblemAddress
		}
		return p, ProblemCutOff
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return p, ProblemCutOff
	}
	brackets := strings.HasPrefix(rest, "Flags [")
	if first, _ := cutToken(rest); !brackets && strings.Trim(first, "SFRPUEW.") != "" {
		return p, ProblemNotTCP // UDP, ICMP, ...
	}
	var ok bool
	if p.Src, ok = parseEndpoint(src); !ok {
		return p, ProblemAddress
	}
	if p.Dst, ok = parseEndpoint(dst[:len(dst)-1]); !ok {
		return p, ProblemAddress
	}
	if brackets {
		return p, p.parseBrackets(rest[len("Flags ["):])
	}
	return p, p.parseLetters(rest)
}

// parseBrackets reads `S.], seq 1:208, ack 1, win 502, options [...], length 207`.
func (p *Packet) parseBrackets(s string) LineProblem {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return ProblemCutOff
	}
	flags := s[:end]
	if flags == "none" {
		flags = ""
	}
	for _, c := range flags {
		switch f, ok := letterFlag(c); {
		case ok:
			p.Flags |= f
		case c == '.':
			p.Flags |= FlagACK
		case c != 'e': // ECN-echo of AccECN
			return ProblemBadFlagSet
		}
	}
	p.Syntax = SyntaxBrackets
	for _, f := range strings.Split(s[end+1:], ",") {
		f = strings.TrimSpace(f)
		switch {
		case strings.HasPrefix(f, "seq "):
			v := f[len("seq "):]
			if i := strings.IndexByte(v, ':'); i >= 0 {
				v = v[:i]
			}
			if n, err := strconv.ParseUint(v, 10, 32); err == nil {
				p.Seq, p.HasSeq = uint32(n), true
			}
		case strings.HasPrefix(f, "length "):
			v, _, _ := strings.Cut(f[len("length "):], " ")
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 1<<20 {
				p.Length = n
			}
		}
	}
	return ""
}

// letterFlag is the flag tcpdump writes as c in both syntaxes: S, F, R, P
// and U; E and W (ECN) are known and carry no flag we track.
func letterFlag(c rune) (Flags, bool) {
	switch c {
	case 'S':
		return FlagSYN, true
	case 'F':
		return FlagFIN, true
	case 'R':
		return FlagRST, true
	case 'P':
		return FlagPSH, true
	case 'U':
		return FlagURG, true
	case 'E', 'W':
		return 0, true
	}
	return 0, false
}

// parseLetters reads tcpdump 3.x's `S 3618047650:3618047650(0) win 5840 <...>`,
// `P 1909893565:1909894727(1162) ack 217213568 win 6161`, `. ack 1 win 1460`.
func (p *Packet) parseLetters(s string) LineProblem {
	tok, rest := cutToken(s)
	if tok != "." {
		for _, c := range tok {
			f, ok := letterFlag(c)
			if !ok {
				return ProblemBadFlagSet
			}
			p.Flags |= f
		}
	}
	p.Syntax = SyntaxLetters
	for {
		tok, rest = cutToken(rest)
		switch {
		case tok == "":
			return ""
		case tok == "ack":
			p.Flags |= FlagACK
		case strings.Contains(tok, ":") && strings.HasSuffix(tok, ")"):
			// first:last(length)
			first, after, _ := strings.Cut(tok, ":")
			if n, err := strconv.ParseUint(first, 10, 32); err == nil {
				p.Seq, p.HasSeq = uint32(n), true
			}
			if i := strings.IndexByte(after, '('); i >= 0 {
				if n, err := strconv.Atoi(after[i+1 : len(after)-1]); err == nil && n >= 0 && n <= 1<<20 {
					p.Length = n
				}
			}
		case tok == "win" || strings.HasPrefix(tok, "<"):
			if p.Length < 0 && p.Flags&(FlagSYN|FlagFIN|FlagRST|FlagPSH) == 0 {
				p.Length = 0 // `. ack N win W`: a bare ACK
			}
			return ""
		}
	}
}

// cutToken returns the first space-separated token of s and the rest.
func cutToken(s string) (tok, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// parseClock reads HH:MM:SS with an optional fraction of up to 9 digits.
func parseClock(s string) (Stamp, bool) {
	hms, frac, _ := strings.Cut(s, ".")
	parts := strings.Split(hms, ":")
	if len(parts) != 3 || len(frac) > 9 {
		return Stamp{}, false
	}
	var v [3]int
	for i, x := range parts {
		if len(x) == 0 || len(x) > 2 {
			return Stamp{}, false
		}
		n, err := strconv.Atoi(x)
		if err != nil || n < 0 {
			return Stamp{}, false
		}
		v[i] = n
	}
	if v[0] > 23 || v[1] > 59 || v[2] > 60 {
		return Stamp{}, false
	}
	d := time.Duration(v[0])*time.Hour + time.Duration(v[1])*time.Minute + time.Duration(v[2])*time.Second
	if frac != "" {
		n, err := strconv.Atoi(frac)
		if err != nil || n < 0 {
			return Stamp{}, false
		}
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		d += time.Duration(n)
	}
	return Stamp{Text: s, At: d}, true
}

// parseEndpoint splits host.port at the last dot. The port is a number or
// one of the service names of services.
func parseEndpoint(s string) (Endpoint, bool) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || i == len(s)-1 {
		return Endpoint{}, false
	}
	host, port := s[:i], s[i+1:]
	if strings.Trim(host, "0123456789.") == "" || strings.Contains(host, ":") {
		// numeric: an IPv4 or IPv6 address, whole
		if _, err := netip.ParseAddr(host); err != nil {
			return Endpoint{}, false
		}
	}
	if n, err := strconv.ParseUint(port, 10, 16); err == nil {
		return Endpoint{Host: host, Port: uint16(n)}, true
	}
	if n, ok := services[port]; ok {
		return Endpoint{Host: host, Port: n}, true
	}
	return Endpoint{}, false
}

// chatter reports whether a line that is not a packet line is what CUCM or
// tcpdump prints around the packets: the command and its options, tcpdump's
// banners and its closing counts.
func chatter(s string) bool {
	s = strings.TrimSpace(s)
	for _, p := range []string{"admin:", "Executing command with options", "size=", "src=", "ip=",
		"tcpdump:", "listening on ", "reading from file ", "Control-C pressed"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	for _, suf := range []string{" packets captured", " packet captured", " packets received by filter", " packet received by filter",
		" packets dropped by kernel", " packet dropped by kernel"} {
		if strings.HasSuffix(s, suf) {
			if _, err := strconv.Atoi(strings.TrimSuffix(s, suf)); err == nil {
				return true
			}
		}
	}
	return false
}
