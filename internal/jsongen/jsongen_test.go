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
	B int `json:"X"` // the untagged X's key
}
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
		{reflect.TypeFor[omitFirst](), "omitempty first field"},
		{reflect.TypeFor[twice](), `two fields are named "X"`},
		{reflect.TypeFor[int](), "is not a struct type"},
	}
	for _, tt := range tests {
		_, err := Generate("jsongen", self, "test", tt.typ)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Generate(%v) = %v, want an error saying %q", tt.typ, err, tt.want)
		}
	}
}
