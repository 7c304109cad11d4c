package reports

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// WriteFeedbackXLSX writes the report as an Excel workbook: a summary
// sheet, then one sheet per area with the same tables as the HTML and a
// native chart beside each (a number's distribution, a question's shares).
// Every sheet is a normal one (charts on streamed sheets are lost); text
// is always a text cell, never a formula.
func WriteFeedbackXLSX(w io.Writer, f *Feedback) error {
	x := &workbook{ctx: context.Background(), f: excelize.NewFile(), lang: f.Lang, tz: time.UTC, styles: map[string]int{}}
	if x.lang != "en" {
		x.lang = "lv"
	}
	defer x.f.Close()
	fb := &feedbackBook{workbook: x, fb: f, used: map[string][2]int{}, names: map[string]bool{}}
	if err := fb.write(); err != nil {
		return err
	}
	return x.f.Write(w)
}

// feedbackBook is a feedback workbook being written; like workbook, its
// methods record the first error and do nothing after it.
type feedbackBook struct {
	*workbook
	fb *Feedback
	// used is each sheet's extent (columns, rows), declared at the end.
	used  map[string][2]int
	names map[string]bool // sheet names taken, in lower case
	order []string
}

// Layout: the tables take columns A–F, charts stand from column H.
const (
	fbxChartCol    = 8
	fbxChartRows   = 16
	fbxChartWidth  = 480
	fbxChartHeight = 280
)

func (b *feedbackBook) w(key string, args ...any) string { return feedbackWord(b.lang, key, args...) }

// cell writes one cell: strings as text (never a formula), other values
// as they are.
func (b *feedbackBook) cell(sheet string, col, row int, v any, style int) {
	if b.err != nil {
		return
	}
	u := b.used[sheet]
	b.used[sheet] = [2]int{max(u[0], col), max(u[1], row)}
	ref := cellName(col, row)
	if v != nil {
		if s, ok := v.(string); ok {
			b.err = b.f.SetCellStr(sheet, ref, s)
		} else {
			b.err = b.f.SetCellValue(sheet, ref, v)
		}
	}
	if style != 0 && b.err == nil {
		b.err = b.f.SetCellStyle(sheet, ref, ref, style)
	}
}

// sheetName makes an area's title a sheet name: no : \ / ? * [ ], at most
// 31 characters, not starting or ending with an apostrophe, unique.
func (b *feedbackBook) sheetName(title string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return ' '
		}
		return r
	}, title)
	name = strings.Trim(strings.TrimSpace(name), "'")
	cut := func(s string, n int) string {
		for utf8.RuneCountInString(s) > n {
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		}
		return strings.TrimRight(s, " '")
	}
	name = cut(name, 31)
	if name == "" {
		name = "-"
	}
	base := name
	for i := 2; b.names[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		name = cut(base, 31-len(suffix)) + suffix
	}
	b.names[strings.ToLower(name)] = true
	return name
}

func (b *feedbackBook) write() error {
	f := b.f
	summary := b.sheetName(b.w("x.summary"))
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	b.order = append(b.order, summary)
	sheets := make([]string, len(b.fb.Sections))
	for i, s := range b.fb.Sections {
		sheets[i] = b.sheetName(s.Title)
		if _, err := f.NewSheet(sheets[i]); err != nil {
			return err
		}
		b.order = append(b.order, sheets[i])
	}
	b.writeSummary(summary, sheets)
	for i, s := range b.fb.Sections {
		b.writeSection(sheets[i], s)
	}
	for _, sh := range b.order {
		if b.err != nil {
			break
		}
		u := b.used[sh]
		b.err = b.declare(sh, max(u[0], 1), max(u[1], 1))
	}
	if b.err != nil {
		return b.err
	}
	return f.SetDocProps(&excelize.DocProperties{Title: b.w("doc.title", b.fb.Municipality.Name(b.lang)), Creator: "surveyd",
		Language: b.lang, Created: b.fb.Generated.UTC().Format(time.RFC3339), Description: b.fb.Title})
}

// noteWrap is the note style (italic, grey) wrapping in its cell.
func (b *feedbackBook) noteWrap() int {
	const key = "feedback:notewrap"
	if id, ok := b.styles[key]; ok {
		return id
	}
	id, err := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "555555"},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil && b.err == nil {
		b.err = err
	}
	b.styles[key] = id
	return id
}

