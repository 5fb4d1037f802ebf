package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/siptls/siptls/pcap"
)

// fileHashes hashes capture files on one goroutine of its own, beside the
// analysis (which reads each file once; this second read is sequential and
// usually served from the page cache). Wait returns the lowercase hex
// SHA-256 of each file, "" for a file that could not be read.
type fileHashes struct {
	sums []string
	done chan struct{}
}

func startHashes(paths []string) *fileHashes {
	h := &fileHashes{sums: make([]string, len(paths)), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for i, p := range paths {
			h.sums[i] = hashFile(p)
		}
	}()
	return h
}

// Wait blocks until every file is hashed.
func (h *fileHashes) Wait() []string {
	<-h.done
	return h.sums
}

func hashFile(path string) string {
	f, _, err := pcap.OpenFile(path) // regular files only, never blocking
	if err != nil {
		return ""
	}
	defer f.Close()
	d := sha256.New()
	if _, err := io.Copy(d, f); err != nil {
		return ""
	}
	return hex.EncodeToString(d.Sum(nil))
}

// writeHTMLFile writes an HTML report to path (--html) with write: the
// report of captures (report.WriteHTML) or of screen text.
func writeHTMLFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("--html: %w", err)}
	}
	if err := write(f); err != nil {
		f.Close()
		return &exitError{code: exitTrouble, err: fmt.Errorf("writing the HTML report %s: %w", path, err)}
	}
	if err := f.Close(); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("writing the HTML report %s: %w", path, err)}
	}
	return nil
}
