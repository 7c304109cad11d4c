package reports

import (
	"fmt"
	"strings"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// writeStatus writes the response tracker, restricted to the filter's
// regions and kind (its status filter speaks of responses, not of the
// tracker, so it does not apply), the municipalities in alphabetical order
// of the export's language.
func (x *workbook) writeStatus() {
	if x.err != nil {
		return
	}
	flt := x.opt.Filter
	var list []StatusRow
	for _, s := range x.opt.Status {
		m := s.Municipality
		if (flt.PlanningRegion != "" && m.PlanningRegion != flt.PlanningRegion) ||
			(flt.StatisticalRegion != "" && m.StatisticalRegion != flt.StatisticalRegion) ||
			(flt.Kind != "" && m.Kind != flt.Kind) {
			continue
		}
		list = append(list, s)
	}
	survey.SortByName(list, x.lang, func(s StatusRow) string { return x.muniName(&s.Municipality) })
	keys := []string{"col.municipality", "col.name", "col.planning_region", "col.status", "col.percent", "col.last_activity", "col.reminders"}
	widths := []float64{14, 26, 16, 24, 12, 18, 12}
	if x.opt.Personal {
		keys = append(keys, "col.contacts")
		widths = append(widths, 40)
	}
	if x.err = x.declareRange(SheetStatus, len(keys), 1+len(list)); x.err != nil {
		return
	}
	sw, err := x.f.NewStreamWriter(SheetStatus)
	if err != nil {
		x.err = err
		return
	}
	hs := x.style("header")
	if x.err == nil {
		x.err = setColWidths(sw, eachColumn(widths...))
	}
	if x.err == nil {
		x.err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}})
	}
	head := make([]any, len(keys))
	for i, k := range keys {
		head[i] = excelize.Cell{StyleID: hs, Value: x.t(k)}
	}
	if x.err == nil {
		x.err = sw.SetRow("A1", head)
	}
	row := 1
	pct, dt, in := x.num(x.fmtPercent(0)), x.num(fmtDateTime), x.num(fmtInt)
	for _, s := range list {
		m := s.Municipality
		row++
		vals := []any{m.Code, x.muniName(&m), m.PlanningRegion, x.t("track." + s.Status),
			excelize.Cell{StyleID: pct, Value: s.Percent}, nil, excelize.Cell{StyleID: in, Value: s.RemindersSent}}
		if t := x.wallClock(s.LastActivity); t != nil {
			vals[5] = excelize.Cell{StyleID: dt, Value: t}
		}
		if x.opt.Personal && len(s.Contacts) > 0 {
			vals = append(vals, strings.Join(s.Contacts, "; "))
		}
		if x.err == nil {
			x.err = sw.SetRow(cellName(1, row), vals)
		}
	}
	if x.err == nil {
		x.err = x.f.AutoFilter(SheetStatus, fmt.Sprintf("A1:%s%d", colName(len(keys)), max(row, 2)), nil)
	}
	if x.err == nil {
		x.err = sw.Flush()
	}
}
