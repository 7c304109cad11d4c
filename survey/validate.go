package survey

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/big"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civitas-lv/surveyd/internal/wording"
)

// Mode selects how strictly Validate checks answers.
type Mode int

const (
	// Draft checks types, options, ranges and lengths; missing answers are fine.
	Draft Mode = iota
	// Submit also checks required answers, exclusive options, the "other"
	// text and the definition's cross-field rules.
	Submit
)

// maxMagnitude bounds every number so it survives JavaScript and float64.
var maxMagnitude = big.NewRat(1_000_000_000_000_000, 1) // 1e15

// Result is the outcome of Validate.
type Result struct {
	// Answers are the canonical answers: normalised values of shown
	// questions; answers to hidden questions removed.
	Answers Answers
	// Errors maps question codes (or "<code>_other") to a message.
	Errors map[string]Text
	// Cleared lists the codes whose answers were removed because their
	// question is hidden by show_if.
	Cleared []string
	// Warnings maps question codes to the message of a cross-field rule the
	// answers break. In draft mode they do not stop saving (the respondent
	// sees them beside the field as soon as the rule's questions are
	// answered); in submit mode the same rules are Errors.
	Warnings map[string]Text
}

// OK reports whether there are no errors.
func (r Result) OK() bool { return len(r.Errors) == 0 }

// Validate checks answers against the definition. It never changes in.
func (d *Definition) Validate(in Answers, mode Mode) Result {
	// Sized for the answers given: most are kept, and growing the map
	// on the way was a visible part of an autosave's CPU.
	res := Result{Answers: make(Answers, len(in)), Errors: map[string]Text{}}
	for k := range in {
		if d.questions[k] != nil {
			continue
		}
		if base, ok := strings.CutSuffix(k, otherKey); ok {
			if q := d.questions[base]; q != nil && q.Other {
				continue
			}
		}
		res.Errors[k] = say("survey.question.unknown")
	}

	for _, q := range d.order {
		v, present := in[q.Code]
		// Only a question with an "other" option has an "other" text
		// (its key is made only then: most questions have none).
		var otherText any
		otherPresent := false
		if q.Other {
			otherText, otherPresent = in[q.OtherKey()]
		}
		if q.showIf != nil {
			if shown, _ := eval(q.showIf, res.Answers).(bool); !shown {
				if present && !isEmpty(v) {
					res.Cleared = append(res.Cleared, q.Code)
				}
				if otherPresent && !isEmpty(otherText) {
					res.Cleared = append(res.Cleared, q.OtherKey())
				}
				continue
			}
		}
		if !present || isEmpty(v) {
			if mode == Submit && q.Required {
				res.Errors[q.Code] = say("survey.required")
			}
			if otherPresent && !isEmpty(otherText) {
				res.Cleared = append(res.Cleared, q.OtherKey())
			}
			continue
		}
		cv, problem := q.canonical(v)
		if problem != nil {
			res.Errors[q.Code] = *problem
			continue
		}
		res.Answers[q.Code] = cv
		if q.Type == Multi && mode == Submit {
			if p := q.exclusiveProblem(cv.([]string)); p != nil {
				res.Errors[q.Code] = *p
			}
		}
		if q.Other {
			d.checkOther(q, cv, otherText, otherPresent, mode, &res)
		}
	}

	for _, r := range d.Rules {
		if ok, decided := eval(r.expr, res.Answers).(bool); decided && !ok {
			if _, has := res.Errors[r.Field]; has {
				continue
			}
			if mode == Submit {
				res.Errors[r.Field] = r.Message
				continue
			}
			if _, has := res.Warnings[r.Field]; !has {
				if res.Warnings == nil {
					res.Warnings = map[string]Text{}
				}
				res.Warnings[r.Field] = r.Message
			}
		}
	}
	return res
}

