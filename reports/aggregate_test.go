package reports

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const testDef = `format: 1
slug: test-round
title: {lv: Tests, en: Test}
reference_year: 2025
sections:
  - code: s
    title: {lv: S, en: S}
    questions:
      - {code: population, type: int, text: {lv: Iedzīvotāji, en: Population}, min: 1}
      - code: rules
        type: single
        text: {lv: Kārtība, en: Rules}
        options:
          - {code: adopted, text: {lv: Pieņemta, en: Adopted}}
          - {code: none, text: {lv: Nav, en: None}}
      - code: forms
        type: multi
        other: true
        show_if: "rules = 'adopted'"
        text: {lv: Veidi, en: Forms}
        options:
          - {code: grants, text: {lv: Granti, en: Grants}}
          - {code: premises, text: {lv: Telpas, en: Premises}}
      - {code: support, type: money, show_if: "rules = 'adopted'", text: {lv: Atbalsts, en: Support}}
      - {code: council, type: yesno, text: {lv: Padome, en: Council}}
      - {code: note, type: text, text: {lv: Piezīme, en: Note}}
indicators:
  - {code: per_resident, formula: "support / population", unit: EUR, decimals: 2, text: {lv: EUR uz iedzīvotāju, en: EUR per resident}}
`

func testRows(t *testing.T) (*survey.Definition, []Row) {
	t.Helper()
	def, err := survey.Parse([]byte(testDef), "test")
	if err != nil {
		t.Fatal(err)
	}
	row := func(code, region, kind, status, answers string) Row {
		return testRow(t, code, region, kind, status, answers)
	}
	return def, []Row{
		row("a", "Vidzeme", "novads", domain.StatusSubmitted, `{"population": 1000, "rules": "adopted", "forms": ["grants", "premises"], "support": 5000, "council": true}`),
		row("b", "Vidzeme", "novads", domain.StatusSubmitted, `{"population": 3000, "rules": "adopted", "forms": ["grants", "other"], "forms_other": "Balvas", "support": 3000, "council": false, "note": "x"}`),
		row("c", "Kurzeme", "valstspilseta", domain.StatusSubmitted, `{"population": 20000, "rules": "none", "council": true}`),
		row("d", "Kurzeme", "novads", domain.StatusSubmitted, `{"population": 4000, "rules": "adopted", "council": true}`),
		row("e", "Kurzeme", "novads", domain.StatusSubmitted, `{"population": 500}`),
		row("f", "Vidzeme", "novads", domain.StatusDraft, `{"population": 99999, "rules": "none"}`),
	}
}

// testRow is a municipality (named by its code, its planning and
// statistical region the same) with a status and answers written as JSON.
func testRow(t *testing.T, code, region, kind, status, answers string) Row {
	t.Helper()
	a, err := survey.DecodeAnswers([]byte(answers))
	if err != nil {
		t.Fatal(err)
	}
	return Row{Municipality: domain.Municipality{Code: code, NameLV: code, NameEN: code, Kind: kind, PlanningRegion: region,
		StatisticalRegion: region}, Status: status, Answers: a}
}

