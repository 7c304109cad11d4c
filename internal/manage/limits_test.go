package manage

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckRoundDates(t *testing.T) {
	t.Parallel()
	riga, _ := time.LoadLocation("Europe/Riga")
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, riga) }
	for _, c := range []struct {
		opens, closes time.Time
		want          error
	}{
		{at(2026, 11, 1), at(2026, 12, 15), nil},
		{at(2000, 1, 1), at(2100, 12, 31), nil},
		{at(1, 1, 1), at(1, 1, 2), ErrDateRange},
		{time.Time{}, at(2026, 12, 15), ErrDateRange},
		{at(1999, 12, 31), at(2026, 12, 15), ErrDateRange},
		{at(2026, 11, 1), at(2101, 1, 1), ErrDateRange},
		{at(2026, 11, 1), at(9999, 12, 31), ErrDateRange},
		{at(2026, 12, 15), at(2026, 12, 15), ErrDateOrder},
		{at(2026, 12, 15), at(2026, 11, 1), ErrDateOrder},
	} {
		if err := CheckRoundDates(c.opens, c.closes); !errors.Is(err, c.want) {
			t.Errorf("%v – %v: %v, want %v", c.opens, c.closes, err, c.want)
		}
	}
}

func TestCheckNameAndText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s          string
		name, text error
	}{
		{"Līga Ozola", nil, nil},
		{strings.Repeat("ž", MaxNameChars), nil, nil},
		{strings.Repeat("ž", MaxNameChars+1), ErrTooLong, nil},
		{strings.Repeat("ž", MaxTextChars+1), ErrTooLong, ErrTooLong},
		{"rinda 1\nrinda 2\r\n\tatkāpe", ErrBadCharacters, nil},
		{"nulle\x00", ErrBadCharacters, ErrBadCharacters},
		{"zvans\x07", ErrBadCharacters, ErrBadCharacters},
		{"\x1b[31msarkans", ErrBadCharacters, ErrBadCharacters},
		{"dzēst\x7f", ErrBadCharacters, ErrBadCharacters},
		{"C1\u0085", ErrBadCharacters, ErrBadCharacters},
		{"Anna \u202egnp.exe", ErrBadCharacters, ErrBadCharacters},
		{"izolēts \u2067x\u2069", ErrBadCharacters, ErrBadCharacters},
		{"nav UTF-8 \xff", ErrBadCharacters, ErrBadCharacters},
		{"emocijzīme 😀 un “pēdiņas” — ā č ē ģ ī ķ ļ ņ š ū ž", nil, nil},
	} {
		if err := CheckName(c.s); !errors.Is(err, c.name) {
			t.Errorf("CheckName(%.20q): %v, want %v", c.s, err, c.name)
		}
		if err := CheckText(c.s); !errors.Is(err, c.text) {
			t.Errorf("CheckText(%.20q): %v, want %v", c.s, err, c.text)
		}
	}
}
