package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// ---------------------------------------------------------------------
// Responses, wide and long

type colKind int

const (
	colMunicipality colKind = iota
	colMuniName
	colKindOf
	colPlanningRegion
	colStatisticalRegion
	colStatus
	colSubmittedAt
	colContacts
	colSingle
	colMultiLabels
	colMultiOption
	colOtherText
	colYesNo
	colNumber
	colText
	colIndicator
)

// wideColumn is one column of the wide sheet: row 1 its header in the
// export's language, row 2 its code.
type wideColumn struct {
	kind   colKind
	code   string
	header string
	q      *survey.Question
	option string
	ind    *survey.Indicator
	format string // number format, if any
	width  float64
}

func (x *workbook) buildWideColumns() {
	add := func(c wideColumn) { x.wide = append(x.wide, c) }
	add(wideColumn{kind: colMunicipality, code: "municipality", header: x.t("col.municipality"), width: 14})
	add(wideColumn{kind: colMuniName, code: "municipality_name", header: x.t("col.name"), width: 16})
	add(wideColumn{kind: colKindOf, code: "kind", header: x.t("col.kind"), width: 14})
	add(wideColumn{kind: colPlanningRegion, code: "planning_region", header: x.t("col.planning_region"), width: 14})
	add(wideColumn{kind: colStatisticalRegion, code: "statistical_region", header: x.t("col.statistical_region"), width: 14})
	add(wideColumn{kind: colStatus, code: "status", header: x.t("col.status"), width: 14})
	add(wideColumn{kind: colSubmittedAt, code: "submitted_at", header: x.t("col.submitted_at"), format: fmtDateTime, width: 17})
	if x.opt.Personal {
		add(wideColumn{kind: colContacts, code: "contacts", header: x.t("col.contacts"), width: 20})
	}
	for _, q := range x.questions {
		text := q.Text.In(x.lang)
		switch {
		case q.Type == survey.Single:
			w := 12
			for _, o := range q.AllOptions() {
				w = max(w, utf8.RuneCountInString(x.optionLabel(q, o.Code))+2)
			}
			add(wideColumn{kind: colSingle, code: q.Code, header: text, q: q, width: float64(min(w, 40))})
		case q.Type == survey.Multi:
			add(wideColumn{kind: colMultiLabels, code: q.Code, header: text, q: q, width: 40})
			for _, o := range q.AllOptions() {
				add(wideColumn{kind: colMultiOption, code: q.Code + ":" + o.Code, header: x.optionLabel(q, o.Code), q: q,
					option: o.Code, format: "0", width: 11})
			}
		case q.Type == survey.YesNo:
			add(wideColumn{kind: colYesNo, code: q.Code, header: text, q: q, width: 10})
		case q.Type.IsNumber():
			add(wideColumn{kind: colNumber, code: q.Code, header: text, q: q, format: x.numberFormat(q), width: 15})
		default:
			add(wideColumn{kind: colText, code: q.Code, header: text, q: q, width: 12})
		}
		if q.Other {
			add(wideColumn{kind: colOtherText, code: q.OtherKey(), header: x.t("col.other_text"), q: q, width: 12})
		}
	}
	for _, in := range x.def.Indicators {
		add(wideColumn{kind: colIndicator, code: in.Code, header: in.Text.In(x.lang), ind: in,
			format: x.indicatorFormat(in), width: 14})
	}
}

// textLen is the length of free text in the column for r (0 for other
// columns): pass 1 measures it so text columns get sensible widths.
func (c *wideColumn) textLen(x *workbook, r *Row) int {
	switch c.kind {
	case colMunicipality:
		return utf8.RuneCountInString(r.Municipality.Code)
	case colMuniName:
		return utf8.RuneCountInString(x.muniName(&r.Municipality))
	case colContacts:
		n := 0
		for _, ct := range r.Contacts {
			n += utf8.RuneCountInString(ct) + 2
		}
		return n
	case colText:
		s, _ := r.Answers[c.q.Code].(string)
		return utf8.RuneCountInString(s)
	case colOtherText:
		s, _ := r.Answers[c.q.OtherKey()].(string)
		return utf8.RuneCountInString(s)
	}
	return 0
}

