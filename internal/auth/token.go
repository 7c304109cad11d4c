// Package auth holds the credentials of the service: the tokens of personal
// links, sessions, set-password links and API tokens; password hashing and
// rules; and the sign-in throttling policy.
//
// Every token is 128 bits written as 22 base64url characters. Only its
// SHA-256 is stored, so a copy of the database opens nothing; a token that
// is malformed, unknown or revoked is indistinguishable to the caller.
// Personal links are derived from a random salt with the service's link key
// (HMAC-SHA-256), so coordinators can see and send a link again without the
// database holding it.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// TokenLen is the length of a token in characters.
const TokenLen = 22

// ErrMalformedToken is returned for text that cannot be a token.
var ErrMalformedToken = errors.New("malformed token")

// NewToken returns a fresh token and its hash.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand panics on an unusable source)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of the token text.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ParseToken checks the token's shape and returns its hash.
func ParseToken(token string) ([]byte, error) {
	if len(token) != TokenLen {
		return nil, ErrMalformedToken
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 16 || base64.RawURLEncoding.EncodeToString(b) != token {
		return nil, ErrMalformedToken
	}
	return HashToken(token), nil
}
