package survey

import (
	"slices"
	"strings"
	"unicode"
)

// The order names are listed in for people. Latvian dictionaries treat the
// letters with diacritics as letters of their own, each right after its
// base letter: a ā b c č d e ē f g ģ h i ī j k ķ l ļ m n ņ o p r s š t u ū
// v z ž — so "Alūksnes" comes before "Ādažu" and "Krāslavas" before
// "Ķekavas". (golang.org/x/text/collate with language.Latvian follows
// CLDR, where ā, ē, ī and ū differ from a, e, i and u only at the second
// level and "Ādažu" sorts before "Aizkraukles"; hence this table.) English
// readers get the English alphabet, diacritics only breaking ties.

// latvianOrder lists the letters in Latvian alphabetical order, the
// letters Latvian does not use (q, w, x, y) where the Latin alphabet has
// them, and the old ō and ŗ after o and r.
const latvianOrder = "aābcčdeēfgģhiījkķlļmnņoōpqrŗsštuūvwxyzž"

// letterWeight is each letter's place in latvianOrder.
var letterWeight = func() map[rune]int {
	m := map[rune]int{}
	for i, r := range []rune(latvianOrder) {
		m[r] = i
	}
	return m
}()

// baseLetter maps a Latvian letter with a diacritic to its base letter,
// for the English order.
var baseLetter = map[rune]rune{'ā': 'a', 'č': 'c', 'ē': 'e', 'ģ': 'g', 'ī': 'i', 'ķ': 'k', 'ļ': 'l', 'ņ': 'n',
	'ō': 'o', 'ŗ': 'r', 'š': 's', 'ū': 'u', 'ž': 'z'}

// Collate compares two names in the order of lang ("lv" or "en"): -1 when
// a comes first, 1 when b does, 0 only when they are the same string.
// Letters are compared without regard to case; spaces and punctuation come
// before digits, digits before letters. Ties are broken by diacritics (in
// English), then case (lower first), then the bytes.
func Collate(lang, a, b string) int {
	if c := slices.Compare(collationKey(lang, a), collationKey(lang, b)); c != 0 {
		return c
	}
	if lang == "en" {
		if c := slices.Compare(collationKey("lv", a), collationKey("lv", b)); c != 0 {
			return c
		}
	}
	if c := strings.Compare(swapCase(a), swapCase(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// SortByName sorts items by the name of each in the order of lang; items
// with the same name keep their order.
func SortByName[T any](items []T, lang string, name func(T) string) {
	slices.SortStableFunc(items, func(a, b T) int { return Collate(lang, name(a), name(b)) })
}

// collationKey gives every rune of s a weight: 1 for spaces and
// punctuation, digits from 2, letters from 100 in the language's order,
// anything else after them by code point.
func collationKey(lang, s string) []int {
	key := make([]int, 0, len(s))
	for _, r := range strings.ToLower(s) {
		if lang == "en" {
			if base, ok := baseLetter[r]; ok {
				r = base
			}
		}
		switch i, ok := letterWeight[r]; {
		case ok:
			key = append(key, 100+i)
		case r >= '0' && r <= '9':
			key = append(key, 2+int(r-'0'))
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
			key = append(key, 1)
		default:
			key = append(key, 1000+int(r))
		}
	}
	return key
}

// swapCase makes lower case sort before upper case in a byte comparison.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}
