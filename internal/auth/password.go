package auth

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password rules: long enough to resist guessing, short enough for bcrypt
// (which reads at most 72 bytes).
const (
	MinPasswordLen      = 12 // characters
	MaxPasswordBytes    = 72
	DefaultPasswordCost = bcrypt.DefaultCost
)

// Reasons a password is refused; the web layer words them for people.
var (
	ErrPasswordShort    = errors.New("password too short")
	ErrPasswordLong     = errors.New("password too long")
	ErrPasswordIsEmail  = errors.New("password is the e-mail address")
	ErrPasswordMismatch = errors.New("passwords differ")
)

// CheckPassword applies the rules to a new password.
func CheckPassword(pw, email string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return ErrPasswordShort
	case len(pw) > MaxPasswordBytes:
		return ErrPasswordLong
	case strings.EqualFold(strings.TrimSpace(pw), email):
		return ErrPasswordIsEmail
	}
	return nil
}

// PasswordHasher hashes and checks passwords. *Hasher is the one the
// service uses; tests wrap it (to count the checks a sign-in makes).
type PasswordHasher interface {
	Hash(pw string) (string, error)
	Verify(hash, pw string) bool
}

var _ PasswordHasher = (*Hasher)(nil)

// Hasher hashes and checks passwords with bcrypt at a fixed cost.
type Hasher struct {
	cost  int
	dummy []byte // compared against when the user is unknown, to take as long
}

// NewHasher returns a Hasher; cost 0 means DefaultPasswordCost (tests use
// bcrypt.MinCost).
func NewHasher(cost int) (*Hasher, error) {
	if cost == 0 {
		cost = DefaultPasswordCost
	}
	d, err := bcrypt.GenerateFromPassword([]byte("no user has this password"), cost)
	if err != nil {
		return nil, err
	}
	return &Hasher{cost: cost, dummy: d}, nil
}

// Hash returns the bcrypt hash of pw.
func (h *Hasher) Hash(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.cost)
	return string(b), err
}

// Verify reports whether pw matches hash; with an empty hash (unknown user,
// no password yet) it spends the same time and returns false.
func (h *Hasher) Verify(hash, pw string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(h.dummy, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// GeneratePassword returns a random password of 20 base64url characters
// (120 bits), for the first admin.
func GeneratePassword() string {
	t, _ := NewToken()
	return t[:20]
}
