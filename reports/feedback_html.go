package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/static"
)

// FeedbackCSS styles the report's HTML: static/css/feedback.css, the one
// copy. The service's pages load it as a stylesheet; a standalone file
// carries it in a <style> element with feedbackDocCSS.
var FeedbackCSS = mustRead(static.FS, "css/feedback.css")

func mustRead(fsys fs.FS, name string) string {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	return string(b)
}

// feedbackDocCSS is what a standalone file needs besides FeedbackCSS: the
// page itself (font, margins, A4).
//
//go:embed feedback_doc.css
var feedbackDocCSS string

// WriteFeedbackHTML writes the report as HTML: the body to embed in a page
// of the service (standalone false), or a whole document with its styles
// inline, to keep or send as a file (standalone true). The body starts at
// <h2>: the page around it gives the <h1> (a standalone document its own).
// It has no script and no style attribute (the service's CSP allows
// neither); its charts are inline SVG with a text alternative.
func WriteFeedbackHTML(w io.Writer, f *Feedback, standalone bool) error {
	name := "body"
	if standalone {
		name = "doc"
	}
	return feedbackHTML.ExecuteTemplate(w, name, f)
}

// The chart's drawing area, in the SVG's own units (it scales to its box).
const (
	fbChartW     = 360
	fbChartH     = 140
	fbPlotLeft   = 10
	fbPlotRight  = 350
	fbBarsTop    = 34
	fbBarsBottom = 96
	fbBandTop    = 100
	fbBandH      = 8
)

// Colours of the charts: the stylesheet's blue, grey and an orange for the
// municipality's own value (enough contrast on white, also in print).
const (
	fbColRegion = "#0b5cad"
	fbColOther  = "#b8c0ca"
	fbColAll    = "#5d87b8"
	fbColOwn    = "#b35c00"
	fbColMedian = "#1b1f24"
	fbColBand   = "#dbe7f3"
)

// fbChart is a number's distribution drawn as SVG: a histogram of all
// municipalities (split into the region and the others when allowed),
// the middle half as a band under it, the median as a dashed line and the
// municipality's own value as an orange marker.
type fbChart struct {
	ID, Title, Desc string
	W, H            int
	Bars            []fbRect
	Counts          []fbText
	Labels          []fbText
	Band            fbRect
	MedianX         string
	MedianLabel     fbText
	Own             bool
	OwnX            string
	OwnArrow        string
	OwnLabel        fbText
	Legend          []fbLegend
}

type fbRect struct{ X, Y, W, H, Fill string }

type fbText struct {
	X, Y   string
	Anchor string
	Text   string
}

type fbLegend struct{ Class, Text string }

