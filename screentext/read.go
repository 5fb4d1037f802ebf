package screentext

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/siptls/siptls/internal/regfile"
)

// Defaults for Options.
const (
	// DefaultMaxLine is the longest line read, in bytes: a tcpdump line is
	// about 200 bytes; a longer one is counted as unreadable (too_long)
	// and skipped.
	DefaultMaxLine = 16 << 10
	// DefaultMaxConns is the number of connections kept; the packet lines
	// of further connections are counted (Text.Untracked), not analysed.
	DefaultMaxConns = 100000
	// MaxExamples is the number of unreadable lines named in Text.Examples.
	MaxExamples = 5
	// exampleLen is how much of an unreadable line an example keeps.
	exampleLen = 120
)

// Options control reading.
type Options struct {
	// Ports are the server ports (default 5061): the side of a connection
	// whose SYN the text does not show that uses one of them is the server.
	Ports    []uint16
	MaxLine  int // default DefaultMaxLine
	MaxConns int // default DefaultMaxConns
}

// Mark is where a line is: its number and its time as printed.
type Mark struct {
	Line int
	Time Stamp
}

// Seen reports whether the mark was set.
func (m Mark) Seen() bool { return m.Line > 0 }

// BadLine is an unreadable line named as an example.
type BadLine struct {
	Line    int
	Problem LineProblem
	Text    string // the line's first 120 bytes, as read (untrusted)
}

// Text is what Read found in one text file.
type Text struct {
	Path  string
	Lines int // lines read (the last one counted even without a newline)
	// PacketLines are the lines read as TCP packets; OtherLines the lines
	// CUCM and tcpdump print around them (the command, its options,
	// tcpdump's banners and counts); blank lines are neither.
	PacketLines, OtherLines int
	// Unreadable counts the other lines; Examples names the first
	// MaxExamples of them.
	Unreadable int
	Examples   []BadLine
	// Untracked counts packet lines of connections beyond MaxConns.
	Untracked int
	// Options are the values CUCM printed after its first `Executing
	// command with options:` header (size, count, interface, src, dest,
	// port, ip), when it did; OptionsLine is the line of that header (0:
	// none).
	Options     map[string]string
	OptionsLine int
	// Syntaxes counts packet lines per syntax.
	Syntaxes map[Syntax]int
	// First and Last are the first and last packet lines.
	First, Last Mark
	// Connections are in the order of their first line.
	Connections []*Connection
}

// InputError is the error Read returns for a text it cannot use. Its
// message is one sentence naming the file and the problem.
type InputError struct {
	Path string
	// NoPackets: the file was read but holds no tcpdump line of a TCP
	// packet (Lines lines, Unreadable of them unreadable).
	NoPackets bool
	Lines     int
	Example   *BadLine
	Err       error // a read error (NoPackets false)
}

// Error returns one sentence naming the file and the problem.
func (e *InputError) Error() string {
	if !e.NoPackets {
		if nr, ok := errors.AsType[*regfile.NotRegularError](e.Err); ok {
			return fmt.Sprintf("%s is %s, not a text file", e.Path, regfile.Kind(nr.Mode))
		}
		return fmt.Sprintf("cannot read %s: %v", e.Path, e.Err)
	}
	if e.Example != nil {
		return fmt.Sprintf("%s holds no tcpdump line of a TCP packet (%d lines read; line %d: %s)", e.Path, e.Lines, e.Example.Line, e.Example.Problem.Words())
	}
	return fmt.Sprintf("%s holds no tcpdump line of a TCP packet (%d lines read)", e.Path, e.Lines)
}

// Unwrap returns the read error.
func (e *InputError) Unwrap() error { return e.Err }

// ReadFile reads the text file at path; see Read. It opens only a regular
// file (following symbolic links), without blocking on a named pipe.
func ReadFile(path string, opts Options) (*Text, error) {
	f, _, err := regfile.Open(path)
	if err != nil {
		return &Text{Path: path}, &InputError{Path: path, Err: regfile.Cause(err)}
	}
	defer f.Close()
	return Read(f, path, opts)
}

