package survey

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// FormatVersion is the version of the definition format this package reads.
const FormatVersion = 1

// Type is a question type.
type Type string

// The question types. Their answer values in JSON are documented in README.md.
const (
	Single   Type = "single"   // one option code
	Multi    Type = "multi"    // a list of option codes
	Int      Type = "int"      // a whole number
	Decimal  Type = "decimal"  // a number with at most Decimals places
	Money    Type = "money"    // EUR, at most 2 decimal places unless set
	Percent  Type = "percent"  // 0–100 unless set, at most 2 decimal places unless set
	Year     Type = "year"     // a calendar year
	Short    Type = "text"     // one line of text
	Long     Type = "longtext" // several paragraphs
	Email    Type = "email"    // one e-mail address
	Phone    Type = "phone"    // one phone number
	YesNo    Type = "yesno"    // true or false
	otherKey      = "_other"   // suffix of the "other — please specify" text key
)

// OtherCode is the option code of the "Other (specify)" option that a choice
// question with other: true gets automatically.
const OtherCode = "other"

var types = map[Type]bool{Single: true, Multi: true, Int: true, Decimal: true, Money: true,
	Percent: true, Year: true, Short: true, Long: true, Email: true, Phone: true, YesNo: true}

// IsChoice reports whether answers are option codes.
func (t Type) IsChoice() bool { return t == Single || t == Multi }

// IsNumber reports whether answers are JSON numbers.
func (t Type) IsNumber() bool {
	return t == Int || t == Decimal || t == Money || t == Percent || t == Year
}

// IsText reports whether answers are strings typed by the respondent.
func (t Type) IsText() bool { return t == Short || t == Long || t == Email || t == Phone }

// Definition is one survey round's questionnaire. Build it with Load or Parse;
// a Definition from either is checked and ready to use and must not be changed.
type Definition struct {
	Format        int          `json:"format" yaml:"format"`
	Slug          string       `json:"slug" yaml:"slug"`
	Title         Text         `json:"title" yaml:"title"`
	ReferenceYear int          `json:"reference_year" yaml:"reference_year"`
	Intro         Text         `json:"intro,omitzero" yaml:"intro"`
	Sections      []*Section   `json:"sections" yaml:"sections"`
	Rules         []*Rule      `json:"rules,omitempty" yaml:"rules"`
	Indicators    []*Indicator `json:"indicators,omitempty" yaml:"indicators"`

	// ReceiptEmail names the email question whose answer gets an e-mail
	// receipt when the questionnaire is submitted (optional).
	ReceiptEmail string `json:"receipt_email,omitempty" yaml:"receipt_email"`

	// ContactList names the questions of the council-meeting invitation
	// list (optional; see contactlist.go).
	ContactList *ContactList `json:"contact_list,omitempty" yaml:"contact_list"`

	questions map[string]*Question
	order     []*Question
	// names are the strings of its answers, made once (answerNames).
	names *answerNames
}

// Section groups questions; respondents see one section at a time.
type Section struct {
	Code      string      `json:"code" yaml:"code"`
	Title     Text        `json:"title" yaml:"title"`
	Help      Text        `json:"help,omitzero" yaml:"help"`
	Questions []*Question `json:"questions" yaml:"questions"`
}

