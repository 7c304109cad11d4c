package manage

import (
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what staff type in (coordinators and admins, on the web and
// with the CLI). Each is checked here and nowhere else; the web words the
// errors for people, the CLI prints them. (Passwords: auth.CheckPassword.)
const (
	// MinYear and MaxYear bound every date of a round: when it opens,
	// closes, and a municipality's extended deadline. A year 0001 or 9999
	// is a typing slip that would close (or never close) the round for
	// every municipality.
	MinYear = 2000
	MaxYear = 2100
	// MaxNameChars bounds a one-line name: a user's, an API token's.
	MaxNameChars = 200
	// MaxTextChars bounds a multi-line text: a correction's reason, a
	// return's note and each comment.
	MaxTextChars = 2000
)

// Why a value is refused.
var (
	ErrDateRange = fmt.Errorf("dates must be in the years %d to %d", MinYear, MaxYear)
	ErrDateOrder = errors.New("the round must close after it opens")
	ErrTooLong   = errors.New("too long")
	// ErrBadCharacters: a control character (a newline, carriage return or
	// tab only in multi-line texts), a bidi embedding, override or isolate
	// (U+202A–U+202E, U+2066–U+2069: they make text read other than it is
	// stored), or bytes that are not UTF-8.
	ErrBadCharacters = errors.New("contains a control character or invalid UTF-8")
)

// CheckDate checks one date of a round.
func CheckDate(t time.Time) error {
	if y := t.Year(); y < MinYear || y > MaxYear {
		return ErrDateRange
	}
	return nil
}

// CheckRoundDates checks a round's answering window.
func CheckRoundDates(opens, closes time.Time) error {
	if err := CheckDate(opens); err != nil {
		return err
	}
	if err := CheckDate(closes); err != nil {
		return err
	}
	if !closes.After(opens) {
		return ErrDateOrder
	}
	return nil
}

// CheckName checks a one-line name (already trimmed): at most MaxNameChars
// characters, no control characters.
func CheckName(s string) error {
	return checkText(s, MaxNameChars, false)
}

// CheckText checks a multi-line text (already trimmed): at most
// MaxTextChars characters; newlines and tabs are allowed, other control
// characters are not.
func CheckText(s string) error {
	return checkText(s, MaxTextChars, true)
}

func checkText(s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return ErrBadCharacters
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w (%d characters, at most %d)", ErrTooLong, n, max)
	}
	for _, r := range s {
		if badRune(r, multiline) {
			return ErrBadCharacters
		}
	}
	return nil
}

func badRune(r rune, multiline bool) bool {
	switch {
	case multiline && (r == '\n' || r == '\r' || r == '\t'):
		return false
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
