package english

import "testing"

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0 CA names"}, {1, "1 CA name"}, {2, "2 CA names"}, {-1, "-1 CA names"}}
	for _, tt := range tests {
		if got := Plural(tt.n, "CA name", "CA names"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestJoinAnd(t *testing.T) {
	tests := []struct {
		items []string
		want  string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a and b"}, {[]string{"a", "b", "c"}, "a, b and c"}}
	for _, tt := range tests {
		if got := JoinAnd(tt.items); got != tt.want {
			t.Errorf("JoinAnd(%q) = %q, want %q", tt.items, got, tt.want)
		}
	}
}
