package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Answers maps question codes, and "<code>_other" for the "other" text of a
// choice question, to values. Canonical answers — the result of Validate and
// what is stored — hold only these value types:
//
//	single, text, longtext, email, phone, <code>_other   string
//	multi                                                []string (definition order)
//	int, decimal, money, percent, year                   json.Number (shortest exact form)
//	yesno                                                bool
//
// An unanswered question has no key. Answers decoded from a request may hold
// anything JSON can; Validate reports values of the wrong type per question.
type Answers map[string]any

// ErrNotObject is returned by DecodeAnswers when the JSON is not an object.
var ErrNotObject = errors.New("answers must be a JSON object")

// DecodeAnswers reads answers from a JSON object, keeping numbers exact.
// null values are treated as unanswered. Arrays of strings become []string.
// Strings are kept as sent: where encoding/json would put U+FFFD for bytes
// that are not UTF-8 or for a \u escape of a lone surrogate, the string
// keeps them (see jsonText), so validation refuses such a text at its
// question instead of a silently changed one being stored.
func DecodeAnswers(data []byte) (Answers, error) {
	if a, n, ok := ReadAnswersObject(data); ok && onlySpace(data[n:]) {
		return a, nil
	}
	return decodeAnswersSlow(data)
}

// DecodeAnswers decodes answers to d as the package's DecodeAnswers does
// (the same answers for the same data), but shares the strings d knows —
// question codes, "other" keys, option codes — instead of allocating them
// again for each document: for reading many at once (the charts).
func (d *Definition) DecodeAnswers(data []byte) (Answers, error) {
	if a, n, ok := readAnswersObject(data, d.names); ok && onlySpace(data[n:]) {
		return a, nil
	}
	return decodeAnswersSlow(data)
}

// onlySpace reports whether b is JSON white space only.
func onlySpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// decodeAnswersSlow is DecodeAnswers for what ReadAnswersObject leaves to
// it: encoding/json, and the strings kept as sent.
func decodeAnswersSlow(data []byte) (Answers, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, ErrNotObject
		}
		return nil, err
	}
	if raw == nil {
		return nil, ErrNotObject
	}
	// Only white space may follow (dec.More would let a stray ']' or '}'
	// through).
	if !onlySpace(data[dec.InputOffset():]) {
		return nil, errors.New("unexpected data after the answers object")
	}
	a := FromJSONValues(raw)
	if !utf8.Valid(data) || mayHaveSurrogateEscape(data) {
		keepTextAsSent(data, a)
	}
	return a, nil
}

// mayHaveSurrogateEscape reports whether data may hold a \u escape of a
// surrogate (\uD800–\uDFFF): a quick test before the slower exact decoding.
func mayHaveSurrogateEscape(data []byte) bool {
	for i := 0; i+3 < len(data); i++ {
		if data[i] == '\\' && data[i+1] == 'u' && (data[i+2] == 'd' || data[i+2] == 'D') && strings.IndexByte("89abcdefABCDEF", data[i+3]) >= 0 {
			return true
		}
	}
	return false
}

// keepTextAsSent replaces the strings of a (decoded from data by
// encoding/json) with the strings exactly as data has them.
func keepTextAsSent(data []byte, a Answers) {
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return
	}
	for k, r := range raw {
		switch v := a[k].(type) {
		case string:
			if s, ok := jsonText(r); ok {
				a[k] = s
			}
		case []string:
			var items []json.RawMessage
			if json.Unmarshal(r, &items) != nil || len(items) != len(v) {
				continue
			}
			list := make([]string, len(items))
			for i, item := range items {
				if list[i], _ = jsonText(item); list[i] == "" {
					list[i] = v[i]
				}
			}
			a[k] = list
		}
	}
}

// jsonText decodes a JSON string literal keeping what encoding/json would
// change: bytes that are not valid UTF-8 stay as they are, and a \u escape
// of a surrogate that is not half of a pair becomes the three bytes such
// a code point would have in UTF-8 (which Go's UTF-8 functions refuse too).
func jsonText(lit []byte) (string, bool) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", false
	}
	lit = lit[1 : len(lit)-1]
	b := make([]byte, 0, len(lit))
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			b = append(b, lit[i])
			continue
		}
		if i++; i == len(lit) {
			return "", false
		}
		if c, ok := jsonEscape(lit[i]); ok {
			b = append(b, c)
			continue
		}
		switch c := lit[i]; c {
		case 'u':
			r, ok := hex4(lit[i+1:])
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) && i+6 < len(lit) && lit[i+1] == '\\' && lit[i+2] == 'u' {
				if r2, ok := hex4(lit[i+3:]); ok {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						r = pair
						i += 6
					}
				}
			}
			if utf16.IsSurrogate(r) {
				b = append(b, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
			} else {
				b = utf8.AppendRune(b, r)
			}
		default: // not an escape JSON has (lit is valid JSON): kept as it was
			b = append(b, c)
		}
	}
	return string(b), true
}

