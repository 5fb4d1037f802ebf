package jsongen

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type inner struct{ A int }

func (inner) AppendJSON(b []byte) ([]byte, error) { return append(b, "{}"...), nil }

type outer struct {
	inner     // its AppendJSON is promoted to outer, which json.Marshal ignores
	B     int `json:"b"`
}

type withMap struct{ M map[string]int }
type withFloat struct{ F float64 }
type withBytes struct{ B []byte }
type marshaler struct{}

func (marshaler) MarshalJSON() ([]byte, error) { return []byte("1"), nil }

type withMarshaler struct{ M marshaler }
type withString struct {
	N int `json:"n,string"`
}
type omitFirst struct {
	S string `json:"s,omitempty"`
}
type twice struct {
	X int
	B int `json:"X"` // the untagged X's key: the tagged B wins
}

// shadow embeds a pointer to outer and hides its key "b" by a shallower
// field; hide hides its "A" (two levels down) by an always-omitted one.
type shadow struct {
	T string `json:"t"`
	*outer
	B string `json:"b"`
}
type hide struct {
	T string `json:"t"`
	*outer
	A *struct{} `json:"A,omitempty"`
}

// tie has two fields of key "k" at the same depth, neither tagged...
type tie struct {
	Z int `json:"z"`
	tieA
	tieB
}

// late begins with the fields of an embedded pointer, then one always there.
type late struct {
	*outer
	Z int `json:"z"`
}

type tieA struct{ K int }
type tieB struct{ K int }
type root struct {
	O  outer   `json:"o"`
	P  *inner  `json:"p"`
	S  []inner `json:"s"`
	Ex string  `json:"ex,omitempty"`
}

const self = "github.com/siptls/siptls/internal/jsongen"

// TestGenerate: what the code calls for each kind of field.
func TestGenerate(t *testing.T) {
	src, err := Generate("jsongen", self, "test", reflect.TypeFor[root]())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func (v *root) AppendJSON(b []byte) ([]byte, error) { return appendJSONroot(b, v) }",
		"appendJSONouter(b, &v.O)",    // a promoted AppendJSON is not outer's own
		"(*v.P).AppendJSON(b)",        // inner's own
		"v.S[i1].AppendJSON(b)",       // in a slice
		`if v.Ex != "" {`,             // omitempty
		"b = append(b, `{\"A\":`...)", // outer's promoted field, keyed as json.Marshal keys it
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %s:\n%s", want, src)
		}
	}
	// The key of inner's promoted field A is "A", as json.Marshal has it.
	if b, _ := json.Marshal(outer{inner{1}, 2}); string(b) != `{"A":1,"b":2}` {
		t.Fatalf("json.Marshal(outer) = %s: the test's premise changed", b)
	}
}

// TestGenerateKeys: which field a key shared by several is written from,
// as encoding/json decides it (TestAppendJSONMatchesMarshal in triage and
// report hold the generated code to json.Marshal on the real types).
func TestGenerateKeys(t *testing.T) {
	tests := []struct {
		typ        reflect.Type
		want, lack []string
	}{
		{reflect.TypeFor[twice](), []string{"`{\"X\":`", "jsonenc.AppendInt(b, v.B)"}, []string{"v.X)"}},
		{reflect.TypeFor[shadow](),
			[]string{"if v.outer != nil {", "jsonenc.AppendInt(b, v.outer.inner.A)", "jsonenc.AppendString(b, v.B)"},
			[]string{"v.outer.B"}},
		{reflect.TypeFor[hide](),
			[]string{"if v.outer != nil {", "jsonenc.AppendInt(b, v.outer.B)", `if v.A != nil {`, `b = append(b, "{}"...)`},
			[]string{"v.outer.inner.A"}},
		{reflect.TypeFor[tie](), []string{"`{\"z\":`"}, []string{"v.tieA.K", "v.tieB.K"}},
		// a first field that may be absent: the comma depends on what was written
		{reflect.TypeFor[omitFirst](), []string{"start := len(b)", "if len(b) != start {"}, nil},
		{reflect.TypeFor[late](), []string{"if v.outer != nil {", "if len(b) != start {", "b = append(b, `\"z\":`...)"}, nil},
	}
	for _, tt := range tests {
		src, err := Generate("jsongen", self, "test", tt.typ)
		if err != nil {
			t.Fatalf("Generate(%v): %v", tt.typ, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(src), w) {
				t.Errorf("%v: generated code lacks %s:\n%s", tt.typ, w, src)
			}
		}
		for _, l := range tt.lack {
			if strings.Contains(string(src), l) {
				t.Errorf("%v: generated code has %s:\n%s", tt.typ, l, src)
			}
		}
	}
	// the fields of an embedded pointer that come together are tested
	// for nil once
	src, err := Generate("jsongen", self, "test", reflect.TypeFor[late]())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "if v.outer != nil {"); n != 1 {
		t.Errorf("late: %d tests of v.outer for its 2 fields, want 1:\n%s", n, src)
	}
	// the premises, as json.Marshal has them
	for _, p := range []struct {
		v    any
		want string
	}{
		{twice{1, 2}, `{"X":2}`},
		{shadow{T: "t", outer: &outer{inner{1}, 2}, B: "b"}, `{"t":"t","A":1,"b":"b"}`},
		{shadow{T: "t"}, `{"t":"t","b":""}`},
		{hide{T: "t", outer: &outer{inner{1}, 2}}, `{"t":"t","b":2}`},
		{tie{1, tieA{2}, tieB{3}}, `{"z":1}`},
		{late{Z: 1}, `{"z":1}`},
		{late{&outer{inner{1}, 2}, 3}, `{"A":1,"b":2,"z":3}`},
		{omitFirst{}, `{}`},
	} {
		if b, _ := json.Marshal(p.v); string(b) != p.want {
			t.Errorf("json.Marshal(%T) = %s, want %s: the test's premise changed", p.v, b, p.want)
		}
	}
}

// TestGenerateRefuses: what json.Marshal would write differently, or
// what the generator does not know, is an error, never code.
func TestGenerateRefuses(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[withMap](), "kind map"},
		{reflect.TypeFor[withFloat](), "kind float64"},
		{reflect.TypeFor[withBytes](), "[]byte"},
		{reflect.TypeFor[withMarshaler](), "MarshalJSON"},
		{reflect.TypeFor[withString](), `option "string"`},

		{reflect.TypeFor[int](), "is not a struct type"},
	}
	for _, tt := range tests {
		_, err := Generate("jsongen", self, "test", tt.typ)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Generate(%v) = %v, want an error saying %q", tt.typ, err, tt.want)
		}
	}
}
