package certinfo

import "fmt"

// NameError reports why a DER Name could not be rendered by FormatDN.
type NameError struct {
	// Offset is the byte offset in the Name where the problem was found,
	// when known.
	Offset int
	// Reason says what is wrong, e.g. "empty RDN".
	Reason string
}

// Error implements error.
func (e *NameError) Error() string {
	return fmt.Sprintf("certinfo: malformed Name at offset %d: %s", e.Offset, e.Reason)
}