// checkOther keeps the "other" text when the "other" option is chosen.
func (d *Definition) checkOther(q *Question, cv any, text any, present bool, mode Mode, res *Result) {
	chosen := false
	switch x := cv.(type) {
	case string:
		chosen = x == OtherCode
	case []string:
		for _, s := range x {
			chosen = chosen || s == OtherCode
		}
	}
	key := q.OtherKey()
	if !chosen {
		if present && !isEmpty(text) {
			res.Cleared = append(res.Cleared, key)
		}
		return
	}
	if present && !isEmpty(text) {
		s, problem := checkText(text, 500, false)
		if problem != nil {
			res.Errors[key] = *problem
			return
		}
		res.Answers[key] = s
		return
	}
	if mode == Submit {
		res.Errors[key] = say("survey.other.missing")
	}
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []string:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// canonical checks one present, non-empty value and returns its canonical form.
func (q *Question) canonical(v any) (any, *Text) {
	switch q.Type {
	case Single:
		s, ok := v.(string)
		if !ok || q.options[s] == nil {
			return nil, sayp("survey.single.unknown")
		}
		return s, nil
	case Multi:
		list, ok := v.([]string)
		if !ok {
			return nil, sayp("survey.multi.notlist")
		}
		seen := map[string]bool{}
		for _, s := range list {
			if q.options[s] == nil {
				return nil, sayp("survey.multi.unknown", "option", s)
			}
			if seen[s] {
				return nil, sayp("survey.multi.twice", "option", s)
			}
			seen[s] = true
		}
		out := make([]string, 0, len(list))
		for _, o := range q.AllOptions() {
			if seen[o.Code] {
				out = append(out, o.Code)
			}
		}
		return out, nil
	case YesNo:
		b, ok := v.(bool)
		if !ok {
			return nil, sayp("survey.yesno")
		}
		return b, nil
	case Int, Year, Decimal, Money, Percent:
		return q.checkNumber(v)
	case Short, Long:
		s, p := checkText(v, q.Limit(), q.Type == Long)
		if p != nil {
			return nil, p
		}
		if q.pattern != nil && !q.pattern.MatchString(s) {
			return nil, q.patternProblem()
		}
		return s, nil
	case Email:
		s, p := checkText(v, q.Limit(), false)
		if p != nil {
			return nil, p
		}
		if !validEmail(s) || q.pattern != nil && !q.pattern.MatchString(s) {
			return nil, sayp("survey.email")
		}
		return s, nil
	case Phone:
		s, p := checkText(v, q.Limit(), false)
		if p != nil {
			return nil, p
		}
		if !validPhone(s) || q.pattern != nil && !q.pattern.MatchString(s) {
			return nil, sayp("survey.phone")
		}
		return s, nil
	}
	return nil, sayp("survey.type.unsupported")
}

func (q *Question) patternProblem() *Text {
	if !q.PatternMessage.IsZero() {
		t := q.PatternMessage
		return &t
	}
	return sayp("survey.pattern")
}

// tooLong is the error for a number beyond MaxNumberLength (or with an
// exponent that makes it as long when written out).
func tooLong() *Text { return sayp("survey.number.toolong", "max", MaxNumberLength) }

func (q *Question) checkNumber(v any) (any, *Text) {
	n, ok := v.(json.Number)
	if !ok {
		if s, ok := v.(string); ok && utf8.RuneCountInString(strings.TrimSpace(s)) > MaxNumberLength {
			// What the form could not read as a number: say why.
			return nil, tooLong()
		}
		if q.Type == Int || q.Type == Year {
			return nil, sayp("survey.number.whole")
		}
		return nil, sayp("survey.number")
	}
	if i, ok := plainInt(string(n)); ok {
		// The usual whole number, without math/big: as below.
		if i > 1_000_000_000_000_000 || i < -1_000_000_000_000_000 {
			return nil, sayp("survey.number.large")
		}
		if (q.min != nil && cmpInt(i, q.min) < 0) || (q.max != nil && cmpInt(i, q.max) > 0) {
			return nil, q.rangeProblem()
		}
		return n, nil // its canonical form already
	}
	if v, problem, ok := q.checkDecimal(n); ok {
		return v, problem
	}
	return q.checkNumberRat(n)
}

// checkDecimal is checkNumberRat, without math/big, of the usual number
// with a fraction: an optional minus, a whole part in its canonical form
// ("0", or digits not starting with 0), a point and digits, 16 digits at
// most, no exponent, with no more places (trailing zeros aside) than the
// question takes, at most 12, and bounds that are whole numbers fitting an
// int64. ok is false for anything else, which checkNumberRat decides;
// where ok is true the two agree (TestCheckDecimal).
func (q *Question) checkDecimal(n json.Number) (v any, problem *Text, ok bool) {
	s := string(n)
	digits := strings.TrimPrefix(s, "-")
	neg := len(digits) < len(s)
	whole, frac, found := strings.Cut(digits, ".")
	if !found || whole == "" || frac == "" || len(whole)+len(frac) > 16 || whole[0] == '0' && len(whole) > 1 {
		return nil, nil, false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return nil, nil, false
			}
		}
	}
	places := q.Places()
	if q.Type == Int || q.Type == Year {
		places = 0
	}
	trimmed := strings.TrimRight(frac, "0")
	if len(trimmed) > places || len(trimmed) > 12 {
		return nil, nil, false
	}
	for _, b := range []*big.Rat{q.min, q.max} {
		if b != nil && !(b.IsInt() && b.Num().IsInt64()) {
			return nil, nil, false
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64) // at most 15 digits: below maxMagnitude
	if err != nil {
		return nil, nil, false
	}
	if trimmed == "" { // a whole number written with zeros after the point
		if neg {
			w = -w
		}
		if (q.min != nil && cmpInt(w, q.min) < 0) || (q.max != nil && cmpInt(w, q.max) > 0) {
			return nil, q.rangeProblem(), true
		}
		return json.Number(strconv.FormatInt(w, 10)), nil, true
	}
	// The value is ±(w + f) with 0 < f < 1; against a whole bound b, +(w+f)
	// is below b when w < b and above it when w >= b; -(w+f) is below b
	// when w >= -b and above it when w < -b.
	below := func(b *big.Rat) bool {
		if neg {
			return cmpInt(-w, b) <= 0 // w >= -b: -w <= b
		}
		return cmpInt(w, b) < 0
	}
	if (q.min != nil && below(q.min)) || (q.max != nil && !below(q.max)) {
		return nil, q.rangeProblem(), true
	}
	if len(trimmed) == len(frac) {
		return n, nil, true // its canonical form already
	}
	return json.Number(s[:len(s)-(len(frac)-len(trimmed))]), nil, true
}

