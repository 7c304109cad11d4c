package web

import (
	"html/template"
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
