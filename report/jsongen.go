package report

import (
	"reflect"

	"github.com/siptls/siptls/internal/jsongen"
)

//go:generate go run ../internal/cmd/genjson -pkg report -o json_gen.go

// GenerateJSON returns the source of json_gen.go: the AppendJSON methods of
// the records --format ndjson writes once per connection (ndConnection,
// and ndTriageConnection for triage), which the ndjson writer calls instead
// of json.Marshal (internal/cmd/genjson writes it; see there).
func GenerateJSON() ([]byte, error) {
	return jsongen.Generate("report", "github.com/siptls/siptls/report", "internal/cmd/genjson",
		reflect.TypeFor[ndConnection](), reflect.TypeFor[ndTriageConnection]())
}