// checkNumberRat is checkNumber of a number read with math/big.
func (q *Question) checkNumberRat(n json.Number) (any, *Text) {
	if numberTooLong(n.String()) {
		return nil, tooLong()
	}
	r, ok := ratOf(n.String())
	if !ok {
		return nil, sayp("survey.number")
	}
	abs := new(big.Rat).Abs(r)
	if abs.Cmp(maxMagnitude) > 0 {
		return nil, sayp("survey.number.large")
	}
	places := q.Places()
	if q.Type == Int || q.Type == Year {
		places = 0
	}
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(pow10(places)))
	if !scaled.IsInt() {
		if places == 0 {
			return nil, sayp("survey.number.whole")
		}
		t := sayEach("survey.number.places", func(l wording.Lang) []any {
			return []any{"places", count(l, places, "survey.noun.place", "survey.noun.places")}
		})
		return nil, &t
	}
	if (q.min != nil && r.Cmp(q.min) < 0) || (q.max != nil && r.Cmp(q.max) > 0) {
		return nil, q.rangeProblem()
	}
	return json.Number(ratString(r)), nil
}

// cmpInt compares i with the bound b as a big.Rat of i would (-1, 0 or
// +1), without making one when b is a whole number that fits an int64 (the
// usual bound).
func cmpInt(i int64, b *big.Rat) int {
	if b.IsInt() && b.Num().IsInt64() {
		return cmp.Compare(i, b.Num().Int64())
	}
	return new(big.Rat).SetInt64(i).Cmp(b)
}

// plainInt reads s when it is a whole number in its canonical form: an
// optional minus, then 0 or digits not starting with 0 (not "-0"), at
// most 16 digits.
func plainInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 16 || digits[0] == '0' && (len(digits) > 1 || len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}

