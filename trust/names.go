package trust

import (
	"net/netip"
	"strings"

	"github.com/siptls/siptls/certinfo"
)

// MatchNames implements the "X.509 Subject Name" field of a CUCM SIP Trunk
// Security Profile: expected holds names (each entry may itself be a comma-
// or space-separated list), compared case-insensitively and without a
// trailing dot with the certificate's subject CN and DNS SANs
// (certinfo.Info.Names). It returns the first certificate name, in
// Names order, that one of the expected names equals, and whether there was
// one. Wildcards are not expanded, as CUCM does not expand them. An empty
// expected list matches nothing.
func MatchNames(info *certinfo.Info, expected []string) (matched string, ok bool) {
	if info == nil {
		return "", false
	}
	want := map[string]bool{}
	for _, e := range expected {
		for _, n := range splitNames(e) {
			want[n] = true
		}
	}
	for _, n := range info.Names() {
		if want[n] {
			return n, true
		}
	}
	return "", false
}

// splitNames splits a comma- or space-separated list into lowercased names
// without a trailing dot.
func splitNames(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' })
	out := f[:0]
	for _, n := range f {
		n = strings.TrimSuffix(strings.ToLower(n), ".")
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// ParseExpectNames reads the value of one --expect-name flag: "NAMES" (for
// every peer) or "IP=NAMES" (for the peer with that IP address). NAMES is a
// comma- or space-separated list, returned lowercased without trailing
// dots. peer is "" when the value does not start with an IP address and
// "=", and is the address in its canonical form otherwise.
func ParseExpectNames(flag string) (peer string, names []string) {
	if before, after, ok := strings.Cut(flag, "="); ok {
		if a, err := netip.ParseAddr(strings.TrimSpace(before)); err == nil {
			return a.String(), splitNames(after)
		}
	}
	return "", splitNames(flag)
}
