package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// chartTestDef has what the dashboard must leave out (personal data, free
// text, a personal number) beside every kind of chart, and labels that
// would be formulas in a spreadsheet or end a script element in a page.
const chartTestDef = `format: 1
slug: chart-test
title: {lv: Diagrammu tests, en: Chart test}
reference_year: 2025
sections:
  - code: who
    title: {lv: Respondents, en: Respondent}
    questions:
      - {code: name, type: text, personal: true, text: {lv: Vārds, en: Name}}
      - {code: phone, type: phone, personal: true, text: {lv: Tālrunis, en: Phone}}
      - {code: salary, type: money, personal: true, text: {lv: Alga, en: Salary}}
      - {code: population, type: int, min: 1, text: {lv: Iedzīvotāji, en: Population}}
  - code: ngo
    title: {lv: Atbalsts NVO, en: NGO support}
    questions:
      - code: rules
        type: single
        text: {lv: Kārtība, en: Rules}
        options:
          - {code: adopted, text: {lv: Pieņemta, en: Adopted}}
          - {code: none, text: {lv: Nav, en: None}}
          - {code: odd, text: {lv: "=SUM(A1:A9)", en: "=SUM(A1:A9)"}}
      - code: forms
        type: multi
        other: true
        show_if: "rules = 'adopted'"
        text: {lv: Veidi, en: Forms}
        options:
          - {code: grants, text: {lv: "@Granti", en: "@Grants"}}
          - {code: premises, text: {lv: "-Telpas </script><b>", en: "-Premises </script><b>"}}
      - {code: support, type: money, show_if: "rules = 'adopted'", text: {lv: Atbalsts, en: Support}}
      - {code: council, type: yesno, text: {lv: Padome, en: Council}}
      - {code: note, type: longtext, text: {lv: Piezīmes, en: Notes}}
  - code: free
    title: {lv: Brīvais teksts, en: Free text}
    questions:
      - {code: comments, type: longtext, text: {lv: Komentāri, en: Comments}}
indicators:
  - {code: per_resident, formula: "support / population", unit: EUR, decimals: 2, text: {lv: EUR uz iedzīvotāju, en: EUR per resident}}
`

