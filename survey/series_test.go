package survey

import (
	"strconv"
	"strings"
	"testing"
)

// seriesDef is a small round; extra is YAML put under the section's
// questions (indented as a list item).
func seriesDef(t *testing.T, year int, questions string) *Definition {
	t.Helper()
	return seriesDefF(t, year, questions, "")
}

// seriesDefF is seriesDef with the indicator per_ngo of the formula
// (none when "").
func seriesDefF(t *testing.T, year int, questions, formula string) *Definition {
	t.Helper()
	ind := ""
	if formula != "" {
		ind = `
indicators:
  - code: per_ngo
    text: {lv: "Uz NVO", en: "Per NGO"}
    formula: "` + formula + `"
`
	}
	src := `
format: 1
slug: r` + itoa(year) + `
title: {lv: "Kārta", en: "Round"}
reference_year: ` + itoa(year) + `
sections:
  - code: s1
    title: {lv: "Pirmā", en: "First"}
    questions:
` + questions + "\n" + ind
	d, err := Parse([]byte(src), "")
	if err != nil {
		t.Fatalf("parse %d: %v", year, err)
	}
	return d
}

func itoa(n int) string { return strconv.Itoa(n) }

const (
	qAmount = `
      - code: amount
        type: money
        text: {lv: "Atbalsta summa", en: "Amount"}`
	qNGOs = `
      - code: ngos
        type: int
        text: {lv: "NVO skaits", en: "NGOs"}`
	qForms = `
      - code: forms
        type: multi
        other: true
        text: {lv: "Atbalsta veidi", en: "Forms"}
        options:
          - {code: grant, text: {lv: "Dotācija", en: "Grant"}}
          - {code: rooms, text: {lv: "Telpas", en: "Rooms"}}`
)

func TestCompareSeriesAcceptsComparableChanges(t *testing.T) {
	prev := seriesDefF(t, 2025, qAmount+qNGOs+qForms, "amount / ngos")
	// Spacing, capitals and a final '?' in the Latvian text, another English
	// text, the options in another order with other texts, a new question:
	// all comparable.
	next := seriesDefF(t, 2026, `
      - code: amount
        type: money
        help: {lv: "Eiro", en: "Euro"}
        text: {lv: "atbalsta   summa?", en: "Support amount"}`+qNGOs+`
      - code: forms
        type: multi
        other: true
        text: {lv: "Atbalsta veidi", en: "Forms of support"}
        options:
          - {code: rooms, text: {lv: "Telpas bez maksas", en: "Free rooms"}}
          - {code: grant, text: {lv: "Dotācija", en: "Grant"}}
      - code: fresh
        type: yesno
        text: {lv: "Jauns", en: "New"}`, "amount / ngos")
	if ps := CompareSeries(prev, next); len(ps) != 0 {
		t.Fatalf("problems for comparable changes: %v", ps)
	}
	l := LinkSeries(prev, next)
	for _, c := range []string{"amount", "ngos", "forms"} {
		if l.Questions[c] != c {
			t.Errorf("%s not joined: %v", c, l.Questions)
		}
	}
	if _, ok := l.Questions["fresh"]; ok {
		t.Errorf("a new question is joined to something: %v", l.Questions)
	}
	if !l.Indicators["per_ngo"] {
		t.Errorf("the indicator is not joined: %v", l.Indicators)
	}
	if CheckSeries(prev, next) != nil {
		t.Error("CheckSeries fails where CompareSeries has no problem")
	}
}

