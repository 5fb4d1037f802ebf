package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"

	"github.com/siptls/siptls/internal/regfile"
)

// dropRun is `siptls FILE...` with no command: what a file manager runs
// when a capture is dropped on siptls or opened with it. It analyses the
// files as analyze does, writes the HTML report next to the first one
// (FILE.siptls.html), says where, opens it in the browser when standard
// output is a terminal (unless --no-open), and, when siptls has a console
// of its own (Windows, started by a double-click or a drop), waits for
// Enter so that the window does not vanish with the verdicts.
func dropRun(f *Factory, files []string, noOpen bool) error {
	var opts *AnalyzeOptions
	parse := newCmdAnalyze(f, func(o *AnalyzeOptions) error { opts = o; return nil })
	parse.SetArgs(files)
	parse.SetOut(f.IO.ErrOut)
	parse.SetErr(f.IO.ErrOut)
	if err := parse.Execute(); err != nil {
		return err
	}
	if _, err := os.Stat(files[0]); err != nil {
		// no report beside a file that is not there
		return &exitError{code: exitTrouble, err: fmt.Errorf("cannot read %s: %w", files[0], regfile.Cause(err))}
	}
	opts.HTML = files[0] + ".siptls.html"
	err := analyzeRun(opts)
	var ee *exitError
	if err == nil || errors.As(err, &ee) && ee.code == exitProblems {
		fmt.Fprintf(f.IO.ErrOut, "The report is in %s\n", opts.HTML)
		if f.IO.OutTTY && !noOpen && f.Open != nil {
			if oerr := f.Open(opts.HTML); oerr != nil {
				fmt.Fprintf(f.IO.ErrOut, "siptls: could not open it: %v\n", oerr)
			}
		}
	}
	if f.OwnConsole != nil && f.OwnConsole() {
		if err != nil && (!errors.As(err, &ee) || ee.err != nil) {
			printError(f.IO.ErrOut, err)
			err = &exitError{code: exitCode(err)}
		}
		fmt.Fprint(f.IO.ErrOut, "Press Enter to close this window.")
		bufio.NewReader(f.IO.In).ReadString('\n')
	}
	return err
}

// exitCode is the exit status err stands for.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitTrouble
}

// openInBrowser opens path with the system's handler for its type: the
// default browser for an .html file.
func openInBrowser(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	case "darwin":
		cmd = exec.Command("open", path)
	default:
		cmd = exec.Command("xdg-open", path)
	}
	return cmd.Start()
}
