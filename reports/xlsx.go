package reports

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// XLSXContentType is the media type of the workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// The workbook's sheets, in order. Their names are Latvian whatever the
// language of the content.
const (
	SheetSummary  = "Kopsavilkums"
	SheetWide     = "Atbildes"
	SheetLong     = "Atbildes (garā forma)"
	SheetCodebook = "Kodu grāmata"
	SheetStatus   = "Statuss"
)

// XLSXOptions says what goes into the workbook.
type XLSXOptions struct {
	// Lang is the language of the content: "lv" (default) or "en".
	Lang string
	// Personal includes personal data: the answers to personal questions
	// and the contacts (a coordinator's export). A viewer's export never
	// has them, whatever the Source yields.
	Personal bool
	// Filter selects the responses.
	Filter Filter
	// Status is the response tracker for the status sheet (every
	// municipality of the round); the filter's regions and kind apply.
	Status []StatusRow
	// Title heads the summary; default the definition's title in Lang.
	Title string
	// Round describes the round under the title (e.g. its slug and dates).
	Round string
	// Generated is when the workbook was made (default now), shown on the
	// summary and in the document properties.
	Generated time.Time
	// TimeZone of the dates written (default UTC): spreadsheet dates have
	// none, so they are written as wall-clock time there.
	TimeZone *time.Location
}

// StatusRow is one municipality's standing in the round for the status
// sheet (the response tracker).
type StatusRow struct {
	Municipality domain.Municipality
	// Status is the tracker's: no_link, link_created, invited, opened,
	// draft, returned or submitted.
	Status string
	// Percent is the share of shown questions answered, 0–100.
	Percent       int
	LastActivity  *time.Time
	RemindersSent int
	// Contacts are personal data: written only when Personal.
	Contacts []string
}

// WriteXLSX writes the round's Excel workbook: a summary with native
// charts, the responses wide and long, the codebook and the tracker. It
// calls src twice — once to aggregate, once to stream the data sheets — and
// keeps no rows: memory grows with the aggregates (the numbers behind the
// quartiles), not with the responses. The data sheets are written with
// excelize's StreamWriter, which moves to a temporary file past 16 MB; the
// finished file is assembled in memory by excelize before it reaches w.
func WriteXLSX(w io.Writer, def *survey.Definition, src Source, opt XLSXOptions) error {
	return WriteXLSXContext(context.Background(), w, def, src, opt)
}

// WriteXLSXContext is WriteXLSX that stops when ctx is done: it looks at
// ctx between rows, between the questions of the summary and the codebook,
// between runs of column widths, between sheets and between the parts of
// the file as it is assembled, and then returns ctx's error. Nothing
// reaches w after that: the file is assembled in memory before its first
// byte goes out.
func WriteXLSXContext(ctx context.Context, w io.Writer, def *survey.Definition, src Source, opt XLSXOptions) error {
	x, err := newWorkbook(def, opt)
	if err != nil {
		return err
	}
	defer x.f.Close()
	x.ctx = ctx
	if err := x.build(src); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	x.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &ctxZip{ctx: ctx, zw: zip.NewWriter(w)} })
	return x.f.Write(w)
}

// ctxZip assembles the file, failing once ctx is done (excelize then stops).
type ctxZip struct {
	ctx context.Context
	zw  *zip.Writer
}

func (z *ctxZip) Create(name string) (io.Writer, error) {
	if err := z.ctx.Err(); err != nil {
		return nil, err
	}
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	return ctxWriter{z.ctx, w}, nil
}

func (z *ctxZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }
func (z *ctxZip) Close() error           { return z.zw.Close() }

// ctxWriter writes until ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// stopped records ctx's error, once it is done, as the workbook's error.
func (x *workbook) stopped() bool {
	if x.err == nil {
		x.err = x.ctx.Err()
	}
	return x.err != nil
}

// workbook is one workbook being written. Methods record the first error
// in err and do nothing after it, so the writing code reads straight.
type workbook struct {
	ctx       context.Context // looked at between rows, questions and sheets
	f         *excelize.File
	def       *survey.Definition
	opt       XLSXOptions
	lang      string
	tz        *time.Location
	questions []*survey.Question // in the export: personal ones only when Personal
	wide      []wideColumn
	styles    map[string]int
	// textWidth is the longest text seen per wide column (pass 1).
	textWidth []int
	// kept and longRows count the responses and the answer values of the
	// data sheets (pass 1), so each sheet can declare its used range
	// before its rows stream out.
	kept, longRows int
	// summaryCols and summaryRows are the extent of the summary's cells.
	summaryCols, summaryRows int
	err                      error
}

