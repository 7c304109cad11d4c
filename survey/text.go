package survey

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/internal/wording"
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

// say is a message of the wording catalog (internal/wording) in both
// languages, its placeholders filled from name, value pairs.
func say(key string, args ...any) Text {
	return Text{LV: wording.T(wording.LV, key, args...), EN: wording.T(wording.EN, key, args...)}
}

// sayp is say for a problem (*Text).
func sayp(key string, args ...any) *Text {
	t := say(key, args...)
	return &t
}

// sayEach is say with values that differ by language: a number in the
// language's style, a noun's form after a number, the language's own words.
func sayEach(key string, args func(l wording.Lang) []any) Text {
	return Text{LV: wording.T(wording.LV, key, args(wording.LV)...), EN: wording.T(wording.EN, key, args(wording.EN)...)}
}

// count writes n with the noun's form for n (wording.Count) in the
// language, the forms given by their catalog keys.
func count(l wording.Lang, n int, singular, plural string) string {
	return wording.Count(l, n, wording.T(l, singular), wording.T(l, plural))
}

// FormatNumber writes r the way a Latvian reader expects: decimal comma and
// thin groups of three digits separated by a no-break space ("1 234,5").
// In English it uses a decimal point and commas ("1,234.5"). Years and other
// codes should not be grouped: pass group=false.
func FormatNumber(r *big.Rat, lang string, group bool) string {
	return formatDecimal(ratString(r), lang, group)
}

// FormatFloat writes v as FormatNumber(FloatRat(v, places), lang, group)
// does, without big numbers: the same decimal digits, rounded the same
// way, at a fraction of the cost (the charts write thousands of numbers).
func FormatFloat(v float64, places int, lang string, group bool) string {
	return formatDecimal(floatString(v, places), lang, group)
}

