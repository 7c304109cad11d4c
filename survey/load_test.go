package survey

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const miniYAML = `
format: 1
slug: mini
title: {lv: "Mazā aptauja", en: "Small survey"}
reference_year: 2025
sections:
  - code: s1
    title: {lv: "Pirmā", en: "First"}
    questions:
      - code: status
        type: single
        required: true
        text: {lv: "Statuss", en: "Status"}
        options:
          - {code: "yes", text: {lv: "Jā", en: "Yes"}}
          - {code: "no", text: {lv: "Nē", en: "No"}}
      - code: count
        type: int
        required: true
        min: 1
        max: 10
        show_if: "status = 'yes'"
        text: {lv: "Skaits", en: "Count"}
      - code: year
        type: year
        min: 2010
        max: reference_year
        text: {lv: "Gads", en: "Year"}
      - code: forms
        type: multi
        other: true
        required: true
        text: {lv: "Veidi", en: "Forms"}
        options:
          - {code: a, text: {lv: "A", en: "A"}}
          - {code: b, text: {lv: "B", en: "B"}}
          - {code: none, text: {lv: "Nekas", en: "None"}, exclusive: true}
      - code: amount
        type: money
        min: 0
        show_if: "selected(forms, 'a', 'b')"
        text: {lv: "Summa", en: "Amount"}
      - code: share
        type: percent
        text: {lv: "Daļa", en: "Share"}
      - code: note
        type: text
        max_length: 5
        text: {lv: "Piezīme", en: "Note"}
      - code: code
        type: text
        pattern: "[A-Z]{2}[0-9]+"
        pattern_message: {lv: "Divi lielie burti un cipari.", en: "Two capitals and digits."}
        text: {lv: "Kods", en: "Code"}
      - code: email
        type: email
        text: {lv: "E-pasts", en: "E-mail"}
      - code: phone
        type: phone
        text: {lv: "Tālrunis", en: "Phone"}
      - code: ok
        type: yesno
        text: {lv: "Labi?", en: "OK?"}
      - code: rate
        type: decimal
        decimals: 1
        min: 0
        max: 52
        text: {lv: "Biežums", en: "Rate"}
      - code: long
        type: longtext
        text: {lv: "Komentārs", en: "Comment"}
rules:
  - code: amount_le_count
    assert: "amount <= count * 100"
    message: {lv: "Summa par lielu.", en: "Amount too large."}
indicators:
  - code: ind_per_count
    formula: "amount / count"
    text: {lv: "Uz vienu", en: "Per one"}
`

