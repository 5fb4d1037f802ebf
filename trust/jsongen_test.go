package trust

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/siptls/siptls/internal/golden"
	"github.com/siptls/siptls/internal/jsongen"
	"github.com/siptls/siptls/internal/jsongen/jsontest"
)

var update = flag.Bool("update", false, "rewrite json_gen.go")

// TestJSONGenUpToDate fails while json_gen.go is not what internal/jsongen
// writes for the types as they are now; -update writes it (the generator
// reads the types by reflection, so it runs in this package's test; if a
// change to a type leaves the old file not compiling, delete it first).
// The file holds the AppendJSON methods of the trust results a connection
// carries, which triage's and report's generated encoders call.
func TestJSONGenUpToDate(t *testing.T) {
	src, err := jsongen.Generate("trust", "github.com/siptls/siptls/trust", "trust's TestJSONGenUpToDate -update",
		reflect.TypeFor[Check](), reflect.TypeFor[Audit](), reflect.TypeFor[NameCheck]())
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "json_gen.go", src, *update)
}

// TestAppendJSONMatchesMarshal: the generated encoders write what
// json.Marshal writes, byte for byte, on random values.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var b []byte
	for i := range 1000 {
		var check Check
		var audit Audit
		var names NameCheck
		for _, v := range []any{&check, &audit, &names} {
			jsontest.Fill(r, reflect.ValueOf(v).Elem(), jsontest.Times)
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			a, ok := v.(interface{ AppendJSON([]byte) ([]byte, error) })
			if !ok {
				t.Fatalf("%T has no AppendJSON: run go test ./trust -run TestJSONGenUpToDate -update", v)
			}
			if b, err = a.AppendJSON(b[:0]); err != nil || !bytes.Equal(b, want) {
				t.Fatalf("value %d, %T: AppendJSON = %s, %v\njson.Marshal = %s", i, v, b, err, want)
			}
		}
	}
}
