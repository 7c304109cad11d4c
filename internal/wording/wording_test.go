package wording

import (
	"strings"
	"testing"
)

func TestParseRefusesFilesThatDisagree(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ lv, en, want string }{
		{`{"a": "x", "b": "y"}`, `{"a": "x"}`, `"b" is in lv.json but not in en.json`},
		{`{"a": "x"}`, `{"a": "x", "c": "z"}`, `"c" is in en.json but not in lv.json`},
		{`{"a": "Iesniegta {date}."}`, `{"a": "Submitted on {when}."}`, `"a" has placeholders [date] in lv.json but [when] in en.json`},
		{`{"a": 1}`, `{"a": "x"}`, `lv.json`},
		{`{"a": "x", "a": "y"}`, `{"a": "x"}`, `"a" is there twice`},
		{`{"a": "x"}`, `{"a": "x", "a": "x"}`, `en.json: "a" is there twice`},
		{`{"a": "%d no %d"}`, `{"a": "%d of %d"}`, `has a %s or %d`},
		{`{"a": "x"} {}`, `{"a": "x"}`, `more after`},
		{`["a"]`, `{"a": "x"}`, `not a JSON object`},
	} {
		_, err := Parse([]byte(c.lv), []byte(c.en))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s / %s: %v, want %q", c.lv, c.en, err, c.want)
		}
	}
}

func TestTextFillsNamedPlaceholders(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`{"p": "{done} no {total}", "plain": "Saglabāt"}`), []byte(`{"p": "{done} of {total}", "plain": "Save"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		l    Lang
		key  string
		args []any
		want string
	}{
		{LV, "p", []any{"total", 10, "done", 3}, "3 no 10"},
		{EN, "p", []any{"done", 3, "total", 10}, "3 of 10"},
		{EN, "plain", nil, "Save"},
		{LV, "p", []any{"done", 3}, "3 no {total?}"},
		{LV, "plain", []any{"x", 1}, "Saglabāt {args?}"},
		{LV, "missing.key", nil, "missing.key"},
		{"de", "plain", nil, "Saglabāt"},
	} {
		if got := c.Text(x.l, x.key, x.args...); got != x.want {
			t.Errorf("Text(%s, %s, %v) = %q, want %q", x.l, x.key, x.args, got, x.want)
		}
	}
}

// TestTheBuiltInCatalogLoads: the built-in message files parse, with the
// same keys and placeholders in both languages (Parse's checks).
func TestTheBuiltInCatalogLoads(t *testing.T) {
	t.Parallel()
	c := builtIn(t)
	if len(c.Keys()) < 600 {
		t.Errorf("only %d keys", len(c.Keys()))
	}
	for _, k := range c.Keys() {
		if !keyChars.MatchString(k) {
			t.Errorf("key %q: a key is lower-case letters, digits, '_', '-' and '.'", k)
		}
	}
}