func fbNum(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// feedbackChart lays out an item's distribution (nil when it has none).
func feedbackChart(it *FeedbackItem, lang string) *fbChart {
	if len(it.Bins) == 0 {
		return nil
	}
	g := it.Groups[0]
	c := &fbChart{ID: "fb-c-" + it.Code, Title: it.ChartTitle, Desc: it.ChartDesc, W: fbChartW, H: fbChartH}
	lo, hi := it.Bins[0].Lo, it.Bins[len(it.Bins)-1].Hi
	single := hi <= lo // every value the same: one bar over the whole width
	if single {
		lo, hi = lo-0.5, lo+0.5
	}
	shift := 0.0
	if it.whole {
		shift = 0.5 // a whole number stands in the middle of its interval
	}
	x := func(v float64) float64 {
		p := (v + shift - lo) / (hi - lo)
		return fbPlotLeft + min(max(p, 0), 1)*(fbPlotRight-fbPlotLeft)
	}
	most := 1
	for _, b := range it.Bins {
		most = max(most, b.Count)
	}
	height := func(n int) float64 { return float64(n) / float64(most) * (fbBarsBottom - fbBarsTop) }
	for i, b := range it.Bins {
		x1, x2 := x(b.Lo-shift), x(b.Hi-shift)
		if single {
			x1, x2 = fbPlotLeft, fbPlotRight
		}
		w := max(x2-x1-1, 1)
		top := fbBarsBottom - height(b.Count)
		if it.Split {
			rh := height(b.Region)
			c.Bars = append(c.Bars, fbRect{X: fbNum(x1), Y: fbNum(top), W: fbNum(w), H: fbNum(height(b.Count) - rh), Fill: fbColOther},
				fbRect{X: fbNum(x1), Y: fbNum(fbBarsBottom - rh), W: fbNum(w), H: fbNum(rh), Fill: fbColRegion})
		} else {
			c.Bars = append(c.Bars, fbRect{X: fbNum(x1), Y: fbNum(top), W: fbNum(w), H: fbNum(height(b.Count)), Fill: fbColAll})
		}
		if b.Count > 0 && w >= 10 {
			c.Counts = append(c.Counts, fbText{X: fbNum(x1 + w/2), Y: fbNum(top - 3), Anchor: "middle", Text: strconv.Itoa(b.Count)})
		}
		switch i {
		case 0:
			c.Labels = append(c.Labels, fbText{X: fbNum(x1), Y: "121", Anchor: "start", Text: b.Label})
		case len(it.Bins) - 1:
			c.Labels = append(c.Labels, fbText{X: fbNum(x1 + w), Y: "121", Anchor: "end", Text: b.Label})
		}
	}
	q1, q3 := x(g.Q1), x(g.Q3)
	c.Band = fbRect{X: fbNum(q1), Y: fbNum(fbBandTop), W: fbNum(max(q3-q1, 1)), H: fbNum(fbBandH), Fill: fbColBand}
	mx := x(g.Median)
	c.MedianX = fbNum(mx)
	c.MedianLabel = fbText{X: fbNum(mx), Y: "135", Anchor: anchorAt(mx),
		Text: feedbackWord(lang, "chart.median") + " " + g.MedianText}
	if it.State == FeedbackAnswered {
		ox := x(it.OwnValue)
		c.Own, c.OwnX = true, fbNum(ox)
		c.OwnArrow = fmt.Sprintf("%s,13 %s,13 %s,21", fbNum(ox-5), fbNum(ox+5), fbNum(ox))
		c.OwnLabel = fbText{X: fbNum(ox), Y: "10", Anchor: anchorAt(ox), Text: feedbackWord(lang, "chart.you")}
	}
	if it.Split {
		c.Legend = append(c.Legend, fbLegend{"fb-sw-region", it.Groups[1].Name}, fbLegend{"fb-sw-other", feedbackWord(lang, "chart.others")})
	} else {
		c.Legend = append(c.Legend, fbLegend{"fb-sw-all", feedbackWord(lang, "chart.all")})
	}
	c.Legend = append(c.Legend, fbLegend{"fb-sw-band", feedbackWord(lang, "chart.quartile")},
		fbLegend{"fb-sw-median", feedbackWord(lang, "chart.median")})
	if c.Own {
		c.Legend = append(c.Legend, fbLegend{"fb-sw-own", feedbackWord(lang, "chart.yours")})
	}
	return c
}

// anchorAt keeps a label near the chart's edges inside it.
func anchorAt(x float64) string {
	switch {
	case x < fbPlotLeft+30:
		return "start"
	case x > fbPlotRight-30:
		return "end"
	}
	return "middle"
}

// feedbackFuncs are the templates' helpers.
var feedbackFuncs = template.FuncMap{
	"T":     feedbackWord,
	"chart": feedbackChart,
	"when":  feedbackWhen,
	"municipalities": func(n int, lang string) string {
		return municipalities(n, lang)
	},
	"region": feedbackRegionName,
	"pct":    func(v float64) string { return fbNum(v) },
	// shown: some group of the item shows its figures.
	"shown":    func(it *FeedbackItem) bool { return it.Groups[0].Shown || it.Groups[1].Shown },
	"css":      func() template.CSS { return template.CSS(feedbackDocCSS + FeedbackCSS) },
	"answered": func(it *FeedbackItem) bool { return it.State == FeedbackAnswered },
	"minGroup": func() int { return FeedbackMinGroup },
	"ctx":      func(lang string, v any) fbCtx { return fbCtx{L: lang, V: v} },
}

// fbCtx hands a nested template the report's language with its data.
type fbCtx struct {
	L string
	V any
}

var feedbackHTML = template.Must(template.New("feedback").Funcs(feedbackFuncs).Parse(strings.TrimSpace(`
{{define "doc"}}<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{T .Lang "doc.title" (.Municipality.Name .Lang)}}</title>
<style>{{css}}</style>
</head>
<body>
<main class="fb-doc">
<header class="fb-doc-head">
<p class="fb-kind">{{T .Lang "kind"}}</p>
<h1>{{.Municipality.Name .Lang}}</h1>
</header>
{{template "body" .}}
</main>
</body>
</html>
{{end}}

{{define "body"}}{{$L := .Lang}}<div class="feedback" lang="{{$L}}">
<div class="fb-intro">
<p class="fb-round">{{T $L "intro.round" .Title .ReferenceYear}}</p>
<p>{{T $L "intro.compared" (municipalities .Respondents $L) (region .Region $L true) (municipalities .RegionRespondents $L)}}</p>
<p class="fb-muted">{{T $L "intro.generated" (when .Generated $L)}}</p>
<p class="fb-how">{{T $L "intro.how"}} {{T $L "intro.few" minGroup}} {{T $L "intro.texts"}}</p>
</div>

<section class="fb-block fb-summary" aria-labelledby="fb-h-summary">
<h2 id="fb-h-summary">{{T $L "sum.title"}}</h2>
{{if .Summary}}<p>{{T $L "sum.intro"}}</p>
{{range .Summary}}<div class="fb-sum-area">
<h3>{{.Title}}</h3>
{{if .Ahead}}<h4>{{T $L "sum.ahead"}}</h4>
<ul class="fb-lines">{{range .Ahead}}
<li><span class="fb-line">{{.Text}}</span> <a class="fb-q" href="#fb-q-{{.Item}}">{{.Question}}</a></li>{{end}}
{{if .MoreAhead}}<li class="fb-muted">{{T $L "sum.more" .MoreAhead .Title}}</li>{{end}}
</ul>{{end}}
{{if .Behind}}<h4>{{T $L "sum.behind"}}</h4>
<ul class="fb-lines">{{range .Behind}}
<li><span class="fb-line">{{.Text}}</span> <a class="fb-q" href="#fb-q-{{.Item}}">{{.Question}}</a></li>{{end}}
{{if .MoreBehind}}<li class="fb-muted">{{T $L "sum.more" .MoreBehind .Title}}</li>{{end}}
</ul>{{end}}
{{if not (or .Ahead .Behind)}}<p>{{T $L "sum.alike"}}</p>{{end}}
</div>
{{end}}{{else}}<p>{{T $L "sum.none"}}</p>{{end}}
</section>

{{range .Sections}}<section class="fb-block fb-section" id="fb-s-{{.Code}}" aria-labelledby="fb-h-{{.Code}}">
<h2 id="fb-h-{{.Code}}">{{.Title}}</h2>
{{range .Items}}{{if eq .Kind "choice"}}{{template "choice" (ctx $L .)}}{{else}}{{template "number" (ctx $L .)}}{{end}}{{end}}
{{range .Texts}}{{template "texts" (ctx $L .)}}{{end}}
</section>
{{end}}</div>{{end}}

{{define "own"}}{{$L := .L}}{{with .V}}{{if answered .}}<p class="fb-own"><span class="fb-own-label">{{if .Indicator}}{{T $L "own.indicator"}}{{else}}{{T $L "own"}}{{end}}:</span> <strong>{{.OwnText}}</strong></p>
{{else}}<p class="fb-own fb-state">{{.StateText}}</p>
{{end}}{{if .PrevText}}<p class="fb-own fb-prev"><span class="fb-own-label">{{if .Indicator}}{{T $L "prev.indicator" .PrevYear}}{{else}}{{T $L "prev" .PrevYear}}{{end}}:</span> {{.PrevText}}</p>
{{end}}{{end}}{{end}}

{{define "number"}}{{$L := .L}}{{with .V}}<div class="fb-item fb-number" id="fb-q-{{.Code}}">
<h3>{{.Title}}</h3>
{{template "own" (ctx $L .)}}<div class="fb-cols">
<div class="fb-figures">{{if shown .}}<table class="fb-table fb-stats">
<caption class="fb-sr">{{T $L "stat.caption" .Title}}</caption>
<thead><tr><td class="fb-corner"></td>{{range .Groups}}{{if .Shown}}<th scope="col">{{.Name}}</th>{{end}}{{end}}</tr></thead>
<tbody>
<tr><th scope="row">{{T $L "stat.n"}}</th>{{range .Groups}}{{if .Shown}}<td class="num">{{.N}}</td>{{end}}{{end}}</tr>
<tr><th scope="row">{{T $L "stat.q1"}}</th>{{range .Groups}}{{if .Shown}}<td class="num">{{.Q1Text}}</td>{{end}}{{end}}</tr>
<tr><th scope="row">{{T $L "stat.median"}}</th>{{range .Groups}}{{if .Shown}}<td class="num">{{.MedianText}}</td>{{end}}{{end}}</tr>
<tr><th scope="row">{{T $L "stat.q3"}}</th>{{range .Groups}}{{if .Shown}}<td class="num">{{.Q3Text}}</td>{{end}}{{end}}</tr>
{{if answered .}}<tr class="fb-standing"><th scope="row">{{T $L "stat.standing"}}</th>{{range .Groups}}{{if .Shown}}<td>{{.Standing}}</td>{{end}}{{end}}</tr>{{end}}
</tbody>
</table>{{end}}
{{template "few" .}}</div>
{{with chart . $L}}<figure class="fb-figure">
<svg class="fb-chart" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-labelledby="{{.ID}}-t {{.ID}}-d" font-size="11">
<title id="{{.ID}}-t">{{.Title}}</title>
<desc id="{{.ID}}-d">{{.Desc}}</desc>
<rect x="{{.Band.X}}" y="{{.Band.Y}}" width="{{.Band.W}}" height="{{.Band.H}}" fill="{{.Band.Fill}}" stroke="#0b5cad" stroke-width="1"/>
{{range .Bars}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"/>
{{end}}<line x1="10" y1="96" x2="350" y2="96" stroke="#5a6370" stroke-width="1"/>
{{range .Labels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}" fill="#5a6370">{{.Text}}</text>
{{end}}<line x1="{{.MedianX}}" y1="30" x2="{{.MedianX}}" y2="110" stroke="#1b1f24" stroke-width="1.5" stroke-dasharray="4 3"/>
<text x="{{.MedianLabel.X}}" y="{{.MedianLabel.Y}}" text-anchor="{{.MedianLabel.Anchor}}" fill="#1b1f24">{{.MedianLabel.Text}}</text>
{{if .Own}}<line x1="{{.OwnX}}" y1="20" x2="{{.OwnX}}" y2="110" stroke="#b35c00" stroke-width="2.5"/>
<polygon points="{{.OwnArrow}}" fill="#b35c00"/>
<text x="{{.OwnLabel.X}}" y="{{.OwnLabel.Y}}" text-anchor="{{.OwnLabel.Anchor}}" font-weight="700" fill="#b35c00">{{.OwnLabel.Text}}</text>
{{end}}{{range .Counts}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}" font-size="9" fill="#1b1f24" stroke="#fff" stroke-width="3" paint-order="stroke">{{.Text}}</text>
{{end}}</svg>
<figcaption><ul class="fb-legend">{{range .Legend}}<li><span class="fb-sw {{.Class}}"></span>{{.Text}}</li>{{end}}</ul></figcaption>
</figure>{{end}}
</div>
</div>
{{end}}{{end}}

{{define "choice"}}{{$L := .L}}{{$it := .V}}{{with .V}}<div class="fb-item fb-choice" id="fb-q-{{.Code}}">
<h3>{{.Title}}</h3>
{{template "own" (ctx $L .)}}<table class="fb-table fb-choices">
<caption class="fb-sr">{{T $L "choice.caption" .Title}}</caption>
<thead><tr><th scope="col">{{T $L "choice.option"}}</th><th scope="col" class="fb-mark">{{T $L "choice.own"}}</th>{{range .Groups}}{{if .Shown}}<th scope="col" class="num">{{T $L "choice.group" .Name .N}}</th>{{end}}{{end}}</tr></thead>
<tbody>
{{range $o := .Options}}<tr{{if .Own}} class="fb-mine"{{end}}><th scope="row">{{.Label}}</th><td class="fb-mark">{{if .Own}}<span aria-hidden="true">✓</span><span class="fb-sr">{{T $L "choice.own.sr"}}</span>{{end}}</td>{{range $g, $grp := $it.Groups}}{{if .Shown}}<td class="num"><span class="fb-pct">{{index $o.PercentTexts $g}}</span><svg class="fb-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect width="100" height="8" fill="#e6eaef"/><rect width="{{pct (index $o.Percents $g)}}" height="8" fill="{{if eq $g 0}}#5d87b8{{else}}#0b5cad{{end}}"/></svg></td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>
{{template "few" .}}{{if .Sentences}}<ul class="fb-sentences">{{range .Sentences}}<li>{{.}}</li>{{end}}</ul>{{end}}
</div>
{{end}}{{end}}

{{define "few"}}{{range .Groups}}{{if not .Shown}}<p class="fb-few"><span class="fb-few-group">{{.Name}}:</span> {{.Note}}</p>
{{end}}{{end}}{{end}}

{{define "texts"}}{{$L := .L}}{{with .V}}<div class="fb-item fb-texts" id="fb-t-{{.Code}}">
<h3>{{.Question}}</h3>
<p class="fb-muted">{{T $L "texts.note"}}</p>
{{if .Answers}}<dl class="fb-textlist">{{range .Answers}}
<div class="fb-text{{if .Own}} fb-mine{{end}}"><dt>{{.Municipality}}{{if .Own}} ({{T $L "texts.own"}}){{end}}</dt><dd>{{.Text}}</dd></div>{{end}}
</dl>{{else}}<p>{{T $L "texts.none"}}</p>{{end}}
</div>
{{end}}{{end}}
`)))
