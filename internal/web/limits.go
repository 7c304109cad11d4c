package web

import (
	"errors"

	"github.com/civitas-lv/surveyd/internal/manage"
)

// The limits of what staff type in are manage's (limits.go); these word
// its refusals for the forms.

// dateProblem words a refused date of a round.
func dateProblem(l lang, err error) string {
	if errors.Is(err, manage.ErrDateOrder) {
		return l.T("round.dates.order")
	}
	return l.T("round.dates.range", "min", manage.MinYear, "max", manage.MaxYear)
}

// nameProblem words a refused one-line name ("" when err is not a limit).
func nameProblem(l lang, err error) string {
	return textProblem(l, err, "name.long", manage.MaxNameChars)
}

// textProblem words a refused text: too long (the message key longKey,
// given the limit) or with characters not allowed; "" when err is neither.
func textProblem(l lang, err error, longKey string, limit int) string {
	switch {
	case errors.Is(err, manage.ErrTooLong):
		return l.T(longKey, "max", limit)
	case errors.Is(err, manage.ErrBadCharacters):
		return l.T("text.badchars")
	}
	return ""
}