// value is the cell of column c for r (nil: empty).
func (c *wideColumn) value(x *workbook, r *Row) any {
	m := &r.Municipality
	switch c.kind {
	case colMunicipality:
		return m.Code
	case colMuniName:
		return x.muniName(m)
	case colKindOf:
		return x.t("kind." + m.Kind)
	case colPlanningRegion:
		return m.PlanningRegion
	case colStatisticalRegion:
		return m.StatisticalRegion
	case colStatus:
		return x.t("status." + r.Status)
	case colSubmittedAt:
		return x.wallClock(r.SubmittedAt)
	case colContacts:
		if len(r.Contacts) == 0 {
			return nil
		}
		return strings.Join(r.Contacts, "; ")
	case colIndicator:
		if v, ok := c.ind.Compute(r.Answers); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v
		}
		return nil
	}
	q := c.q
	if c.kind == colOtherText {
		if s, ok := r.Answers[q.OtherKey()].(string); ok && s != "" {
			return s
		}
		return nil
	}
	v, ok := r.Answers[q.Code]
	if !ok || v == nil {
		return nil
	}
	switch c.kind {
	case colSingle:
		if s, ok := v.(string); ok {
			return x.optionLabel(q, s)
		}
	case colMultiLabels:
		if list, ok := v.([]string); ok {
			labels := make([]string, len(list))
			for i, code := range list {
				labels[i] = x.optionLabel(q, code)
			}
			return strings.Join(labels, "; ")
		}
	case colMultiOption:
		if list, ok := v.([]string); ok {
			if slices.Contains(list, c.option) {
				return 1
			}
			return 0
		}
		return nil
	case colYesNo:
		if b, ok := v.(bool); ok {
			return x.yesNo(b)
		}
	case colNumber:
		if n, ok := v.(json.Number); ok {
			return numberValue(q, n)
		}
	}
	return textOf(v)
}

// writeData streams both response sheets from one pass over the rows,
// each over as many pages as pass 1 counted (pagedSheet).
func (x *workbook) writeData(rows Rows) error {
	f := x.f
	// Wide: widths, panes, the two header rows.
	cells := make([]excelize.Cell, len(x.wide))
	vals := make([]any, len(x.wide))
	widths := make([]float64, len(x.wide))
	for i := range x.wide {
		c := &x.wide[i]
		widths[i] = c.width
		if n := x.textWidth[i]; n > 0 {
			widths[i] = max(c.width, float64(min(n+2, 60)))
		}
	}
	hs, cs := x.dataStyles(cells)
	head, code := make([]any, len(x.wide)), make([]any, len(x.wide))
	for i, c := range x.wide {
		head[i] = excelize.Cell{StyleID: hs, Value: c.header}
		code[i] = excelize.Cell{StyleID: cs, Value: c.code}
	}
	if x.err != nil {
		return x.err
	}
	last := colName(len(x.wide))
	wide := &pagedSheet{x: x, sheet: SheetWide, first: 2, next: 2, total: x.kept, cols: len(x.wide),
		start: func(sw *excelize.StreamWriter, _ int) (int, error) {
			// One <col> per run of equal widths: excelize looks a cell's
			// column up among them for every cell written.
			var cols []colWidth
			for i := 0; i < len(widths); {
				j := i
				for j+1 < len(widths) && widths[j+1] == widths[i] {
					j++
				}
				cols = append(cols, colWidth{i + 1, j + 1, widths[i]})
				i = j + 1
			}
			if err := setColWidths(sw, cols); err != nil {
				return 0, err
			}
			if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 2, TopLeftCell: "C3", ActivePane: "bottomRight",
				Selection: []excelize.Selection{{SQRef: "C3", ActiveCell: "C3", Pane: "bottomRight"}}}); err != nil {
				return 0, err
			}
			if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 75}); err != nil {
				return 0, err
			}
			return 2, sw.SetRow("A2", code)
		},
		finish: func(_ *excelize.StreamWriter, name string, _, lastRow int) error {
			return f.AutoFilter(name, fmt.Sprintf("A2:%s%d", last, max(lastRow, 3)), nil)
		}}
	if err := wide.open(0); err != nil {
		return err
	}
	// The long sheet's rows are written on a goroutine of their own: from
	// before the summary is streamed when they can be (startLongEarly),
	// else (longAside) while the wide sheet's are written here, when the
	// wide sheet takes one page: its pages then never change while the
	// long sheet's do, so the workbook's parts are made in the same order
	// as one after the other. The number formats of its values are made
	// before (they were with the wide sheet's columns), so it only reads
	// them.
	var long *pagedSheet
	respond := func(*Row) error { return nil }
	var aside *longAside
	if e := x.early; e != nil {
		long = e.p
	} else {
		long = x.longSheet(hs)
		if err := long.open(0); err != nil {
			return err
		}
		lw := newLongWriter(x, long)
		respond = lw.response
		if x.widePages == 1 && !x.longInline {
			lw.nums = x.longNums()
			aside = startLongAside(lw.response)
			defer aside.stop()
			respond = aside.add
		}
	}

	for r, err := range rows {
		if err == nil {
			err = x.ctx.Err()
		}
		if err != nil {
			return err
		}
		if !x.opt.Filter.Keep(r) {
			continue
		}
		if !x.opt.Personal {
			r.Contacts = nil
		}
		for i := range x.wide {
			if v := x.wide[i].value(x, &r); v != nil {
				cells[i].Value, vals[i] = v, &cells[i]
			} else {
				vals[i] = nil
			}
		}
		if err := wide.add(vals); err != nil {
			return err
		}
		if err := respond(&r); err != nil {
			return err
		}
	}
	if aside != nil {
		if err := aside.finish(); err != nil {
			return err
		}
	}
	if x.early != nil {
		if err := x.early.wait(); err != nil {
			return err
		}
	}
	if wide.written != x.kept || long.written != x.longRows {
		return errors.New("reports: the rows differ between the two passes (read them from one snapshot)")
	}
	if err := wide.close(); err != nil {
		return err
	}
	return long.close()
}

