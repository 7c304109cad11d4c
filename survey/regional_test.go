package survey

import (
	"math"
	"math/rand/v2"
	"testing"
)

func regional(t testing.TB) *Definition {
	t.Helper()
	d, _, err := Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A complete, consistent answer set for the 2025 questionnaire.
const regionalFull = `{
 "resp_name":"Anna Ozola","resp_position":"Sabiedrisko attiecību speciāliste","resp_email":"anna.ozola@novads.lv",
 "population":24000,"consent_contact":true,
 "ngo_rules":"adopted","ngo_forms":["grants","premises_free","other"],"ngo_forms_other":"Inventāra patapinājums",
 "ngo_support_eur":48000,"ngo_supported_count":31,"ngo_liaison":["staff"],"ngo_published":"website",
 "del_status":"yes","del_count":3,"del_areas":["social","youth"],"del_funding_eur":120000.5,"del_selection":"competition",
 "del_published":"all","del_evaluated":true,
 "pb_status":"voted","pb_first_year":2023,"pb_amount_eur":60000,"pb_share_pct":0.62,"pb_units":2,
 "pb_ideas_submitted":40,"pb_ideas_admitted":25,"pb_votes":3100,"pb_winners":8,"pb_implemented":5,
 "pb_channels":["geolatvija","paper"],
 "rc_status":"established","rc_count":12,"rc_level":["parish"],"rc_selection":["meeting"],"rc_meetings":4.5,
 "rc_consulted":true,"rc_regulation":true,
 "part_forms":["consultations","youth_council"]
}`

func TestRegionalStructure(t *testing.T) {
	t.Parallel()
	d := regional(t)
	want := []string{"resp", "ngo", "del", "pb", "rc", "other"}
	if len(d.Sections) != len(want) {
		t.Fatalf("sections = %d", len(d.Sections))
	}
	for i, s := range d.Sections {
		if s.Code != want[i] {
			t.Errorf("section %d = %s, want %s", i, s.Code, want[i])
		}
	}
	if n := len(d.Questions()); n != 43 {
		t.Errorf("questions = %d, want 43", n)
	}
	for _, code := range []string{"resp_name", "resp_position", "resp_email", "resp_phone"} {
		if !d.Question(code).Personal {
			t.Errorf("%s must be marked personal", code)
		}
	}
	if d.Question("pb_first_year").MaxRat().Num().Int64() != 2025 {
		t.Error("pb_first_year max must be the reference year")
	}
	if o := d.Question("ngo_forms").Option("none"); o == nil || !o.Exclusive {
		t.Error("ngo_forms none must be exclusive")
	}
}

func TestRegionalFullSubmits(t *testing.T) {
	t.Parallel()
	d := regional(t)
	res := d.Validate(answers(t, regionalFull), Submit)
	if !res.OK() || len(res.Cleared) != 0 {
		t.Fatalf("errors %v, cleared %v", res.Errors, res.Cleared)
	}
	want := map[string]float64{
		"ind_ngo_eur_per_resident": 2,
		"ind_del_eur_per_resident": 120000.5 / 24000,
		"ind_pb_eur_per_resident":  2.5,
		"ind_pb_votes_per_1000":    3100.0 / 24000 * 1000,
		"ind_pb_success_pct":       32,
	}
	for _, ind := range d.Indicators {
		v, ok := ind.Compute(res.Answers)
		if !ok || math.Abs(v-want[ind.Code]) > 1e-9 {
			t.Errorf("%s = %v, %v; want %v", ind.Code, v, ok, want[ind.Code])
		}
	}
}

func TestRegionalRules(t *testing.T) {
	t.Parallel()
	d := regional(t)
	cases := []struct {
		name   string
		patch  string
		codes  []string
		remove string
	}{
		{"admitted above submitted", `{"pb_ideas_admitted":41,"pb_winners":8}`, []string{"pb_ideas_admitted"}, ""},
		{"winners above admitted", `{"pb_winners":26,"pb_implemented":5}`, []string{"pb_winners"}, ""},
		{"implemented above winners", `{"pb_implemented":9}`, []string{"pb_implemented"}, ""},
		{"count positive, amount zero", `{"ngo_support_eur":0}`, []string{"ngo_supported_count"}, ""},
		{"count zero, amount positive", `{"ngo_supported_count":0}`, []string{"ngo_supported_count"}, ""},
		{"both zero is fine", `{"ngo_supported_count":0,"ngo_support_eur":0}`, nil, ""},
		{"none with other forms", `{"ngo_forms":["grants","none"]}`, []string{"ngo_forms"}, ""},
		{"first year after reference year", `{"pb_first_year":2026}`, []string{"pb_first_year"}, ""},
		{"other chosen without text", `{}`, []string{"ngo_forms_other"}, "ngo_forms_other"},
		{"rc_meetings two decimals", `{"rc_meetings":4.25}`, []string{"rc_meetings"}, ""},
		{"del_count zero", `{"del_count":0}`, []string{"del_count"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := answers(t, regionalFull)
			for k, v := range answers(t, c.patch) {
				a[k] = v
			}
			delete(a, c.remove)
			res := d.Validate(a, Submit)
			if len(res.Errors) != len(c.codes) {
				t.Fatalf("errors = %v, want at %v", res.Errors, c.codes)
			}
			for _, code := range c.codes {
				if _, ok := res.Errors[code]; !ok {
					t.Errorf("no error at %s: %v", code, res.Errors)
				}
			}
		})
	}
}

func TestRegionalShowIfChain(t *testing.T) {
	t.Parallel()
	d := regional(t)
	a := answers(t, regionalFull)
	a["pb_status"] = "not_started"
	a["del_status"] = "no"
	a["rc_status"] = "not_planned"
	a["ngo_forms"] = []string{"none"}
	delete(a, "ngo_forms_other")
	res := d.Validate(a, Submit)
	if !res.OK() {
		t.Fatalf("errors: %v", res.Errors)
	}
	for _, gone := range []string{"pb_first_year", "pb_amount_eur", "pb_votes", "pb_channels", "del_count",
		"del_areas", "rc_count", "rc_regulation", "ngo_support_eur", "ngo_supported_count"} {
		if _, ok := res.Answers[gone]; ok {
			t.Errorf("%s should be cleared", gone)
		}
	}
	for _, ind := range d.Indicators {
		if _, ok := ind.Compute(res.Answers); ok && ind.Code != "ind_ngo_eur_per_resident" {
			t.Errorf("%s should have no value", ind.Code)
		}
	}
	// rc in progress shows the regulation question but not the count.
	b := answers(t, `{"rc_status":"in_progress"}`)
	vis := d.Visible(b)
	if !vis["rc_regulation"] || vis["rc_count"] {
		t.Errorf("in_progress: rc_regulation %v rc_count %v", vis["rc_regulation"], vis["rc_count"])
	}
	// Unanswered status hides every dependent question.
	vis = d.Visible(Answers{})
	if vis["pb_first_year"] || vis["del_count"] || vis["ngo_support_eur"] {
		t.Error("dependent questions must stay hidden until the controlling question is answered")
	}
}

func TestSynthesizeIsSubmitValid(t *testing.T) {
	t.Parallel()
	d := regional(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		a, err := d.Synthesize(rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res := d.Validate(a, Submit); !res.OK() {
			t.Fatalf("answer set %d is not valid: %v", i, res.Errors)
		}
	}
}

// In draft mode the cross-field rules are warnings at their field: the
// draft saves (no errors), and the respondent learns at once.
func TestRegionalRulesWarnInDraft(t *testing.T) {
	t.Parallel()
	d := regional(t)
	cases := []struct {
		name  string
		patch string
		codes []string
	}{
		{"winners above admitted", `{"pb_winners":26,"pb_implemented":5}`, []string{"pb_winners"}},
		{"admitted above submitted", `{"pb_ideas_admitted":41,"pb_winners":8}`, []string{"pb_ideas_admitted"}},
		{"count positive, amount zero", `{"ngo_support_eur":0}`, []string{"ngo_supported_count"}},
		{"consistent", `{}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := answers(t, regionalFull)
			for k, v := range answers(t, c.patch) {
				a[k] = v
			}
			res := d.Validate(a, Draft)
			if !res.OK() {
				t.Fatalf("draft errors: %v", res.Errors)
			}
			if len(res.Warnings) != len(c.codes) {
				t.Fatalf("warnings = %v, want at %v", res.Warnings, c.codes)
			}
			for _, code := range c.codes {
				if w, ok := res.Warnings[code]; !ok || w.LV == "" || w.EN == "" {
					t.Errorf("no warning at %s: %v", code, res.Warnings)
				}
			}
			if sub := d.Validate(a, Submit); len(sub.Warnings) != 0 {
				t.Errorf("submit mode reports rules as errors, not warnings: %v", sub.Warnings)
			}
		})
	}
	// A rule whose questions are not both answered says nothing yet.
	res := d.Validate(answers(t, `{"pb_status":"voted","pb_winners":26}`), Draft)
	if len(res.Warnings) != 0 {
		t.Errorf("warning before the other field is answered: %v", res.Warnings)
	}
}

// A complete response is 100 % although optional questions are blank.
func TestRegionalCompletionCountsRequired(t *testing.T) {
	t.Parallel()
	d := regional(t)
	a := answers(t, regionalFull)
	delete(a, "pb_share_pct") // optional
	done, req := Completion(d.Progress(a))
	if req == 0 || done != req || CompletionPercent(done, req) != 100 {
		t.Errorf("complete response: %d of %d required", done, req)
	}
	delete(a, "population") // required
	done, req = Completion(d.Progress(a))
	if done != req-1 || CompletionPercent(done, req) == 100 {
		t.Errorf("one required missing: %d of %d (%d %%)", done, req, CompletionPercent(done, req))
	}
	if CompletionPercent(0, 0) != 100 || CompletionPercent(1, 3) != 33 || CompletionPercent(2, 3) != 67 {
		t.Error("Percent rounding")
	}
}

func TestShowIfRefs(t *testing.T) {
	t.Parallel()
	d := regional(t)
	got := d.Question("pb_winners").ShowIfExpr().Refs()
	if len(got) == 0 || got[0] != "pb_status" {
		t.Errorf("pb_winners depends on %v", got)
	}
}