func chartTestSummary(t *testing.T, f Filter) *Summary {
	t.Helper()
	def, err := survey.Parse([]byte(chartTestDef), "chart-test")
	if err != nil {
		t.Fatal(err)
	}
	row := func(code, region, kind, status, answers string) Row {
		return testRow(t, code, region, kind, status, answers)
	}
	rows := []Row{
		row("a", "Vidzeme", "novads", domain.StatusSubmitted, `{"name": "Anna", "salary": 1, "population": 1000, "rules": "adopted", "forms": ["grants", "premises"], "support": 5000, "council": true}`),
		row("b", "Vidzeme", "novads", domain.StatusSubmitted, `{"population": 3000, "rules": "adopted", "forms": ["grants", "other"], "forms_other": "x", "support": 3000, "council": false, "note": "n"}`),
		row("c", "Kurzeme", "valstspilseta", domain.StatusSubmitted, `{"population": 20000, "rules": "none", "council": true}`),
		row("d", "Kurzeme", "novads", domain.StatusSubmitted, `{"population": 4000, "rules": "odd", "council": true}`),
		row("e", "Kurzeme", "novads", domain.StatusDraft, `{"population": 99999, "rules": "none"}`),
	}
	s, err := Aggregate(def, source(rows), f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// chartTestT shows keys with their arguments, so tests see what was asked.
func chartTestT(key string, args ...any) string {
	if len(args) > 0 {
		return fmt.Sprintf("%s%v", key, args)
	}
	return key
}

var chartTestRate = []RateTally{{Name: "Kurzeme", Submitted: 2, Total: 6}, {Name: "Vidzeme", Submitted: 2, Total: 4}}

func chartTestSet(t *testing.T, f Filter) *ChartSet {
	t.Helper()
	cs, err := BuildCharts(chartTestSummary(t, f), ChartOptions{Lang: "lv", T: chartTestT, Rate: chartTestRate})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// chartOption decodes a chart's option.
type chartOption struct {
	Animation *bool `json:"animation"`
	Series    []struct {
		Type  string            `json:"type"`
		Name  string            `json:"name"`
		Stack string            `json:"stack"`
		Data  []json.RawMessage `json:"data"`
	} `json:"series"`
	XAxis []struct {
		Type string   `json:"type"`
		Data []string `json:"data"`
	} `json:"xAxis"`
	YAxis []struct {
		Type string   `json:"type"`
		Data []string `json:"data"`
	} `json:"yAxis"`
}

func chartDecode(t *testing.T, c *Chart) chartOption {
	t.Helper()
	var o chartOption
	if err := json.Unmarshal([]byte(c.Option), &o); err != nil {
		t.Fatalf("%s: option is not JSON: %v\n%s", c.ID, err, c.Option)
	}
	if o.Animation == nil || *o.Animation {
		t.Errorf("%s: animation is not off", c.ID)
	}
	return o
}

// values reads a series' data: {"value": v} items or bare values.
func chartValues(t *testing.T, data []json.RawMessage) []any {
	t.Helper()
	var out []any
	for _, d := range data {
		var item struct {
			Value any `json:"value"`
		}
		if err := json.Unmarshal(d, &item); err != nil || item.Value == nil {
			var v any
			json.Unmarshal(d, &v)
			out = append(out, v)
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

func TestChartIDsAndSections(t *testing.T) {
	t.Parallel()
	cs := chartTestSet(t, Filter{})
	var got []string
	for _, sec := range append([]*ChartSection{cs.Overview}, cs.Sections...) {
		var ids []string
		for _, c := range sec.Charts {
			ids = append(ids, c.ID+":"+c.Kind)
		}
		got = append(got, sec.Code+"["+strings.Join(ids, " ")+"]")
	}
	// Personal questions (name, phone, salary) and free text (note, the
	// whole "free" section) get no chart; the indicator goes with support.
	want := []string{
		"results-overview[response-rate:rate responses-by-region:regions]",
		"who[population:distribution]",
		"ngo[rules:bar forms:share support:distribution council:bar region-per_resident:indicator]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("charts\n got %v\nwant %v", got, want)
	}
	for _, id := range []string{"name", "phone", "salary", "note", "comments"} {
		if cs.Chart(id) != nil {
			t.Errorf("%s has a chart", id)
		}
	}
	// The same summary gives the same options: the ids are fixed, not random.
	again := chartTestSet(t, Filter{})
	for _, c := range cs.All() {
		if again.Chart(c.ID).Option != c.Option {
			t.Errorf("%s: option differs between two builds", c.ID)
		}
		if strings.Contains(c.Option, "go-echarts.github.io") || strings.Contains(c.Option, "http") {
			t.Errorf("%s: option names a host: %s", c.ID, c.Option)
		}
	}
}

func TestChartSeriesValues(t *testing.T) {
	t.Parallel()
	cs := chartTestSet(t, Filter{})

	rules := chartDecode(t, cs.Chart("rules"))
	if !reflect.DeepEqual(rules.XAxis[0].Data, []string{"Pieņemta", "Nav", "=SUM(A1:A9)"}) ||
		fmt.Sprint(chartValues(t, rules.Series[0].Data)) != "[2 1 1]" || rules.Series[0].Type != "bar" {
		t.Errorf("rules: %+v", rules)
	}
	if n := cs.Chart("rules").Note; n != "chart.note.choice[4 0 0]" {
		t.Errorf("rules note %q", n)
	}

	// Multiple choice: % of those who answered (2), so 100 + 50 + 50.
	forms := chartDecode(t, cs.Chart("forms"))
	if forms.YAxis[0].Type != "category" || len(forms.YAxis[0].Data) != 3 || forms.XAxis[0].Type != "value" ||
		fmt.Sprint(chartValues(t, forms.Series[0].Data)) != "[100 50 50]" {
		t.Errorf("forms: %+v", forms)
	}
	if forms.YAxis[0].Data[2] != "Cits" { // a category, not the form's "Cits (norādiet)"
		t.Errorf("forms labels %v", forms.YAxis[0].Data)
	}

	// A number: the box (min, Q1, median, Q3, max) and a dot per value.
	pop := chartDecode(t, cs.Chart("population"))
	if len(pop.Series) != 2 || pop.Series[0].Type != "boxplot" || pop.Series[1].Type != "scatter" {
		t.Fatalf("population series %+v", pop.Series)
	}
	if got := fmt.Sprint(chartValues(t, pop.Series[0].Data)); got != "[[1000 2500 3500 8000 20000]]" {
		t.Errorf("population box %s", got)
	}
	if got := fmt.Sprint(chartValues(t, pop.Series[1].Data)); got != "[[1000 0] [3000 0] [4000 0] [20000 0]]" {
		t.Errorf("population dots %s", got)
	}
	if pop.XAxis[0].Type != "value" || pop.YAxis[0].Type != "category" {
		t.Errorf("population axes %+v %+v", pop.XAxis, pop.YAxis)
	}

	council := chartDecode(t, cs.Chart("council"))
	if fmt.Sprint(council.XAxis[0].Data, chartValues(t, council.Series[0].Data)) != "[Jā Nē] [3 1]" {
		t.Errorf("council %+v", council)
	}

	// The indicator: 5000/1000 = 5 and 3000/3000 = 1, both in Vidzeme;
	// Kurzeme has none, drawn as ECharts' empty value.
	ind := chartDecode(t, cs.Chart("region-per_resident"))
	if fmt.Sprint(ind.XAxis[0].Data, chartValues(t, ind.Series[0].Data)) != "[chart.allregions Kurzeme Vidzeme] [3 - 3]" {
		t.Errorf("indicator %+v", ind)
	}

	regions := chartDecode(t, cs.Chart(ChartIDRegions))
	if fmt.Sprint(regions.XAxis[0].Data, chartValues(t, regions.Series[0].Data)) != "[Kurzeme Vidzeme] [2 2]" {
		t.Errorf("regions %+v", regions)
	}

	// The response rate: submitted and not submitted, stacked.
	rate := chartDecode(t, cs.Chart(ChartIDRate))
	if len(rate.Series) != 2 || rate.Series[0].Stack == "" || rate.Series[0].Stack != rate.Series[1].Stack ||
		fmt.Sprint(chartValues(t, rate.Series[0].Data), chartValues(t, rate.Series[1].Data)) != "[2 2] [4 2]" ||
		fmt.Sprint(rate.YAxis[0].Data) != "[Kurzeme Vidzeme]" {
		t.Errorf("rate %+v", rate)
	}
}

func TestChartTables(t *testing.T) {
	t.Parallel()
	cs := chartTestSet(t, Filter{})
	table := func(id string) string {
		var b strings.Builder
		tb := cs.Chart(id).Table
		b.WriteString(strings.Join(tb.Header, "|"))
		for _, r := range tb.Rows {
			b.WriteString("\n")
			for i, c := range r {
				if i > 0 {
					b.WriteString("|")
				}
				b.WriteString(c.Text)
			}
		}
		return b.String()
	}
	// Amounts always with two decimals and EUR, shares with " %" (no-break
	// spaces), counts plain.
	for id, want := range map[string]string{
		"rules": "chart.answer|chart.count|chart.percent.answered\nPieņemta|2|50 %\nNav|1|25 %\n=SUM(A1:A9)|1|25 %",
		"support": "chart.statistic|chart.value\nstat.n|2\nstat.sum|8000,00 EUR\nstat.mean|4000,00 EUR\n" +
			"stat.min|3000,00 EUR\nstat.q1|3500,00 EUR\nstat.median|4000,00 EUR\nstat.q3|4500,00 EUR\nstat.max|5000,00 EUR",
		"population": "chart.statistic|chart.value\nstat.n|4\nstat.sum|28 000\nstat.mean|7000\nstat.min|1000\n" +
			"stat.q1|2500\nstat.median|3500\nstat.q3|8000\nstat.max|20 000",
		ChartIDRate: "chart.region|chart.submitted|chart.total|chart.percent\nKurzeme|2|6|33 %\nVidzeme|2|4|50 %\n" +
			"chart.allregions|4|10|40 %",
		"region-per_resident": "chart.region|stat.n|stat.median|stat.q1|stat.q3|stat.mean\n" +
			"chart.allregions|2|3,00 EUR|2,00 EUR|4,00 EUR|3,00 EUR\nKurzeme|0|—|—|—|—\nVidzeme|2|3,00 EUR|2,00 EUR|4,00 EUR|3,00 EUR",
	} {
		want = strings.ReplaceAll(want, " EUR", "\u00a0EUR")
		want = strings.ReplaceAll(want, " %", "\u00a0%")
		want = strings.ReplaceAll(want, "28 000", "28\u00a0000")
		want = strings.ReplaceAll(want, "20 000", "20\u00a0000")
		if got := table(id); got != want {
			t.Errorf("%s table:\n%s\nwant\n%s", id, got, want)
		}
	}
}

func TestChartCSV(t *testing.T) {
	t.Parallel()
	cs := chartTestSet(t, Filter{})
	var buf bytes.Buffer
	if err := WriteChartCSV(&buf, cs.Chart("rules").Table, "en"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Fatal("no byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"chart.answer", "chart.count", "chart.percent.answered"}, {"Pieņemta", "2", "50"}, {"Nav", "1", "25"},
		{"'=SUM(A1:A9)", "1", "25"}}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("csv %q", recs)
	}

	// Every text cell that starts like a formula is defused; numbers are
	// plain, with a decimal point; blanks are empty.
	buf.Reset()
	tb := ChartTable{Header: []string{"=h", "+h", "-h", "@h", "\th", "ok"}, Rows: [][]ChartCell{{
		{Text: "=1+1"}, {Text: "+1"}, {Text: "-1"}, {Text: "@SUM(A1)"}, {Text: "\tx"}, {Text: "a=b"}},
		{{Text: "1 234,5", Value: 1234.5, Number: true, Places: 1}, {Text: "—", Blank: true}, {Value: 33.333, Number: true, Places: 1},
			{Value: -2, Number: true}, {Text: "x\ny, \"z\""}, {Text: ""}}}}
	if err := WriteChartCSV(&buf, tb, "en"); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want = [][]string{{"'=h", "'+h", "'-h", "'@h", "'\th", "ok"}, {"'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "a=b"},
		{"1234.5", "", "33.3", "-2", "x\ny, \"z\"", ""}}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("csv\n got %q\nwant %q", recs, want)
	}

	// The multiple-choice table: the labels with @ and - are defused too.
	buf.Reset()
	WriteChartCSV(&buf, cs.Chart("forms").Table, "en")
	if s := buf.String(); !strings.Contains(s, "\n'@Granti,2,100\n") || !strings.Contains(s, "\n'-Telpas </script><b>,1,50\n") {
		t.Fatalf("forms csv %q", s)
	}
}

// No label can end the <script type="application/json"> block the option
// stands in: <, > and & are escaped, and the JSON still reads back.
func TestChartOptionIsSafeInAScriptBlock(t *testing.T) {
	t.Parallel()
	cs := chartTestSet(t, Filter{})
	c := cs.Chart("forms")
	if strings.ContainsAny(c.Option, "<>&") {
		t.Fatalf("option has raw <, > or &: %s", c.Option)
	}
	if o := chartDecode(t, c); o.YAxis[0].Data[1] != "-Telpas </script><b>" {
		t.Fatalf("label read back as %q", o.YAxis[0].Data[1])
	}
}

// A filter changes the figures; a set with no responses has nothing to
// draw but still has its tables.
func TestChartFilterAndEmpty(t *testing.T) {
	t.Parallel()
	cs := chartTestSet(t, Filter{PlanningRegion: "Kurzeme"})
	if got := fmt.Sprint(chartValues(t, chartDecode(t, cs.Chart("rules")).Series[0].Data)); got != "[0 1 1]" {
		t.Errorf("Kurzeme rules %s", got)
	}
	if c := cs.Chart("support"); !c.Empty || c.Option != "" || c.Table.Rows[0][1].Text != "0" || !c.Table.Rows[1][1].Blank {
		t.Errorf("support in Kurzeme: %+v", c)
	}

	cs = chartTestSet(t, Filter{Kind: "nothing"})
	for _, c := range cs.All() {
		if c.ID == ChartIDRate {
			if c.Empty {
				t.Errorf("the response rate does not depend on the filter")
			}
			continue
		}
		if !c.Empty || c.Option != "" || len(c.Table.Header) == 0 {
			t.Errorf("%s with no responses: empty=%v option=%q", c.ID, c.Empty, c.Option)
		}
	}
	var buf bytes.Buffer
	if err := WriteChartCSV(&buf, cs.Chart("population").Table, "en"); err != nil || !strings.Contains(buf.String(), "stat.n,0\n") {
		t.Fatalf("empty csv %q %v", buf.String(), err)
	}
}

func TestChartWordingInEnglish(t *testing.T) {
	t.Parallel()
	s := chartTestSummary(t, Filter{})
	cs, err := BuildCharts(s, ChartOptions{Lang: "en", T: chartTestT})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Chart(ChartIDRate) != nil {
		t.Error("a rate chart without tallies")
	}
	c := cs.Chart("council")
	if c.Title != "Council" || fmt.Sprint(chartDecode(t, c).XAxis[0].Data) != "[Yes No]" {
		t.Errorf("council in English: %q %s", c.Title, c.Option)
	}
	if cs.Sections[1].Title != "NGO support" {
		t.Errorf("section %q", cs.Sections[1].Title)
	}
	if got := cs.Chart("population").Table.Rows[1][1].Text; got != "28,000" {
		t.Errorf("sum in English %q", got)
	}
}

func TestChartNumber(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v      float64
		places int
		lang   string
		want   string
	}{
		{1234.5, 1, "lv", "1234,5"},
		{12345.678, 2, "lv", "12\u00a0345,68"},
		{12345.678, 2, "en", "12,345.68"},
		{33.3333, 1, "lv", "33,3"},
		{50, 1, "lv", "50"},
		{0.005, 2, "en", "0.01"},
	} {
		if got := ChartNumber(c.v, c.places, c.lang); got != c.want {
			t.Errorf("ChartNumber(%v, %d, %s) = %q, want %q", c.v, c.places, c.lang, got, c.want)
		}
	}
}

func TestKeyFigures(t *testing.T) {
	t.Parallel()
	s := chartTestSummary(t, Filter{})
	kf := KeyFigures(s, ChartOptions{Lang: "lv", T: chartTestT})
	var rows []string
	for _, r := range kf.Rows {
		var cells []string
		for _, c := range r {
			cells = append(cells, c.Text)
		}
		rows = append(rows, strings.Join(cells, "|"))
	}
	// The personal amount (salary) is not a key figure.
	want := []string{"Atbalsts NVO|Atbalsts|2|4000,00\u00a0EUR|4000,00\u00a0EUR|8000,00\u00a0EUR",
		"Atbalsts NVO|EUR uz iedzīvotāju|2|3,00\u00a0EUR|3,00\u00a0EUR|—"}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("key figures\n got %q\nwant %q", rows, want)
	}
}

// The CSV needs only the tables: TablesOnly gives the same tables and no
// options.
func TestBuildChartsTablesOnly(t *testing.T) {
	t.Parallel()
	def, rows := testRows(t)
	s, err := Aggregate(def, source(rows), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	full, err := BuildCharts(s, ChartOptions{Lang: "lv"})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := BuildCharts(s, ChartOptions{Lang: "lv", TablesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range full.All() {
		tc := tables.Chart(c.ID)
		if tc == nil || tc.Option != "" || fmt.Sprint(tc.Table) != fmt.Sprint(c.Table) {
			t.Fatalf("chart %s: tables-only differs", c.ID)
		}
		if c.Option == "" && !c.Empty {
			t.Fatalf("chart %s has no option", c.ID)
		}
	}
}

// Units in both languages: the tables, the share chart's labels and the
// box plot's unit, which stands centred under the axis (at its end it was
// cut to "EU").
func TestChartUnits(t *testing.T) {
	t.Parallel()
	s := chartTestSummary(t, Filter{})
	for _, c := range []struct{ lang, sum, share, label string }{
		{"lv", "8000,00\u00a0EUR", "100\u00a0%", "{c}\u00a0%"},
		{"en", "8000.00\u00a0EUR", "100%", "{c}%"},
	} {
		cs, err := BuildCharts(s, ChartOptions{Lang: c.lang, T: chartTestT, Rate: chartTestRate})
		if err != nil {
			t.Fatal(err)
		}
		if got := cs.Chart("support").Table.Rows[1][1].Text; got != c.sum {
			t.Errorf("%s: sum %q, want %q", c.lang, got, c.sum)
		}
		if got := cs.Chart("forms").Table.Rows[0][2].Text; got != c.share {
			t.Errorf("%s: share %q, want %q", c.lang, got, c.share)
		}
		var share struct {
			Series []struct {
				Label struct{ Formatter string } `json:"label"`
			} `json:"series"`
			XAxis []struct {
				AxisLabel struct{ Formatter string } `json:"axisLabel"`
			} `json:"xAxis"`
		}
		if err := json.Unmarshal([]byte(cs.Chart("forms").Option), &share); err != nil {
			t.Fatal(err)
		}
		if share.Series[0].Label.Formatter != c.label || share.XAxis[0].AxisLabel.Formatter != strings.Replace(c.label, "{c}", "{value}", 1) {
			t.Errorf("%s: share formatters %+v", c.lang, share)
		}
		var box struct {
			XAxis []struct {
				Name         string `json:"name"`
				NameLocation string `json:"nameLocation"`
			} `json:"xAxis"`
		}
		if err := json.Unmarshal([]byte(cs.Chart("support").Option), &box); err != nil {
			t.Fatal(err)
		}
		if box.XAxis[0].Name != "EUR" || box.XAxis[0].NameLocation != "middle" {
			t.Errorf("%s: the box plot's unit %+v", c.lang, box.XAxis)
		}
		for id, unit := range map[string]string{"support": "EUR", "forms": "%", "population": "", "rules": "",
			"region-per_resident": "EUR"} {
			if got := cs.Chart(id).Unit; got != unit {
				t.Errorf("%s: %s unit %q, want %q", c.lang, id, got, unit)
			}
		}
	}
}

// A chart's CSV in Latvian: ";" between fields and decimal commas, so a
// double-click in Latvian Excel gives columns and numbers; in English ","
// and points. Both start with a byte-order mark and read back.
func TestChartCSVLanguages(t *testing.T) {
	t.Parallel()
	tb := ChartTable{Header: []string{"Rādītājs", "Vērtība", "Daļa"}, Rows: [][]ChartCell{
		{{Text: "Vidējā vērtība"}, {Text: "4000,50 EUR", Value: 4000.5, Number: true, Places: 2}, {Text: "33,3 %", Value: 33.333, Number: true, Places: 1}},
		{{Text: "=1+1; x"}, {Text: "—", Blank: true}, {Value: 12345678.9, Number: true, Places: 1}},
	}}
	for _, c := range []struct {
		lang string
		sep  rune
		want [][]string
	}{
		{"lv", ';', [][]string{{"Rādītājs", "Vērtība", "Daļa"}, {"Vidējā vērtība", "4000,5", "33,3"}, {"'=1+1; x", "", "12345678,9"}}},
		{"en", ',', [][]string{{"Rādītājs", "Vērtība", "Daļa"}, {"Vidējā vērtība", "4000.5", "33.3"}, {"'=1+1; x", "", "12345678.9"}}},
	} {
		var buf bytes.Buffer
		if err := WriteChartCSV(&buf, tb, c.lang); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
			t.Fatalf("%s: no byte-order mark", c.lang)
		}
		r := csv.NewReader(bytes.NewReader(buf.Bytes()[3:]))
		r.Comma = c.sep
		recs, err := r.ReadAll()
		if err != nil || !reflect.DeepEqual(recs, c.want) {
			t.Fatalf("%s: csv\n got %q %v\nwant %q", c.lang, recs, err, c.want)
		}
		if c.lang == "lv" && strings.Contains(buf.String(), ",") && !strings.Contains(buf.String(), "4000,5;") {
			t.Errorf("lv: numbers should have a decimal comma: %q", buf.String())
		}
	}
}