func (b *feedbackBook) declare(sheet string, cols, rows int) error {
	return b.f.SetSheetDimension(sheet, "A1:"+cellName(cols, rows))
}

func (b *feedbackBook) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		if b.err == nil {
			b.err = b.f.SetColWidth(sheet, colName(i+1), colName(i+1), w)
		}
	}
}

// writeSummary: the municipality, what it is compared with, how to read
// the figures, and per area where it differs from most.
func (b *feedbackBook) writeSummary(sh string, sheets []string) {
	fb := b.fb
	b.widths(sh, 44, 60)
	b.cell(sh, 1, 1, fb.Municipality.Name(b.lang), b.style("title"))
	b.cell(sh, 1, 2, b.w("kind")+" · "+b.w("intro.round", fb.Title, fb.ReferenceYear), 0)
	bold := b.style("bold")
	b.cell(sh, 1, 4, b.w("x.municipality"), bold)
	b.cell(sh, 2, 4, fb.Municipality.Name(b.lang), 0)
	b.cell(sh, 1, 5, b.w("x.region"), bold)
	b.cell(sh, 2, 5, feedbackRegionName(fb.Region, b.lang, true), 0)
	b.cell(sh, 1, 6, b.w("x.respondents"), bold)
	b.cell(sh, 2, 6, b.w("intro.compared", municipalities(fb.Respondents, b.lang), feedbackRegionName(fb.Region, b.lang, true),
		municipalities(fb.RegionRespondents, b.lang)), 0)
	b.cell(sh, 1, 7, b.w("x.generated"), bold)
	b.cell(sh, 2, 7, feedbackWhen(fb.Generated, b.lang), 0)
	row := 9
	for _, key := range []string{"intro.how", "intro.few", "intro.texts"} {
		text := b.w(key)
		if key == "intro.few" {
			text = b.w(key, FeedbackMinGroup)
		}
		b.cell(sh, 1, row, text, b.style("note"))
		row++
	}
	row++
	b.cell(sh, 1, row, b.w("sum.title"), b.style("heading"))
	row++
	if len(fb.Summary) == 0 {
		b.cell(sh, 1, row, b.w("sum.none"), 0)
		return
	}
	b.cell(sh, 1, row, b.w("sum.intro"), 0)
	row += 2
	hdr := b.style("header")
	for _, s := range fb.Summary {
		b.cell(sh, 1, row, s.Title, bold)
		row++
		list := func(key string, lines []FeedbackLine, more int) {
			if len(lines) == 0 {
				return
			}
			b.cell(sh, 1, row, b.w(key), hdr)
			b.cell(sh, 2, row, b.w("x.question"), hdr)
			row++
			for _, l := range lines {
				b.cell(sh, 1, row, l.Text, 0)
				b.cell(sh, 2, row, l.Question, 0)
				row++
			}
			if more > 0 {
				b.cell(sh, 1, row, b.w("sum.more", more, s.Title), b.style("note"))
				row++
			}
		}
		list("sum.ahead", s.Ahead, s.MoreAhead)
		list("sum.behind", s.Behind, s.MoreBehind)
		if len(s.Ahead)+len(s.Behind) == 0 {
			b.cell(sh, 1, row, b.w("sum.alike"), 0)
			row++
		}
		row++
	}
}

// writeSection writes an area's items and publishable texts.
func (b *feedbackBook) writeSection(sh string, s *FeedbackSection) {
	b.widths(sh, 36, 20, 20, 14, 14, 14, 3)
	b.cell(sh, 1, 1, s.Title, b.style("title"))
	row := 3
	for _, it := range s.Items {
		if b.err != nil {
			return
		}
		b.cell(sh, 1, row, it.Title, b.style("heading"))
		b.own(sh, row+1, it)
		if it.Kind == FeedbackChoice {
			row = b.choice(sh, row, it)
		} else {
			row = b.number(sh, row, it)
		}
	}
	for _, t := range s.Texts {
		row = b.texts(sh, row, t)
	}
}