// dataStyles makes the styles of the data sheets, in the order the wide
// sheet has always made them (its columns' number formats, which are
// also those of the long sheet's values, then its header rows'), gives
// cells the number formats of the wide sheet's columns when not nil, and
// returns the header rows' styles.
func (x *workbook) dataStyles(cells []excelize.Cell) (header, code int) {
	for i := range x.wide {
		if c := &x.wide[i]; c.format != "" {
			id := x.num(c.format)
			if cells != nil {
				cells[i].StyleID = id
			}
		}
	}
	return x.style("header"), x.style("code")
}

// longNums are the styles of the long sheet's number formats, made now:
// a goroutine writing the long sheet reads them there, not from x.nums,
// which others may add to meanwhile.
func (x *workbook) longNums() map[string]int {
	nums := map[string]int{}
	for _, q := range x.questions {
		if q.Type.IsNumber() {
			f := x.numberFormat(q)
			nums[f] = x.num(f)
		}
	}
	return nums
}

// longSheet is the long sheet: municipality, question, option, value.
func (x *workbook) longSheet(hs int) *pagedSheet {
	f := x.f
	return &pagedSheet{x: x, sheet: SheetLong, first: 1, next: 1, total: x.longRows, cols: 4,
		start: func(sw *excelize.StreamWriter, _ int) (int, error) {
			if err := setColWidths(sw, eachColumn(16, 24, 22, 40)); err != nil {
				return 0, err
			}
			if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
				Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
				return 0, err
			}
			return 1, sw.SetRow("A1", []any{excelize.Cell{StyleID: hs, Value: x.t("col.municipality")},
				excelize.Cell{StyleID: hs, Value: x.t("col.question")}, excelize.Cell{StyleID: hs, Value: x.t("col.option")},
				excelize.Cell{StyleID: hs, Value: x.t("col.value")}})
		},
		finish: func(_ *excelize.StreamWriter, name string, _, lastRow int) error {
			return f.AutoFilter(name, fmt.Sprintf("A1:D%d", max(lastRow, 2)), nil)
		}}
}
