package triage

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"
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

// strs are the strings the filler picks from: plain, and every kind of
// character encoding/json escapes or replaces.
var strs = []string{"", "CN=cucm8-pub.clus2.lab", `a "quoted" \\ name`, "<&>", "\n\t\x00\x1f\x7f",
	"é 日本 🎉", "\u2028\u2029", "\xff\xfe\xc3", "\u0085\u200b"}

// fill sets every exported field reachable from v to a random value: nil,
// empty or filled slices and pointers, times beyond year 9999 too.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == reflect.TypeFor[Time]() {
		v.Set(reflect.ValueOf(Time{time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(1e9)).UTC()}))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[r.IntN(len(strs))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(r.Int64() >> r.IntN(64))
		if v.OverflowInt(v.Int()) {
			v.SetInt(int64(int8(v.Int())))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint64() >> r.IntN(64))
		if v.OverflowUint(v.Uint()) {
			v.SetUint(uint64(uint8(v.Uint())))
		}
	case reflect.Pointer:
		if depth > 4 || r.IntN(3) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Slice:
		switch n := r.IntN(5); {
		case n == 0 || depth > 4:
			v.SetZero() // nil: null
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1)) // n-1 == 0: empty, []
			for i := range n - 1 {
				fill(r, v.Index(i), depth+1)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fill(r, f, depth+1)
			}
		}
	}
}

// TestAppendJSONMatchesMarshal: the generated encoder writes what
// json.Marshal writes, byte for byte, on random connections.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var b []byte
	for i := range 2000 {
		var c Connection
		fill(r, reflect.ValueOf(&c).Elem(), 0)
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