// own writes the municipality's answer (or why there is none), and under
// it its answer in the previous round when there is one.
func (b *feedbackBook) own(sh string, row int, it *FeedbackItem) {
	label := b.w("own")
	if it.Indicator != nil {
		label = b.w("own.indicator")
	}
	b.cell(sh, 1, row, label, b.style("bold"))
	switch {
	case it.State != FeedbackAnswered:
		b.cell(sh, 2, row, it.StateText, b.style("note"))
	case it.Kind == FeedbackChoice:
		b.cell(sh, 2, row, it.OwnText, 0)
	default:
		b.cell(sh, 2, row, it.OwnValue, b.num(b.valueFormat(it, false)))
	}
	if it.PrevText != "" { // under it (a free row above the tables): the answer in the previous round
		key := "prev"
		if it.Indicator != nil {
			key = "prev.indicator"
		}
		b.cell(sh, 1, row+1, b.w(key, it.PrevYear), b.style("bold"))
		b.cell(sh, 2, row+1, it.PrevText, 0)
	}
}

// valueFormat is the number format of an item's values (stat: of its
// quartiles and median).
func (b *feedbackBook) valueFormat(it *FeedbackItem, stat bool) string {
	if it.Indicator != nil {
		return b.indicatorFormat(it.Indicator)
	}
	if stat {
		return b.statFormat(it.Question)
	}
	return b.numberFormat(it.Question)
}

// number writes the groups' figures and the distribution with its chart;
// it returns the next free row.
func (b *feedbackBook) number(sh string, top int, it *FeedbackItem) int {
	row := top + 3
	hdr := b.style("header")
	b.cell(sh, 1, row, b.w("stat.figure"), hdr)
	for g, grp := range it.Groups {
		b.cell(sh, 2+g, row, grp.Name, hdr)
	}
	labels := []string{b.w("stat.n"), b.w("stat.q1"), b.w("stat.median"), b.w("stat.q3")}
	if it.State == FeedbackAnswered {
		labels = append(labels, b.w("stat.standing"))
	}
	sf := b.num(b.valueFormat(it, true))
	for i, l := range labels {
		b.cell(sh, 1, row+1+i, l, b.style("bold"))
	}
	for g, grp := range it.Groups {
		col := 2 + g
		if !grp.Shown {
			b.cell(sh, col, row+1, grp.Note, b.noteWrap())
			continue
		}
		b.cell(sh, col, row+1, grp.N, b.num(fmtInt))
		b.cell(sh, col, row+2, grp.Q1, sf)
		b.cell(sh, col, row+3, grp.Median, sf)
		b.cell(sh, col, row+4, grp.Q3, sf)
		if it.State == FeedbackAnswered {
			b.cell(sh, col, row+5, grp.Standing, b.style("wrap"))
		}
	}
	row += len(labels) + 2
	if len(it.Bins) == 0 {
		return row + 1
	}
	b.cell(sh, 1, row, b.w("chart.interval"), hdr)
	series := []string{b.w("group.all")}
	if it.Split {
		series = []string{it.Groups[1].Name, feedbackWord(b.lang, "chart.others")}
	}
	for i, s := range series {
		b.cell(sh, 2+i, row, s, hdr)
	}
	head := row
	nf := b.num(fmtInt)
	for _, bn := range it.Bins {
		row++
		label := bn.Label
		if bn.Own { // in the chart's categories too
			label += " " + b.w("x.own.bin")
		}
		b.cell(sh, 1, row, label, 0)
		if it.Split {
			b.cell(sh, 2, row, bn.Region, nf)
			b.cell(sh, 3, row, bn.Count-bn.Region, nf)
		} else {
			b.cell(sh, 2, row, bn.Count, nf)
		}
	}
	ch := &excelize.Chart{Type: excelize.Col}
	if it.Split {
		ch.Type = excelize.ColStacked
	}
	for i := range series {
		ch.Series = append(ch.Series, excelize.ChartSeries{Name: fmt.Sprintf("%s!$%s$%d", quoteSheet(sh), colName(2+i), head),
			Categories: columnRange(sh, 1, head+1, row), Values: columnRange(sh, 2+i, head+1, row)})
	}
	b.chart(sh, top, it.ChartTitle, ch)
	return max(row+2, top+fbxChartRows+1)
}

