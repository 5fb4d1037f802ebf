package report

import (
	"reflect"

	"github.com/siptls/siptls/internal/jsongen"
)

// generateJSON returns the source of json_gen.go: the AppendJSON methods of
// the record --format ndjson writes once per connection (ndConnection;
// triage's ndTriageConnection adds its one field to it by hand, in
// ndjson.go). TestJSONGenUpToDate compares the
// file with it, and writes it with -update: the generator reads the types
// by reflection, so it runs inside this package, which compiles without
// the file (the ndjson writer finds the methods through an interface and
// falls back on json.Marshal, which writes the same bytes).
func generateJSON() ([]byte, error) {
	return jsongen.Generate("report", "github.com/siptls/siptls/report", "report's TestJSONGenUpToDate -update",
		reflect.TypeFor[ndConnection]())
}
