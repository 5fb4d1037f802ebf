package certinfo

import "testing"

// TestOpenSSLShortNamesSorted checks that the generated table is sorted
// without duplicates, as openSSLShortName's binary search needs.
func TestOpenSSLShortNamesSorted(t *testing.T) {
	for i := 1; i < len(openSSLShortNames); i++ {
		if a, b := openSSLShortNames[i-1].oid, openSSLShortNames[i].oid; a >= b {
			t.Fatalf("openSSLShortNames[%d] %q is not before [%d] %q", i-1, a, i, b)
		}
	}
	for _, tc := range []struct{ oid, want string }{
		{"2.5.4.3", "CN"},
		{"2.5.4.97", "organizationIdentifier"},
		{"1.3.6.1.5.5.7.3.1", "serverAuth"},
		{"2.5.4.3.1", ""},
		{"", ""},
	} {
		got, ok := openSSLShortName(tc.oid)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("openSSLShortName(%q) = %q, %v; want %q", tc.oid, got, ok, tc.want)
		}
	}
}
