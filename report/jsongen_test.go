package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/siptls/siptls/internal/jsongen/jsontest"
)

// TestJSONGenUpToDate fails while json_gen.go is not what
// internal/cmd/genjson writes for the types as they are now.
func TestJSONGenUpToDate(t *testing.T) {
	want, err := GenerateJSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("json_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("json_gen.go is out of date: run go generate ./report")
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
		for _, v := range []interface {
			AppendJSON([]byte) ([]byte, error)
		}{&rec, &rec.ndConnection} {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			b, err = v.AppendJSON(b[:0])
			if err != nil || !bytes.Equal(b, want) {
				t.Fatalf("record %d, %T: AppendJSON = %s, %v\njson.Marshal = %s", i, v, b, err, want)
			}
		}
	}
}
