package certinfo

import "testing"

// TestOpenSSLShortName looks up a few names of the generated table.
func TestOpenSSLShortName(t *testing.T) {
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