// source yields rows from memory.
func source(rows []Row) Rows {
	return func(yield func(Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// render writes a summary as stable text for the golden file.
func render(s *Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "responses %d\n", s.Responses)
	for _, q := range s.Questions {
		fmt.Fprintf(&b, "%s: answered %d, not applicable %d, missing %d, texts %d\n", q.Question.Code, q.Answered,
			q.NotApplicable, q.Missing, q.Texts)
		for _, o := range q.Options {
			fmt.Fprintf(&b, "  %s %d %.1f%%\n", o.Code, o.Count, o.Percent)
		}
		if q.Numbers != nil {
			fmt.Fprintf(&b, "  %s\n", stats(q.Numbers))
		}
	}
	for _, in := range s.Indicators {
		fmt.Fprintf(&b, "indicator %s: %s\n", in.Indicator.Code, stats(&in.Stats))
	}
	for _, g := range s.Regions {
		fmt.Fprintf(&b, "region %s: %d", g.Name, g.Responses)
		for _, in := range g.Indicators {
			fmt.Fprintf(&b, "; %s %s", in.Indicator.Code, stats(&in.Stats))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func stats(s *Stats) string {
	return fmt.Sprintf("n=%d sum=%g mean=%g min=%g q1=%g median=%g q3=%g max=%g", s.N, s.Sum, s.Mean, s.Min, s.Q1,
		s.Median, s.Q3, s.Max)
}

func TestAggregateGolden(t *testing.T) {
	t.Parallel()
	def, rows := testRows(t)
	for name, f := range map[string]Filter{
		"all-submitted": {},
		"vidzeme":       {PlanningRegion: "Vidzeme"},
		"with-drafts":   {Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}},
		"valstspilseta": {Kind: "valstspilseta"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Aggregate(def, source(rows), f)
			if err != nil {
				t.Fatal(err)
			}
			got := render(s)
			path := filepath.Join("testdata", "aggregate-"+name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./reports -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("summary differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}

// The figures a spreadsheet would give: MEDIAN and QUARTILE.INC.
func TestAggregateMatchesSpreadsheet(t *testing.T) {
	t.Parallel()
	def, rows := testRows(t)
	s, err := Aggregate(def, source(rows), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pop := s.Question("population").Numbers
	// 500, 1000, 3000, 4000, 20000: =QUARTILE.INC(…;1) is 1000, =MEDIAN 3000, =QUARTILE.INC(…;3) 4000.
	if pop.N != 5 || pop.Sum != 28500 || pop.Median != 3000 || pop.Q1 != 1000 || pop.Q3 != 4000 || pop.Mean != 5700 {
		t.Fatalf("population %+v", *pop)
	}
	// support only where shown and answered: 3000, 5000.
	sup := s.Question("support")
	if sup.Answered != 2 || sup.NotApplicable != 2 || sup.Missing != 1 || sup.Numbers.Median != 4000 {
		t.Fatalf("support %+v %+v", *sup, *sup.Numbers)
	}
	// Multiple choice: % of respondents, so shares may sum past 100.
	forms := s.Question("forms")
	if forms.Options[0].Code != "grants" || forms.Options[0].Percent != 100 || forms.Options[2].Code != "other" ||
		forms.Options[2].Count != 1 || forms.Texts != 1 {
		t.Fatalf("forms %+v", forms.Options)
	}
	// The indicator: 5000/1000 = 5 and 3000/3000 = 1.
	if in := s.Indicators[0]; in.N != 2 || in.Mean != 3 || in.Min != 1 || in.Max != 5 {
		t.Fatalf("indicator %+v", in.Stats)
	}
}

func TestFilterQueryRoundTrip(t *testing.T) {
	t.Parallel()
	f := Filter{PlanningRegion: "Vidzeme", Kind: "novads", Statuses: []string{domain.StatusSubmitted, domain.StatusReturned}}
	if got := FilterFrom(f.Query()); fmt.Sprint(got) != fmt.Sprint(f) {
		t.Fatalf("%+v", got)
	}
	q := FilterFrom(map[string][]string{"status": {"draft,submitted", "bogus"}})
	if fmt.Sprint(q.Statuses) != "[draft submitted]" {
		t.Fatalf("%v", q.Statuses)
	}
	if all := FilterFrom(map[string][]string{"status": {"all"}}); len(all.Statuses) != 4 {
		t.Fatalf("%v", all.Statuses)
	}
	_ = json.Number("")
}

// Past finishAllSpread numbers, the figures are finished on every core:
// the same figures as finished one after the other, each question's and
// indicator's own (run with -race).
func TestAggregateManyNumbersFinishedApart(t *testing.T) {
	t.Parallel()
	def, some := testRows(t)
	var rows []Row
	for i := 0; len(rows) < 2*finishAllSpread; i++ {
		for _, r := range some {
			r.Answers = maps.Clone(r.Answers)
			if p, ok := r.Answers["population"].(json.Number); ok {
				r.Answers["population"] = json.Number(fmt.Sprint(i%997) + string(p))
			}
			rows = append(rows, r)
		}
	}
	s, err := Aggregate(def, source(rows), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var all []*Stats
	for _, qs := range s.Questions {
		if qs.Numbers != nil {
			all = append(all, qs.Numbers)
		}
	}
	for _, is := range s.Indicators {
		all = append(all, &is.Stats)
	}
	n := 0
	for _, st := range all {
		n += st.N
		want := Stats{values: slices.Clone(st.values)}
		want.finish()
		if st.N != want.N || st.Sum != want.Sum || st.Median != want.Median || st.Q1 != want.Q1 || st.Q3 != want.Q3 ||
			st.Min != want.Min || st.Max != want.Max || !slices.IsSorted(st.values) {
			t.Errorf("finished apart %+v, one after the other %+v", *st, want)
		}
	}
	if n < finishAllSpread {
		t.Fatalf("only %d numbers", n)
	}
}
