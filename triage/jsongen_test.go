package triage

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
		t.Fatal("json_gen.go is out of date: run go generate ./triage")
	}
}

// TestAppendJSONMatchesMarshal: the generated encoder writes what
// json.Marshal writes, byte for byte, on random connections.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var b []byte
	for i := range 2000 {
		var c Connection
		jsontest.Fill(r, reflect.ValueOf(&c).Elem(), jsontest.Times)
		want, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		b, err = c.AppendJSON(b[:0])
		if err != nil || !bytes.Equal(b, want) {
			t.Fatalf("connection %d: AppendJSON = %s, %v\njson.Marshal = %s", i, b, err, want)
		}
	}
}
