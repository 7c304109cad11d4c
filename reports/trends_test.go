package reports

import (
	"context"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// Two rounds of a small questionnaire. In 2026 ngos is renamed ngo_count
// (the indicator reads it under the new code: the same formula), forms
// keeps its options in another order, and status is unchanged but says
// breaks_series: true — so it must start a new series.
const trend2025 = `format: 1
slug: trend-2025
title: {lv: Tests, en: Test}
reference_year: 2025
sections:
  - code: s
    title: {lv: S, en: S}
    questions:
      - {code: ngos, type: int, text: {lv: NVO skaits, en: NGOs}}
      - {code: amount, type: money, text: {lv: Atbalsts, en: Support}}
      - code: forms
        type: multi
        other: true
        text: {lv: Veidi, en: Forms}
        options:
          - {code: grant, text: {lv: Dotācija, en: Grant}}
          - {code: rooms, text: {lv: Telpas, en: Rooms}}
      - code: status
        type: single
        text: {lv: Noteikumi, en: Rules}
        options:
          - {code: "yes", text: {lv: Jā, en: "Yes"}}
          - {code: "no", text: {lv: Nē, en: "No"}}
indicators:
  - {code: per_ngo, formula: "amount / ngos", unit: EUR, text: {lv: EUR uz NVO, en: EUR per NGO}}
`

const trend2026 = `format: 1
slug: trend-2026
title: {lv: Tests, en: Test}
reference_year: 2026
sections:
  - code: s
    title: {lv: S, en: S}
    questions:
      - {code: ngo_count, type: int, renamed_from: ngos, text: {lv: NVO skaits, en: NGOs}}
      - {code: amount, type: money, text: {lv: Atbalsts, en: Support}}
      - code: forms
        type: multi
        other: true
        text: {lv: "veidi?", en: Forms}
        options:
          - {code: rooms, text: {lv: Telpas, en: Rooms}}
          - {code: grant, text: {lv: Dotācija, en: Grant}}
      - code: status
        type: single
        breaks_series: true
        text: {lv: Noteikumi, en: Rules}
        options:
          - {code: "yes", text: {lv: Jā, en: "Yes"}}
          - {code: "no", text: {lv: Nē, en: "No"}}
indicators:
  - {code: per_ngo, formula: "amount / ngo_count", unit: EUR, text: {lv: EUR uz NVO, en: EUR per NGO}}
`

func trendRounds(t *testing.T) []TrendRound {
	t.Helper()
	d25, err := survey.Parse([]byte(trend2025), "2025")
	if err != nil {
		t.Fatal(err)
	}
	d26, err := survey.Parse([]byte(trend2026), "2026")
	if err != nil {
		t.Fatal(err)
	}
	sub := domain.StatusSubmitted
	row := func(code, status, answers string) Row { return testRow(t, code, "Vidzeme", "novads", status, answers) }
	r25 := []Row{
		row("m1", sub, `{"ngos": 10, "amount": 1000, "forms": ["grant"], "status": "yes"}`),
		row("m2", sub, `{"ngos": 4, "amount": 200, "forms": ["grant", "rooms"], "status": "no"}`),
		row("m3", sub, `{"ngos": 5, "amount": 1500, "forms": ["rooms"], "status": "yes"}`),
		row("m4", sub, `{"ngos": 0, "amount": 0, "forms": ["other"], "forms_other": "Balvas", "status": "yes"}`),
		row("m5", domain.StatusDraft, `{"ngos": 1, "amount": 99999, "forms": ["grant"], "status": "no"}`),
	}
	r26 := []Row{
		row("m1", sub, `{"ngo_count": 10, "amount": 1500, "forms": ["grant", "rooms"], "status": "yes"}`),
		row("m2", sub, `{"ngo_count": 5, "amount": 250, "forms": ["rooms"], "status": "yes"}`),
		row("m3", sub, `{"ngo_count": 4, "amount": 1000, "forms": ["rooms"]}`),
		row("m4", sub, `{"ngo_count": 2, "amount": 500, "status": "no"}`),
		row("m5", domain.StatusReturned, `{"ngo_count": 1, "amount": 99999, "forms": ["grant"], "status": "no"}`),
	}
	return []TrendRound{
		{Slug: "trend-2025", Definition: d25, Rows: source(r25)},
		{Slug: "trend-2026", Definition: d26, Rows: source(r26)},
	}
}

func TestTrendsByHand(t *testing.T) {
	tr, err := Trends(trendRounds(t))
	if err != nil {
		t.Fatal(err)
	}
	// Only submitted responses count: 4 in each round (m5 is a draft, then
	// returned).
	if len(tr.Rounds) != 2 || tr.Rounds[0].Responses != 4 || tr.Rounds[1].Responses != 4 ||
		tr.Rounds[0].ReferenceYear != 2025 || tr.Rounds[1].ReferenceYear != 2026 {
		t.Fatalf("rounds %+v", tr.Rounds)
	}

	// per_ngo = amount / ngos.
	// 2025: m1 1000/10 = 100, m2 200/4 = 50, m3 1500/5 = 300, m4 0/0 cannot
	//       be computed → N 3, sorted 50 100 300, median 100.
	// 2026: m1 1500/10 = 150, m2 250/5 = 50, m3 1000/4 = 250, m4 500/2 = 250
	//       → N 4, sorted 50 150 250 250, median (150 + 250) / 2 = 200.
	if len(tr.Indicators) != 1 {
		t.Fatalf("indicator series %d, want 1 (joined through the rename)", len(tr.Indicators))
	}
	it := tr.Indicators[0]
	if it.Name != "per_ngo" || it.Span != (Span{0, 1}) || it.N[0] != 3 || it.N[1] != 4 ||
		it.Medians[0] != 100 || it.Medians[1] != 200 {
		t.Errorf("per_ngo: %+v", it)
	}

	// forms (multi, share of those who answered):
	// 2025: answered m1–m4 = 4; grant m1 m2 = 2 → 50 %, rooms m2 m3 = 2 → 50 %,
	//       other m4 = 1 → 25 %.
	// 2026: answered m1–m3 = 3 (m4 left it); grant m1 = 1 → 33.33 %,
	//       rooms m1 m2 m3 = 3 → 100 %, other 0 → 0 %.
	// status breaks in 2026: two series. 2025: answered 4; yes m1 m3 m4 =
	// 3 → 75 %, no m2 = 1 → 25 %. 2026: answered m1 m2 m4 = 3; yes 2 →
	// 66.67 %, no 1 → 33.33 %.
	if len(tr.Choices) != 3 {
		t.Fatalf("choice series %d, want 3 (forms, status 2026, status 2025)", len(tr.Choices))
	}
	forms, st26, st25 := tr.Choices[0], tr.Choices[1], tr.Choices[2]
	if forms.Name != "forms" || forms.Span != (Span{0, 1}) || forms.Answered[0] != 4 || forms.Answered[1] != 3 {
		t.Errorf("forms: %+v", forms)
	}
	wantForms := map[string][2]float64{"rooms": {50, 100}, "grant": {50, 100.0 / 3}, "other": {25, 0}}
	if len(forms.Options) != 3 || forms.Options[0].Code != "rooms" || forms.Options[2].Code != "other" {
		t.Errorf("forms options not in the latest order with other last: %+v", forms.Options)
	}
	for _, o := range forms.Options {
		w := wantForms[o.Code]
		if !near(o.Percent[0], w[0]) || !near(o.Percent[1], w[1]) {
			t.Errorf("forms %s: %v, want %v", o.Code, o.Percent, w)
		}
	}
	if st26.Name != "status (2026)" || st26.Span != (Span{1, 1}) || st26.Codes[0] != "" || st26.Answered[1] != 3 ||
		!near(st26.Options[0].Percent[1], 200.0/3) || !near(st26.Options[1].Percent[1], 100.0/3) {
		t.Errorf("status 2026: %+v", st26)
	}
	if st25.Name != "status (2025)" || st25.Span != (Span{0, 0}) || st25.Codes[1] != "" || st25.Answered[0] != 4 ||
		st25.Options[0].Percent[0] != 75 || st25.Options[1].Percent[0] != 25 {
		t.Errorf("status 2025: %+v", st25)
	}

	// The long form: 3 + 4 indicator values; forms 4 + 3 (2025: m1 1, m2 2,
	// m3 1, m4 1 = 5 chosen options; 2026: m1 2, m2 1, m3 1 = 4); status
	// 4 + 3.
	count := map[string]int{}
	for _, v := range tr.Values {
		count[v.Series+"/"+v.Code+"/"+[]string{"2025", "2026"}[v.Round]]++
		if v.Municipality.Code == "m5" {
			t.Errorf("a response that is not submitted is in the long form: %+v", v)
		}
	}
	want := map[string]int{"per_ngo/per_ngo/2025": 3, "per_ngo/per_ngo/2026": 4, "forms/forms/2025": 5, "forms/forms/2026": 4,
		"status (2025)/status/2025": 4, "status (2026)/status/2026": 3}
	if len(count) != len(want) {
		t.Errorf("long form %v, want %v", count, want)
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("long form %s: %d, want %d", k, count[k], n)
		}
	}
}

