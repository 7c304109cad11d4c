package survey

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// DefinitionError lists every problem found in a definition, each naming the
// question, option, rule or indicator it concerns.
type DefinitionError struct {
	Source   string
	Problems []string
}

func (e *DefinitionError) Error() string {
	head := "invalid survey definition"
	if e.Source != "" {
		head += " " + e.Source
	}
	return head + ":\n  " + strings.Join(e.Problems, "\n  ")
}

var (
	codeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
)

// ErrBadSlug refuses a round's slug (the short name in its addresses) that
// is not 2–63 lower-case letters, digits or '-', starting with a letter or
// a digit. The database's CHECK on surveys.slug is the same rule.
var ErrBadSlug = errors.New("a slug must be 2–63 characters: lower-case letters a–z, digits and '-', not starting with '-'")

// CheckSlug checks a round's slug: the one in a definition (Parse checks
// it) and one typed to override it. The error wraps ErrBadSlug.
func CheckSlug(slug string) error {
	if !slugRe.MatchString(slug) {
		return fmt.Errorf("slug %q: %w", slug, ErrBadSlug)
	}
	return nil
}

// Parse reads a definition from YAML or JSON (JSON when the first non-blank
// character is '{'), rejecting unknown fields, and checks it. source names
// the input in errors (a file name, or "" ).
//
// Before decoding, the file's size and shape are checked against the
// limits in limits.go (MaxDefinitionBytes and the rest), so that no file
// makes the decoder use more than a few megabytes.
func Parse(data []byte, source string) (*Definition, error) {
	var d Definition
	trimmed := bytes.TrimSpace(data)
	isJSON := len(trimmed) > 0 && trimmed[0] == '{'
	problem, values, maybeAlias := scanShape(data, isJSON)
	if problem == "" && maybeAlias && !isJSON {
		problem = aliasProblem(data, values)
	}
	if problem != "" {
		return nil, &DefinitionError{Source: source, Problems: []string{problem}}
	}
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			return nil, &DefinitionError{Source: source, Problems: []string{"JSON: " + err.Error()}}
		}
	} else if err := decodeYAML(data, &d); err != nil {
		return nil, &DefinitionError{Source: source, Problems: []string{"YAML: " + formatYAMLError(err, data)}}
	}
	if err := d.compile(); err != nil {
		var de *DefinitionError
		if errors.As(err, &de) {
			de.Source = source
		}
		return nil, err
	}
	return &d, nil
}

// decodeYAML decodes a definition, turning a panic of the decoder into an
// error: goccy/go-yaml dereferences nil on some malformed files (a tagged
// scalar where a list belongs, "sections: !x a", found by FuzzParse).
func decodeYAML(data []byte, d *Definition) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML decoder could not read this file (%v)", r)
		}
	}()
	return yaml.UnmarshalWithOptions(data, d, yaml.DisallowUnknownField())
}

// maxErrorLine is the longest line the lines shown around a YAML error
// may have: the decoder's error printer takes time and memory that grow
// with a line's length times the pieces on it. Around longer lines the
// error gives only the line and column.
const maxErrorLine = 1000

// formatYAMLError writes a decoding error with the lines around it when
// they are short enough to print cheaply.
func formatYAMLError(err error, data []byte) string {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return yaml.FormatError(err, false, false)
	}
	tk := ye.GetToken()
	from := tk.Position.Line - 3
	to := tk.Position.Line + strings.Count(tk.Origin, "\n") + 3
	short := true
	for n, rest := 1, data; len(rest) > 0 && n <= to && short; n++ {
		l := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		short = n < from || len(l) <= maxErrorLine
	}
	return yaml.FormatError(err, false, short)
}

//go:embed definitions/*.yaml
var builtin embed.FS

// Builtin returns the definition with the slug from survey/definitions.
func Builtin(slug string) (*Definition, []byte, error) {
	name := path.Join("definitions", slug+".yaml")
	data, err := builtin.ReadFile(name)
	if err != nil {
		return nil, nil, fmt.Errorf("no built-in survey definition %q (have %s)", slug, strings.Join(BuiltinSlugs(), ", "))
	}
	d, err := Parse(data, name)
	return d, data, err
}

// BuiltinSlugs lists the slugs of the definitions in survey/definitions.
func BuiltinSlugs() []string {
	entries, _ := fs.ReadDir(builtin, "definitions")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// JSON returns the canonical JSON form of the definition, the snapshot stored
// with a survey round. Parse reads it back to an equal definition.
func (d *Definition) JSON() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // only plain data: cannot fail
	}
	return b
}

type checker struct {
	problems []string
}

func (c *checker) add(where, format string, args ...any) {
	c.problems = append(c.problems, where+": "+fmt.Sprintf(format, args...))
}

