package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/siptls/siptls/internal/golden"
	"github.com/siptls/siptls/internal/jsongen/jsontest"
)

// TestJSONGenUpToDate fails while json_gen.go is not what generateJSON
// writes for the types as they are now; -update writes it.
func TestJSONGenUpToDate(t *testing.T) {
	src, err := generateJSON()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "json_gen.go", src, *update)
}

// TestNDJSONGenerated: the connection records have the generated encoder
// (the writer would otherwise fall back on json.Marshal without a word).
func TestNDJSONGenerated(t *testing.T) {
	for _, v := range []any{&ndConnection{}, &ndTriageConnection{}} {
		if _, ok := v.(jsonAppender); !ok {
			t.Errorf("%T has no AppendJSON: run go test ./report -run TestJSONGenUpToDate -update", v)
		}
	}
}

// TestAppendJSONMatchesMarshal: the generated encoders of the ndjson
// connection records write what json.Marshal writes, byte for byte, on
// random records (the embedded connection nil or not, the fields that hide
// its own certificates, CertificateRequest and events set or not).
func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var b []byte
	for i := range 2000 {
		var rec ndTriageConnection
		jsontest.Fill(r, reflect.ValueOf(&rec).Elem(), jsontest.Times)
		// the embedded ndConnection is unexported, which Fill cannot set
		// through rec
		jsontest.Fill(r, reflect.ValueOf(&rec.ndConnection).Elem(), jsontest.Times)
		for _, v := range []any{&rec, &rec.ndConnection} {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			a, ok := v.(jsonAppender)
			if !ok {
				t.Fatalf("%T has no AppendJSON", v)
			}
			b, err = a.AppendJSON(b[:0])
			if err != nil || !bytes.Equal(b, want) {
				t.Fatalf("record %d, %T: AppendJSON = %s, %v\njson.Marshal = %s", i, v, b, err, want)
			}
		}
	}
}
