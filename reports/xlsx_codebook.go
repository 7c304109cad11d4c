package reports

import (
	"fmt"
	"strings"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// ---------------------------------------------------------------------
// Codebook and status

func (x *workbook) writeCodebook() {
	if x.err != nil {
		return
	}
	if x.err = x.declareRange(SheetCodebook, 9, 1+len(x.def.Questions())+len(x.def.Indicators)); x.err != nil {
		return
	}
	sw, err := x.f.NewStreamWriter(SheetCodebook)
	if err != nil {
		x.err = err
		return
	}
	hs, wrap := x.style("header"), x.style("wrap")
	if x.err == nil {
		x.err = setColWidths(sw, eachColumn(22, 10, 50, 50, 10, 45, 34, 34, 10))
	}
	if x.err == nil {
		x.err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, XSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight",
			Selection: []excelize.Selection{{SQRef: "B2", ActiveCell: "B2", Pane: "bottomRight"}}})
	}
	head := []any{}
	for _, k := range []string{"cb.code", "cb.section", "cb.text_lv", "cb.text_en", "cb.type", "cb.options", "cb.show_if", "cb.limits", "cb.personal"} {
		head = append(head, excelize.Cell{StyleID: hs, Value: x.t(k)})
	}
	if x.err == nil {
		x.err = sw.SetRow("A1", head)
	}
	row := 1
	cell := func(v string) any {
		if v == "" {
			return nil
		}
		return excelize.Cell{StyleID: wrap, Value: v}
	}
	for _, q := range x.def.Questions() {
		if x.stopped() {
			return
		}
		row++
		personal := ""
		if q.Personal {
			personal = x.t("cb.yes")
		}
		if x.err == nil {
			x.err = sw.SetRow(cellName(1, row), []any{q.Code, q.Section().Code, cell(q.Text.LV), cell(q.Text.EN),
				string(q.Type), cell(x.optionsText(q)), cell(q.ShowIf), cell(x.limitsText(q)), personal})
		}
	}
	for _, in := range x.def.Indicators {
		row++
		limits := x.t("cb.formula") + ": " + in.Formula
		if in.Unit != "" {
			limits += "; " + x.t("cb.unit") + ": " + in.Unit
		}
		limits += fmt.Sprintf("; %s: %d", x.t("cb.decimals"), in.Decimals)
		if x.err == nil {
			x.err = sw.SetRow(cellName(1, row), []any{in.Code, nil, cell(in.Text.LV), cell(in.Text.EN),
				x.t("cb.indicator"), nil, nil, cell(limits), nil})
		}
	}
	if x.err == nil {
		x.err = x.f.AutoFilter(SheetCodebook, fmt.Sprintf("A1:I%d", max(row, 2)), nil)
	}
	if x.err == nil {
		x.err = sw.Flush()
	}
}

// optionsText lists a choice question's options, one "code = label" a
// line, in Latvian.
func (x *workbook) optionsText(q *survey.Question) string {
	var lines []string
	switch {
	case q.Type.IsChoice():
		for _, o := range q.AllOptions() {
			line := o.Code + " = " + q.CategoryLabel(o.Code).LV
			if o.Exclusive {
				line += " (" + x.t("cb.exclusive") + ")"
			}
			if o.Code == survey.OtherCode && q.Other {
				line += " (" + x.t("cb.other_text", q.OtherKey()) + ")"
			}
			lines = append(lines, line)
		}
	case q.Type == survey.YesNo:
		lines = []string{"true = Jā", "false = Nē"}
	}
	return strings.Join(lines, "\n")
}

// limitsText describes what an answer must be.
func (x *workbook) limitsText(q *survey.Question) string {
	var parts []string
	if q.Required {
		parts = append(parts, x.t("cb.required"))
	}
	bound := func(b *survey.Bound) string {
		if b.ReferenceYear {
			return fmt.Sprintf("reference_year (%d)", x.def.ReferenceYear)
		}
		return b.Number
	}
	if q.Min != nil {
		parts = append(parts, "min "+bound(q.Min))
	}
	if q.Max != nil {
		parts = append(parts, "max "+bound(q.Max))
	}
	switch {
	case q.Type == survey.Decimal || q.Type == survey.Money || q.Type == survey.Percent:
		parts = append(parts, fmt.Sprintf("%s: %d", x.t("cb.decimals"), q.Places()))
	case q.Type.IsText():
		parts = append(parts, x.t("cb.max_length", q.Limit()))
		if q.Pattern != "" {
			parts = append(parts, x.t("cb.pattern")+": "+q.Pattern)
		}
	}
	return strings.Join(parts, "; ")
}
