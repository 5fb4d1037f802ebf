package triage

import (
	"reflect"

	"github.com/siptls/siptls/internal/jsongen"
)

//go:generate go run ../internal/cmd/genjson -o json_gen.go

// GenerateJSON returns the source of json_gen.go: the AppendJSON method of
// Connection, which report's --format json calls once per connection
// instead of json.Marshal (internal/cmd/genjson writes it; see there).
func GenerateJSON() ([]byte, error) {
	return jsongen.Generate("triage", "github.com/siptls/siptls/triage", "internal/cmd/genjson",
		reflect.TypeFor[Connection]())
}
