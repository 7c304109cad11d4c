package web

import (
	"bytes"
	"html/template"
	"testing"

	"github.com/civitas-lv/surveyd/reports"
)

// chartTableTemplate is the chart's table as the template "chart-table"
// wrote it before chartTableHTML did.
const chartTableTemplate = `{{define "chart-table"}}{{$C := .}}
<div class="table-wrap">
<table class="data chart-table" id="ct-{{$C.ID}}">
  <caption>{{$C.Title}}</caption>
  <thead><tr>{{range $C.Table.Header}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
  <tbody>
  {{range $C.Table.Rows}}<tr>{{range $i, $cell := .}}{{if eq $i 0}}<th scope="row">{{$cell.Text}}</th>{{else}}<td{{if or $cell.Number $cell.Blank}} class="num"{{end}}>{{$cell.Text}}</td>{{end}}{{end}}</tr>
  {{end}}
  </tbody>
</table>
</div>
{{end}}`

// TestChartTableSameAsTemplate: chartTableHTML writes what the template
// wrote, byte for byte, whatever the text holds.
func TestChartTableSameAsTemplate(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(chartTableTemplate))
	odd := "Rīga & <b>\"Cēsis\"</b> + 'x' \x00 \xff\xfe ✓ 1\u00a0234,5\u00a0% \ufdd0"
	num := reports.ChartCell{Text: "1\u00a0234,50\u00a0EUR", Value: 1234.5, Number: true, Places: 2}
	charts := []*reports.Chart{
		{ID: "q1", Title: "Jautājums"},
		{ID: "region-ind_x", Title: odd, Table: reports.ChartTable{Header: []string{"Reģions", odd, ""},
			Rows: [][]reports.ChartCell{
				{{Text: odd}, num, {Text: "—", Blank: true}},
				{{Text: ""}, {Text: odd}, {Text: "12"}},
				{},
				{{Text: "only"}},
			}}},
		{ID: "a\"b<c>&+", Title: "", Table: reports.ChartTable{Header: []string{"h"}, Rows: [][]reports.ChartCell{{num, num}}}},
	}
	for _, c := range charts {
		var want bytes.Buffer
		if err := tmpl.ExecuteTemplate(&want, "chart-table", c); err != nil {
			t.Fatal(err)
		}
		if got := string(chartTableHTML(c)); got != want.String() {
			t.Errorf("chart %q:\n got %q\nwant %q", c.ID, got, want.String())
		}
	}
}
