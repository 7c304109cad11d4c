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

func TestTheBuiltInCatalogLoads(t *testing.T) {
	t.Parallel()
	if len(Default().Keys()) == 0 {
		t.Fatal("no keys")
	}
}
