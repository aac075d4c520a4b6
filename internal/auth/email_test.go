package auth

import "testing"

func TestParseEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"alice@example.com", "alice@example.com", true},
		{"Alice@Example.COM", "alice@example.com", true},
		{"  spaced@example.com  ", "spaced@example.com", true},
		{"Eve Person <EVE@Example.com>", "eve@example.com", true},
		{"first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk", true},
		{"not-an-email", "", false},
		{"alice", "", false},
		{"a@b", "", false},
		{"carol@foo.test", "", false},
		{"x@localhost", "", false},
		{"x@example.123", "", false},
		{"x@-bad.com", "", false},
		{"x@bad-.com", "", false},
		{"x@exa_mple.com", "", false},
		{"a@b.com, c@d.com", "", false},
		{`"quoted local"@example.com`, "", false},
		{"", "", false},
		{"@example.com", "", false},
		// Invisible characters would make a second account that reads like
		// the first: zero-width space, zero-width joiner, right-to-left
		// override, soft hyphen, a control character.
		{"a\u200b@example.com", "", false},
		{"al\u200dice@example.com", "", false},
		{"\u202ealice@example.com", "", false},
		{"ali\u00adce@example.com", "", false},
		{"ali\u0007ce@example.com", "", false},
		{"alice@exam\u200bple.com", "", false},
		{"jos\u00e9@example.com", "jos\u00e9@example.com", true},
	}
	for _, tc := range tests {
		got, err := ParseEmail(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"Mozilla/5.0", 512, "Mozilla/5.0"},
		{"abcdef", 3, "abc"},
		{"ééé", 3, "é"}, // never half a character
		{"a\xffb", 10, "ab"},
	}
	for _, tc := range tests {
		if got := cleanText(tc.in, tc.n); got != tc.want {
			t.Errorf("cleanText(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