// choice writes the options with the own choice marked and each group's
// count and share, a bar chart of the shares, and the sentences; it
// returns the next free row.
func (b *feedbackBook) choice(sh string, top int, it *FeedbackItem) int {
	row := top + 3
	hdr := b.style("header")
	b.cell(sh, 1, row, b.w("choice.option"), hdr)
	b.cell(sh, 2, row, b.w("choice.own"), hdr)
	for g, grp := range it.Groups {
		name := grp.Name
		if grp.Shown {
			name = b.w("choice.group", grp.Name, grp.N)
		}
		b.cell(sh, 3+2*g, row, b.w("x.count", name), hdr)
		b.cell(sh, 4+2*g, row, b.w("x.pct", name), hdr)
	}
	if b.err == nil {
		b.err = b.f.SetRowHeight(sh, row, 45)
	}
	head := row
	nf, pf := b.num(fmtInt), b.num(b.fmtPercent(1))
	for i, o := range it.Options {
		row++
		b.cell(sh, 1, row, o.Label, 0)
		if o.Own {
			b.cell(sh, 2, row, b.w("x.mark"), b.style("bold"))
		}
		for g, grp := range it.Groups {
			switch {
			case grp.Shown:
				b.cell(sh, 3+2*g, row, o.Counts[g], nf)
				b.cell(sh, 4+2*g, row, o.Percents[g], pf)
			case i == 0:
				b.cell(sh, 3+2*g, row, grp.Note, b.style("note"))
			}
		}
	}
	var ch excelize.Chart
	ch.Type = excelize.Bar
	for g, grp := range it.Groups {
		if grp.Shown {
			ch.Series = append(ch.Series, excelize.ChartSeries{Name: fmt.Sprintf("%s!$%s$%d", quoteSheet(sh), colName(4+2*g), head),
				Categories: columnRange(sh, 1, head+1, row), Values: columnRange(sh, 4+2*g, head+1, row)})
		}
	}
	if len(ch.Series) > 0 && len(it.Options) > 0 {
		b.chart(sh, top, b.w("choice.caption", it.Title), &ch)
	}
	row++
	for _, s := range it.Sentences {
		row++
		b.cell(sh, 1, row, s, 0)
	}
	if len(ch.Series) == 0 {
		return row + 2
	}
	return max(row+2, top+fbxChartRows+1)
}

// texts writes a publishable question's answers by municipality.
func (b *feedbackBook) texts(sh string, row int, t *FeedbackTexts) int {
	b.cell(sh, 1, row, t.Question, b.style("heading"))
	row++
	b.cell(sh, 1, row, b.w("texts.note"), b.style("note"))
	row++
	if len(t.Answers) == 0 {
		b.cell(sh, 1, row, b.w("texts.none"), 0)
		return row + 2
	}
	hdr := b.style("header")
	b.cell(sh, 1, row, b.w("x.municipality"), hdr)
	b.cell(sh, 2, row, b.w("x.texts"), hdr)
	if b.err == nil {
		b.err = b.f.MergeCell(sh, cellName(2, row), cellName(6, row))
	}
	wrap := b.style("wrap")
	for _, a := range t.Answers {
		row++
		name := a.Municipality
		if a.Own {
			name += " (" + b.w("texts.own") + ")"
		}
		b.cell(sh, 1, row, name, b.style("bold"))
		b.cell(sh, 2, row, a.Text, wrap)
		if b.err == nil {
			b.err = b.f.MergeCell(sh, cellName(2, row), cellName(6, row))
		}
		// Merged cells do not grow with their text: about 90 characters
		// fit on a line of B–F.
		lines := 0
		for _, para := range strings.Split(a.Text, "\n") {
			lines += max(1, (utf8.RuneCountInString(para)+89)/90)
		}
		if b.err == nil && lines > 1 {
			b.err = b.f.SetRowHeight(sh, row, min(15*float64(lines), 409))
		}
	}
	return row + 2
}

// chart puts a chart beside the item that starts at row top.
func (b *feedbackBook) chart(sh string, top int, title string, ch *excelize.Chart) {
	if b.err != nil {
		return
	}
	styleChart(ch, title, fbxChartWidth, fbxChartHeight)
	if ch.Type == excelize.Bar { // shares of respondents, in %
		hundred := 100.0
		ch.YAxis.Maximum = &hundred
	}
	b.err = b.f.AddChart(sh, cellName(fbxChartCol, top), ch)
	if u := b.used[sh]; b.err == nil {
		b.used[sh] = [2]int{u[0], max(u[1], top)}
	}
}
