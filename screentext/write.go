package screentext

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/english"
	"github.com/siptls/siptls/internal/jsonenc"
	"github.com/siptls/siptls/internal/sanitize"
	"github.com/siptls/siptls/internal/textwrap"
)

// Format is an output format.
type Format uint8

// The formats.
const (
	FormatText Format = iota
	FormatJSON
	FormatNDJSON
)

// WriteOptions control Write.
type WriteOptions struct {
	Format       Format
	Version      string // siptls_version in JSON
	Indent       bool   // indented JSON
	OnlyProblems bool   // text: list only the connections that are problems
	// Width is the terminal width the text's sentences wrap to (0: no
	// wrapping, as in a file or a pipe).
	Width int
}

// HowToCapture are the CUCM commands that take a capture file with whole
// packets, which shows the TLS facts a screen text cannot.
var HowToCapture = []string{
	"utils network capture eth0 file NAME size all count 100000 port 5061",
	"file get activelog platform/cli/NAME.cap",
}

// Write writes the analysis in the format asked for.
func Write(w io.Writer, a *Analysis, o WriteOptions) error {
	bw := bufio.NewWriter(w)
	var err error
	switch o.Format {
	case FormatJSON:
		err = writeJSON(bw, a, o)
	case FormatNDJSON:
		err = writeNDJSON(bw, a, o)
	default:
		writeText(bw, a, o)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// --- sentences ---

func at(m Mark) string { return fmt.Sprintf("line %d (%s)", m.Line, m.Time.Text) }

// Sentence says what the text shows of the connection, citing lines and times.
func Sentence(c *Connection) string {
	var b strings.Builder
	switch c.Verdict {
	case VerdictEstablished:
		if c.SYN.Seen() {
			fmt.Fprintf(&b, "The SYN in %s was answered by a SYN-ACK in %s", at(c.SYN), at(c.SYNACK))
		} else {
			fmt.Fprintf(&b, "The server answered with a SYN-ACK in %s (the SYN is not in the text)", at(c.SYNACK))
		}
		switch c.Reason {
		case ReasonOpen:
			fmt.Fprintf(&b, "; the connection was still open at its last line, %d, %s.", c.Last.Line, traffic(c, "so far"))
		case ReasonClosed:
			f := c.FIN[c.EndedBy]
			fmt.Fprintf(&b, "; the %s closed it with a FIN in %s, %s after the SYN-ACK, %s.", c.EndedBy, at(f), duration(f.Time.Since(c.SYNACK.Time)), traffic(c, "in all"))
		case ReasonReset:
			r := c.RST[c.EndedBy]
			fmt.Fprintf(&b, "; the %s reset it with a RST in %s, %s after the SYN-ACK, %s.",
				c.EndedBy, at(r), duration(r.Time.Since(c.SYNACK.Time)), traffic(c, "in all"))
		}
		if c.ServerEndedSoon() {
			fmt.Fprintf(&b, " A server that ends the connection within %s of the handshake is how a node rejects a certificate or a name; only a file capture shows whether the TLS handshake failed.", duration(PromptClose))
		}
	case VerdictRefused:
		fmt.Fprintf(&b, "The SYN in %s was answered by a RST in %s: nothing listens on %s (wrong incoming port on the SIP Trunk Security Profile, or the trunk was not reset after the change).",
			at(c.SYN), at(c.RST[Server]), c.Server)
	case VerdictNoAnswer:
		if c.SYNs > 1 {
			fmt.Fprintf(&b, "%s sent %s to %s from %s to %s, and nothing came back: a firewall or routing problem on the path (or the destination is down).",
				c.Client, english.Plural(c.SYNs, "SYN", "SYNs"), c.Server, at(c.SYN), at(c.LastSYN))
		} else {
			fmt.Fprintf(&b, "%s sent a SYN to %s in %s, and nothing came back in the rest of the text: a firewall or routing problem on the path (or the destination is down).",
				c.Client, c.Server, at(c.SYN))
		}
	case VerdictIncomplete:
		if c.Reason == ReasonCaptureEnded {
			fmt.Fprintf(&b, "The text ends right after the SYN in %s; it cannot show whether %s answered.", at(c.SYN), c.Server)
			break
		}
		fmt.Fprintf(&b, "The text starts in the middle of this connection (no SYN or SYN-ACK; its first line is %d, at %s): it was open before, so how it began is not shown.", c.First.Line, c.First.Time.Text)
		if c.Ended {
			if c.RST[c.EndedBy].Seen() && (!c.FIN[c.EndedBy].Seen() || c.RST[c.EndedBy].Line <= c.FIN[c.EndedBy].Line) {
				fmt.Fprintf(&b, " The %s reset it with a RST in %s.", c.EndedBy, at(c.RST[c.EndedBy]))
			} else {
				fmt.Fprintf(&b, " The %s closed it with a FIN in %s.", c.EndedBy, at(c.FIN[c.EndedBy]))
			}
		}
	}
	if c.Roles == RolesGuess {
		b.WriteString(" (Neither port is a server port: the lower one is taken for the server's.)")
	}
	return b.String()
}

// traffic says what each side sent: payload bytes when every line says
// its length, packet lines otherwise.
func traffic(c *Connection, when string) string {
	if c.BytesKnown {
		return fmt.Sprintf("with %s from the client and %s from the server %s", english.Plural(int(c.Bytes[Client]), "payload byte", "payload bytes"),
			english.Plural(int(c.Bytes[Server]), "byte", "bytes"), when)
	}
	return fmt.Sprintf("with %s from the client and %d from the server %s", english.Plural(c.Packets[Client], "packet", "packets"), c.Packets[Server], when)
}

func duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// Patterns are the sentences about load balancing: per client host, how it
// spread its attempts over the destinations, and which destinations never
// gave a TCP answer beside ones that did.
func Patterns(a *Analysis) []string {
	out := []string{}
	for _, s := range a.Spreads {
		if s.Attempts == 0 {
			var names []string
			for _, d := range s.Destinations {
				names = append(names, d.Server.String())
			}
			out = append(out, fmt.Sprintf("%s had %s open before the text began, to %s.", s.Client,
				english.Plural(len(s.Destinations), "session", "sessions"), english.JoinAnd(names)))
			continue
		}
		var parts []string
		for _, d := range s.Destinations {
			if d.Attempts == 0 {
				continue
			}
			p := fmt.Sprintf("%d to %s", d.Attempts, d.Server)
			switch {
			case d.Refused == d.Attempts:
				p += " (refused)"
			case d.NoAnswer == d.Attempts:
				p += " (never answered)"
			case d.Failed() > 0:
				p += fmt.Sprintf(" (%d refused or never answered)", d.Failed())
			case d.ServerEndedSoon == d.Attempts && d.Attempts == 1:
				p += fmt.Sprintf(" (ended by the server within %s)", duration(PromptClose))
			case d.ServerEndedSoon == d.Attempts:
				p += fmt.Sprintf(" (each ended by the server within %s)", duration(PromptClose))
			case d.ServerEndedSoon > 0:
				p += fmt.Sprintf(" (%d ended by the server within %s)", d.ServerEndedSoon, duration(PromptClose))
			}
			parts = append(parts, p)
		}
		how := ""
		if s.InTurn {
			how = ", each in turn"
		}
		sent := fmt.Sprintf("%s opened %s to %s%s: %s.", s.Client, english.Plural(s.Attempts, "connection", "connections"),
			english.Plural(len(parts), "destination", "destinations"), how, strings.Join(parts, ", "))
		if len(parts) == 1 {
			to := parts[0][strings.Index(parts[0], " to ")+4:]
			sent = fmt.Sprintf("%s opened 1 connection, to %s.", s.Client, to)
			if s.Attempts > 1 {
				sent = fmt.Sprintf("%s opened %d connections, all to %s.", s.Client, s.Attempts, to)
			}
		}
		if f := s.Failed(); f > 0 {
			var never []string
			answered := 0
			for _, d := range s.Destinations {
				if d.Attempts > 0 && d.Failed() == d.Attempts {
					never = append(never, d.Server.String())
				}
				answered += d.Answered
			}
			sent += fmt.Sprintf(" %d of %d got no TCP connection", f, s.Attempts)
			switch {
			case len(never) > 0 && answered > 0:
				sent += fmt.Sprintf(": %s failed every time while the others answered, so about one call in %d over this trunk fails before TLS begins",
					english.JoinAnd(never), roundDiv(s.Attempts, f))
			case answered > 0:
				sent += fmt.Sprintf(" (about one in %d)", roundDiv(s.Attempts, f))
			}
			sent += "."
		}
		if rej := rejectedSentence(s); rej != "" {
			sent += " " + rej
		}
		out = append(out, sent)
	}
	if a.Summary.Answered > 0 {
		out = append(out, "A SYN-ACK shows only that TCP got through: whether the TLS handshake then worked (certificates, trust, names) is not in screen text.")
	}
	return out
}

// rejectedSentence names the destinations of a spread whose every answered
// attempt the server ended within PromptClose, while the client's
// connections to other destinations were answered and not ended so: the
// look of a TLS rejection at one destination, "one call in N".
func rejectedSentence(s Spread) string {
	var soon []string
	n, others := 0, 0
	for _, d := range s.Destinations {
		switch {
		case d.Answered > 0 && d.ServerEndedSoon == d.Attempts:
			soon = append(soon, d.Server.String())
			n += d.Attempts
		case d.Answered > d.ServerEndedSoon:
			others++
		}
	}
	if len(soon) == 0 || others == 0 {
		return ""
	}
	return fmt.Sprintf("The server ended every connection to %s within %s of its SYN-ACK, and the others did not: "+
		"the look of a TLS rejection there (its trust lacks this node's certificate, or the X.509 subject name does not match), "+
		"about one call in %d; a file capture shows the alert.", english.JoinAnd(soon), duration(PromptClose), roundDiv(s.Attempts, n))
}

func roundDiv(a, b int) int { return (a + b/2) / b }

// --- text ---

func writeText(w io.Writer, a *Analysis, o WriteOptions) {
	s := sanitize.String
	for i, t := range a.Texts {
		if i < len(a.Errors) && a.Errors[i] != nil {
			continue
		}
		if len(t.Connections) == 0 {
			continue
		}
		if len(a.Texts) > 1 {
			fmt.Fprintf(w, "%s:\n\n", s(t.Path))
		}
		for _, c := range t.Connections {
			if o.OnlyProblems && !c.Problem() {
				continue
			}
			fmt.Fprintf(w, "#%d %s -> %s  %s (%s)  lines %d-%d\n", c.ID, s(c.Client.String()), s(c.Server.String()), c.Verdict, c.Reason, c.First.Line, c.Last.Line)
			textwrap.WriteLine(w, o.Width, "   ", "   ", s(Sentence(c)))
			fmt.Fprintln(w)
		}
	}
	for i, t := range a.Texts {
		if i < len(a.Errors) && a.Errors[i] != nil {
			continue
		}
		fmt.Fprintf(w, "%s: screen text (tcpdump lines), not a capture file: %s", s(t.Path), english.Plural(t.PacketLines, "packet line", "packet lines"))
		if t.First.Seen() {
			fmt.Fprintf(w, ", lines %d-%d, %s to %s", t.First.Line, t.Last.Line, s(t.First.Time.Text), s(t.Last.Time.Text))
		}
		fmt.Fprintf(w, ", %s\n", english.Plural(len(t.Connections), "connection", "connections"))
		if t.Unreadable > 0 {
			more := ""
			if t.Unreadable > len(t.Examples) {
				more = fmt.Sprintf(" (the first %d named)", len(t.Examples))
			}
			fmt.Fprintf(w, "   %s not read%s: %s\n", english.Plural(t.Unreadable, "line", "lines"), more, badLines(t.Examples))
		}
		if t.Untracked > 0 {
			fmt.Fprintf(w, "   %s of connections beyond the first %d not analysed\n", english.Plural(t.Untracked, "packet line", "packet lines"), len(t.Connections))
		}
	}
	fmt.Fprintf(w, "\nThe text shows TCP only (which destinations answered, refused or never answered), not TLS:\n")
	fmt.Fprintf(w, "no certificates, alerts, versions or SIP. For those, capture to a file on the node and analyze it:\n")
	for _, c := range HowToCapture {
		fmt.Fprintf(w, "  %s\n", c)
	}
	if len(a.Destinations) > 0 {
		fmt.Fprintf(w, "\nDestinations (server host:port):\n")
		width := 0
		for _, d := range a.Destinations {
			width = max(width, len(s(d.Server.String())))
		}
		for _, d := range a.Destinations {
			fmt.Fprintf(w, "  %-*s  %s\n", width, s(d.Server.String()), countsText(d.Counts))
			if len(d.Clients) > 1 {
				for _, c := range d.Clients {
					fmt.Fprintf(w, "  %-*s    from %s: %s\n", width, "", s(c.Client), countsText(c.Counts))
				}
			}
		}
	}
	if p := Patterns(a); len(p) > 0 {
		fmt.Fprintf(w, "\nLoad balancing:\n")
		for _, x := range p {
			textwrap.WriteLine(w, o.Width, "  ", "    ", s(x))
		}
	}
	fmt.Fprintf(w, "\n%s\n", summaryText(a.Summary))
}

// badLines names unreadable lines grouped by problem, in order of first
// appearance: "lines 9, 18 and 19: no time of day at the start".
func badLines(ex []BadLine) string {
	var order []LineProblem
	lines := map[LineProblem][]string{}
	for _, b := range ex {
		if lines[b.Problem] == nil {
			order = append(order, b.Problem)
		}
		lines[b.Problem] = append(lines[b.Problem], fmt.Sprint(b.Line))
	}
	var parts []string
	for _, p := range order {
		word := "line "
		if len(lines[p]) > 1 {
			word = "lines "
		}
		parts = append(parts, word+english.JoinAnd(lines[p])+": "+p.Words())
	}
	return strings.Join(parts, "; ")
}

// countsText says the counts of a destination: "3 attempts: 2 answered
// (1 closed, 1 reset by the server), 1 refused".
func countsText(n Counts) string {
	var parts []string
	if n.Answered > 0 {
		var how []string
		if n.Closed > 0 {
			how = append(how, fmt.Sprintf("%d closed", n.Closed))
		}
		if n.Reset > 0 {
			r := fmt.Sprintf("%d reset", n.Reset)
			if n.ResetByServer == n.Reset {
				r += " by the server"
			} else if n.ResetByServer == 0 {
				r += " by the client"
			}
			how = append(how, r)
		}
		if n.Open > 0 {
			how = append(how, fmt.Sprintf("%d open", n.Open))
		}
		soon := ""
		if n.ServerEndedSoon > 0 {
			soon = fmt.Sprintf("; %d ended by the server within %s", n.ServerEndedSoon, duration(PromptClose))
		}
		parts = append(parts, fmt.Sprintf("%d answered (%s%s)", n.Answered, strings.Join(how, ", "), soon))
	}
	if n.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d refused", n.Refused))
	}
	if n.NoAnswer > 0 {
		parts = append(parts, fmt.Sprintf("%d no_answer (%s)", n.NoAnswer, english.Plural(n.SYNsUnanswered, "SYN", "SYNs")))
	}
	if n.Incomplete > 0 {
		parts = append(parts, fmt.Sprintf("%d incomplete", n.Incomplete))
	}
	head := english.Plural(n.Attempts, "attempt", "attempts")
	switch {
	case n.Attempts == 0:
		head = english.Plural(n.Connections, "connection", "connections") + " open before the text"
	case n.Attempts != n.Connections:
		head = english.Plural(n.Connections, "connection", "connections") + fmt.Sprintf(" (%d started in the text)", n.Attempts)
	}
	return head + ": " + strings.Join(parts, ", ")
}

func summaryText(s Summary) string {
	var parts []string
	for _, v := range []Verdict{VerdictEstablished, VerdictRefused, VerdictNoAnswer, VerdictIncomplete} {
		if n := s.Verdicts[v]; n > 0 {
			p := fmt.Sprintf("%d %s", n, v)
			if v == VerdictEstablished {
				var more []string
				if s.Reset > 0 {
					more = append(more, fmt.Sprintf("%d reset", s.Reset))
				}
				if s.ServerEndedSoon > 0 {
					more = append(more, fmt.Sprintf("%d ended by the server within %s", s.ServerEndedSoon, duration(PromptClose)))
				}
				if len(more) > 0 {
					p += " (" + strings.Join(more, ", ") + ")"
				}
			}
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "No TCP connection in the text."
	}
	return english.Plural(s.Connections, "connection", "connections") + ": " + strings.Join(parts, ", ")
}

// --- JSON ---

type jsonMark struct {
	Line int    `json:"line"`
	Time string `json:"time"`
}

func mark(m Mark) *jsonMark {
	if !m.Seen() {
		return nil
	}
	return &jsonMark{m.Line, m.Time.Text}
}

type jsonSides[T any] struct {
	Client T `json:"client"`
	Server T `json:"server"`
}

type jsonConn struct {
	Input   int                  `json:"input"`
	ID      int                  `json:"id"`
	Client  string               `json:"client"`
	Server  string               `json:"server"`
	Roles   Roles                `json:"roles"`
	Verdict Verdict              `json:"verdict"`
	Reason  Reason               `json:"reason"`
	EndedBy *string              `json:"ended_by"`
	SYNs    int                  `json:"syns"`
	SYN     *jsonMark            `json:"syn"`
	LastSYN *jsonMark            `json:"last_syn"`
	SYNACK  *jsonMark            `json:"syn_ack"`
	FIN     jsonSides[*jsonMark] `json:"fin"`
	RST     jsonSides[*jsonMark] `json:"rst"`
	Packets jsonSides[int]       `json:"packets"`
	Bytes   *jsonSides[int64]    `json:"bytes"`
	First   *jsonMark            `json:"first"`
	Last    *jsonMark            `json:"last"`
	// ServerEndedSoon: see Connection.ServerEndedSoon.
	ServerEndedSoon bool   `json:"server_ended_soon"`
	Summary         string `json:"summary"`
}

type jsonBad struct {
	Line    int         `json:"line"`
	Problem LineProblem `json:"problem"`
	Text    string      `json:"text"`
}

type jsonInput struct {
	Path            string            `json:"path"`
	Error           *string           `json:"error"`
	Lines           int               `json:"lines"`
	PacketLines     int               `json:"packet_lines"`
	OtherLines      int               `json:"other_lines"`
	UnreadableLines int               `json:"unreadable_lines"`
	Unreadable      []jsonBad         `json:"unreadable"`
	Untracked       int               `json:"untracked_packet_lines"`
	Options         map[string]string `json:"cucm_options"`
	OptionsLine     int               `json:"cucm_options_line"`
	Syntax          []string          `json:"syntax"`
	First           *jsonMark         `json:"first"`
	Last            *jsonMark         `json:"last"`
	Connections     int               `json:"connections"`
}

type jsonDest struct {
	Server string `json:"server"`
	Counts
	Clients []ClientCounts `json:"clients"`
}

type jsonShare struct {
	Server string `json:"server"`
	Counts
}

type jsonSpread struct {
	Client       string      `json:"client"`
	Attempts     int         `json:"attempts"`
	NoTCPAnswer  int         `json:"no_tcp_answer"`
	InTurn       bool        `json:"in_turn"`
	Order        []string    `json:"order"`
	OrderMore    int         `json:"order_more"`
	Destinations []jsonShare `json:"destinations"`
}

type jsonDoc struct {
	Schema        string       `json:"schema"`
	Source        string       `json:"source"`
	Version       string       `json:"siptls_version"`
	Inputs        []jsonInput  `json:"inputs"`
	Connections   []jsonConn   `json:"connections"`
	Destinations  []jsonDest   `json:"destinations"`
	LoadBalancing []jsonSpread `json:"load_balancing"`
	Patterns      []string     `json:"patterns"`
	HowToCapture  []string     `json:"how_to_capture"`
	Summary       Summary      `json:"summary"`
}

func buildDoc(a *Analysis, version string) jsonDoc {
	d := jsonDoc{Schema: "siptls/v1", Source: "screen_text", Version: version,
		Inputs: []jsonInput{}, Connections: []jsonConn{}, Destinations: []jsonDest{}, LoadBalancing: []jsonSpread{},
		Patterns: Patterns(a), HowToCapture: HowToCapture, Summary: a.Summary}
	for i, t := range a.Texts {
		in := jsonInput{Path: t.Path, Lines: t.Lines, PacketLines: t.PacketLines, OtherLines: t.OtherLines,
			UnreadableLines: t.Unreadable, Unreadable: []jsonBad{}, Untracked: t.Untracked, Options: t.Options, OptionsLine: t.OptionsLine,
			Syntax: []string{}, First: mark(t.First), Last: mark(t.Last), Connections: len(t.Connections)}
		if i < len(a.Errors) && a.Errors[i] != nil {
			e := a.Errors[i].Error()
			in.Error = &e
		}
		for _, b := range t.Examples {
			in.Unreadable = append(in.Unreadable, jsonBad{b.Line, b.Problem, b.Text})
		}
		if t.Syntaxes[SyntaxBrackets] > 0 {
			in.Syntax = append(in.Syntax, "flags_brackets")
		}
		if t.Syntaxes[SyntaxLetters] > 0 {
			in.Syntax = append(in.Syntax, "flags_letters")
		}
		d.Inputs = append(d.Inputs, in)
		for _, c := range t.Connections {
			d.Connections = append(d.Connections, connJSON(i, c))
		}
	}
	for _, x := range a.Destinations {
		cl := x.Clients
		if cl == nil {
			cl = []ClientCounts{}
		}
		d.Destinations = append(d.Destinations, jsonDest{Server: x.Server.String(), Counts: x.Counts, Clients: cl})
	}
	for _, s := range a.Spreads {
		js := jsonSpread{Client: s.Client, Attempts: s.Attempts, NoTCPAnswer: s.Failed(), InTurn: s.InTurn, Order: []string{}, Destinations: []jsonShare{}}
		for _, e := range s.Order {
			js.Order = append(js.Order, e.String())
		}
		js.OrderMore = s.Attempts - len(s.Order)
		for _, sh := range s.Destinations {
			js.Destinations = append(js.Destinations, jsonShare{Server: sh.Server.String(), Counts: sh.Counts})
		}
		d.LoadBalancing = append(d.LoadBalancing, js)
	}
	return d
}

func connJSON(input int, c *Connection) jsonConn {
	j := jsonConn{Input: input, ID: c.ID, Client: c.Client.String(), Server: c.Server.String(), Roles: c.Roles,
		Verdict: c.Verdict, Reason: c.Reason, SYNs: c.SYNs, SYN: mark(c.SYN), LastSYN: mark(c.LastSYN), SYNACK: mark(c.SYNACK),
		FIN:     jsonSides[*jsonMark]{mark(c.FIN[Client]), mark(c.FIN[Server])},
		RST:     jsonSides[*jsonMark]{mark(c.RST[Client]), mark(c.RST[Server])},
		Packets: jsonSides[int]{c.Packets[Client], c.Packets[Server]},
		First:   mark(c.First), Last: mark(c.Last), ServerEndedSoon: c.ServerEndedSoon(), Summary: Sentence(c)}
	if c.Ended {
		s := c.EndedBy.String()
		j.EndedBy = &s
	}
	if c.BytesKnown {
		j.Bytes = &jsonSides[int64]{c.Bytes[Client], c.Bytes[Server]}
	}
	return j
}

func encode(w io.Writer, v any, indent bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(sanitize.EscapeJSON(buf.Bytes()))
	return err
}

func writeJSON(w io.Writer, a *Analysis, o WriteOptions) error {
	return encode(w, buildDoc(a, o.Version), o.Indent)
}

// writeNDJSON writes the document's facts as records, one per line, each
// with its type first: header, input, connection, destination,
// load_balancing, pattern, summary.
func writeNDJSON(w io.Writer, a *Analysis, o WriteOptions) error {
	d := buildDoc(a, o.Version)
	rec := func(typ string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		line := append(sanitize.EscapeJSON(jsonenc.AppendTyped(nil, typ, b)), '\n')
		_, err = w.Write(line)
		return err
	}
	if err := rec("header", struct {
		Schema       string   `json:"schema"`
		Source       string   `json:"source"`
		Version      string   `json:"siptls_version"`
		HowToCapture []string `json:"how_to_capture"`
	}{"siptls/ndjson/v1", d.Source, d.Version, d.HowToCapture}); err != nil {
		return err
	}
	for _, x := range d.Inputs {
		if err := rec("input", x); err != nil {
			return err
		}
	}
	for _, x := range d.Connections {
		if err := rec("connection", x); err != nil {
			return err
		}
	}
	for _, x := range d.Destinations {
		if err := rec("destination", x); err != nil {
			return err
		}
	}
	for _, x := range d.LoadBalancing {
		if err := rec("load_balancing", x); err != nil {
			return err
		}
	}
	for _, x := range d.Patterns {
		if err := rec("pattern", struct {
			Text string `json:"text"`
		}{x}); err != nil {
			return err
		}
	}
	return rec("summary", d.Summary)
}
