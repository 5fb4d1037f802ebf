package capgen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteBenchKeyLog writes small captures of both shapes with a key log:
// one CLIENT_RANDOM line per session, a session per connection that
// reached TLS, the same connections, packets' count and outcomes as
// without (the model's draws do not change), and, with the key log,
// tshark reads a SIP message in every application data record and a
// close_notify at the end of each side of every connection that closed.
func TestWriteBenchKeyLog(t *testing.T) {
	for _, shape := range []Shape{ShapeTrunk, ShapeDense} {
		t.Run(shape.String(), func(t *testing.T) {
			dir := t.TempDir()
			path, keysPath := filepath.Join(dir, "bench.pcap"), filepath.Join(dir, "bench.keys")
			var file, keys bytes.Buffer
			cfg := BenchConfig{Size: 300e3, Seed: 3, Shape: shape}
			without, err := WriteBench(&bytes.Buffer{}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.KeyLog = &keys
			st, err := WriteBench(&file, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if st.Sessions != st.Connections-st.Refused || st.Sessions == 0 {
				t.Errorf("%d sessions for %d connections (%d refused)", st.Sessions, st.Connections, st.Refused)
			}
			lines := strings.Split(strings.TrimSpace(keys.String()), "\n")
			for _, l := range lines {
				if f := strings.Fields(l); len(f) != 3 || f[0] != "CLIENT_RANDOM" || len(f[1]) != 64 || len(f[2]) != 96 {
					t.Fatalf("key log line %q", l)
				}
			}
			if len(lines) != st.Sessions {
				t.Errorf("%d key log lines for %d sessions", len(lines), st.Sessions)
			}
			w := without
			if st.Connections != w.Connections || st.Failed != w.Failed || st.Alerted != w.Alerted || st.Reset != w.Reset || st.Packets != w.Packets {
				t.Errorf("with a key log %+v, without %+v", st, w)
			}
			if _, err := exec.LookPath("tshark"); err != nil {
				t.Skip("tshark not on PATH: records not decrypted")
			}
			if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(keysPath, keys.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("tshark", "-n", "-r", path, "-o", "tls.keylog_file:"+keysPath, "-T", "fields",
				"-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=/t",
				"-e", "tls.record.content_type", "-e", "sip.CSeq", "-e", "tls.alert_message.desc").Output()
			if err != nil {
				t.Fatal(err)
			}
			var appData, sip, closes int
			count := func(field, want string) int {
				n := 0
				for _, v := range strings.Split(field, ",") {
					if v != "" && (want == "" || v == want) {
						n++
					}
				}
				return n
			}
			for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
				f := strings.Split(line, "\t")
				appData += count(f[0], "23")
				sip += count(f[1], "")
				closes += count(f[2], "0")
			}
			closed := st.Connections - st.Failed
			if appData == 0 || sip != appData || closes != 2*closed {
				t.Errorf("tshark: %d application data records, %d SIP messages, %d close_notify for %d closed connections", appData, sip, closes, closed)
			}
		})
	}
}
