package diagnose

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"

	"github.com/siptls/siptls/internal/corpus"
	"github.com/siptls/siptls/internal/pcaptest"
)

// withEmbeddedKeys rewrites the pcap at path as a pcapng whose Decryption
// Secrets Block, before the first packet, holds keys.
func withEmbeddedKeys(t *testing.T, path, keys string) []byte {
	t.Helper()
	le := binary.LittleEndian
	var out []byte
	block := func(typ uint32, body []byte) {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		n := uint32(12 + len(body))
		out = le.AppendUint32(out, typ)
		out = le.AppendUint32(out, n)
		out = append(out, body...)
		out = le.AppendUint32(out, n)
	}
	pcaptest.Each(t, path, func(h pcaptest.Header) {
		block(0x0a0d0d0a, []byte{0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		block(1, le.AppendUint32(le.AppendUint16(le.AppendUint16(nil, uint16(h.LinkType)), 0), 0))
		dsb := le.AppendUint32(le.AppendUint32(nil, 0x544c534b), uint32(len(keys)))
		block(10, append(dsb, keys...))
	}, func(_ int, ci gopacket.CaptureInfo, data []byte) {
		us := uint64(ci.Timestamp.UnixMicro())
		epb := le.AppendUint32(nil, 0)
		epb = le.AppendUint32(epb, uint32(us>>32))
		epb = le.AppendUint32(epb, uint32(us))
		epb = le.AppendUint32(epb, uint32(ci.CaptureLength))
		epb = le.AppendUint32(epb, uint32(ci.Length))
		block(6, append(epb, data...))
	})
	return out
}

// TestJobs: an Analyzer with Jobs gives the Analysis of one without,
// connections set aside (--any-port) and the warnings of an embedded key
// log included.
func TestJobs(t *testing.T) {
	keys, err := os.ReadFile(filepath.Join("..", "testdata", "keylog-tls13-server-rejects-client.keys"))
	if err != nil {
		t.Fatal(err)
	}
	embedded := withEmbeddedKeys(t, filepath.Join("..", "testdata", "keylog-tls13-server-rejects-client.pcap"), "CLIENT_RANDOM zz 00\n"+string(keys))
	tests := []struct {
		name  string
		opts  Options
		input []byte
		file  string
	}{
		{"any port", Options{AnyPort: true}, nil, "any-port-http-beside-tls.pcap"},
		{"embedded key log with a bad line", Options{}, embedded, ""},
		{"the sample", Options{}, nil, "sample-cucm-trunk.cap"},
	}
	analyse := func(opts Options, input []byte, file string) (string, *Analysis) {
		a := NewAnalyzer(opts)
		if input != nil {
			_ = a.Read(bytes.NewReader(input), "embedded.pcapng")
		} else {
			_ = a.ReadFile(filepath.Join("..", "testdata", file))
		}
		res := a.Result()
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), res
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, res := analyse(tt.opts, tt.input, tt.file)
			for _, jobs := range []int{2, 3} {
				opts := tt.opts
				opts.Jobs = jobs
				if got, _ := analyse(opts, tt.input, tt.file); got != want {
					t.Errorf("%d jobs:\n%s\nwant\n%s", jobs, got, want)
				}
			}
			info := res.Captures[0]
			switch tt.name {
			case "any port":
				if info.OtherConns == 0 {
					t.Errorf("no connection set aside")
				}
			case "embedded key log with a bad line":
				if !strings.Contains(strings.Join(info.Warnings, "\n"), "client random is not 32 bytes") || !res.Connections[0].Decrypted {
					t.Errorf("warnings %q, decrypted %v", info.Warnings, res.Connections[0].Decrypted)
				}
			}
		})
	}
}

// TestJobsPublic: on the captures other projects wrote (the public corpus,
// read from ../shared), 3 jobs give the Analysis of one, with --any-port.
func TestJobsPublic(t *testing.T) {
	dir := corpus.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
	if len(files) < 20 {
		t.Fatalf("%d captures in %s", len(files), dir)
	}
	analyse := func(path string, jobs int) string {
		a := NewAnalyzer(Options{AnyPort: true, Jobs: jobs})
		_ = a.ReadFile(path)
		b, err := json.Marshal(a.Result())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, f := range files {
		if one, three := analyse(f, 1), analyse(f, 3); one != three {
			t.Errorf("%s: 3 jobs give another Analysis (%d bytes, one job %d)", filepath.Base(f), len(three), len(one))
		}
	}
}