// jsonEscape is the byte a one-letter JSON escape (\b \f \n \r \t \" \\ \/)
// stands for; false for any other letter (\u is read by the caller).
func jsonEscape(c byte) (byte, bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(n), err == nil
}

// FromJSONValues turns a map decoded with json.Decoder.UseNumber into Answers.
func FromJSONValues(raw map[string]any) Answers {
	a := make(Answers, len(raw))
	for k, v := range raw {
		if v == nil {
			continue
		}
		if arr, ok := v.([]any); ok {
			strs := make([]string, 0, len(arr))
			for _, x := range arr {
				s, ok := x.(string)
				if !ok {
					strs = nil
					break
				}
				strs = append(strs, s)
			}
			if strs != nil {
				v = strs
			}
		}
		a[k] = v
	}
	return a
}

// Clone returns a shallow copy (values are immutable by convention).
func (a Answers) Clone() Answers {
	out := make(Answers, len(a))
	for k, v := range a {
		out[k] = v
	}
	return out
}

// Diff returns the answers that differ between old and new: before holds the
// old value of every changed key that had one, after the new value of every
// changed key that has one. A key in only one of them was added or removed.
func Diff(old, new Answers) (before, after Answers) {
	before, after = Answers{}, Answers{}
	for k, v := range old {
		if nv, ok := new[k]; !ok || !sameValue(v, nv) {
			before[k] = v
			if ok {
				after[k] = nv
			}
		}
	}
	for k, v := range new {
		if _, ok := old[k]; !ok {
			after[k] = v
		}
	}
	return before, after
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case string: // the usual types first, without reflection
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []string:
		y, ok := b.([]string)
		return ok && (x == nil) == (y == nil) && slices.Equal(x, y)
	}
	if an, ok := a.(json.Number); ok {
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		if an == bn && plainDecimal(string(an)) {
			return true // the canonical form, and the same
		}
		ar, ok1 := ratOf(an.String())
		br, ok2 := ratOf(bn.String())
		return ok1 && ok2 && ar.Cmp(br) == 0
	}
	return reflect.DeepEqual(a, b)
}

// plainDecimal reports whether s is -?digits(.digits)? within
// MaxNumberLength: a number ratOf reads.
func plainDecimal(s string) bool {
	if len(s) > MaxNumberLength {
		return false
	}
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	return allDigits(whole) && (!dot || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Keys returns the answer keys in sorted order.
func (a Answers) Keys() []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MaxNumberLength is the most characters a number may have, typed or in
// JSON. Longer ones are refused by their length before anything parses
// them: reading a number takes time that grows faster than its length (a
// million digits took seconds of CPU), and no valid answer comes near it:
// -10^15 with six decimals and group spaces is 29 characters.
const MaxNumberLength = 40

// maxNumberExponent bounds the exponent of a JSON number: "1e999999" is
// short but stands for a million digits. Any valid answer written in at
// most MaxNumberLength characters needs far less.
const maxNumberExponent = 1000

// numberTooLong reports whether s is refused by its length alone: more
// than MaxNumberLength characters, or an exponent beyond
// ±maxNumberExponent.
func numberTooLong(s string) bool {
	if len(s) > MaxNumberLength {
		return true
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return true
		}
		return err == nil && (e > maxNumberExponent || e < -maxNumberExponent)
	}
	return false
}

// ratOf reads a number (a JSON number, or the canonical form of one) into
// a big.Rat, refusing it by its length before parsing (numberTooLong):
// every number that comes from a request is read through here.
func ratOf(s string) (*big.Rat, bool) {
	if numberTooLong(s) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// ParseNumberInput reads a number typed by a person the way Latvians write
// it: a decimal comma or point, spaces (also no-break) or apostrophes between
// digit groups, an optional leading minus. "1 234,50" → 1234.5. ok is false
// for anything else, and for more than MaxNumberLength characters.
func ParseNumberInput(s string) (json.Number, bool) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > MaxNumberLength {
		return "", false
	}
	var b strings.Builder
	sawSep := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ',' || r == '.':
			if sawSep {
				return "", false
			}
			sawSep = true
			b.WriteByte('.')
		case r == '-' && i == 0, r == '−' && i == 0:
			b.WriteByte('-')
		case r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'':
			if sawSep {
				return "", false
			}
		default:
			return "", false
		}
	}
	out := b.String()
	if out == "" || out == "-" || out == "." || out == "-." {
		return "", false
	}
	r, ok := ratOf(out)
	if !ok {
		return "", false
	}
	return json.Number(ratString(r)), true
}

// FormatInput writes a canonical answer back as the text a person would type
// into the form (numbers with a decimal comma in Latvian).
func FormatInput(v any, lang string) string {
	switch x := v.(type) {
	case json.Number:
		r, ok := ratOf(x.String())
		if !ok {
			return x.String()
		}
		s := ratString(r)
		if lang != "en" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
