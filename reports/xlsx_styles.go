package reports

import (
	"strings"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// ---------------------------------------------------------------------
// Styles and number formats

// Number formats. Percentages are written as entered — 12.5 means 12.5 % —
// with a literal percent sign, so the cell holds the same number as the
// form, the API and the aggregates (not 0.125 with Excel's % scaling).
// Amounts and percentages follow the pages' style (survey.FormatMoney,
// survey.FormatPercent): euros always with two decimals and " EUR" after a
// no-break space; "12,5 %" with a no-break space in Latvian, "12.5%" in
// English. The group and decimal marks are the reader's: Excel shows
// "120 000,50 EUR" with Latvian regional settings.
func decimalsOf(places int) string {
	if places <= 0 {
		return ""
	}
	return "." + strings.Repeat("0", places)
}

// literal quotes text for a number format.
func literal(s string) string { return `"` + s + `"` }

func (x *workbook) fmtMoney() string {
	return "#,##0" + decimalsOf(survey.MoneyPlaces) + literal(survey.MoneySuffix(x.lang))
}

func (x *workbook) fmtPercent(places int) string {
	return "0" + decimalsOf(places) + literal(survey.PercentSuffix(x.lang))
}

func fmtDecimal(places int) string { return "#,##0" + decimalsOf(places) }

const (
	fmtInt      = "#,##0"
	fmtYear     = "0"
	fmtDateTime = "yyyy-mm-dd hh:mm"
)

// numberFormat is the format of a question's answers.
func (x *workbook) numberFormat(q *survey.Question) string {
	switch q.Type {
	case survey.Money:
		return x.fmtMoney()
	case survey.Percent:
		return x.fmtPercent(q.Places())
	case survey.Year:
		return fmtYear
	case survey.Int:
		return fmtInt
	}
	return fmtDecimal(q.Places())
}

// statFormat is the format of a statistic of a question's answers: means
// and quartiles get at least one decimal place.
func (x *workbook) statFormat(q *survey.Question) string {
	p := max(q.Places(), 1)
	switch q.Type {
	case survey.Money:
		return x.fmtMoney()
	case survey.Percent:
		return x.fmtPercent(p)
	case survey.Year:
		return "0.0"
	}
	return fmtDecimal(p)
}

// indicatorFormat follows the indicator's unit and decimals (euros always
// two).
func (x *workbook) indicatorFormat(in *survey.Indicator) string {
	switch in.Unit {
	case "EUR":
		return x.fmtMoney()
	case "%":
		return x.fmtPercent(in.Decimals)
	}
	return fmtDecimal(in.Decimals)
}

// style returns a style by kind: "header", "code", "title", "heading",
// "bold", "wrap", "note", or "num:<format>", "boldnum:<format>".
func (x *workbook) style(kind string) int {
	if id, ok := x.styles[kind]; ok {
		return id
	}
	var s excelize.Style
	name, format, _ := strings.Cut(kind, ":")
	switch name {
	case "header":
		s = excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE6F0"}}}
	case "code":
		s = excelize.Style{Font: &excelize.Font{Color: "555555", Italic: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F6"}}}
	case "title":
		s = excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}
	case "heading":
		s = excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79"}}
	case "bold":
		s = excelize.Style{Font: &excelize.Font{Bold: true}}
	case "wrap":
		s = excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}
	case "note":
		s = excelize.Style{Font: &excelize.Font{Italic: true, Color: "555555"}}
	case "num":
		s = excelize.Style{CustomNumFmt: &format}
	case "boldnum":
		s = excelize.Style{CustomNumFmt: &format, Font: &excelize.Font{Bold: true}}
	}
	id, err := x.f.NewStyle(&s)
	if err != nil && x.err == nil {
		x.err = err
	}
	x.styles[kind] = id
	return id
}

// num is the style of a number format, style("num:"+format), looked up
// by the format alone: the long sheet asks for one per number it writes.
func (x *workbook) num(format string) int {
	if id, ok := x.nums[format]; ok {
		return id
	}
	id := x.style("num:" + format)
	if x.nums == nil {
		x.nums = map[string]int{}
	}
	x.nums[format] = id
	return id
}
