package triage

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/internal/jsongen/jsontest"
	"github.com/siptls/siptls/trust"
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

// TestViewBuilder: the views a ViewBuilder makes one after the other, in
// the memory of the view before, are those BuildJudgedConnection makes
// anew, on random connections judged or not: nothing of a connection with
// more certificates, events or findings stays in the view of the next, and
// a list it empties is [] (not null).
func TestViewBuilder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var b ViewBuilder
	for i := range 2000 {
		var c diagnose.Connection
		jsontest.Fill(r, reflect.ValueOf(&c).Elem(), nil)
		var judged *trust.ConnectionTrust
		if r.IntN(2) == 0 {
			judged = new(trust.ConnectionTrust)
			jsontest.Fill(r, reflect.ValueOf(judged).Elem(), nil)
		}
		want := BuildJudgedConnection(&c, judged)
		if got := b.Build(&c, judged); !reflect.DeepEqual(*got, want) {
			t.Fatalf("connection %d: ViewBuilder.Build = %+v\nBuildJudgedConnection = %+v", i, *got, want)
		}
	}
}