// Read reads tcpdump's one-line output from r, plain or gzip compressed,
// line by line, groups the TCP packet lines into connections and decides
// each connection's verdict. path names the input in Text and errors. The
// returned Text is never nil; on a read error it holds what was read
// before.
func Read(r io.Reader, path string, opts Options) (*Text, error) {
	if opts.MaxLine <= 0 {
		opts.MaxLine = DefaultMaxLine
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	t := &Text{Path: path, Syntaxes: map[Syntax]int{}}
	br := bufio.NewReaderSize(r, 64<<10)
	if m, _ := br.Peek(2); gzipped(m) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return t, &InputError{Path: path, Err: err}
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	tr := newTracker(opts)
	var line []byte
	long := false
	var readErr error
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if !long && len(line)+len(chunk) <= opts.MaxLine+2 {
				line = append(line, chunk...)
			} else {
				long = true
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(chunk) > 0 || len(line) > 0 || long {
			t.Lines++
			if long {
				t.bad(BadLine{Line: t.Lines, Problem: ProblemTooLong, Text: string(line[:min(len(line), exampleLen)])})
			} else {
				if t.Lines == 1 {
					line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // Notepad's UTF-8 byte order mark
				}
				t.line(string(bytes.TrimRight(line, "\r\n")), tr)
			}
		}
		line, long = line[:0], false
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
	}
	t.Connections = tr.conns
	t.Untracked = tr.untracked
	for _, c := range t.Connections {
		c.decide(t.Last.Time)
	}
	if readErr != nil {
		return t, &InputError{Path: path, Err: readErr}
	}
	if t.PacketLines == 0 {
		e := &InputError{Path: path, NoPackets: true, Lines: t.Lines}
		if len(t.Examples) > 0 {
			e.Example = &t.Examples[0]
		}
		return t, e
	}
	return t, nil
}

// line takes one line of the text (without its end of line).
func (t *Text) line(s string, tr *tracker) {
	if strings.TrimSpace(s) == "" {
		return
	}
	p, problem := ParseLine(s, t.Lines)
	if problem == "" {
		t.PacketLines++
		t.Syntaxes[p.Syntax]++
		m := Mark{Line: p.Line, Time: p.Time}
		if !t.First.Seen() {
			t.First = m
		}
		t.Last = m
		tr.add(p)
		return
	}
	if chatter(s) {
		t.OtherLines++
		t.options(s)
		return
	}
	t.bad(BadLine{Line: t.Lines, Problem: problem, Text: s[:min(len(s), exampleLen)]})
}

// options keeps the `Executing command with options:` header and the
// key=value lines after it.
func (t *Text) options(s string) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "Executing command with options") {
		if t.OptionsLine == 0 {
			t.OptionsLine = t.Lines
			t.Options = map[string]string{}
		}
		return
	}
	if t.OptionsLine == 0 || t.PacketLines > 0 {
		return
	}
	for _, f := range strings.Fields(s) {
		if k, v, ok := strings.Cut(f, "="); ok && len(t.Options) < 16 && len(k) < 32 && len(v) < 256 {
			t.Options[k] = v
		}
	}
}

func (t *Text) bad(b BadLine) {
	t.Unreadable++
	if len(t.Examples) < MaxExamples {
		t.Examples = append(t.Examples, b)
	}
}

// problemWords say each LineProblem in words.
var problemWords = map[LineProblem]string{
	ProblemNoTime:     "no time of day at the start",
	ProblemNotIP:      "no IP or IP6 after the time",
	ProblemCutOff:     "cut off before the TCP flags",
	ProblemAddress:    "addresses not host.port",
	ProblemNotTCP:     "not TCP",
	ProblemTooLong:    "too long for a tcpdump line",
	ProblemBadFlagSet: "TCP part unreadable",
}

// Words says the problem in words.
func (p LineProblem) Words() string {
	if w, ok := problemWords[p]; ok {
		return w
	}
	return string(p)
}
