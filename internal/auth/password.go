package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password rules: long enough to resist guessing; at most 256 bytes, of
// which bcrypt (reading at most 72) is given all that matter (see
// bcryptKey); no control characters, which no keyboard types into a
// password field and which would make a password impossible to type again.
const (
	MinPasswordLen      = 12  // characters
	MaxPasswordBytes    = 256 // bytes of UTF-8
	DefaultPasswordCost = bcrypt.DefaultCost
	bcryptMaxBytes      = 72 // bcrypt ignores what follows
)

// Reasons a password is refused; the web layer words them for people.
var (
	ErrPasswordShort    = errors.New("password too short")
	ErrPasswordLong     = errors.New("password too long")
	ErrPasswordIsEmail  = errors.New("password is the e-mail address")
	ErrPasswordMismatch = errors.New("passwords differ")
	ErrPasswordControl  = errors.New("password holds a control character or invalid UTF-8")
)

// CheckPassword applies the rules to a new password.
func CheckPassword(pw, email string) error {
	switch {
	case !utf8.ValidString(pw) || strings.IndexFunc(pw, unicode.IsControl) >= 0:
		return ErrPasswordControl
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

// bcryptKey is what bcrypt hashes for a password: the password itself when
// bcrypt reads all of it (72 bytes or fewer, so hashes made before longer
// passwords were allowed still match); a longer one is first reduced to its
// SHA-256 (base64, with a prefix: 51 bytes), so that every byte counts and
// two passwords alike in their first 72 bytes do not match each other.
func bcryptKey(pw string) []byte {
	if len(pw) <= bcryptMaxBytes {
		return []byte(pw)
	}
	sum := sha256.Sum256([]byte(pw))
	return []byte("sha256:" + base64.StdEncoding.EncodeToString(sum[:]))
}

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

// Hash returns the bcrypt hash of pw (at most MaxPasswordBytes).
func (h *Hasher) Hash(pw string) (string, error) {
	if len(pw) > MaxPasswordBytes {
		return "", ErrPasswordLong
	}
	b, err := bcrypt.GenerateFromPassword(bcryptKey(pw), h.cost)
	return string(b), err
}

// Verify reports whether pw matches hash; with an empty hash (unknown user,
// no password yet) or a password longer than any that can be set, it
// spends the same time and returns false.
func (h *Hasher) Verify(hash, pw string) bool {
	if hash == "" || len(pw) > MaxPasswordBytes {
		bcrypt.CompareHashAndPassword(h.dummy, bcryptKey(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), bcryptKey(pw)) == nil
}

// GeneratePassword returns a random password of 20 base64url characters
// (120 bits), for the first admin.
func GeneratePassword() string {
	t, _ := NewToken()
	return t[:20]
}
