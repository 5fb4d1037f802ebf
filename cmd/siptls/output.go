package main

import (
	"fmt"
	"os"
)

// toOutput runs run with *ios sent to the file path when path is not ""
// (-o/--output): created or truncated, never a terminal (no colour), and
// closed after run; *ios is put back after. A file that cannot be created
// ends the command before anything is read (exit 2); an error closing it (a
// full disk) is one too, unless run failed first.
func toOutput(ios **IOStreams, path string, run func() error) error {
	if path == "" || path == "-" {
		return run()
	}
	f, err := os.Create(path)
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("cannot write the output: %w", err)}
	}
	saved := *ios
	out := *saved
	out.Out, out.OutTTY = f, false
	*ios = &out
	err = run()
	*ios = saved
	if cerr := f.Close(); cerr != nil && err == nil {
		err = &exitError{code: exitTrouble, err: fmt.Errorf("writing %s: %w", path, cerr)}
	}
	return err
}
