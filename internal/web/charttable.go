package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/reports"
)

// htmlText escapes text for an element's content or a quoted attribute
// value as html/template does (its htmlEscaper).
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;",
	"<", "&lt;", ">", "&gt;")

// chartTableHTML writes a chart's table (the screen reader's and the
// report's copy of its figures) in Go rather than with the template: a
// table is most of a page's template work, cell by cell.
func chartTableHTML(c *reports.Chart) template.HTML {
	var b strings.Builder
	b.WriteString("\n<div class=\"table-wrap\">\n<table class=\"data chart-table\" id=\"ct-")
	htmlText.WriteString(&b, c.ID)
	b.WriteString("\">\n  <caption>")
	htmlText.WriteString(&b, c.Title)
	b.WriteString("</caption>\n  <thead><tr>")
	for _, h := range c.Table.Header {
		b.WriteString(`<th scope="col">`)
		htmlText.WriteString(&b, h)
		b.WriteString("</th>")
	}
	b.WriteString("</tr></thead>\n  <tbody>\n  ")
	for _, row := range c.Table.Rows {
		b.WriteString("<tr>")
		for i, cell := range row {
			switch {
			case i == 0:
				b.WriteString(`<th scope="row">`)
				htmlText.WriteString(&b, cell.Text)
				b.WriteString("</th>")
				continue
			case cell.Number || cell.Blank:
				b.WriteString(`<td class="num">`)
			default:
				b.WriteString("<td>")
			}
			htmlText.WriteString(&b, cell.Text)
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n  ")
	}
	b.WriteString("\n  </tbody>\n</table>\n</div>\n")
	return template.HTML(b.String()) //nolint:gosec // every text in it is escaped as html/template does
}

// chartCardHTML writes a chart's card in three parts (the option, in the
// middle, is not copied: at 10,000 responses a page's options are 1.6 MB)
// — its heading, note, the element the chart is drawn in with its option,
// the PNG and CSV actions and its table
// (folded on the charts page, open in the report) — in Go rather than
// with the template, as chartTableHTML the table: a page's cards were most
// of its template's work, each action a call through reflection. It
// writes what the template "chart-card" wrote (TestChartCardSameAsTemplate),
// given the chartView chartsView makes: its CSV address is built from
// escaped parts (url.PathEscape, url.Values.Encode), which html/template
// would have passed through unchanged but for the attribute's escaping.
func chartCardHTML(c *chartView) [3]template.HTML {
	var b strings.Builder
	b.Grow(len(c.TableHTML) + 1536)
	attr := func(s string) { htmlText.WriteString(&b, s) }
	// The option is not copied into the card: the card is given as what
	// comes before it, the option, and what comes after (at option in
	// what b holds; an empty card has none).
	option, opt := 0, template.HTML("")
	b.WriteString("\n<section class=\"chart-card\" id=\"c-")
	attr(c.ID)
	b.WriteString("\" aria-labelledby=\"ch-")
	attr(c.ID)
	b.WriteString("\">\n  <h3 id=\"ch-")
	attr(c.ID)
	b.WriteString("\">")
	attr(c.Title)
	b.WriteString("</h3>\n  <p class=\"muted small chart-note\" id=\"cn-")
	attr(c.ID)
	b.WriteString("\">")
	attr(c.Note)
	if c.Question != "" {
		b.WriteString(" <span class=\"code\">")
		attr(c.Lang.T("charts.code", "code", c.Question))
		b.WriteString("</span>")
	}
	b.WriteString("</p>\n  ")
	if c.Empty {
		b.WriteString("<p class=\"chart-empty\">")
		attr(c.Lang.T("charts.empty"))
		b.WriteString("</p>\n  ")
	} else {
		b.WriteString("<div class=\"chart chart-")
		attr(c.Kind)
		b.WriteString("\" id=\"chart-")
		attr(c.ID)
		b.WriteString("\" data-chart=\"")
		attr(c.ID)
		b.WriteString("\" data-height=\"")
		b.WriteString(strconv.Itoa(c.Height))
		b.WriteString("\" data-unit=\"")
		attr(c.Unit)
		b.WriteString("\"")
		if c.Report {
			b.WriteString(" data-width=\"")
			b.WriteString(strconv.Itoa(c.Width))
			b.WriteString("\" data-renderer=\"svg\"")
		}
		b.WriteString("\n    role=\"img\" aria-label=\"")
		attr(c.Title)
		b.WriteString("\" aria-describedby=\"cn-")
		attr(c.ID)
		b.WriteString("\"></div>\n  <script type=\"application/json\" id=\"opt-")
		attr(c.ID)
		b.WriteString("\">")
		option, opt = b.Len(), template.HTML(c.OptionJSON) //nolint:gosec // reports' JSON with <, > and & escaped
		b.WriteString("</script>")
	}
	b.WriteString("\n  ")
	if !c.Report {
		b.WriteString("<p class=\"chart-actions\">\n    ")
		if !c.Empty {
			b.WriteString("<button type=\"button\" class=\"secondary\" data-png=\"")
			attr(c.ID)
			b.WriteString("\" data-filename=\"")
			attr(c.PNGName)
			b.WriteString("\" hidden>")
			attr(c.Lang.T("charts.png"))
			b.WriteString("</button>")
		}
		b.WriteString("\n    <a class=\"button secondary\" href=\"")
		attr(c.CSVURL)
		b.WriteString("\" download>")
		attr(c.Lang.T("charts.csv"))
		b.WriteString("</a></p>\n  <details class=\"chart-data\"><summary>")
		attr(c.Lang.T("charts.table"))
		b.WriteString("</summary>")
		b.WriteString(string(c.TableHTML))
		b.WriteString("</details>\n  ")
	} else {
		b.WriteString(string(c.TableHTML))
	}
	b.WriteString("\n</section>\n")
	card := b.String()
	//nolint:gosec // every text in it is escaped as html/template does
	return [3]template.HTML{template.HTML(card[:option]), opt, template.HTML(card[option:])}
}