// code checks a code's shape and that it is new among seen.
func (c *checker) code(where, kind, code string, seen map[string]bool) {
	if !codeRe.MatchString(code) {
		c.add(where, "code must start with a letter and use only a–z, 0–9 and _ (at most 63)")
	}
	if seen[code] {
		c.add(where, "duplicate %s code", kind)
	}
	seen[code] = true
}

func (c *checker) text(where, field string, t Text, required bool) {
	if !required && t.IsZero() {
		return
	}
	if strings.TrimSpace(t.LV) == "" {
		c.add(where, "%s: Latvian text (lv) is missing", field)
	}
	if strings.TrimSpace(t.EN) == "" {
		c.add(where, "%s: English text (en) is missing", field)
	}
}

// compile checks the definition and prepares its derived fields.
func (d *Definition) compile() error {
	c := &checker{}
	if d.Format != FormatVersion {
		c.add("survey", "format must be %d, not %d", FormatVersion, d.Format)
	}
	if CheckSlug(d.Slug) != nil {
		c.add("survey", "slug %q must be 2–63 lower-case letters, digits or '-'", d.Slug)
	}
	c.text("survey", "title", d.Title, true)
	c.text("survey", "intro", d.Intro, false)
	if d.ReferenceYear < 2000 || d.ReferenceYear > 2100 {
		c.add("survey", "reference_year %d is not between 2000 and 2100", d.ReferenceYear)
	}
	if len(d.Sections) == 0 {
		c.add("survey", "there are no sections")
	}

	d.questions = map[string]*Question{}
	d.order = nil
	sections := map[string]bool{}
	for si, s := range d.Sections {
		if s == nil {
			c.add(fmt.Sprintf("section %d", si+1), "is empty")
			continue
		}
		where := fmt.Sprintf("section %q", s.Code)
		c.code(where, "section", s.Code, sections)
		c.text(where, "title", s.Title, true)
		c.text(where, "help", s.Help, false)
		if len(s.Questions) == 0 {
			c.add(where, "has no questions")
		}
		for qi, q := range s.Questions {
			if q == nil {
				c.add(fmt.Sprintf("%s question %d", where, qi+1), "is empty")
				continue
			}
			q.section = s
			q.index = len(d.order)
			qwhere := fmt.Sprintf("question %q", q.Code)
			if !codeRe.MatchString(q.Code) {
				c.add(qwhere, "code must start with a letter and use only a–z, 0–9 and _ (at most 63)")
			}
			if d.questions[q.Code] != nil {
				c.add(qwhere, "duplicate question code")
				continue
			}
			d.questions[q.Code] = q
			d.order = append(d.order, q)
		}
	}
	// "<code>_other" keys must not collide with question codes.
	for _, q := range d.order {
		if q.Other && d.questions[q.OtherKey()] != nil {
			c.add(fmt.Sprintf("question %q", q.OtherKey()), "code collides with the 'other' text of question %q", q.Code)
		}
	}
	for _, q := range d.order {
		d.compileQuestion(c, q)
	}
	d.names = newAnswerNames(d)
	d.checkSeriesMarks(c)
	if d.ReceiptEmail != "" {
		switch q := d.questions[d.ReceiptEmail]; {
		case q == nil:
			c.add("survey", "receipt_email: unknown question %q", d.ReceiptEmail)
		case q.Type != Email:
			c.add("survey", "receipt_email: question %q is %s, not an email question", d.ReceiptEmail, q.Type)
		}
	}
	d.checkContactList(c)

	rules := map[string]bool{}
	for i, r := range d.Rules {
		if r == nil {
			c.add(fmt.Sprintf("rule %d", i+1), "is empty")
			continue
		}
		where := fmt.Sprintf("rule %q", r.Code)
		c.code(where, "rule", r.Code, rules)
		c.text(where, "message", r.Message, true)
		s := &scope{def: d}
		e, err := compile(r.Assert, s, kBool)
		if err != nil {
			c.add(where, "assert: %v", err)
			continue
		}
		r.expr = e
		if len(s.refs) == 0 {
			c.add(where, "assert names no question")
			continue
		}
		if r.Field == "" {
			r.Field = s.refs[0]
		} else if d.questions[r.Field] == nil {
			c.add(where, "field: unknown question %q", r.Field)
		}
	}

	indicators := map[string]bool{}
	for i, ind := range d.Indicators {
		if ind == nil {
			c.add(fmt.Sprintf("indicator %d", i+1), "is empty")
			continue
		}
		where := fmt.Sprintf("indicator %q", ind.Code)
		c.code(where, "indicator", ind.Code, indicators)
		if d.questions[ind.Code] != nil {
			c.add(where, "an indicator code must differ from the question codes")
		}
		c.text(where, "text", ind.Text, true)
		if ind.Decimals < 0 || ind.Decimals > 6 {
			c.add(where, "decimals must be 0–6")
		}
		e, err := compile(ind.Formula, &scope{def: d}, kNumber)
		if err != nil {
			c.add(where, "formula: %v", err)
			continue
		}
		ind.expr = e
	}

	if len(c.problems) > 0 {
		return &DefinitionError{Problems: c.problems}
	}
	return nil
}