// FormatFixedFloat writes v as FormatFixed(FloatRat(v, places), places,
// lang) does, without big numbers.
func FormatFixedFloat(v float64, places int, lang string) string {
	places = max(places, 0)
	neg, intPart, frac := floatDigits(v, places)
	frac += strings.Repeat("0", places-len(frac))
	if neg && strings.Trim(intPart+frac, "0") == "" {
		neg = false
	}
	out := groupDigits(intPart, lang, true)
	if frac != "" {
		out += decimalMark(lang) + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// floatString is ratString(FloatRat(v, places)) written with strings:
// v's shortest decimal, rounded half away from zero to places decimals
// (when places >= 0), then to 12 as ratString rounds, trailing zeros
// dropped; no sign on zero, also when only the rounding to 12 made it
// zero.
func floatString(v float64, places int) string {
	neg, intPart, frac := floatDigits(v, places)
	if strings.Trim(intPart+frac, "0") == "" {
		return "0"
	}
	if frac != "" {
		intPart, frac = roundDecimal(intPart, frac, 12)
		frac = strings.TrimRight(frac, "0")
		if strings.Trim(intPart+frac, "0") == "" {
			return "0"
		}
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// floatDigits is FloatRat(v, places) as a sign, whole digits and decimal
// digits (trailing zeros dropped): 0 for NaN and infinities.
func floatDigits(v float64, places int) (neg bool, intPart, frac string) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false, "0", ""
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	neg = strings.HasPrefix(s, "-")
	intPart, frac, _ = strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if places >= 0 {
		intPart, frac = roundDecimal(intPart, frac, places)
	}
	return neg, intPart, strings.TrimRight(frac, "0")
}

// roundDecimal rounds the unsigned decimal intPart.frac to places
// decimals, half away from zero (as big.Rat.FloatString does).
func roundDecimal(intPart, frac string, places int) (string, string) {
	if len(frac) <= places {
		return intPart, frac
	}
	up := frac[places] >= '5'
	frac = frac[:places]
	if !up {
		return intPart, frac
	}
	d := []byte(intPart + frac)
	i := len(d) - 1
	for ; i >= 0 && d[i] == '9'; i-- {
		d[i] = '0'
	}
	if i < 0 {
		d = append([]byte{'1'}, d...)
	} else {
		d[i]++
	}
	n := len(d) - places
	return string(d[:n]), string(d[n:])
}

// formatDecimal writes a decimal string ("-1234.5") for people in lang.
func formatDecimal(s, lang string, group bool) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	out := groupDigits(intPart, lang, group)
	if frac != "" {
		out += decimalMark(lang) + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// How amounts and shares are written for people, in one style per
// language: Latvian "120 000,50 EUR" and "93 %" (no-break spaces as the
// group separator and before the unit), English "120,000.50 EUR" and
// "93%". Money always has two decimals. The functions below are the only
// place these rules live; the pages, the charts, the report and the
// workbook's number formats follow them.
const (
	// nbsp is the no-break space: between digit groups in Latvian and
	// before a unit, so a number never breaks from its unit.
	nbsp = "\u00a0"
	// MoneyPlaces is how many decimals an amount in euros is shown with.
	MoneyPlaces = 2
)

// MoneySuffix is what follows an amount in euros: " EUR" with a no-break
// space, in both languages.
func MoneySuffix(lang string) string { return nbsp + "EUR" }

// PercentSuffix is what follows a percentage: a no-break space and "%" in
// Latvian ("93 %"), "%" alone in English ("93%").
func PercentSuffix(lang string) string {
	if lang == "en" {
		return "%"
	}
	return nbsp + "%"
}

// FormatFixed writes r rounded (half away from zero) to exactly places
// decimals, grouped as FormatNumber does: FormatFixed(120000.5, 2, "lv")
// is "120 000,50".
func FormatFixed(r *big.Rat, places int, lang string) string {
	places = max(places, 0)
	s := r.FloatString(places) // rounds half away from zero
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	if neg && strings.Trim(intPart+frac, "0") == "" {
		neg = false // "-0,00" is nothing to be negative about
	}
	out := groupDigits(intPart, lang, true)
	if frac != "" {
		out += decimalMark(lang) + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// FormatMoney writes an amount in euros: "120 000,50 EUR" in Latvian,
// "120,000.50 EUR" in English; always two decimals.
func FormatMoney(r *big.Rat, lang string) string {
	return FormatFixed(r, MoneyPlaces, lang) + MoneySuffix(lang)
}

// FormatPercent writes a percentage given as a number from 0 to 100 (12.5
// means 12.5 %): "12,5 %" in Latvian, "12.5%" in English; as many decimals
// as it has.
func FormatPercent(r *big.Rat, lang string) string {
	return FormatNumber(r, lang, true) + PercentSuffix(lang)
}

// FormatQuantity writes a numeric answer of a question type for people:
// money as FormatMoney, a percentage as FormatPercent, a year without
// grouping ("2024"), other numbers grouped ("12 345,5").
func FormatQuantity(t Type, r *big.Rat, lang string) string {
	switch t {
	case Money:
		return FormatMoney(r, lang)
	case Percent:
		return FormatPercent(r, lang)
	case Year:
		return FormatNumber(r, lang, false)
	}
	return FormatNumber(r, lang, true)
}

// FloatRat turns a computed figure (a mean, a share) into an exact
// number, rounded to places decimals (half away from zero); NaN and
// infinities become 0.
func FloatRat(v float64, places int) *big.Rat {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'f', -1, 64))
	if !ok {
		return new(big.Rat)
	}
	if places >= 0 {
		r.SetString(r.FloatString(places))
	}
	return r
}

func decimalMark(lang string) string {
	if lang == "en" {
		return "."
	}
	return ","
}

// groupDigits puts the group separator between groups of three digits of
// a whole number written without sign: a no-break space in Latvian, a
// comma in English. Numbers of four digits stay together ("1234"), as
// Latvian typesetting has it.
func groupDigits(intPart, lang string, group bool) string {
	if !group || len(intPart) <= 4 {
		return intPart
	}
	sep := nbsp
	if lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ratString renders r as the shortest exact decimal string when it has one
// (at most 12 decimal places), otherwise rounded to 12 places.
func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := r.FloatString(12)
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	if s == "-0" { // a negative number that rounds to zero is zero
		return "0"
	}
	return s
}