func TestCompareSeriesFindsBreaks(t *testing.T) {
	prev := seriesDef(t, 2025, qAmount+qNGOs+qForms)
	next := seriesDef(t, 2026, `
      - code: amount
        type: decimal
        text: {lv: "Atbalsta summa", en: "Amount"}
      - code: ngos
        type: int
        text: {lv: "Reģistrēto NVO skaits", en: "NGOs"}
      - code: forms
        type: multi
        text: {lv: "Atbalsta veidi", en: "Forms"}
        options:
          - {code: grant, text: {lv: "Dotācija", en: "Grant"}}
          - {code: premises, text: {lv: "Telpas", en: "Rooms"}}`)
	ps := CompareSeries(prev, next)
	got := map[string]string{}
	for _, p := range ps {
		got[p.Code] = strings.Join(p.Changes, "; ")
	}
	want := map[string]string{
		"amount": "type changed from money to decimal",
		"ngos":   `question text (lv) changed from "NVO skaits" to "Reģistrēto NVO skaits"`,
		"forms":  "options added: premises; options removed: rooms, other",
	}
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	for c, w := range want {
		if got[c] != w {
			t.Errorf("%s: %q, want %q", c, got[c], w)
		}
	}
	err := CheckSeries(prev, next)
	if err == nil || !strings.Contains(err.Error(), "breaks_series: true") {
		t.Errorf("CheckSeries: %v", err)
	}
	l := LinkSeries(prev, next)
	if len(l.Questions) != 0 || len(l.Indicators) != 0 {
		t.Errorf("incomparable questions joined: %v %v", l.Questions, l.Indicators)
	}
}

func TestCompareSeriesMarks(t *testing.T) {
	prev := seriesDef(t, 2025, qAmount+qNGOs+qForms)
	// ngos is renamed to ngo_count (unchanged otherwise); amount changes type
	// and says so; forms drops "other" without saying so.
	next := seriesDef(t, 2026, `
      - code: amount
        type: decimal
        breaks_series: true
        text: {lv: "Atbalsta summa", en: "Amount"}
      - code: ngo_count
        type: int
        renamed_from: ngos
        text: {lv: "NVO skaits", en: "NGOs"}
      - code: forms
        type: multi
        text: {lv: "Atbalsta veidi", en: "Forms"}
        options:
          - {code: grant, text: {lv: "Dotācija", en: "Grant"}}
          - {code: rooms, text: {lv: "Telpas", en: "Rooms"}}`)
	ps := CompareSeries(prev, next)
	if len(ps) != 1 || ps[0].Code != "forms" || ps[0].Changes[0] != "options removed: other" {
		t.Fatalf("problems %+v, want forms' 'other' only", ps)
	}
	l := LinkSeries(prev, next)
	if l.Questions["ngo_count"] != "ngos" {
		t.Errorf("rename not joined: %v", l.Questions)
	}
	if _, ok := l.Questions["amount"]; ok {
		t.Error("a breaks_series question is joined")
	}
	if _, ok := l.Questions["forms"]; ok {
		t.Error("an incomparable question is joined")
	}

	// renamed_from naming a code the previous round lacks.
	bad := seriesDef(t, 2026, qAmount+`
      - code: ngos
        type: int
        renamed_from: ngo_total
        text: {lv: "NVO skaits", en: "NGOs"}`)
	ps = CompareSeries(prev, bad)
	if len(ps) != 1 || ps[0].Code != "ngos" || !strings.Contains(ps[0].Changes[0], `"ngo_total"`) {
		t.Fatalf("unknown renamed_from: %+v", ps)
	}
	if _, ok := LinkSeries(prev, bad).Questions["ngos"]; ok {
		t.Error("a question renamed from an unknown code is joined by its own code")
	}
}

