package triage

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"

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

// fillTime fills a Time with any instant, years beyond 9999 too.
func fillTime(r *rand.Rand, v reflect.Value) bool {
	if v.Type() != reflect.TypeFor[Time]() {
		return false
	}
	v.Set(reflect.ValueOf(Time{time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(1e9)).UTC()}))
	return true
}

// TestAppendJSONMatchesMarshal: the generated encoder writes what
// json.Marshal writes, byte for byte, on random connections.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var b []byte
	for i := range 2000 {
		var c Connection
		jsontest.Fill(r, reflect.ValueOf(&c).Elem(), fillTime)
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
