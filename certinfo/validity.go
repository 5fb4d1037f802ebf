package certinfo

import "fmt"

// Validity is where an instant falls in a certificate's validity period, as
// ValidAt reports it. In JSON and text it is its word (see String): "valid",
// "expired", "not_yet_valid" or "unknown". Callers compare the constants,
// never the words.
type Validity int

const (
	// ValidityUnknown means the validity period cannot be read: NotBefore or
	// NotAfter is missing (not a certificate, or an unreadable time). It is
	// the zero value.
	ValidityUnknown Validity = iota
	// Valid means the instant lies within NotBefore and NotAfter, both
	// bounds included (RFC 5280, section 4.1.2.5).
	Valid
	// Expired means the instant is after NotAfter.
	Expired
	// NotYetValid means the instant is before NotBefore.
	NotYetValid
)

var validityWords = [...]string{
	ValidityUnknown: "unknown",
	Valid:           "valid",
	Expired:         "expired",
	NotYetValid:     "not_yet_valid",
}

// String returns the word of v, as JSON and text show it: "valid",
// "expired", "not_yet_valid" or "unknown".
func (v Validity) String() string {
	if v >= 0 && int(v) < len(validityWords) {
		return validityWords[v]
	}
	return fmt.Sprintf("Validity(%d)", int(v))
}

// MarshalText returns String: a validity is a word in JSON.
func (v Validity) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads what MarshalText writes, for readers of the JSON.
func (v *Validity) UnmarshalText(b []byte) error {
	for i, w := range validityWords {
		if string(b) == w {
			*v = Validity(i)
			return nil
		}
	}
	return fmt.Errorf("certinfo: unknown validity %q", b)
}

// OutOfPeriod reports whether v is Expired or NotYetValid: the instant is
// known to lie outside the validity period.
func (v Validity) OutOfPeriod() bool { return v == Expired || v == NotYetValid }