func TestIndicatorSeries(t *testing.T) {
	prev := seriesDefF(t, 2025, qAmount+qNGOs, "amount / ngos")
	// Renamed question read under its new code: the same formula.
	renamed := seriesDefF(t, 2026, qAmount+`
      - code: ngo_count
        type: int
        renamed_from: ngos
        text: {lv: "NVO skaits", en: "NGOs"}`, "amount / ngo_count")
	if !LinkSeries(prev, renamed).Indicators["per_ngo"] {
		t.Error("an indicator over a renamed question is not joined")
	}
	// A question it reads breaks: the indicator breaks too.
	broken := seriesDefF(t, 2026, qAmount+`
      - code: ngos
        type: int
        breaks_series: true
        text: {lv: "NVO skaits", en: "NGOs"}`, "amount / ngos")
	if LinkSeries(prev, broken).Indicators["per_ngo"] {
		t.Error("an indicator over a breaks_series question is joined")
	}
	// Another formula: not joined.
	other := seriesDefF(t, 2026, qAmount+qNGOs, "amount / (ngos + 1)")
	if LinkSeries(prev, other).Indicators["per_ngo"] {
		t.Error("an indicator with another formula is joined")
	}
}

func TestLoaderChecksSeriesMarks(t *testing.T) {
	cases := map[string]string{
		"ngos":      `renamed_from names the question's own code`,
		"amount":    `renamed_from "amount" names a question of this questionnaire`,
		"Bad-Code":  `renamed_from "Bad-Code" is not a question code`,
		"old_both":  `breaks_series and renamed_from together`,
		"old_twice": `renamed_from "old_twice" is also named by question "a1"`,
	}
	for from, want := range cases {
		q := `
      - code: ngos
        type: int
        renamed_from: ` + from + `
        text: {lv: "NVO skaits", en: "NGOs"}`
		switch from {
		case "old_both":
			q = strings.Replace(q, "type: int", "type: int\n        breaks_series: true", 1)
		case "old_twice":
			q = `
      - code: a1
        type: int
        renamed_from: old_twice
        text: {lv: "A", en: "A"}` + q
		}
		src := `
format: 1
slug: marks
title: {lv: "Kārta", en: "Round"}
reference_year: 2026
sections:
  - code: s1
    title: {lv: "Pirmā", en: "First"}
    questions:` + qAmount + q + "\n"
		_, err := Parse([]byte(src), "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("renamed_from %s: %v, want %q", from, err, want)
		}
	}
}

func TestSeriesMarksRoundTripJSON(t *testing.T) {
	d := seriesDef(t, 2026, qAmount+`
      - code: ngo_count
        type: int
        renamed_from: ngos
        breaks_series: false
        text: {lv: "NVO skaits", en: "NGOs"}
      - code: share
        type: percent
        breaks_series: true
        text: {lv: "Daļa", en: "Share"}`)
	back, err := Parse(d.JSON(), "")
	if err != nil {
		t.Fatal(err)
	}
	if back.Question("ngo_count").RenamedFrom != "ngos" || !back.Question("share").BreaksSeries ||
		back.Question("amount").BreaksSeries {
		t.Errorf("marks lost through JSON: %s", d.JSON())
	}
}

func TestForNextRoundDropsMarks(t *testing.T) {
	prev := seriesDef(t, 2025, qAmount+qNGOs)
	d := seriesDef(t, 2026, `
      - code: amount
        type: decimal
        breaks_series: true
        text: {lv: "Atbalsta summa", en: "Amount"}
      - code: ngo_count
        type: int
        renamed_from: ngos
        text: {lv: "NVO skaits", en: "NGOs"}`)
	if ps := CompareSeries(prev, d); len(ps) != 0 {
		t.Fatalf("marked round: %v", ps)
	}
	n := d.ForNextRound()
	if n.Question("amount").BreaksSeries || n.Question("ngo_count").RenamedFrom != "" {
		t.Error("marks copied to the next round")
	}
	if !d.Question("amount").BreaksSeries || d.Question("ngo_count").RenamedFrom != "ngos" {
		t.Error("ForNextRound changed the original")
	}
	// The copy continues d in full.
	if ps := CompareSeries(d, n); len(ps) != 0 {
		t.Errorf("copy does not continue its source: %v", ps)
	}
	if l := LinkSeries(d, n); len(l.Questions) != 2 {
		t.Errorf("copy joins %v", l.Questions)
	}
}
