package auth

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
)

// errBadEmail is what ParseEmail returns for anything that is not a usable address.
var errBadEmail = errors.New("value is not a valid email address")

// specialUseTLDs are the top-level domains reserved by RFC 6761 and friends; no
// mail is ever delivered there, so the reference server (email-validator) refuses
// them and so do we.
var specialUseTLDs = map[string]bool{
	"arpa": true, "invalid": true, "local": true, "localhost": true, "onion": true, "test": true,
}

// ParseEmail accepts what the reference server accepted — a bare address or the
// "Display Name <addr>" form, with surrounding spaces — and returns the address
// trimmed and lower-cased, the one form that is stored and compared.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 320 {
		return "", errBadEmail
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", errBadEmail
	}
	local, domain, ok := strings.Cut(addr.Address, "@")
	if !ok || local == "" || len(local) > 64 || strings.ContainsAny(local, " \"\\") {
		return "", errBadEmail
	}
	if strings.IndexFunc(addr.Address, invisible) >= 0 {
		return "", errBadEmail
	}
	if !validDomain(domain) {
		return "", errBadEmail
	}
	return strings.ToLower(addr.Address), nil
}

// invisible reports a character that shows nothing or changes how the text
// around it shows: controls, zero-width spaces and joiners, direction marks
// (Unicode categories Cc and Cf). In an email they only serve to make a second
// account that reads exactly like someone else's.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}

// validDomain checks a deliverable DNS name: at least two labels of letters,
// digits and inner hyphens, a non-numeric top-level label that is not special-use.
func validDomain(domain string) bool {
	if len(domain) > 253 {
		return false
	}
	labels := strings.Split(strings.ToLower(domain), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r > 127) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if specialUseTLDs[tld] || strings.Trim(tld, "0123456789") == "" {
		return false
	}
	return true
}
