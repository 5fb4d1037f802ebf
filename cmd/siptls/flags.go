package main

import (
	"fmt"

	"github.com/siptls/siptls/pcap"

	"github.com/spf13/pflag"
)

// addPortFlags registers the flags that choose which TCP connections are
// read: --port and --any-port (analyze, triage and extract share them).
func addPortFlags(f *pflag.FlagSet, ports *[]uint, anyPort *bool) {
	f.UintSliceVar(ports, "port", nil, "TCP port carrying SIP over TLS (repeatable; default 5061)")
	f.BoolVar(anyPort, "any-port", false, "find TLS on every TCP port by its record header, also after STARTTLS")
}

// addReportFlags registers --format and the memory caps of analyze and triage.
func addReportFlags(f *pflag.FlagSet, format *string, maxConns, maxBuffer, maxBufferTotal *int) {
	f.StringVar(format, "format", "text", "output format: text or json")
	f.IntVar(maxConns, "max-conns", pcap.DefaultMaxConns, "connections tracked at once per capture (about 2 KB each); beyond it the least recently active is ended early")
	f.IntVar(maxBuffer, "max-buffer", pcap.DefaultMaxBuffer, "bytes buffered per connection direction")
	f.IntVar(maxBufferTotal, "max-buffer-total", pcap.DefaultMaxBufferTotal, "bytes buffered across all connections (of all captures read at once)")
}

// checkCaps validates --max-conns, --max-buffer and --max-buffer-total: a
// cap of zero or less would track nothing.
func checkCaps(maxConns, maxBuffer, maxBufferTotal int) error {
	if maxConns < 1 {
		return fmt.Errorf("--max-conns must be at least 1, not %d", maxConns)
	}
	if maxBuffer < 1 {
		return fmt.Errorf("--max-buffer must be at least 1, not %d", maxBuffer)
	}
	if maxBufferTotal < 1 {
		return fmt.Errorf("--max-buffer-total must be at least 1, not %d", maxBufferTotal)
	}
	return nil
}

// checkPorts validates --port values.
func checkPorts(ports []uint) error {
	for _, p := range ports {
		if p == 0 || p > 65535 {
			return fmt.Errorf("--port %d is not a TCP port", p)
		}
	}
	return nil
}

// tcpPorts converts --port values, checked by checkPorts, to TCP ports.
func tcpPorts(ports []uint) []uint16 {
	out := make([]uint16, 0, len(ports))
	for _, p := range ports {
		out = append(out, uint16(p))
	}
	return out
}

// inputErrors ends a command that met input errors: every error but the
// last is printed on standard error, the last one becomes the exit error
// (exit status 2). It returns nil when errs is empty.
func inputErrors(ios *IOStreams, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	for _, e := range errs[:len(errs)-1] {
		printError(ios.ErrOut, e)
	}
	return &exitError{code: exitTrouble, err: errs[len(errs)-1]}
}
