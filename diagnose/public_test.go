package diagnose

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/corpus"
	"github.com/siptls/siptls/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestPublicVerdicts records the verdict of every connection of the public
// corpus (read with --any-port) in a golden file, so that every change of a
// verdict on captures written by other projects is reviewed. Then, when
// tshark is installed, it checks the rule that siptls never calls a
// connection failed without evidence on the wire: tshark must show, before
// application data flowed both ways, a TLS alert, a reset or a FIN on that
// connection.
func TestPublicVerdicts(t *testing.T) {
	dir := corpus.Dir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.pcap*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s (%v)", dir, err)
	}
	var out bytes.Buffer
	type failed struct {
		file           string
		client, server netip.AddrPort
		reason         Reason
	}
	var fails []failed
	for _, path := range files {
		name := filepath.Base(path)
		a := NewAnalyzer(Options{AnyPort: true})
		_ = a.ReadFile(path) // damaged files still yield what came before
		res := a.Result()
		fmt.Fprintf(&out, "%s\tother_connections=%d\n", name, res.Captures[0].OtherConns)
		for _, c := range res.Connections {
			fmt.Fprintf(&out, "%s\t#%d\t%s\t%s\t%s/%s\n", name, c.ID, c.Client, c.Server, c.Verdict, c.Reason)
			if c.Verdict == VerdictFailed {
				fails = append(fails, failed{name, c.Client, c.Server, c.Reason})
			}
		}
	}
	golden.Check(t, "testdata/public-verdicts.golden", out.Bytes(), *update)

	if _, err := exec.LookPath("tshark"); err != nil {
		t.Logf("tshark not installed: the %d failed verdicts are not cross-checked", len(fails))
		return
	}
	for _, f := range fails {
		ev, err := tsharkEvidence(filepath.Join(dir, f.file), f.client, f.server)
		if err != nil {
			t.Errorf("%s %s -> %s: tshark: %v", f.file, f.client, f.server, err)
			continue
		}
		if ev == "" {
			t.Errorf("%s %s -> %s is failed/%s, but tshark shows no alert, reset or FIN before application data flowed both ways", f.file, f.client, f.server, f.reason)
			continue
		}
		t.Logf("%s %s -> %s failed/%s: tshark shows %s", f.file, f.client, f.server, f.reason, ev)
	}
}

// tsharkEvidence returns the first alert, RST or FIN tshark shows on the
// connection before application data flowed both ways, as "frame N: what",
// or "" when there is none.
func tsharkEvidence(path string, client, server netip.AddrPort) (string, error) {
	ip := "ip"
	if client.Addr().Is6() {
		ip = "ipv6"
	}
	filter := fmt.Sprintf("%[1]s.addr==%[2]s && %[1]s.addr==%[3]s && tcp.port==%[4]d && tcp.port==%[5]d",
		ip, client.Addr(), server.Addr(), client.Port(), server.Port())
	cmd := exec.Command("tshark", "-n", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", filter,
		"-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
		"-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.flags.fin", "-e", "tcp.flags.reset",
		"-e", "tls.record.content_type", "-e", "tls.alert_message")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil && len(b) == 0 {
		// a damaged file still prints the frames before the damage
		return "", errors.Join(err, errors.New(strings.TrimSpace(stderr.String())))
	}
	data := map[bool]bool{} // application data seen from the client (true) / server
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 6 {
			continue
		}
		port, _ := strconv.Atoi(f[1])
		fromClient := uint16(port) == client.Port()
		types := strings.Split(f[4], ",")
		for _, ty := range types {
			if ty == "21" {
				return "frame " + f[0] + ": TLS alert", nil
			}
		}
		switch {
		case f[3] == "1" || f[3] == "True":
			return "frame " + f[0] + ": RST", nil
		case f[2] == "1" || f[2] == "True":
			return "frame " + f[0] + ": FIN", nil
		}
		for _, ty := range types {
			if ty == "23" {
				data[fromClient] = true
			}
		}
		if data[true] && data[false] {
			return "", nil
		}
	}
	return "", nil
}
