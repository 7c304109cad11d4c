package web

import (
	"bytes"
	"html/template"
	"net/url"
	"testing"
)

// chartCardTemplate is the chart's card as the template "chart-card"
// wrote it before chartCardHTML did.
const chartCardTemplate = `{{define "chart-card"}}{{$L := .Lang}}{{$C := .}}
<section class="chart-card" id="c-{{$C.ID}}" aria-labelledby="ch-{{$C.ID}}">
  <h3 id="ch-{{$C.ID}}">{{$C.Title}}</h3>
  <p class="muted small chart-note" id="cn-{{$C.ID}}">{{$C.Note}}{{if $C.Question}} <span class="code">{{T $L "charts.code" "code" $C.Question}}</span>{{end}}</p>
  {{if $C.Empty}}<p class="chart-empty">{{T $L "charts.empty"}}</p>
  {{else}}<div class="chart chart-{{$C.Kind}}" id="chart-{{$C.ID}}" data-chart="{{$C.ID}}" data-height="{{$C.Height}}" data-unit="{{$C.Unit}}"{{if $C.Report}} data-width="{{$C.Width}}" data-renderer="svg"{{end}}
    role="img" aria-label="{{$C.Title}}" aria-describedby="cn-{{$C.ID}}"></div>
  <script type="application/json" id="opt-{{$C.ID}}">{{$C.OptionJSON}}</script>{{end}}
  {{if not $C.Report}}<p class="chart-actions">
    {{if not $C.Empty}}<button type="button" class="secondary" data-png="{{$C.ID}}" data-filename="{{$C.PNGName}}" hidden>{{T $L "charts.png"}}</button>{{end}}
    <a class="button secondary" href="{{$C.CSVURL}}" download>{{T $L "charts.csv"}}</a></p>
  <details class="chart-data"><summary>{{T $L "charts.table"}}</summary>{{template "chart-table" .}}</details>
  {{else}}{{template "chart-table" .}}{{end}}
</section>
{{end}}

{{define "chart-table"}}{{.TableHTML}}{{end}}`

// TestChartCardSameAsTemplate: chartCardHTML writes what the template
// wrote, byte for byte, for cards drawn and empty, on the charts page and
// in the report, in both languages, whatever the texts hold, with the CSV
// address made as chartsView makes it from odd ids, rounds and filters.
func TestChartCardSameAsTemplate(t *testing.T) {
	t.Parallel()
	tmpl := template.Must(template.New("").Funcs(template.FuncMap{
		"T": func(l lang, key string, args ...any) string { return l.T(key, args...) },
	}).Parse(chartCardTemplate))
	odd := "Rīga & <b>\"Cēsis\"</b> + 'x' \x00 \xff\xfe ✓ 1\u00a0234,5\u00a0% \ufdd0 javascript:x"
	csv := func(slug, id string, q url.Values) string {
		u := "/surveys/" + url.PathEscape(slug) + "/charts/" + url.PathEscape(id) + "/data.csv"
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		return u
	}
	table := template.HTML("\n<div class=\"table-wrap\"><table><caption>x &amp; y</caption></table></div>\n")
	var cards []chartView
	for _, l := range []lang{"lv", "en"} {
		for _, report := range []bool{false, true} {
			for _, empty := range []bool{false, true} {
				cards = append(cards,
					chartView{ID: "q_ngo_forms", Kind: "bar", Question: "ngo_forms", Title: "Atbalsta formas", Note: "N = 43",
						Unit: "%", Height: 420, Empty: empty, OptionJSON: template.JS(`{"series":[{"name":"\u003cb\u003e","data":[1,2.5]}]}`),
						TableHTML: table, CSVURL: csv("regional-2025", "q_ngo_forms", url.Values{"lang": {string(l)}}),
						PNGName: "regional-2025-q_ngo_forms.png", Lang: l, Report: report, Width: 640},
					chartView{ID: `a"b<c>&+'`, Kind: odd, Question: odd, Title: odd, Note: odd, Unit: odd, Height: 0,
						Empty: empty, OptionJSON: template.JS(`{"title":"` + "\\u0026" + `"}`), TableHTML: table,
						CSVURL: csv(`ro "und" & <x>`, `a"b<c>&+' /?#`, url.Values{"lang": {string(l)}, "region": {odd},
							"kind": {"novads"}, "status": {"submitted,draft"}}),
						PNGName: `x"y<z>.png`, Lang: l, Report: report, Width: 0},
					chartView{ID: "overview-rate", Kind: "bar", Title: "Atbildēja", Height: 300, Empty: empty, Lang: l, Report: report,
						CSVURL: csv("r", "overview-rate", nil), PNGName: "r-overview-rate.png"})
			}
		}
	}
	for _, c := range cards {
		var want bytes.Buffer
		if err := tmpl.ExecuteTemplate(&want, "chart-card", c); err != nil {
			t.Fatal(err)
		}
		if parts := chartCardHTML(&c); string(parts[0]+parts[1]+parts[2]) != want.String() {
			got := string(parts[0] + parts[1] + parts[2])
			t.Errorf("card %q (report %v, empty %v, %s):\n got %q\nwant %q", c.ID, c.Report, c.Empty, c.Lang, got, want.String())
		}
	}
}