// Question is one question. Limits that do not apply to its type are rejected
// by the loader.
type Question struct {
	Code     string `json:"code" yaml:"code"`
	Type     Type   `json:"type" yaml:"type"`
	Text     Text   `json:"text" yaml:"text"`
	Help     Text   `json:"help,omitzero" yaml:"help"`
	Required bool   `json:"required,omitempty" yaml:"required"`
	// Options of a single or multi question, in display order.
	Options []*Option `json:"options,omitempty" yaml:"options"`
	// Other adds the option "other" with a free-text answer under <code>_other.
	Other bool `json:"other,omitempty" yaml:"other"`
	// Min and Max bound numbers (inclusive); either may be "reference_year".
	Min *Bound `json:"min,omitempty" yaml:"min"`
	Max *Bound `json:"max,omitempty" yaml:"max"`
	// Decimals is the number of decimal places allowed (decimal, money, percent).
	Decimals *int `json:"decimals,omitempty" yaml:"decimals"`
	// MaxLength is the maximum number of characters of a text answer.
	MaxLength int `json:"max_length,omitempty" yaml:"max_length"`
	// Pattern is a regular expression (RE2) a text answer must match in full.
	Pattern        string `json:"pattern,omitempty" yaml:"pattern"`
	PatternMessage Text   `json:"pattern_message,omitzero" yaml:"pattern_message"`
	// ShowIf is an expression over earlier answers; the question is shown
	// (and its answer kept) only when it is true.
	ShowIf string `json:"show_if,omitempty" yaml:"show_if"`
	// Personal marks personal data: never shown to viewers or published.
	Personal bool `json:"personal,omitempty" yaml:"personal"`
	// Publishable presets that the answers to this free-text question may
	// be shown to other municipalities (feedback) and published (open
	// data); a coordinator can change it per round. Only for text and
	// longtext questions that are not personal.
	Publishable bool `json:"publishable,omitempty" yaml:"publishable"`
	// CarryOver offers, in a round made from the previous one, the
	// municipality's answer submitted there, for confirmation: for slowly
	// changing facts (rules in force, forms of support), not for yearly
	// amounts and counts. Only an answer of the same type whose chosen
	// options all still exist is carried over.
	CarryOver bool `json:"carry_over,omitempty" yaml:"carry_over"`
	// BreaksSeries says that this question cannot be compared with the
	// previous round's question of the same code (or of RenamedFrom): its
	// trend starts anew in this round (see series.go).
	BreaksSeries bool `json:"breaks_series,omitempty" yaml:"breaks_series"`
	// RenamedFrom is the code this question had in the previous round; the
	// trend continues through the rename (see series.go).
	RenamedFrom string `json:"renamed_from,omitempty" yaml:"renamed_from"`

	section  *Section
	index    int // position in the whole questionnaire
	showIf   *Expr
	pattern  *regexp.Regexp
	min, max *big.Rat
	options  map[string]*Option
}

// Option is one answer option of a choice question.
type Option struct {
	Code string `json:"code" yaml:"code"`
	Text Text   `json:"text" yaml:"text"`
	// Exclusive options ("none of these") cannot be combined with others.
	Exclusive bool `json:"exclusive,omitempty" yaml:"exclusive"`
}

// Rule is a cross-field check applied on submit. Assert must be true; a rule
// naming an unanswered question is skipped (required answers are checked
// separately).
type Rule struct {
	Code   string `json:"code" yaml:"code"`
	Assert string `json:"assert" yaml:"assert"`
	// Field is the question the error is shown at; by default the first
	// question Assert names.
	Field   string `json:"field,omitempty" yaml:"field"`
	Message Text   `json:"message" yaml:"message"`

	expr *Expr
}

// Indicator is a figure computed from answers for reports and feedback.
type Indicator struct {
	Code     string `json:"code" yaml:"code"`
	Text     Text   `json:"text" yaml:"text"`
	Formula  string `json:"formula" yaml:"formula"`
	Unit     string `json:"unit,omitempty" yaml:"unit"`
	Decimals int    `json:"decimals,omitempty" yaml:"decimals"`

	expr *Expr
}

// Bound is a numeric limit: a number, or the word "reference_year", which
// stands for the round's reference year.
type Bound struct {
	Number        string // exact decimal text, when not RefYear
	ReferenceYear bool
}

const refYearWord = "reference_year"

func (b *Bound) set(v any) error {
	switch x := v.(type) {
	case string:
		if x == refYearWord {
			*b = Bound{ReferenceYear: true}
			return nil
		}
		if _, ok := ratOf(x); ok {
			*b = Bound{Number: x}
			return nil
		}
		return fmt.Errorf("limit %q is neither a number nor %q", x, refYearWord)
	case json.Number:
		*b = Bound{Number: x.String()}
		return nil
	case float64:
		*b = Bound{Number: big.NewRat(0, 1).SetFloat64(x).RatString()}
		return nil
	case int:
		*b = Bound{Number: fmt.Sprint(x)}
		return nil
	case int64:
		*b = Bound{Number: fmt.Sprint(x)}
		return nil
	case uint64:
		*b = Bound{Number: fmt.Sprint(x)}
		return nil
	}
	return fmt.Errorf("limit must be a number or %q, not %T", refYearWord, v)
}

