package auth

import (
	"bytes"
	"testing"
)

func TestToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		tok, hash := NewToken()
		if len(tok) != TokenLen || seen[tok] {
			t.Fatalf("bad or repeated token %q", tok)
		}
		seen[tok] = true
		h, err := ParseToken(tok)
		if err != nil || !bytes.Equal(h, hash) || len(hash) != 32 {
			t.Fatalf("ParseToken(%q) = %x, %v", tok, h, err)
		}
	}
	for _, bad := range []string{"", "short", "AAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAA/A", "AAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAB"} { // last: non-canonical trailing bits
		if _, err := ParseToken(bad); err == nil {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
}
