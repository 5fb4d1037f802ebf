package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/siptls/siptls/internal/pcaptest"
)

// runner runs a siptls command with args and returns its exit status,
// stdout and stderr.
type runner func(args ...string) (int, string, string)

// checkJSONGolden checks the JSON formats of one command line against the
// golden file name: --format json --indent must be the golden file byte for
// byte; --format json (compact) must be the same document on one line; and,
// when ndjson is set, --format ndjson -v must rebuild the same facts. It
// returns the indented output.
func checkJSONGolden(t *testing.T, name string, run runner, ndjson bool, args ...string) string {
	t.Helper()
	_, indented, _ := run(append([]string{"--format", "json", "--indent"}, args...)...)
	checkGolden(t, name, []byte(indented))

	_, compact, _ := run(append([]string{"--format", "json"}, args...)...)
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(indented)); err != nil {
		t.Fatalf("--indent output is not JSON: %v", err)
	}
	want.WriteByte('\n')
	if compact != want.String() {
		t.Errorf("--format json is not the compact form of --indent:\n got: %.300q\nwant: %.300q", compact, want.String())
	}
	if ndjson {
		_, nd, _ := run(append([]string{"--format", "ndjson", "-v"}, args...)...)
		checkNDJSONFacts(t, nd, indented)
	}
	return indented
}

// ndjsonMembers maps each record type to the siptls/v1 member it rebuilds,
// and whether that member is a list of records, or of their "text".
var ndjsonMembers = map[string]struct {
	member string
	list   bool
	text   bool
}{
	"action":            {"actions", true, false},
	"capture":           {"captures", true, false},
	"connection":        {"connections", true, false},
	"destination":       {"destinations", true, false},
	"pair":              {"pairs", true, false},
	"inventory":         {"certificates", true, false},
	"trust_store":       {"trust_stores", true, false},
	"pattern":           {"patterns", true, true},
	"note":              {"notes", true, true},
	"summary":           {"summary", false, false},
	"duplicates":        {"duplicates", false, false},
	"omitted":           {"omitted", false, false},
	"connection_detail": {"connection_detail", false, false},
	"input":             {"inputs", true, false},         // screen text
	"load_balancing":    {"load_balancing", true, false}, // screen text
}

// checkNDJSONFacts rebuilds a siptls/v1 document from the ndjson records nd
// (resolving certificate and ca_list references) and compares it with the
// JSON document js, member by member.
func checkNDJSONFacts(t *testing.T, nd, js string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	rebuilt := map[string]any{"schema": doc["schema"]}
	for k, v := range doc { // every list member starts empty, as in the JSON
		if _, ok := v.([]any); ok {
			rebuilt[k] = []any{}
		}
	}
	certs := map[string]map[string]any{}
	lists := map[string]any{}
	var conns []map[string]any
	sc := bufio.NewScanner(strings.NewReader(nd))
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("ndjson line %d is not a JSON object: %v", n, err)
		}
		typ, _ := rec["type"].(string)
		delete(rec, "type")
		switch typ {
		case "header":
			if n != 1 || rec["schema"] != "siptls/ndjson/v1" {
				t.Errorf("line %d: header %v", n, rec)
			}
			rebuilt["siptls_version"] = rec["siptls_version"]
			for _, k := range []string{"source", "how_to_capture"} { // screen text
				if v, ok := rec[k]; ok {
					rebuilt[k] = v
				}
			}
		case "certificate":
			certs[rec["sha256"].(string)] = rec
		case "ca_list":
			lists[rec["sha256"].(string)] = rec["names"]
		case "connection":
			resolveConnection(t, rec, certs, lists)
			conns = append(conns, rec)
			rebuilt["connections"] = append(rebuilt["connections"].([]any), rec)
		default:
			m, ok := ndjsonMembers[typ]
			if !ok {
				t.Fatalf("line %d: unknown record type %q", n, typ)
			}
			var v any = rec
			if m.text {
				v = rec["text"]
			}
			if m.list {
				rebuilt[m.member] = append(rebuilt[m.member].([]any), v)
			} else {
				rebuilt[m.member] = v
			}
		}
	}
	if len(doc) != len(rebuilt) {
		t.Errorf("ndjson rebuilds members %v, json has %v", memberNames(rebuilt), memberNames(doc))
	}
	for k, v := range doc {
		if !reflect.DeepEqual(v, rebuilt[k]) {
			got, _ := json.Marshal(rebuilt[k])
			want, _ := json.Marshal(v)
			t.Errorf("ndjson rebuilds %q differently:\n got: %.600s\nwant: %.600s", k, got, want)
		}
	}
}

// resolveConnection puts back into a connection record the certificates
// and the CA list it references.
func resolveConnection(t *testing.T, rec map[string]any, certs map[string]map[string]any, lists map[string]any) {
	t.Helper()
	refs, _ := rec["certificates"].([]any)
	for i, r := range refs {
		ref := r.(map[string]any)
		cert, ok := certs[ref["sha256"].(string)]
		if !ok {
			t.Fatalf("connection %v: certificate %v before its certificate record", rec["id"], ref["sha256"])
		}
		full := map[string]any{}
		for k, v := range cert {
			full[k] = v
		}
		for k, v := range ref {
			full[k] = v
		}
		refs[i] = full
	}
	if cr, ok := rec["certificate_request"].(map[string]any); ok {
		h := cr["certificate_authorities_sha256"].(string)
		names, ok := lists[h]
		if !ok {
			t.Fatalf("connection %v: CA list %s before its ca_list record", rec["id"], h)
		}
		delete(cr, "certificate_authorities_sha256")
		cr["certificate_authorities"] = names
	}
}

func memberNames(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// analyzer runs analyze for checkJSONGolden.
func analyzer(t *testing.T) runner {
	return func(args ...string) (int, string, string) { return runAnalyze(t, args...) }
}

// farFutureCapture rewrites the sample capture as a pcapng whose interface
// has an if_tsoffset of 300,000,000,000 seconds, as editcap -t writes it: its
// timestamps fall in the year 11533, as a damaged capture's may.
func farFutureCapture(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	var w *pcapgo.NgWriter
	pcaptest.Each(t, "../../testdata/sample-cucm-trunk.cap", func(h pcaptest.Header) {
		var err error
		if w, err = pcapgo.NewNgWriterInterface(&out, pcapgo.NgInterface{LinkType: h.LinkType, SnapLength: h.Snaplen, TimestampOffset: 300_000_000_000}, pcapgo.DefaultNgWriterOptions); err != nil {
			t.Fatal(err)
		}
	}, func(_ int, ci gopacket.CaptureInfo, data []byte) {
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "year-11533.pcapng")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDamagedTimestampYear: a capture whose timestamps lie beyond the year
// 9999 is reported in every format with its times as they are, with the
// exit status of the original capture; the JSON report failed ("writing the report: ... year outside of range").
func TestDamagedTimestampYear(t *testing.T) {
	in := farFutureCapture(t)
	for _, format := range []string{"json", "ndjson", "text"} {
		code, out, errOut := runAnalyze(t, "--format", format, in)
		if code != exitProblems || errOut != "" { // the sample shows problems
			t.Errorf("--format %s: exit %d, stderr %q; want %d and nothing", format, code, errOut, exitProblems)
		}
		if !strings.Contains(out, "11533-07-05") {
			t.Errorf("--format %s: the year 11533 is not in the output:\n%.400s", format, out)
		}
		if format == "json" && !json.Valid([]byte(out)) {
			t.Errorf("--format json: not JSON: %.400s", out)
		}
	}
}