// UnmarshalJSON reads a number or "reference_year".
func (b *Bound) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return err
	}
	return b.set(v)
}

// UnmarshalYAML reads a number or "reference_year".
func (b *Bound) UnmarshalYAML(unmarshal func(any) error) error {
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	return b.set(v)
}

// MarshalJSON writes a number or "reference_year".
func (b Bound) MarshalJSON() ([]byte, error) {
	if b.ReferenceYear {
		return json.Marshal(refYearWord)
	}
	return []byte(b.Number), nil
}

// Questions returns every question in questionnaire order.
func (d *Definition) Questions() []*Question { return d.order }

// Question returns the question with the code, or nil.
func (d *Definition) Question(code string) *Question { return d.questions[code] }

// Section returns the section the question belongs to.
func (q *Question) Section() *Section { return q.section }

// Option returns the option with the code (including "other"), or nil.
func (q *Question) Option(code string) *Option { return q.options[code] }

// AllOptions returns the options in display order, with "other" last when the
// question has it.
func (q *Question) AllOptions() []*Option {
	if !q.Other {
		return q.Options
	}
	return append(append([]*Option(nil), q.Options...), otherOption)
}

var otherOption = &Option{Code: OtherCode, Text: Text{LV: "Cits (norādiet)", EN: "Other (specify)"}}

// CategoryLabel is how an option is named where answers are counted
// (charts, the workbook, CSVs): its text, except that the automatic
// "other" option is "Cits" / "Other" there — "Cits (norādiet)" is an
// instruction for the form. An unknown code is returned as it is.
func (q *Question) CategoryLabel(code string) Text {
	if code == OtherCode && q.Other {
		return Text{LV: "Cits", EN: "Other"}
	}
	if o := q.Option(code); o != nil {
		return o.Text
	}
	return Text{LV: code, EN: code}
}

// OtherKey is the answer key of the "other" text of a choice question.
func (q *Question) OtherKey() string { return q.Code + otherKey }

// MinRat and MaxRat return the resolved numeric bounds (nil when unbounded).
func (q *Question) MinRat() *big.Rat { return q.min }

// MaxRat returns the resolved upper bound or nil.
func (q *Question) MaxRat() *big.Rat { return q.max }

// Places returns the number of decimal places allowed for a number question.
func (q *Question) Places() int {
	if q.Decimals != nil {
		return *q.Decimals
	}
	switch q.Type {
	case Decimal, Money, Percent:
		return 2
	}
	return 0
}

// Limit returns the maximum length in characters of a text answer.
func (q *Question) Limit() int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	switch q.Type {
	case Long:
		return 4000
	case Email:
		return 254
	case Phone:
		return 30
	}
	return 500
}

// CanPublish reports whether the question's answers are free text that a
// coordinator may mark publishable: a text or longtext question that is not
// personal. Other answers are never free text to publish (choices and
// numbers are published as data; the "other" texts never are).
func (q *Question) CanPublish() bool { return (q.Type == Short || q.Type == Long) && !q.Personal }

// AssertExpr returns the rule's compiled condition.
func (r *Rule) AssertExpr() *Expr { return r.expr }

// ShowIfExpr returns the compiled show_if condition, or nil.
func (q *Question) ShowIfExpr() *Expr { return q.showIf }

// Compute evaluates the indicator; ok is false when a figure it needs is
// missing or a division by zero occurs.
func (i *Indicator) Compute(a Answers) (v float64, ok bool) {
	r := eval(i.expr, a)
	f, ok := r.(float64)
	return f, ok
}

// ReceiptAddress returns the address a submit receipt goes to: the answer to
// the receipt_email question when the definition names one, the question is
// shown for the answers and the answer is a valid address; "" otherwise.
func (d *Definition) ReceiptAddress(a Answers) string {
	q := d.questions[d.ReceiptEmail]
	if q == nil || q.Type != Email || !d.Visible(a)[q.Code] {
		return ""
	}
	s, _ := a[q.Code].(string)
	s = strings.TrimSpace(s)
	if !validEmail(s) {
		return ""
	}
	return s
}
