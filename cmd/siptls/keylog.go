package main

import (
	"crypto/rsa"
	"fmt"
	"io"
	"time"

	"github.com/siptls/siptls/internal/regfile"
	"github.com/siptls/siptls/tlsdecrypt"
	"github.com/siptls/siptls/trust"
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

// loadRSAKeys reads the --rsa-key files. A file that cannot be read or is
// not an unencrypted RSA private key ends the command (exit 2), naming the
// file and never quoting it.
func loadRSAKeys(paths []string) ([]*rsa.PrivateKey, error) {
	var keys []*rsa.PrivateKey
	for _, p := range paths {
		f, _, err := regfile.Open(p)
		if err != nil {
			return nil, &exitError{code: exitTrouble, err: fmt.Errorf("cannot read the RSA key: %w", err)}
		}
		b, err := io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if err == nil {
			var k *rsa.PrivateKey
			if k, err = tlsdecrypt.ParseRSAKey(b); err == nil {
				keys = append(keys, k)
				continue
			}
		}
		return nil, &exitError{code: exitTrouble, err: fmt.Errorf("%s: %w", p, err)}
	}
	return keys, nil
}

// loadJudgeAndKeys loads what the options name besides the captures: the
// trust folders (the judge; nil without them), the key logs into o.keys
// and the RSA keys into o.rsaKeys. It returns the key log lines that could
// not be read, to report after the analysis.
func (o *CaptureOptions) loadJudgeAndKeys(today time.Time) (*trust.Judge, []*trust.Store, []error, error) {
	judge, stores, err := loadTrust(o.Trust, o.TrustFor, o.ExpectName, today)
	if err != nil {
		return nil, nil, nil, err
	}
	keys, keyErrs, err := loadKeyLogs(o.KeyLogs)
	if err != nil {
		return nil, nil, nil, err
	}
	if o.rsaKeys, err = loadRSAKeys(o.RSAKeyFiles); err != nil {
		return nil, nil, nil, err
	}
	o.keys = keys
	return judge, stores, keyErrs, nil
}