func (d *Definition) compileQuestion(c *checker, q *Question) {
	where := fmt.Sprintf("question %q", q.Code)
	if !types[q.Type] {
		c.add(where, "unknown type %q (known: single, multi, int, decimal, money, percent, year, text, longtext, email, phone, yesno)", q.Type)
		return
	}
	c.text(where, "text", q.Text, true)
	c.text(where, "help", q.Help, false)
	if q.Publishable && !q.CanPublish() {
		c.add(where, "publishable applies only to free-text questions (text, longtext) that are not personal")
	}

	// Options.
	if q.Type.IsChoice() {
		if len(q.Options) == 0 {
			c.add(where, "a %s question needs options; the option list is empty", q.Type)
		}
		q.options = map[string]*Option{}
		seenOptions := map[string]bool{}
		for i, o := range q.Options {
			if o == nil {
				c.add(where, "option %d is empty", i+1)
				continue
			}
			owhere := fmt.Sprintf("%s option %q", where, o.Code)
			c.code(owhere, "option", o.Code, seenOptions)
			if o.Code == OtherCode && q.Other {
				c.add(owhere, "code %q is reserved for the automatic 'other' option", OtherCode)
			}
			if o.Exclusive && q.Type != Multi {
				c.add(owhere, "exclusive only applies to multi questions")
			}
			q.options[o.Code] = o
			c.text(owhere, "text", o.Text, true)
		}
		if q.Other {
			q.options[OtherCode] = otherOption
		}
	} else {
		if len(q.Options) > 0 {
			c.add(where, "options only apply to single and multi questions, not %s", q.Type)
		}
		if q.Other {
			c.add(where, "other only applies to single and multi questions, not %s", q.Type)
		}
	}

	// Numeric limits.
	resolve := func(b *Bound, name string) *big.Rat {
		if b == nil {
			return nil
		}
		if b.ReferenceYear {
			return new(big.Rat).SetInt64(int64(d.ReferenceYear))
		}
		r, ok := ratOf(b.Number)
		if !ok {
			c.add(where, "%s %.60q is not a number of at most %d characters", name, b.Number, MaxNumberLength)
			return nil
		}
		return r
	}
	if q.Type.IsNumber() {
		q.min, q.max = resolve(q.Min, "min"), resolve(q.Max, "max")
		if q.Type == Percent {
			if q.min == nil {
				q.min = new(big.Rat)
			}
			if q.max == nil {
				q.max = big.NewRat(100, 1)
			}
		}
		if q.min != nil && q.max != nil && q.min.Cmp(q.max) > 0 {
			c.add(where, "min %s is greater than max %s", ratString(q.min), ratString(q.max))
		}
		if q.Type == Int || q.Type == Year {
			for _, b := range []*big.Rat{q.min, q.max} {
				if b != nil && !b.IsInt() {
					c.add(where, "limits of a %s question must be whole numbers", q.Type)
				}
			}
		}
	} else if q.Min != nil || q.Max != nil {
		c.add(where, "min and max only apply to number questions, not %s", q.Type)
	}
	if q.Decimals != nil {
		if q.Type != Decimal && q.Type != Money && q.Type != Percent {
			c.add(where, "decimals only apply to decimal, money and percent questions")
		} else if *q.Decimals < 0 || *q.Decimals > 6 {
			c.add(where, "decimals must be 0–6, not %d", *q.Decimals)
		}
	}

	// Text limits.
	if q.MaxLength != 0 {
		if !q.Type.IsText() {
			c.add(where, "max_length only applies to text questions")
		} else if q.MaxLength < 1 || q.MaxLength > 100000 {
			c.add(where, "max_length must be 1–100000, not %d", q.MaxLength)
		}
	}
	if q.Pattern != "" {
		if !q.Type.IsText() {
			c.add(where, "pattern only applies to text questions")
		} else if re, err := regexp.Compile(`^(?:` + q.Pattern + `)$`); err != nil {
			c.add(where, "pattern: %v", err)
		} else {
			q.pattern = re
		}
	}
	c.text(where, "pattern_message", q.PatternMessage, false)

	if q.ShowIf != "" {
		e, err := compile(q.ShowIf, &scope{def: d, before: q}, kBool)
		if err != nil {
			c.add(where, "show_if: %v", err)
		} else {
			q.showIf = e
		}
	}
}