// TestTrendsNeverJoinBreaks: a breaks_series question, and an indicator
// reading one, never have a series covering rounds on both sides of the
// break, nor a value from before it.
func TestTrendsNeverJoinBreaks(t *testing.T) {
	rounds := trendRounds(t)
	// A third round in which amount breaks too (and with it per_ngo).
	// The 2026 marks speak about 2025: the 2027 copy drops them.
	src := trend2026
	for _, r := range [][2]string{{"reference_year: 2026", "reference_year: 2027"},
		{"renamed_from: ngos, ", ""}, {"        breaks_series: true\n", ""},
		{"{code: amount, type: money,", "{code: amount, type: money, breaks_series: true,"}} {
		if strings.Count(src, r[0]) != 1 {
			t.Fatalf("%q is not once in the 2026 definition", r[0])
		}
		src = strings.Replace(src, r[0], r[1], 1)
	}
	d27, err := survey.Parse([]byte(src), "2027")
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{testRow(t, "m1", "Vidzeme", "novads", domain.StatusSubmitted, `{"ngo_count": 1, "amount": 7, "status": "yes"}`)}
	rounds = append(rounds, TrendRound{Slug: "trend-2027", Definition: d27, Rows: source(rows)})
	tr, err := Trends(rounds)
	if err != nil {
		t.Fatal(err)
	}
	breaks := func(round int, code string) bool {
		q := rounds[round].Definition.Question(code)
		return q != nil && q.BreaksSeries
	}
	for _, ct := range tr.Choices {
		for i := ct.From + 1; i <= ct.To; i++ {
			if breaks(i, ct.Codes[i]) {
				t.Errorf("series %s joins round %d's breaks_series question %s to earlier rounds", ct.Name, i, ct.Codes[i])
			}
		}
	}
	// status breaks in 2026, not in 2027: 2026–2027 joined, 2025 alone.
	names := map[string]Span{}
	for _, ct := range tr.Choices {
		names[ct.Name] = ct.Span
	}
	if names["status (2025)"] != (Span{0, 0}) || names["status (2026–2027)"] != (Span{1, 2}) {
		t.Errorf("status series: %v", names)
	}
	ind := map[string]Span{}
	for _, it := range tr.Indicators {
		ind[it.Name] = it.Span
	}
	if len(ind) != 2 || ind["per_ngo (2025–2026)"] != (Span{0, 1}) || ind["per_ngo (2027)"] != (Span{2, 2}) {
		t.Errorf("per_ngo series: %v", ind)
	}
	for _, v := range tr.Values {
		if v.Series == "per_ngo (2027)" && v.Round != 2 || v.Series == "status (2025)" && v.Round != 0 {
			t.Errorf("value outside its series: %+v", v)
		}
	}
}

