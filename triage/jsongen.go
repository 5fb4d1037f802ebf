package triage

import (
	"reflect"

	"github.com/siptls/siptls/internal/jsongen"
)

//go:generate go run ../internal/cmd/genjson -o json_gen.go

// GenerateJSON returns the source of json_gen.go: the AppendJSON method of
// Connection, which report's --format json calls once per connection
// instead of json.Marshal, and of the types a connection holds, which
// report's generated ndjson records call (internal/cmd/genjson writes it;
// see there).
func GenerateJSON() ([]byte, error) {
	return jsongen.Generate("triage", "github.com/siptls/siptls/triage", "internal/cmd/genjson",
		reflect.TypeFor[Connection](), reflect.TypeFor[Alert](), reflect.TypeFor[CertificateRequest](),
		reflect.TypeFor[Certificate](), reflect.TypeFor[PartialCertificate](), reflect.TypeFor[ByteRange](),
		reflect.TypeFor[CertTrust](), reflect.TypeFor[VerifyError](), reflect.TypeFor[Event](),
		reflect.TypeFor[Finding](), reflect.TypeFor[SIPMessage](), reflect.TypeFor[ConnStats](),
		reflect.TypeFor[DirStats]())
}