func (q *Question) rangeProblem() *Text {
	group := q.Type != Year
	f := func(r *big.Rat, l wording.Lang) string { return FormatNumber(r, string(l), group) }
	var t Text
	switch {
	case q.min != nil && q.max != nil:
		t = sayEach("survey.number.range", func(l wording.Lang) []any { return []any{"min", f(q.min, l), "max", f(q.max, l)} })
	case q.min != nil && q.min.Sign() == 0:
		t = say("survey.number.negative")
	case q.min != nil:
		t = sayEach("survey.number.min", func(l wording.Lang) []any { return []any{"min", f(q.min, l)} })
	default:
		t = sayEach("survey.number.max", func(l wording.Lang) []any { return []any{"max", f(q.max, l)} })
	}
	return &t
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// checkText trims a text answer and enforces the length in characters. It
// is the one rule for text typed by a respondent, from the form and the
// API alike: the text must be valid UTF-8 (DecodeAnswers keeps what a
// JSON body sent, so invalid bytes arrive here rather than as U+FFFD),
// and it may hold no control or format character (Unicode's Cc and Cf)
// other than line breaks and tabs, which one-line answers fold into
// spaces. Format characters include the bidirectional overrides and
// isolates (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E,
// U+200F, U+061C) and invisible ones such as U+200B and U+00AD: they
// change how a text is shown without being seen, so a stored answer could
// read differently in the review, the workbook and the report than it was
// typed. They are refused rather than removed, so nothing is stored other
// than what the respondent sees, and the message names the character so it
// can be found.
func checkText(v any, limit int, multiline bool) (string, *Text) {
	s, ok := v.(string)
	if !ok {
		return "", sayp("survey.text.nottext")
	}
	if !utf8.ValidString(s) {
		return "", sayp("survey.text.badutf8")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSpace(s)
	fold, prevSpace := false, false
	for _, r := range s {
		// Line breaks and tabs are fine: one-line answers fold them below.
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			return "", sayp("survey.text.control", "char", fmt.Sprintf("%U", r))
		}
		// Folding changes s only where white space is other than one
		// plain space between words (s is trimmed): most texts are
		// left as they are, without building them again.
		space := unicode.IsSpace(r)
		fold = fold || space && (r != ' ' || prevSpace)
		prevSpace = space
	}
	if !multiline && fold {
		s = strings.Join(strings.Fields(s), " ")
	}
	if n := utf8.RuneCountInString(s); n > limit {
		t := sayEach("survey.text.long", func(l wording.Lang) []any {
			return []any{"max", count(l, limit, "survey.noun.char", "survey.noun.chars"), "now", count(l, n, "survey.noun.char", "survey.noun.chars")}
		})
		return "", &t
	}
	return s, nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.ContainsAny(s, " \"")
}

// validPhone accepts digits with an optional leading +, and spaces, hyphens,
// dots or parentheses between them: 7 to 15 digits in all (E.164 allows 15).
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

func (q *Question) exclusiveProblem(chosen []string) *Text {
	if len(chosen) < 2 {
		return nil
	}
	for _, c := range chosen {
		if o := q.options[c]; o != nil && o.Exclusive {
			// Each language names the option in its own words (an option
			// without English wording is named "“”" in English, as before).
			opt := map[wording.Lang]string{wording.LV: o.Text.LV, wording.EN: o.Text.EN}
			t := sayEach("survey.exclusive", func(l wording.Lang) []any { return []any{"option", opt[l]} })
			return &t
		}
	}
	return nil
}

// Visible reports which questions are shown for the answers (canonical).
// As in Validate and in the browser, questions are taken in order and the
// answer of a hidden question does not count for the questions after it.
func (d *Definition) Visible(a Answers) map[string]bool {
	shown := d.Shown(a, nil)
	out := make(map[string]bool, len(d.order))
	for i, q := range d.order {
		out[q.Code] = shown[i]
	}
	return out
}

// Shown is Visible by the index of Questions: shown[i] says whether
// Questions()[i] is shown. It fills buf when it is long enough (else a
// new slice) and returns it. It makes no map unless an answered question
// is hidden, so a caller that reads many responses (the charts) pays for
// the rules only.
func (d *Definition) Shown(a Answers, buf []bool) []bool {
	shown := buf
	if len(shown) < len(d.order) {
		shown = make([]bool, len(d.order))
	}
	shown = shown[:len(d.order)]
	// A show_if refers only to questions before its own (the loader
	// refuses others), so it may read the answers themselves until an
	// answered question is hidden; from then on a copy without the
	// hidden questions' answers.
	seen, copied := a, false
	for i, q := range d.order {
		ok := true
		if q.showIf != nil {
			ok, _ = eval(q.showIf, seen).(bool)
		}
		shown[i] = ok
		if _, answered := seen[q.Code]; answered && !ok {
			if !copied {
				seen, copied = a.Clone(), true
			}
			delete(seen, q.Code)
		}
	}
	return shown
}

// SectionProgress counts, for one section, the questions shown and answered.
type SectionProgress struct {
	Section  *Section
	Shown    int
	Answered int
	// Required counts the required questions shown; RequiredMissing those
	// of them without an answer. A section is complete when none is
	// missing: optional questions never make it incomplete.
	Required        int
	RequiredMissing int
}

// Completion sums the required questions shown and those answered over
// sections: the one overall figure of how far a response is.
func Completion(ps []SectionProgress) (answered, required int) {
	for _, p := range ps {
		required += p.Required
		answered += p.Required - p.RequiredMissing
	}
	return answered, required
}

// CompletionPercent is answered of required, rounded half up; 100 when nothing is
// required.
func CompletionPercent(answered, required int) int {
	if required == 0 {
		return 100
	}
	return (200*answered + required) / (2 * required)
}

// Progress returns the progress of every section for canonical answers.
func (d *Definition) Progress(a Answers) []SectionProgress {
	vis := d.Visible(a)
	out := make([]SectionProgress, 0, len(d.Sections))
	for _, s := range d.Sections {
		p := SectionProgress{Section: s}
		for _, q := range s.Questions {
			if !vis[q.Code] {
				continue
			}
			p.Shown++
			if q.Required {
				p.Required++
			}
			if v, ok := a[q.Code]; ok && !isEmpty(v) {
				p.Answered++
			} else if q.Required {
				p.RequiredMissing++
			}
		}
		out = append(out, p)
	}
	return out
}
