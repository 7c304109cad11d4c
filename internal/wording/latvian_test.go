package wording

import (
	"strings"
	"testing"
	"time"
)

func TestCountTakesTheNounsFormAfterTheNumber(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n      int
		lv, en string
	}{
		{0, "0 rakstzīmes", "0 characters"},
		{1, "1 rakstzīme", "1 character"},
		{2, "2 rakstzīmes", "2 characters"},
		{10, "10 rakstzīmes", "10 characters"},
		{11, "11 rakstzīmes", "11 characters"},
		{12, "12 rakstzīmes", "12 characters"},
		{21, "21 rakstzīme", "21 characters"},
		{31, "31 rakstzīme", "31 characters"},
		{101, "101 rakstzīme", "101 characters"},
		{111, "111 rakstzīmes", "111 characters"},
		{1001, "1001 rakstzīme", "1001 characters"},
		{-21, "-21 rakstzīme", "-21 characters"},
	} {
		if got := Count(LV, c.n, "rakstzīme", "rakstzīmes"); got != c.lv {
			t.Errorf("Count(LV, %d) = %q, want %q", c.n, got, c.lv)
		}
		if got := Count(EN, c.n, "character", "characters"); got != c.en {
			t.Errorf("Count(EN, %d) = %q, want %q", c.n, got, c.en)
		}
	}
	// The survey's validation message's own nouns, as survey used to test them.
	for n, want := range map[int]string{1: "1 zīme", 2: "2 zīmes", 11: "11 zīmes", 21: "21 zīme", 111: "111 zīmes"} {
		if got := Count(LV, n, "zīme", "zīmes"); got != want {
			t.Errorf("Count(LV, %d) = %q, want %q", n, got, want)
		}
	}
}

func TestDateInEachCase(t *testing.T) {
	t.Parallel()
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, time.December, 15, 23, 59, 0, 0, riga)
	for _, c := range []struct {
		l    Lang
		c    Case
		t    time.Time
		want string
	}{
		{LV, Genitive, at, "2026. gada 15. decembra plkst. 23:59"},
		{LV, Dative, at, "2026. gada 15. decembrim plkst. 23:59"},
		{LV, Locative, at, "2026. gada 15. decembrī plkst. 23:59"},
		{LV, Case(99), at, "2026. gada 15. decembra plkst. 23:59"},
		{EN, Genitive, at, "15 December 2026, 23:59"},
		{EN, Dative, at, "15 December 2026, 23:59"},
		{EN, Locative, at, "15 December 2026, 23:59"},
		// Every month in every case, on a single-digit day in the morning.
		{LV, Genitive, time.Date(2027, time.January, 1, 9, 5, 0, 0, riga), "2027. gada 1. janvāra plkst. 09:05"},
		{LV, Dative, time.Date(2027, time.March, 2, 9, 5, 0, 0, riga), "2027. gada 2. martam plkst. 09:05"},
		{LV, Locative, time.Date(2027, time.April, 3, 0, 0, 0, 0, riga), "2027. gada 3. aprīlī plkst. 00:00"},
		{EN, Locative, time.Date(2027, time.April, 3, 0, 0, 0, 0, riga), "3 April 2027, 00:00"},
	} {
		if got := Date(c.l, c.t, c.c); got != c.want {
			t.Errorf("Date(%s, %v, %d) = %q, want %q", c.l, c.t, c.c, got, c.want)
		}
	}
	// The month's name in each case, from January to December.
	want := map[Case]string{
		Genitive: "janvāra februāra marta aprīļa maija jūnija jūlija augusta septembra oktobra novembra decembra",
		Dative:   "janvārim februārim martam aprīlim maijam jūnijam jūlijam augustam septembrim oktobrim novembrim decembrim",
		Locative: "janvārī februārī martā aprīlī maijā jūnijā jūlijā augustā septembrī oktobrī novembrī decembrī",
	}
	for c, names := range want {
		var got []string
		for m := time.January; m <= time.December; m++ {
			s := Date(LV, time.Date(2026, m, 1, 12, 0, 0, 0, riga), c)
			got = append(got, s[len("2026. gada 1. "):len(s)-len(" plkst. 12:00")])
		}
		if g := strings.Join(got, " "); g != names {
			t.Errorf("case %d: months %q, want %q", c, g, names)
		}
	}
}
