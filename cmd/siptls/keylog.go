package main

import (
	"fmt"

	"github.com/siptls/siptls/internal/regfile"
	"github.com/siptls/siptls/tlsdecrypt"
)

// loadKeyLogs reads the --keylog files into one key log, or returns nil
// when none was given. A file that cannot be opened or read ends the
// command (exit 2); lines that cannot be read are skipped and returned, to
// be reported after the analysis (the rest of the file is used).
func loadKeyLogs(paths []string) (*tlsdecrypt.KeyLog, []error, error) {
	if len(paths) == 0 {
		return nil, nil, nil
	}
	keys := &tlsdecrypt.KeyLog{}
	var bad []error
	for _, p := range paths {
		f, _, err := regfile.Open(p)
		if err != nil {
			return nil, nil, &exitError{code: exitTrouble, err: fmt.Errorf("cannot read the key log: %w", err)}
		}
		err = keys.Read(f, p)
		f.Close()
		if err != nil {
			bad = append(bad, err)
		}
	}
	return keys, bad, nil
}

// loadKeys loads o.KeyLogs into o.keys; see loadKeyLogs.
func (o *CaptureOptions) loadKeys() ([]error, error) {
	keys, bad, err := loadKeyLogs(o.KeyLogs)
	o.keys = keys
	return bad, err
}
