package pcap

import (
	"fmt"
	"io/fs"

	"github.com/siptls/siptls/internal/regfile"
)

// Problem says what is wrong with an input file.
type Problem uint8

const (
	// ProblemNotCapture: the bytes are neither pcap nor pcapng (plain or gzip).
	ProblemNotCapture Problem = iota + 1
	// ProblemScreenText: the file holds the text that CUCM's
	// `utils network capture` prints on the screen, not a capture file.
	ProblemScreenText
	// ProblemEmpty: the file has no bytes.
	ProblemEmpty
	// ProblemDirectory: the path names a directory.
	ProblemDirectory
	// ProblemLinkType: the capture's link type cannot be decoded.
	ProblemLinkType
	// ProblemDamaged: a header or record is malformed, for example a record
	// whose captured length is larger than any real packet (MaxRecord).
	ProblemDamaged
	// ProblemTruncated: the file ends inside a header or record. Read still
	// returns what it found before that point.
	ProblemTruncated
	// ProblemIO: the file could not be opened or read.
	ProblemIO
	// ProblemNotRegular: the path names a named pipe, a device or a
	// socket (InputError.Mode says which), not a file: it is not read.
	ProblemNotRegular
)

var problemNames = [...]string{
	ProblemNotCapture: "not a capture file",
	ProblemScreenText: "capture screen text",
	ProblemEmpty:      "empty file",
	ProblemDirectory:  "directory",
	ProblemLinkType:   "unsupported link type",
	ProblemDamaged:    "damaged record",
	ProblemTruncated:  "cut-off record",
	ProblemIO:         "read error",
	ProblemNotRegular: "not a regular file",
}

// String returns a short name of the problem.
func (p Problem) String() string { return nameOf(problemNames[:], p, "Problem") }

// MaxRecord is the largest captured length a record may declare: libpcap's
// MAXIMUM_SNAPLEN, which Wireshark and tcpdump also enforce for Ethernet and
// IP link types. A larger record is reported as damaged.
const MaxRecord = 262144

// InputError is the error Read returns for a file it cannot read completely.
// Its message is one sentence naming the file and the problem.
type InputError struct {
	Path     string
	Problem  Problem
	Frame    uint64 // 1-based number of the bad record (0: the file header)
	Offset   int64  // byte offset of the bad record in the uncompressed stream, -1 if unknown
	LinkType int    // for ProblemLinkType: the link type number
	// Mode is, for ProblemNotRegular, the type bits of the file
	// (fs.ModeNamedPipe, fs.ModeDevice, fs.ModeSocket...).
	Mode fs.FileMode
	Err  error // underlying error, if any
}

func (e *InputError) name() string {
	if e.Path == "" {
		return "the capture"
	}
	return e.Path
}

func (e *InputError) where() string {
	s := ""
	if e.Frame > 0 {
		s = fmt.Sprintf(" at frame %d", e.Frame)
	} else {
		s = " in its file header"
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" (byte %d)", e.Offset)
	}
	return s
}

// Error returns one sentence naming the file and the problem.
func (e *InputError) Error() string {
	n := e.name()
	detail := ""
	if e.Err != nil {
		detail = ": " + regfile.Cause(e.Err).Error()
	}
	switch e.Problem {
	case ProblemNotCapture:
		return fmt.Sprintf("%s is not a packet capture file (it starts with neither a pcap nor a pcapng header)", n)
	case ProblemScreenText:
		return fmt.Sprintf("%s is not a capture file: this is the text `utils network capture` prints on the screen; "+
			"run it with `file NAME ... size all` and download the file with `file get activelog platform/cli/NAME.cap`", n)
	case ProblemEmpty:
		return fmt.Sprintf("%s is empty", n)
	case ProblemDirectory:
		return fmt.Sprintf("%s is a directory, not a capture file", n)
	case ProblemNotRegular:
		return fmt.Sprintf("%s is %s, not a capture file", n, regfile.Kind(e.Mode))
	case ProblemLinkType:
		return fmt.Sprintf("%s uses link type %s (%d), which siptls cannot decode", n, linkTypeName(e.LinkType), e.LinkType)
	case ProblemDamaged:
		return fmt.Sprintf("%s is damaged%s%s", n, e.where(), detail)
	case ProblemTruncated:
		if e.Frame == 0 {
			return fmt.Sprintf("%s is cut off inside its file header", n)
		}
		return fmt.Sprintf("%s is cut off in the middle of frame %d; the %d frames before it were read", n, e.Frame, e.Frame-1)
	case ProblemIO:
		return fmt.Sprintf("cannot read %s%s", n, detail)
	}
	return fmt.Sprintf("%s: %s%s", n, e.Problem, detail)
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }
