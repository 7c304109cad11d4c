package wording

import (
	"fmt"
	"time"
)

// The Latvian grammar message files cannot carry, with its English
// counterparts: a date in the case its sentence needs, and a noun's form
// after a number.

// Case is the grammatical case a Latvian date takes in its sentence.
// English has one form for all.
type Case int

// The cases a date is written in.
const (
	Genitive Case = iota // "no 1. decembra", "kopš 1. decembra"
	Dative               // "līdz 15. decembrim"
	Locative             // "iesniegta 3. decembrī"
)

// Latvian month names in each case.
var months = map[Case][12]string{
	Genitive: {"janvāra", "februāra", "marta", "aprīļa", "maija", "jūnija", "jūlija", "augusta", "septembra", "oktobra", "novembra", "decembra"},
	Dative:   {"janvārim", "februārim", "martam", "aprīlim", "maijam", "jūnijam", "jūlijam", "augustam", "septembrim", "oktobrim", "novembrim", "decembrim"},
	Locative: {"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"},
}

// Date writes a moment for people, in t's own time zone: "2026. gada 15.
// decembrim plkst. 23:59" in Latvian, in the case asked (an unknown case is
// the genitive), "15 December 2026, 23:59" in English.
func Date(l Lang, t time.Time, c Case) string {
	if l == EN {
		return t.Format("2 January 2006, 15:04")
	}
	names, ok := months[c]
	if !ok {
		names = months[Genitive]
	}
	return fmt.Sprintf("%d. gada %d. %s plkst. %s", t.Year(), t.Day(), names[t.Month()-1], t.Format("15:04"))
}

// Count writes n with the noun's form for n: Latvian takes the singular
// after numbers ending in 1 except those ending in 11 ("1 rakstzīme", "21
// rakstzīme", "11 rakstzīmes", "0 rakstzīmes"), English after 1 only ("1
// character", "21 characters").
func Count(l Lang, n int, singular, plural string) string {
	if Singular(l, n) {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %s", n, plural)
}

// Singular reports whether a noun after the number n takes its singular
// form in the language (Count's rule, for a sentence that places the
// number itself).
func Singular(l Lang, n int) bool {
	if l == EN {
		return n == 1
	}
	if n < 0 {
		n = -n
	}
	return n%10 == 1 && n%100 != 11
}