// TestTrendCharts: the Dinamika section has a line chart for each series
// reaching the latest round over two rounds — per_ngo's medians and forms'
// shares — and none for status, which breaks_series started anew in 2026.
func TestTrendCharts(t *testing.T) {
	tr, err := Trends(trendRounds(t))
	if err != nil {
		t.Fatal(err)
	}
	sec, err := BuildTrendCharts(context.Background(), tr, ChartOptions{Lang: "lv"})
	if err != nil {
		t.Fatal(err)
	}
	if sec == nil || sec.Code != TrendSectionCode {
		t.Fatalf("section %+v", sec)
	}
	var ids []string
	for _, c := range sec.Charts {
		ids = append(ids, c.ID)
		if !strings.Contains(c.Option, `"type":"line"`) {
			t.Errorf("%s is not a line chart: %s", c.ID, c.Option)
		}
	}
	if strings.Join(ids, " ") != "trend-per_ngo trend-forms" {
		t.Fatalf("charts %v, want trend-per_ngo trend-forms", ids)
	}
	cell := func(c *Chart, r, k int) string { return c.Table.Rows[r][k].Text }
	ind := sec.Charts[0]
	if ind.Unit != "EUR" || len(ind.Table.Rows) != 2 || cell(ind, 0, 0) != "2025" || cell(ind, 0, 1) != "3" ||
		cell(ind, 0, 2) != "100,00\u00a0EUR" || cell(ind, 1, 2) != "200,00\u00a0EUR" {
		t.Errorf("per_ngo table %+v", ind.Table)
	}
	forms := sec.Charts[1]
	if got := strings.Join(forms.Table.Header, "|"); got != "chart.answer|2025|2026" {
		t.Errorf("forms header %q", got)
	}
	// Answered, then rooms, grant, other (the latest order).
	if cell(forms, 0, 1) != "4" || cell(forms, 0, 2) != "3" || cell(forms, 1, 0) != "Telpas" ||
		cell(forms, 1, 1) != "50\u00a0%" || cell(forms, 1, 2) != "100\u00a0%" || cell(forms, 2, 2) != "33,3\u00a0%" {
		t.Errorf("forms table %+v", forms.Table)
	}
	if !strings.Contains(forms.Option, `"name":"Dotācija"`) || !strings.Contains(forms.Option, `"name":"Dotācija","type":"line","data":[{"value":50},{"value":33.3}]`) ||
		strings.Count(forms.Option, `"containLabel"`) != 1 {
		t.Errorf("forms option: %s", forms.Option)
	}

	// One round: no section.
	one, err := Trends(trendRounds(t)[:1])
	if err != nil {
		t.Fatal(err)
	}
	if sec, err := BuildTrendCharts(context.Background(), one, ChartOptions{}); sec != nil || err != nil {
		t.Errorf("one round: %+v %v", sec, err)
	}
}
