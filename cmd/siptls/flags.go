package main

import (
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/pcap"
	"github.com/siptls/siptls/tlsdecrypt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// CaptureOptions are the inputs analyze and triage share: which
// connections are read, the output format, the memory caps and the
// comparison with CallManager-trust folders.
type CaptureOptions struct {
	// Format is --format: text, json or ndjson.
	Format string
	// Indent is --indent: indented JSON for a person.
	Indent bool
	// Output is -o/--output: the file to write instead of standard output.
	Output    string
	Ports     []uint
	AnyPort   bool
	MaxConns  int
	MaxBuffer int
	// MaxBufferTotal is --max-buffer-total: bytes buffered across all connections.
	MaxBufferTotal int
	// Trust are --trust folders: the capture node's CallManager-trust.
	Trust []string
	// TrustFor are --trust-for IP=PATH: another node's CallManager-trust.
	TrustFor []string
	// Node is --node: the capture node, when it cannot be told from the capture.
	Node string
	// ExpectName are --expect-name NAMES or IP=NAMES.
	ExpectName []string
	// KeyLogs are --keylog files: NSS key logs (SSLKEYLOGFILE) to decrypt with.
	KeyLogs []string
	// RSAKeyFiles are --rsa-key files: servers' RSA private keys.
	RSAKeyFiles []string
	// DecryptBytes is --decrypt-bytes: application data decrypted per
	// direction (0: none, only the handshake and the alerts).
	DecryptBytes int
	// SIPMessages is --sip-messages: SIP messages kept per connection.
	SIPMessages int
	// keys is what KeyLogs hold, once loaded (nil without --keylog), and
	// rsaKeys what RSAKeyFiles hold.
	keys    *tlsdecrypt.KeyLog
	rsaKeys []*rsa.PrivateKey
}

// addFlags registers o's flags on cmd, and the completion of --format.
func (o *CaptureOptions) addFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	addReportFlags(flags, &o.Format, &o.Indent, &o.MaxConns, &o.MaxBuffer, &o.MaxBufferTotal)
	addPortFlags(flags, &o.Ports, &o.AnyPort)
	addTrustFlags(flags, &o.Trust, &o.TrustFor, &o.Node, &o.ExpectName)
	flags.StringVarP(&o.Output, "output", "o", "", "write the report to `FILE` instead of standard output (- : standard output)")
	flags.StringArrayVar(&o.RSAKeyFiles, "rsa-key", nil, "a TLS server's RSA private key `FILE` (PEM or DER, PKCS#1 or PKCS#8, not encrypted) to decrypt its TLS_RSA_* sessions, as --keylog does (repeatable)")
	flags.StringArrayVar(&o.KeyLogs, "keylog", nil, "NSS key log `FILE` (what SSLKEYLOGFILE writes) to decrypt the sessions it has secrets for: real alerts, TLS 1.3 certificates (repeatable)")
	flags.IntVar(&o.DecryptBytes, "decrypt-bytes", diagnose.DefaultDecryptBytes, "with a key: application data decrypted per connection direction for the SIP inside, `BYTES` (0: none); past it only alerts are decrypted")
	flags.IntVar(&o.SIPMessages, "sip-messages", diagnose.DefaultSIPMessages, "with a key: decrypted SIP messages kept per connection, `N`")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json", "ndjson"}, cobra.ShellCompDirectiveNoFileComp))
}

// check validates o: --format, --port, --node, --trust-for, then the caps.
func (o *CaptureOptions) check() error {
	if err := checkFlags(o.Format, o.Ports, o.Node, o.TrustFor); err != nil {
		return err
	}
	if o.DecryptBytes < 0 {
		return fmt.Errorf("--decrypt-bytes must be 0 or more, not %d", o.DecryptBytes)
	}
	if o.SIPMessages < 1 {
		return fmt.Errorf("--sip-messages must be at least 1, not %d", o.SIPMessages)
	}
	return checkCaps(o.MaxConns, o.MaxBuffer, o.MaxBufferTotal)
}

// decryptBytes is --decrypt-bytes as diagnose.Options.DecryptBytes, where
// none is negative (0 is the default there).
func (o *CaptureOptions) decryptBytes() int {
	if o.DecryptBytes == 0 {
		return -1
	}
	return o.DecryptBytes
}

// needArgs is a command's Args: at least one argument, or the error msg.
func needArgs(msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return errors.New(msg)
		}
		return nil
	}
}

// completeCaptures completes capture file arguments by their extension.
func completeCaptures(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return []string{"cap", "pcap", "pcapng", "gz"}, cobra.ShellCompDirectiveFilterFileExt
}

// addPortFlags registers the flags that choose which TCP connections are
// read: --port and --any-port (analyze, triage and extract share them).
func addPortFlags(f *pflag.FlagSet, ports *[]uint, anyPort *bool) {
	f.UintSliceVar(ports, "port", nil, "TCP `PORT` carrying SIP over TLS (repeatable; default 5061)")
	f.Lookup("port").DefValue = "" // the default is said in the text, once
	f.BoolVar(anyPort, "any-port", false, "find TLS on every TCP port by its record header, also after STARTTLS")
}

// addReportFlags registers --format, --indent and the memory caps of analyze
// and triage.
func addReportFlags(f *pflag.FlagSet, format *string, indent *bool, maxConns, maxBuffer, maxBufferTotal *int) {
	f.StringVar(format, "format", "text", "output format, `text|json|ndjson`: text for a person, json one siptls/v1 document, ndjson one record per line")
	f.BoolVar(indent, "indent", false, "with --format json: indent the JSON for a person (the default is one compact line)")
	f.IntVar(maxConns, "max-conns", pcap.DefaultMaxConns, "connections tracked at once per capture, `N` (about 2 KiB each); beyond it the least recently active is ended early")
	f.IntVar(maxBuffer, "max-buffer", pcap.DefaultMaxBuffer, "bytes buffered per connection direction, `BYTES`")
	f.IntVar(maxBufferTotal, "max-buffer-total", pcap.DefaultMaxBufferTotal, "bytes buffered across all connections of all captures read at once, `BYTES`")
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
