package survey

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEvalThreeValued(t *testing.T) {
	t.Parallel()
	d := mini(t)
	cases := []struct {
		expr    string
		answers string
		want    any // nil = undecided
	}{
		{"status = 'yes'", `{"status":"yes"}`, true},
		{"status = 'yes'", `{"status":"no"}`, false},
		{"status = 'yes'", `{}`, nil},
		{"status != 'yes'", `{}`, nil},
		{"not (status = 'yes')", `{}`, nil},
		{"status = 'yes' and count > 1", `{"status":"no"}`, false}, // false and undecided
		{"status = 'yes' or count > 1", `{"status":"yes"}`, true},  // true or undecided
		{"status = 'yes' and count > 1", `{"status":"yes"}`, nil},  // true and undecided
		{"status = 'no' or count > 1", `{"status":"yes"}`, nil},    // false or undecided
		{"answered(count)", `{}`, false},
		{"answered(count) or status = 'no'", `{}`, nil},
		{"selected(forms, 'a', 'b')", `{"forms":["b"]}`, true},
		{"selected(forms, 'a', 'b')", `{"forms":["none"]}`, false},
		{"selected(forms, 'a')", `{}`, nil},
		{"selected(status, 'yes')", `{"status":"yes"}`, true},
		{"count(forms)", `{"forms":["a","b"]}`, 2.0},
		{"amount / count", `{"amount":10,"count":4}`, 2.5},
		{"amount / count", `{"amount":10,"count":0}`, nil},
		{"amount / count * 1000", `{"amount":1,"count":8}`, 125.0},
		{"-amount + 2 * 3", `{"amount":1}`, 5.0},
		{"(count > 0) = (amount > 0)", `{"count":0,"amount":0}`, true},
		{"(count > 0) = (amount > 0)", `{"count":2,"amount":0}`, false},
		{"ok = true", `{"ok":false}`, false},
		{"note = 'x'", `{"note":"x"}`, true},
		{"1 + 2 * 3 = 7 and not false", `{}`, true},
		{"amount <= count * 100", `{"amount":100,"count":1}`, true},
	}
	for _, c := range cases {
		s := &scope{def: d}
		e, err := parseExpr(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if err := s.check(e); err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		got := eval(e, answers(t, c.answers))
		if got != c.want {
			t.Errorf("%s with %s = %v, want %v", c.expr, c.answers, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                       "empty",
		"a =":                    "column 4: unexpected end of expression",
		"a = 'x":                 "column 5: text is not closed",
		"a < b < c":              "cannot be chained",
		"(a = 1":                 "expected ')'",
		"foo(a)":                 `unknown function "foo"`,
		"selected(a)":            "at least one option",
		"selected('x', 'a')":     "question code as its first argument",
		"count(a, b)":            "exactly one question",
		"a # b":                  `unexpected character '#'`,
		"and":                    `unexpected "and"`,
		strings.Repeat("(", 100): "nested too deeply",
	}
	for src, want := range cases {
		_, err := parseExpr(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseExpr(%q) = %v, want error containing %q", src, err, want)
		}
	}
}

func TestExprJSONForBrowser(t *testing.T) {
	t.Parallel()
	d := mini(t)
	b, err := json.Marshal(d.Question("amount").ShowIfExpr())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"op":"selected","args":[{"op":"ref","str":"forms"},{"op":"str","str":"a"},{"op":"str","str":"b"}]}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
}

func TestExprStringReparses(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"a = 'x' and not (b > 2 or c <= -1)", "selected(f, 'a', 'b')", "x / y * 1000 - 3"} {
		e, err := parseExpr(src)
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseExpr(e.String())
		if err != nil || again.String() != e.String() {
			t.Errorf("%q → %q → %v, %v", src, e.String(), again, err)
		}
	}
}
