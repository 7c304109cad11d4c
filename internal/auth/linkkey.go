package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// MinLinkKeyLen is the shortest link key accepted, in bytes.
const MinLinkKeyLen = 32

// LinkKey derives personal-link tokens from salts. The zero value is not
// usable; use NewLinkKey.
type LinkKey struct{ key []byte }

// NewLinkKey wraps a secret of at least MinLinkKeyLen bytes.
func NewLinkKey(secret []byte) (LinkKey, error) {
	if len(secret) < MinLinkKeyLen {
		return LinkKey{}, errors.New("the link key must be at least 32 characters")
	}
	return LinkKey{key: append([]byte(nil), secret...)}, nil
}

// GenerateKey returns a fresh random key as text (43 base64url characters).
func GenerateKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// New returns a fresh salt and the token and hash it gives. The zero
// LinkKey gives a random token and no salt (it cannot be derived again), so
// a missing key never makes tokens computable from the database.
func (k LinkKey) New() (token string, hash, salt []byte) {
	if len(k.key) == 0 {
		token, hash = NewToken()
		return token, hash, nil
	}
	salt = make([]byte, 16)
	rand.Read(salt)
	token = k.Token(salt)
	return token, HashToken(token), salt
}

// Token derives the token of a salt.
func (k LinkKey) Token(salt []byte) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("surveyd personal link v1\x00"))
	m.Write(salt)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Recover returns the token of a stored link, if it was derived with this
// key: false when the salt is missing or the key has changed since.
func (k LinkKey) Recover(salt, storedHash []byte) (string, bool) {
	if len(salt) == 0 || len(k.key) == 0 {
		return "", false
	}
	t := k.Token(salt)
	return t, hmac.Equal(HashToken(t), storedHash)
}
