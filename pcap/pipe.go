package pcap

import "io"

// newInputReader returns the reader the capture is read from.
func newInputReader(r io.Reader) io.Reader { return r }
