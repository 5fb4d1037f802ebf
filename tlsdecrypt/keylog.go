package tlsdecrypt

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Secrets are what a key log holds for one session (one ClientHello
// random). A field is nil when the log did not give it.
type Secrets struct {
	// MasterSecret is the TLS 1.0-1.2 master secret (CLIENT_RANDOM), 48 bytes.
	MasterSecret []byte
	// ClientHandshake and ServerHandshake are TLS 1.3's handshake traffic
	// secrets (CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET).
	ClientHandshake, ServerHandshake []byte
	// ClientTraffic and ServerTraffic are TLS 1.3's first application
	// traffic secrets (CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0).
	ClientTraffic, ServerTraffic []byte
}

// A KeyLog holds the secrets of NSS key log files by client random. The
// zero value is empty and ready to use; a KeyLog is not safe for
// concurrent changes, but Lookup may be called from several goroutines
// once it is built.
type KeyLog struct {
	sessions map[[32]byte]*Secrets
}

// Lookup returns the secrets logged for the session whose ClientHello
// random is clientRandom.
func (k *KeyLog) Lookup(clientRandom []byte) (*Secrets, bool) {
	if len(clientRandom) != 32 || k == nil {
		return nil, false
	}
	s, ok := k.sessions[[32]byte(clientRandom)]
	return s, ok
}

// Len returns the number of sessions the log has secrets for.
func (k *KeyLog) Len() int { return len(k.sessions) }

// A LineError is a line of a key log that could not be read. It names the
// line by number and never quotes it: key material is secret.
type LineError struct {
	File    string // the key log, as given
	Line    int    // 1-based
	Problem string // what is wrong, without the line's content
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Problem)
}

// maxLineErrors bounds the bad lines reported for one file; the count of
// the rest is given in one more error.
const maxLineErrors = 10

// maxLine bounds one line of a key log (a real one is under 250 bytes).
const maxLine = 4096

// MaxSessions bounds the sessions a KeyLog holds (about 300 bytes each):
// 65,536 sessions in some 20 MB, more than a capture of a busy trunk
// holds. The lines of later sessions are not read, and Read says so.
const MaxSessions = 1 << 16

// Read adds the secrets of the key log read from r, named name in errors,
// to k. Blank lines, comments (#) and lines of labels it does not use
// (EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET, RSA, ...) are skipped. A
// line it cannot read is skipped too and reported as a *LineError (at most
// 10, then a count), joined with errors.Join; every good line is kept
// whatever the error. An error reading r ends the file.
func (k *KeyLog) Read(r io.Reader, name string) error {
	if k.sessions == nil {
		k.sessions = make(map[[32]byte]*Secrets)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxLine)
	var errs []error
	bad := 0
	fail := func(line int, problem string) {
		bad++
		if bad <= maxLineErrors {
			errs = append(errs, &LineError{File: name, Line: line, Problem: problem})
		}
	}
	n := 0
	for sc.Scan() {
		n++
		if len(k.sessions) >= MaxSessions {
			errs = append(errs, fmt.Errorf("%s: more than %d sessions; the file is read up to line %d", name, MaxSessions, n-1))
			break
		}
		if problem := k.addLine(strings.TrimSpace(sc.Text())); problem != "" {
			fail(n, problem)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			fail(n+1, fmt.Sprintf("longer than %d bytes: not a key log line; the rest of the file is not read", maxLine))
		} else {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if bad > maxLineErrors {
		errs = append(errs, fmt.Errorf("%s: %d more lines could not be read", name, bad-maxLineErrors))
	}
	return errors.Join(errs...)
}

// addLine adds one trimmed line and returns what is wrong with it, or "".
func (k *KeyLog) addLine(line string) string {
	if line == "" || line[0] == '#' {
		return ""
	}
	fields := strings.Fields(line)
	label := fields[0]
	var want []int // accepted secret lengths
	switch label {
	case "CLIENT_RANDOM":
		want = []int{48}
	case "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
		"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0":
		want = []int{32, 48} // SHA-256 and SHA-384 suites
	default:
		if !isLabel(label) {
			return "not a key log line (LABEL CLIENT_RANDOM SECRET)"
		}
		return "" // a label this package does not use
	}
	if len(fields) != 3 {
		return fmt.Sprintf("%s needs a client random and a secret, found %d fields", label, len(fields)-1)
	}
	random, err := hex.DecodeString(fields[1])
	if err != nil || len(random) != 32 {
		return fmt.Sprintf("%s: the client random is not 32 bytes of hex", label)
	}
	secret, err := hex.DecodeString(fields[2])
	if err != nil || !slices.Contains(want, len(secret)) {
		return fmt.Sprintf("%s: the secret is not %s bytes of hex", label, lengths(want))
	}
	s := k.sessions[[32]byte(random)]
	if s == nil {
		s = &Secrets{}
		k.sessions[[32]byte(random)] = s
	}
	switch label {
	case "CLIENT_RANDOM":
		s.MasterSecret = secret
	case "CLIENT_HANDSHAKE_TRAFFIC_SECRET":
		s.ClientHandshake = secret
	case "SERVER_HANDSHAKE_TRAFFIC_SECRET":
		s.ServerHandshake = secret
	case "CLIENT_TRAFFIC_SECRET_0":
		s.ClientTraffic = secret
	case "SERVER_TRAFFIC_SECRET_0":
		s.ServerTraffic = secret
	}
	return ""
}

// isLabel reports whether s looks like a key log label: upper-case
// letters, digits and underscores.
func isLabel(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func lengths(xs []int) string {
	if len(xs) == 1 {
		return fmt.Sprint(xs[0])
	}
	return fmt.Sprintf("%d or %d", xs[0], xs[1])
}
