package survey

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func answers(t testing.TB, js string) Answers {
	t.Helper()
	a, err := DecodeAnswers([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestValidate(t *testing.T) {
	t.Parallel()
	d := mini(t)
	cases := []struct {
		name    string
		mode    Mode
		in      string
		errs    map[string]string // code → part of the Latvian message
		out     string            // canonical answers, when errs is empty
		cleared []string
	}{
		{name: "empty draft is fine", mode: Draft, in: `{}`, out: `{}`},
		{name: "empty submit needs required", mode: Submit, in: `{}`,
			errs: map[string]string{"status": "obligāta", "forms": "obligāta"}},
		{name: "hidden required is not required", mode: Submit, in: `{"status":"no","forms":["a"],"amount":5}`,
			out: `{"status":"no","forms":["a"],"amount":5}`},
		{name: "shown required is required", mode: Submit, in: `{"status":"yes","forms":["a"]}`,
			errs: map[string]string{"count": "obligāta"}},
		{name: "hidden answers are cleared", mode: Draft, in: `{"status":"no","count":3,"forms":["none"],"amount":10}`,
			out: `{"status":"no","forms":["none"]}`, cleared: []string{"amount", "count"}},
		{name: "unknown code", mode: Draft, in: `{"bogus":1}`, errs: map[string]string{"bogus": "Nezināms jautājums"}},
		{name: "unknown other key", mode: Draft, in: `{"status_other":"x"}`, errs: map[string]string{"status_other": "Nezināms"}},
		{name: "wrong type single", mode: Draft, in: `{"status":1}`, errs: map[string]string{"status": "piedāvātajām"}},
		{name: "unknown option", mode: Draft, in: `{"status":"maybe"}`, errs: map[string]string{"status": "piedāvātajām"}},
		{name: "multi not a list", mode: Draft, in: `{"forms":"a"}`, errs: map[string]string{"forms": "sarakstam"}},
		{name: "multi unknown option", mode: Draft, in: `{"forms":["a","zz"]}`, errs: map[string]string{"forms": "„zz“"}},
		{name: "multi duplicate", mode: Draft, in: `{"forms":["a","a"]}`, errs: map[string]string{"forms": "vairākkārt"}},
		{name: "multi sorted to definition order", mode: Draft, in: `{"forms":["b","a"]}`, out: `{"forms":["a","b"]}`},
		{name: "empty multi is unanswered", mode: Draft, in: `{"forms":[]}`, out: `{}`},
		{name: "exclusive in draft is allowed", mode: Draft, in: `{"forms":["a","none"]}`, out: `{"forms":["a","none"]}`},
		{name: "exclusive on submit", mode: Submit, in: `{"status":"no","forms":["a","none"]}`,
			errs: map[string]string{"forms": "„Nekas“ nevar apvienot"}},
		{name: "other text kept", mode: Draft, in: `{"forms":["other"],"forms_other":"  Sports  "}`,
			out: `{"forms":["other"],"forms_other":"Sports"}`},
		{name: "other text required on submit", mode: Submit, in: `{"status":"no","forms":["other"]}`,
			errs: map[string]string{"forms_other": "„Cits“"}},
		{name: "other text cleared without other", mode: Draft, in: `{"forms":["a"],"forms_other":"x"}`,
			out: `{"forms":["a"]}`, cleared: []string{"forms_other"}},
		{name: "int not whole", mode: Draft, in: `{"status":"yes","count":2.5}`, errs: map[string]string{"count": "veselu skaitli"}},
		{name: "int as string", mode: Draft, in: `{"status":"yes","count":"2"}`, errs: map[string]string{"count": "veselu skaitli"}},
		{name: "int range", mode: Draft, in: `{"status":"yes","count":11}`, errs: map[string]string{"count": "no 1 līdz 10"}},
		{name: "int exponent form normalised", mode: Draft, in: `{"status":"yes","count":1e1}`, out: `{"status":"yes","count":10}`},
		{name: "year up to reference year", mode: Draft, in: `{"year":2026}`, errs: map[string]string{"year": "no 2010 līdz 2025"}},
		{name: "money decimals", mode: Draft, in: `{"forms":["a"],"amount":10.005}`, errs: map[string]string{"amount": "2 zīmes aiz komata"}},
		{name: "money trailing zeros", mode: Draft, in: `{"forms":["a"],"amount":1234.50}`, out: `{"forms":["a"],"amount":1234.5}`},
		{name: "money negative", mode: Draft, in: `{"forms":["a"],"amount":-1}`, errs: map[string]string{"amount": "negatīvs"}},
		{name: "huge number", mode: Draft, in: `{"share":1e300}`, errs: map[string]string{"share": "pārāk liels"}},
		{name: "percent default max", mode: Draft, in: `{"share":100.01}`, errs: map[string]string{"share": "no 0 līdz 100"}},
		{name: "decimal one place", mode: Draft, in: `{"rate":1.25}`, errs: map[string]string{"rate": "1 zīme aiz komata"}},
		{name: "text too long", mode: Draft, in: `{"note":"ābolš"}`, out: `{"note":"ābolš"}`},
		{name: "text too long in characters", mode: Draft, in: `{"note":"ābolši"}`, errs: map[string]string{"note": "Ne vairāk kā 5 rakstzīmes (tagad 6 rakstzīmes)"}},
		{name: "text folds spaces", mode: Draft, in: `{"note":" a \n b "}`, out: `{"note":"a b"}`},
		{name: "text control char", mode: Draft, in: `{"note":"a\u0000"}`, errs: map[string]string{"note": "rakstzīmi U+0000"}},
		{name: "text wrong type", mode: Draft, in: `{"note":5}`, errs: map[string]string{"note": "tekstam"}},
		{name: "blank text is unanswered", mode: Draft, in: `{"note":"   "}`, out: `{}`},
		{name: "pattern", mode: Draft, in: `{"code":"ab12"}`, errs: map[string]string{"code": "Divi lielie burti"}},
		{name: "pattern ok", mode: Draft, in: `{"code":"AB12"}`, out: `{"code":"AB12"}`},
		{name: "email bad", mode: Draft, in: `{"email":"Jānis <j@x.lv>"}`, errs: map[string]string{"email": "e-pasta adresi"}},
		{name: "email no dot", mode: Draft, in: `{"email":"j@localhost"}`, errs: map[string]string{"email": "e-pasta adresi"}},
		{name: "email ok", mode: Draft, in: `{"email":" janis@novads.lv "}`, out: `{"email":"janis@novads.lv"}`},
		{name: "phone ok", mode: Draft, in: `{"phone":"+371 2612 3456"}`, out: `{"phone":"+371 2612 3456"}`},
		{name: "phone letters", mode: Draft, in: `{"phone":"zvaniet man"}`, errs: map[string]string{"phone": "tālruņa numuru"}},
		{name: "phone too short", mode: Draft, in: `{"phone":"123"}`, errs: map[string]string{"phone": "tālruņa numuru"}},
		{name: "yesno wrong type", mode: Draft, in: `{"ok":"true"}`, errs: map[string]string{"ok": "„Jā“ vai „Nē“"}},
		{name: "null is unanswered", mode: Draft, in: `{"ok":null}`, out: `{}`},
		{name: "longtext keeps line breaks", mode: Draft, in: `{"long":"a\r\n\nb"}`, out: `{"long":"a\n\nb"}`},
		{name: "cross-field rule on submit", mode: Submit, in: `{"status":"yes","count":1,"forms":["a"],"amount":101}`,
			errs: map[string]string{"amount": "Summa par lielu"}},
		{name: "cross-field rule not in draft", mode: Draft, in: `{"status":"yes","count":1,"forms":["a"],"amount":101}`,
			out: `{"status":"yes","count":1,"forms":["a"],"amount":101}`},
		{name: "cross-field rule skipped when undecided", mode: Submit, in: `{"status":"no","forms":["a"],"amount":101}`,
			out: `{"status":"no","forms":["a"],"amount":101}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := answers(t, c.in)
			snapshot := in.Clone()
			res := d.Validate(in, c.mode)
			if !reflect.DeepEqual(in, snapshot) {
				t.Fatal("Validate changed its input")
			}
			for code, want := range c.errs {
				got, ok := res.Errors[code]
				if !ok {
					t.Errorf("no error for %s; errors: %v", code, res.Errors)
					continue
				}
				if !strings.Contains(got.LV, want) {
					t.Errorf("%s: message %q does not contain %q", code, got.LV, want)
				}
				if got.EN == "" || got.EN == got.LV {
					t.Errorf("%s: English message missing: %+v", code, got)
				}
			}
			if len(res.Errors) != len(c.errs) {
				t.Errorf("errors = %v, want only %v", res.Errors, c.errs)
			}
			if c.errs == nil {
				want := answers(t, c.out)
				gotJSON, _ := json.Marshal(res.Answers)
				wantJSON, _ := json.Marshal(want)
				if string(gotJSON) != string(wantJSON) {
					t.Errorf("answers = %s, want %s", gotJSON, wantJSON)
				}
			}
			sort.Strings(res.Cleared)
			if c.cleared != nil && !reflect.DeepEqual(res.Cleared, c.cleared) {
				t.Errorf("cleared = %v, want %v", res.Cleared, c.cleared)
			}
		})
	}
}

// TestCanonicalIsFixedPoint: validating canonical answers again changes
// nothing — what is stored reads back the same.
func TestCanonicalIsFixedPoint(t *testing.T) {
	t.Parallel()
	d := mini(t)
	in := answers(t, `{"status":"yes","count":3,"forms":["b","other","a"],"forms_other":" x ","amount":12.50,"note":" hi  x","rate":1.0}`)
	first := d.Validate(in, Draft)
	if !first.OK() {
		t.Fatal(first.Errors)
	}
	data, _ := json.Marshal(first.Answers)
	second := d.Validate(answers(t, string(data)), Draft)
	if !second.OK() {
		t.Fatal(second.Errors)
	}
	b1, _ := json.Marshal(first.Answers)
	b2, _ := json.Marshal(second.Answers)
	if string(b1) != string(b2) || len(second.Cleared) != 0 {
		t.Errorf("not a fixed point: %s then %s (cleared %v)", b1, b2, second.Cleared)
	}
	if before, after := Diff(first.Answers, second.Answers); len(before)+len(after) != 0 {
		t.Errorf("Diff of equal answers = %v → %v", before, after)
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	old := answers(t, `{"a":1,"b":"x","c":["p","q"],"d":true}`)
	new := answers(t, `{"a":1.0,"b":"y","c":["p","q"],"e":false}`)
	before, after := Diff(old, new)
	wantBefore := answers(t, `{"b":"x","d":true}`)
	wantAfter := answers(t, `{"b":"y","e":false}`)
	if !reflect.DeepEqual(before, wantBefore) || !reflect.DeepEqual(after, wantAfter) {
		t.Errorf("Diff = %v → %v", before, after)
	}
}

func TestParseNumberInput(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"12": "12", "1 234,50": "1234.5", "1\u00a0234.5": "1234.5", "-3": "-3", "0,5": "0.5",
		",5": "0.5", "1'000": "1000", "007": "7", "2025": "2025", "1 000 000": "1000000",
	}
	for in, want := range cases {
		got, ok := ParseNumberInput(in)
		if !ok || string(got) != want {
			t.Errorf("ParseNumberInput(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", " ", "abc", "1,2,3", "1.2.3", "1e5", "--1", "1-", "12 EUR", "1,2 3", "-", ","} {
		if got, ok := ParseNumberInput(bad); ok {
			t.Errorf("ParseNumberInput(%q) = %q, want failure", bad, got)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	d := mini(t)
	q := d.Question("count")
	if got := FormatInput(json.Number("1234.5"), "lv"); got != "1234,5" {
		t.Errorf("FormatInput lv = %q", got)
	}
	if got := FormatInput(json.Number("1234.5"), "en"); got != "1234.5" {
		t.Errorf("FormatInput en = %q", got)
	}
	_ = q
	r := d.Question("count").MaxRat()
	if got := FormatNumber(r, "lv", true); got != "10" {
		t.Errorf("FormatNumber = %q", got)
	}
	big := d.Question("year").MaxRat()
	if got := FormatNumber(big, "lv", false); got != "2025" {
		t.Errorf("year must not be grouped: %q", got)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	d := mini(t)
	p := d.Progress(answers(t, `{"status":"yes","forms":["a"]}`))
	if len(p) != 1 {
		t.Fatal(p)
	}
	// shown: all but none hidden — status yes shows count; forms a shows amount.
	if p[0].Shown != 13 || p[0].Answered != 2 || p[0].RequiredMissing != 1 {
		t.Errorf("progress = %+v", p[0])
	}
	p = d.Progress(answers(t, `{"status":"no"}`))
	if p[0].Shown != 11 || p[0].RequiredMissing != 1 {
		t.Errorf("progress with hidden questions = %+v", p[0])
	}
}

// chainDefinition is miniYAML with a chain of conditions: year is shown
// when count > 5, share when year = 2020.
func chainDefinition(t *testing.T) *Definition {
	t.Helper()
	src := strings.Replace(miniYAML, `      - code: year
        type: year`, `      - code: year
        type: year
        show_if: "count > 5"`, 1)
	src = strings.Replace(src, `      - code: share
        type: percent`, `      - code: share
        type: percent
        show_if: "year = 2020"`, 1)
	d, err := Parse([]byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestVisibleChains: a question hidden by its condition does not show the
// questions that depend on it, even if it still has an answer.
func TestVisibleChains(t *testing.T) {
	t.Parallel()
	d := chainDefinition(t)
	a := answers(t, `{"status":"no","count":9,"year":2020,"share":5}`)
	vis := d.Visible(a)
	if vis["count"] || vis["year"] || vis["share"] {
		t.Errorf("hidden count must hide year and share: %v", vis)
	}
	res := d.Validate(a, Draft)
	if len(res.Answers) != 1 || len(res.Cleared) != 3 {
		t.Errorf("Validate: %v cleared %v", res.Answers, res.Cleared)
	}
	a["status"] = "yes"
	if vis = d.Visible(a); !vis["count"] || !vis["year"] || !vis["share"] {
		t.Errorf("shown chain: %v", vis)
	}
}