func mini(t testing.TB) *Definition {
	t.Helper()
	d, err := Parse([]byte(miniYAML), "mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoadMini(t *testing.T) {
	t.Parallel()
	d := mini(t)
	if got := len(d.Questions()); got != 13 {
		t.Fatalf("questions = %d", got)
	}
	y := d.Question("year")
	if y.MaxRat().String() != "2025/1" {
		t.Errorf("reference_year max resolved to %v", y.MaxRat())
	}
	if p := d.Question("share"); p.MinRat().Sign() != 0 || p.MaxRat().String() != "100/1" {
		t.Errorf("percent default range = %v–%v", p.MinRat(), p.MaxRat())
	}
	if d.Rules[0].Field != "amount" {
		t.Errorf("rule field defaults to first named question, got %q", d.Rules[0].Field)
	}
	opts := d.Question("forms").AllOptions()
	if last := opts[len(opts)-1]; last.Code != OtherCode || last.Text.LV != "Cits (norādiet)" {
		t.Errorf("other option = %+v", last)
	}
}

// TestLoadErrors mutates the small definition and checks that the loader
// names the question and the problem.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"duplicate code", "code: year\n", "code: count\n", []string{`question "count": duplicate question code`}},
		{"publishable number", "        type: percent\n", "        type: percent\n        publishable: true\n", []string{`question "share": publishable applies only to free-text questions`}},
		{"publishable e-mail", "        type: email\n", "        type: email\n        publishable: true\n", []string{`question "email": publishable applies only to free-text questions`}},
		{"unknown question in show_if", "status = 'yes'", "statsu = 'yes'", []string{`question "count": show_if: column 1: unknown question "statsu"`}},
		{"later question in show_if", `show_if: "status = 'yes'"`, `show_if: "year > 2000"`, []string{`question "count": show_if: column 1: question "year" comes later`}},
		{"self reference", `show_if: "selected(forms, 'a', 'b')"`, `show_if: "amount > 0"`, []string{`question "amount": show_if: column 1: a question cannot depend on itself`}},
		{"unknown option in show_if", "status = 'yes'", "status = 'maybe'", []string{`question "count": show_if: column 10: question "status" has no option "maybe"`}},
		{"unknown option in selected", "selected(forms, 'a', 'b')", "selected(forms, 'a', 'x')", []string{`question "amount": show_if: column 22: question "forms" has no option "x"`}},
		{"type mismatch", "status = 'yes'", "status = 1", []string{`question "count": show_if: column 8: cannot compare text with a number`}},
		{"show_if not boolean", `show_if: "status = 'yes'"`, `show_if: "year + 1"`, []string{`question "count": show_if:`}},
		{"syntax error", "status = 'yes'", "status = = 'yes'", []string{`question "count": show_if: column 10: unexpected "="`}},
		{"empty options", "options:\n          - {code: \"yes\", text: {lv: \"Jā\", en: \"Yes\"}}\n          - {code: \"no\", text: {lv: \"Nē\", en: \"No\"}}", "options: []", []string{`question "status": a single question needs options; the option list is empty`}},
		{"min greater than max", "min: 1\n        max: 10", "min: 11\n        max: 10", []string{`question "count": min 11 is greater than max 10`}},
		{"unknown type", "type: yesno", "type: boolean", []string{`question "ok": unknown type "boolean"`}},
		{"missing english", `text: {lv: "Labi?", en: "OK?"}`, `text: {lv: "Labi?"}`, []string{`question "ok": text: English text (en) is missing`}},
		{"limit on wrong type", "max_length: 5", "max_length: 5\n        min: 1", []string{`question "note": min and max only apply to number questions`}},
		{"bad pattern", `pattern: "[A-Z]{2}[0-9]+"`, `pattern: "[A-Z"`, []string{`question "code": pattern:`}},
		{"duplicate option", `{code: b, text: {lv: "B", en: "B"}}`, `{code: a, text: {lv: "B", en: "B"}}`, []string{`question "forms" option "a": duplicate option code`}},
		{"reserved other", `{code: b, text: {lv: "B", en: "B"}}`, `{code: other, text: {lv: "B", en: "B"}}`, []string{`option "other": code "other" is reserved`}},
		{"unknown field", "required: true\n        min: 1", "requried: true\n        min: 1", []string{`unknown field "requried"`}},
		{"rule unknown question", "amount <= count * 100", "amount <= cnt * 100", []string{`rule "amount_le_count": assert: column 11: unknown question "cnt"`}},
		{"indicator not a number", "formula: \"amount / count\"", "formula: \"amount > count\"", []string{`indicator "ind_per_count": formula: the expression gives true/false, but a number is needed`}},
		{"several at once", "code: year\n", "code: count\n", []string{"duplicate question code"}},
		{"decimals on int", "min: 1\n        max: 10", "min: 1\n        max: 10\n        decimals: 2", []string{`question "count": decimals only apply`}},
		{"exclusive on single", `{code: "no", text: {lv: "Nē", en: "No"}}`, `{code: "no", text: {lv: "Nē", en: "No"}, exclusive: true}`, []string{`exclusive only applies to multi`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(miniYAML, c.from) {
				t.Fatalf("test bug: %q not in the definition", c.from)
			}
			src := strings.Replace(miniYAML, c.from, c.to, 1)
			_, err := Parse([]byte(src), "mini.yaml")
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("want *DefinitionError, got %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			if !strings.Contains(err.Error(), "mini.yaml") {
				t.Errorf("error does not name the source: %v", err)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	src := strings.Replace(miniYAML, "status = 'yes'", "nope = 1", 1)
	src = strings.Replace(src, "min: 1\n        max: 10", "min: 11\n        max: 10", 1)
	_, err := Parse([]byte(src), "")
	var de *DefinitionError
	if !errors.As(err, &de) || len(de.Problems) != 2 {
		t.Fatalf("want two problems, got %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, slug := range BuiltinSlugs() {
		d, _, err := Builtin(slug)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(d.JSON(), "snapshot")
		if err != nil {
			t.Fatalf("%s: JSON snapshot does not load: %v", slug, err)
		}
		if !bytes.Equal(d.JSON(), again.JSON()) {
			t.Errorf("%s: JSON snapshot changes when re-read", slug)
		}
	}
}

// TestParseDecoderPanicIsAnError: a file the YAML decoder trips over (it
// dereferences nil on a tagged scalar where a list belongs) is a loader
// error like any other, not a crash of `surveyd round create` or a 500.
func TestParseDecoderPanicIsAnError(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"format: 1\nsections: !x abc\n", miniYAML + "rules: !t x\n"} {
		_, err := Parse([]byte(src), "tagged.yaml")
		var de *DefinitionError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "tagged.yaml") {
			t.Errorf("%q: want a DefinitionError, got %v", src, err)
		}
	}
}

// TestParseKeepsAnchorsAndAliases: anchors and aliases within the limits
// still load (a list of options written once and used again).
func TestParseKeepsAnchorsAndAliases(t *testing.T) {
	t.Parallel()
	src := `
format: 1
slug: anchors
title: {lv: "Enkuri", en: "Anchors"}
reference_year: 2025
sections:
  - code: s1
    title: {lv: "Pirmā", en: "First"}
    questions:
      - code: a
        type: single
        text: {lv: "A", en: "A"}
        options: &yesno
          - {code: "yes", text: {lv: "Jā", en: "Yes"}}
          - {code: "no", text: {lv: "Nē", en: "No"}}
      - code: b
        type: single
        text: {lv: "B", en: "B"}
        options: *yesno
`
	d, err := Parse([]byte(src), "anchors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if o := d.Question("b").Option("no"); o == nil || o.Text.EN != "No" {
		t.Errorf("the alias did not bring the options: %+v", d.Question("b").Options)
	}
}
