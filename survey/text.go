package survey

import (
	"fmt"
	"math/big"
	"strings"
)

// Text is a piece of wording in Latvian (always present) and English.
type Text struct {
	LV string `json:"lv" yaml:"lv"`
	EN string `json:"en,omitempty" yaml:"en"`
}

// In returns the text in lang ("lv" or "en"), falling back to Latvian.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.LV
}

// IsZero reports whether both languages are empty.
func (t Text) IsZero() bool { return t.LV == "" && t.EN == "" }

// msg builds a Text from Latvian and English format strings sharing arguments.
func msg(lv, en string, args ...any) Text {
	return Text{LV: fmt.Sprintf(lv, args...), EN: fmt.Sprintf(en, args...)}
}

// lvCount picks the Latvian noun form for n: Latvian uses the singular after
// numbers ending in 1 except those ending in 11 ("21 rakstzīme", "11 rakstzīmes").
func lvCount(n int, singular, plural string) string {
	if n%10 == 1 && n%100 != 11 {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %s", n, plural)
}

// enCount is the English counterpart of lvCount.
func enCount(n int, singular, plural string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %s", n, plural)
}

// FormatNumber writes r the way a Latvian reader expects: decimal comma and
// thin groups of three digits separated by a no-break space ("1 234,5").
// In English it uses a decimal point and commas ("1,234.5"). Years and other
// codes should not be grouped: pass group=false.
func FormatNumber(r *big.Rat, lang string, group bool) string {
	s := ratString(r)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	sep, dec := "\u00a0", ","
	if lang == "en" {
		sep, dec = ",", "."
	}
	if group && len(intPart) > 4 {
		var b strings.Builder
		for i, c := range intPart {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b.WriteString(sep)
			}
			b.WriteRune(c)
		}
		intPart = b.String()
	}
	out := intPart
	if frac != "" {
		out += dec + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// ratString renders r as the shortest exact decimal string when it has one
// (at most 12 decimal places), otherwise rounded to 12 places.
func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := r.FloatString(12)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
