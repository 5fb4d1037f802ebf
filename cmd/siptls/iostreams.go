package main

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// Widths of the text report on a terminal, in columns.
const (
	// minWidth is the narrowest the text report wraps to: a narrower
	// terminal wraps the lines again by itself.
	minWidth = 60
	// defaultWidth is used when Out is a terminal whose width cannot be told.
	defaultWidth = 100
)

// IOStreams are the standard streams a command writes to, so that tests can
// capture them and decide whether they are terminals.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY report whether Out and ErrOut are terminals (a
	// console on Windows): colour, wrapping to the width and progress
	// output only go to terminals.
	OutTTY bool
	ErrTTY bool
	// NoColor turns colour off on a terminal too: NO_COLOR is set, TERM
	// is dumb, or a Windows console cannot show ANSI colours.
	NoColor bool
	// outSize returns the width of the terminal Out is, in columns (nil:
	// unknown).
	outSize func() (int, error)
}

// System returns the process's real standard streams.
func System() *IOStreams {
	ios := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
		NoColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
		outSize: func() (int, error) {
			w, _, err := term.GetSize(int(os.Stdout.Fd()))
			return w, err
		}}
	if ios.OutTTY && !ios.NoColor && !colorConsole(os.Stdout) {
		ios.NoColor = true // a Windows console without ANSI escapes
	}
	return ios
}

// Test returns streams backed by buffers, and the buffers.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// Color reports whether text on Out may carry ANSI colours.
func (s *IOStreams) Color() bool { return s.OutTTY && !s.NoColor }

// Width is the width in columns that text on Out wraps to: 0 (no wrapping)
// when Out is not a terminal (a file, a pipe), else the terminal's width,
// at least minWidth, and defaultWidth when it cannot be told.
func (s *IOStreams) Width() int {
	if !s.OutTTY {
		return 0
	}
	if s.outSize == nil {
		return defaultWidth
	}
	w, err := s.outSize()
	if err != nil || w <= 0 {
		return defaultWidth
	}
	return max(w, minWidth)
}

// isTerminal reports whether f is a terminal: a Unix tty or a Windows
// console (a character device such as /dev/null or NUL is not one).
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
