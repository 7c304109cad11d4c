package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestLinkKeyDerivesAndRecovers(t *testing.T) {
	t.Parallel()
	k, err := NewLinkKey([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	token, hash, salt := k.New()
	if h, err := ParseToken(token); err != nil || string(h) != string(hash) {
		t.Fatalf("token %q does not parse to its hash: %v", token, err)
	}
	if got, ok := k.Recover(salt, hash); !ok || got != token {
		t.Fatalf("Recover = %q %v", got, ok)
	}
	// Another key, a missing salt, or another link's hash: not recoverable.
	other, _ := NewLinkKey([]byte(strings.Repeat("x", 32)))
	if _, ok := other.Recover(salt, hash); ok {
		t.Fatal("another key recovered the token")
	}
	if _, ok := k.Recover(nil, hash); ok {
		t.Fatal("recovered without a salt")
	}
	_, hash2, _ := k.New()
	if _, ok := k.Recover(salt, hash2); ok {
		t.Fatal("recovered against another link's hash")
	}
	// Fresh salts give distinct tokens.
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok, _, _ := k.New()
		if seen[tok] {
			t.Fatal("token repeated")
		}
		seen[tok] = true
	}
	// The zero key never derives: random tokens, no salt.
	if tok, h, salt := (LinkKey{}).New(); salt != nil || len(tok) != TokenLen || string(HashToken(tok)) != string(h) {
		t.Fatal("the zero key derived a token")
	}
	if _, err := NewLinkKey([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
	if len(GenerateKey()) != 43 {
		t.Fatal("GenerateKey length")
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	for pw, want := range map[string]error{
		"short":                        ErrPasswordShort,
		"ābolu ķīselis":                nil, // 13 characters, more bytes
		"ābolsābolsā":                  ErrPasswordShort,
		strings.Repeat("ž", 37):        nil,             // 74 bytes: more than bcrypt reads
		strings.Repeat("ž", 128):       nil,             // 256 bytes
		strings.Repeat("ž", 128) + "x": ErrPasswordLong, // 257 bytes
		"ar\ttabulāciju parole":        ErrPasswordControl,
		"ar jaunu rindu\nparole":       ErrPasswordControl,
		"ar nulles baitu\x00 parole":   ErrPasswordControl,
		"nav UTF-8 \xff parole":        ErrPasswordControl,
		"Anna@Novads.lv":               ErrPasswordIsEmail,
		"correct horse battery staple": nil,
	} {
		if err := CheckPassword(pw, "anna@novads.lv"); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", pw, err, want)
		}
	}
}

func TestHasher(t *testing.T) {
	t.Parallel()
	h, err := NewHasher(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash("correct horse battery staple")
	if err != nil || !strings.HasPrefix(hash, "$2a$") {
		t.Fatalf("%q %v", hash, err)
	}
	if !h.Verify(hash, "correct horse battery staple") || h.Verify(hash, "correct horse battery stapler") || h.Verify("", "") {
		t.Fatal("Verify")
	}
	// Past bcrypt's 72 bytes every byte still counts: a password that
	// differs only after byte 72 does not match, nor does its first 72
	// bytes alone.
	long := strings.Repeat("garā parole ", 10) // 130 bytes
	hash, err = h.Hash(long)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Verify(hash, long) || h.Verify(hash, long[:72]) || h.Verify(hash, long[:129]+"X") || h.Verify(hash, long+"x") {
		t.Fatal("Verify of a password over 72 bytes")
	}
	short, _ := h.Hash(long[:72])
	if h.Verify(short, long) {
		t.Fatal("a long password matched the hash of its first 72 bytes")
	}
	if h.Verify(hash, strings.Repeat("a", 1<<20)) {
		t.Fatal("Verify of 1 MiB")
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	th := DefaultThrottle()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	oldest := now.Add(-10 * time.Minute)
	if w := th.Wait(now, 4, 19, &oldest, &oldest); w != 0 {
		t.Fatalf("below the limits: wait %v", w)
	}
	if w := th.Wait(now, 5, 0, &oldest, nil); w != 5*time.Minute {
		t.Fatalf("account limit: wait %v", w)
	}
	ipOldest := now.Add(-time.Minute)
	if w := th.Wait(now, 5, 20, &oldest, &ipOldest); w != 14*time.Minute {
		t.Fatalf("both limits: wait %v, want the longer", w)
	}
	almost := now.Add(-th.Window + time.Millisecond)
	if w := th.Wait(now, 5, 0, &almost, nil); w != time.Second {
		t.Fatalf("a wait under a second rounds up: %v", w)
	}
}