func newWorkbook(def *survey.Definition, opt XLSXOptions) (*workbook, error) {
	if def == nil {
		return nil, errors.New("reports: no definition")
	}
	x := &workbook{ctx: context.Background(), f: excelize.NewFile(), def: def, opt: opt, lang: "lv", tz: opt.TimeZone,
		styles: map[string]int{}}
	if opt.Lang == "en" {
		x.lang = "en"
	}
	if x.tz == nil {
		x.tz = time.UTC
	}
	if x.opt.Generated.IsZero() {
		x.opt.Generated = time.Now()
	}
	if x.opt.Title == "" {
		x.opt.Title = def.Title.In(x.lang)
	}
	for _, q := range def.Questions() {
		if !q.Personal || opt.Personal {
			x.questions = append(x.questions, q)
		}
	}
	x.buildWideColumns()
	x.textWidth = make([]int, len(x.wide))
	return x, nil
}

func (x *workbook) build(src Source) error {
	f := x.f
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, name := range []string{SheetWide, SheetLong, SheetCodebook, SheetStatus} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	// Now, while every sheet is empty: SetActiveSheet reads every
	// worksheet, and for a streamed one that means decoding all its rows.
	f.SetActiveSheet(0)
	if x.stopped() {
		return x.err
	}
	// Pass 1: the aggregates (and the widths of text columns).
	sum, err := Aggregate(x.def, x.observe(src()), x.opt.Filter)
	if err != nil {
		return err
	}
	x.writeSummary(sum)
	if x.err == nil {
		x.err = x.declareRange(SheetSummary, max(x.summaryCols, 1), max(x.summaryRows, 1))
	}
	if x.err != nil {
		return x.err
	}
	// Pass 2: both data sheets from one pass.
	if x.stopped() {
		return x.err
	}
	if err := x.writeData(src()); err != nil {
		return err
	}
	if !x.stopped() {
		x.writeCodebook()
	}
	if !x.stopped() {
		x.writeStatus()
	}
	if x.stopped() {
		return x.err
	}
	return f.SetDocProps(&excelize.DocProperties{Title: x.opt.Title, Creator: "surveyd", Language: x.lang,
		Created: x.opt.Generated.UTC().Format(time.RFC3339), Description: x.opt.Round})
}

// observe passes the rows on to Aggregate and notes what the data sheets
// need before their first row: the column widths and how many rows they
// will have.
func (x *workbook) observe(rows Rows) Rows {
	count := func(string, string, any, string) error { x.longRows++; return nil }
	return func(yield func(Row, error) bool) {
		for r, err := range rows {
			if err == nil {
				err = x.ctx.Err()
			}
			if err == nil && x.opt.Filter.Keep(r) {
				x.kept++
				_ = x.longValues(&r, count)
				for i := range x.wide {
					if n := x.wide[i].textLen(x, &r); n > x.textWidth[i] {
						x.textWidth[i] = n
					}
				}
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

// ---------------------------------------------------------------------
// Wording

var xlsxWords = map[string][2]string{
	"col.municipality":       {"Pašvaldības kods", "Municipality code"},
	"col.name":               {"Pašvaldība", "Municipality"},
	"col.kind":               {"Veids", "Kind"},
	"col.planning_region":    {"Plānošanas reģions", "Planning region"},
	"col.statistical_region": {"Statistiskais reģions", "Statistical region"},
	"col.status":             {"Statuss", "Status"},
	"col.submitted_at":       {"Iesniegšanas laiks", "Submitted at"},
	"col.contacts":           {"Kontaktpersonas (e-pasti)", "Contacts (e-mail)"},
	"col.other_text":         {"Cits: teksts", "Other: text"},
	"col.question":           {"Jautājuma kods", "Question code"},
	"col.option":             {"Atbildes varianta kods", "Option code"},
	"col.value":              {"Vērtība", "Value"},
	"col.percent":            {"Aizpildīts, %", "Complete, %"},
	"col.last_activity":      {"Pēdējā aktivitāte", "Last activity"},
	"col.reminders":          {"Nosūtīti atgādinājumi", "Reminders sent"},

	"cb.code":       {"Kods", "Code"},
	"cb.section":    {"Sadaļa", "Section"},
	"cb.text_lv":    {"Teksts (latviski)", "Text (Latvian)"},
	"cb.text_en":    {"Teksts (angliski)", "Text (English)"},
	"cb.type":       {"Tips", "Type"},
	"cb.options":    {"Atbilžu varianti (kods = teksts)", "Options (code = label)"},
	"cb.show_if":    {"Nosacījums (show_if)", "Condition (show_if)"},
	"cb.limits":     {"Ierobežojumi", "Limits"},
	"cb.personal":   {"Personas dati", "Personal data"},
	"cb.indicator":  {"indikators", "indicator"},
	"cb.required":   {"obligāts", "required"},
	"cb.decimals":   {"zīmes aiz komata", "decimal places"},
	"cb.max_length": {"līdz %d rakstzīmēm", "up to %d characters"},
	"cb.pattern":    {"šablons", "pattern"},
	"cb.formula":    {"formula", "formula"},
	"cb.unit":       {"mērvienība", "unit"},
	"cb.exclusive":  {"izslēdz citus", "excludes others"},
	"cb.other_text": {"teksts laukā %s", "text in %s"},
	"cb.yes":        {"jā", "yes"},

	"sum.generated":     {"Izveidots", "Generated"},
	"sum.selection":     {"Atlase", "Selection"},
	"sum.responses":     {"Atbilžu skaits", "Responses"},
	"sum.reference":     {"pārskata gads %d", "reference year %d"},
	"sum.note":          {"Procenti ir skaitļi no 0 līdz 100 (12,5 nozīmē 12,5\u00a0%). Daudzizvēles jautājumos % ir no atbildējušajiem, tāpēc kopā var pārsniegt 100.", "Percentages are numbers from 0 to 100 (12.5 means 12.5%). For multiple-choice questions % is of those who answered, so they may sum past 100."},
	"sum.indicators":    {"Rādītāji", "Indicators"},
	"sum.regions":       {"Plānošanas reģioni: rādītāju vidējās vērtības", "Planning regions: indicator means"},
	"sum.region":        {"Plānošanas reģions", "Planning region"},
	"sum.indicator":     {"Rādītājs", "Indicator"},
	"sum.unit":          {"Mērv.", "Unit"},
	"sum.answered":      {"Atbildēja", "Answered"},
	"sum.not_shown":     {"Nav attiecināms (jautājums netika rādīts)", "Not applicable (question not shown)"},
	"sum.missing":       {"Nav atbildes", "No answer"},
	"sum.code":          {"Kods", "Code"},
	"sum.answer":        {"Atbilde", "Answer"},
	"sum.count":         {"Skaits", "Count"},
	"sum.pct":           {"% no atbildējušajiem", "% of those answering"},
	"sum.chosen":        {"Izvēlējās", "Chose"},
	"sum.not_chosen":    {"Neizvēlējās", "Did not choose"},
	"sum.stat":          {"Statistika", "Statistic"},
	"sum.value":         {"Vērtība", "Value"},
	"sum.n":             {"n (atbilžu skaits)", "n (answers)"},
	"sum.sum":           {"Summa", "Sum"},
	"sum.mean":          {"Vidējais", "Mean"},
	"sum.min":           {"Minimums", "Minimum"},
	"sum.q1":            {"1. kvartile", "First quartile"},
	"sum.median":        {"Mediāna", "Median"},
	"sum.q3":            {"3. kvartile", "Third quartile"},
	"sum.max":           {"Maksimums", "Maximum"},
	"sum.from":          {"No", "From"},
	"sum.interval":      {"Intervāls", "Interval"},
	"sum.distribution":  {"sadalījums", "distribution"},
	"sum.all_submitted": {"visas iesniegtās atbildes", "all submitted responses"},

	"yes": {"Jā", "Yes"},
	"no":  {"Nē", "No"},

	"kind.valstspilseta": {"valstspilsēta", "state city"},
	"kind.novads":        {"novads", "municipality"},

	"status.none":      {"Nav atbilžu", "No answers"},
	"status.draft":     {"Aizpilda", "Filling in"},
	"status.submitted": {"Iesniegusi", "Submitted"},
	"status.returned":  {"Atgriezta labošanai", "Returned for correction"},

	"track.no_link":      {"Nav saites", "No link"},
	"track.link_created": {"Saite izveidota, nav nosūtīta", "Link created, not sent"},
	"track.invited":      {"Uzaicinājums nosūtīts", "Invitation sent"},
	"track.opened":       {"Atvērusi saiti", "Opened the link"},
	"track.draft":        {"Aizpilda", "Filling in"},
	"track.submitted":    {"Iesniegusi", "Submitted"},
	"track.returned":     {"Atgriezta labošanai", "Returned for correction"},
}

// t returns the wording in the workbook's language; an unknown key is
// returned as it is after its prefix (a status or kind code nobody named).
func (x *workbook) t(key string, args ...any) string {
	w, ok := xlsxWords[key]
	if !ok {
		if _, rest, found := strings.Cut(key, "."); found {
			return rest
		}
		return key
	}
	s := w[0]
	if x.lang == "en" {
		s = w[1]
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}
