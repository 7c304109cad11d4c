package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// xlsxDef has one question of each kind the workbook treats differently,
// two personal ones, a condition and an indicator.
const xlsxDef = `format: 1
slug: xlsx-test
title: {lv: Darbgrāmatas tests, en: Workbook test}
reference_year: 2025
sections:
  - code: resp
    title: {lv: Respondents, en: Respondent}
    questions:
      - {code: resp_name, type: text, personal: true, text: {lv: Vārds, en: Name}}
      - {code: resp_email, type: email, personal: true, text: {lv: E-pasts, en: E-mail}}
      - {code: population, type: int, min: 1, text: {lv: Iedzīvotāji, en: Population}}
  - code: ngo
    title: {lv: Atbalsts, en: Support}
    questions:
      - code: rules
        type: single
        required: true
        other: true
        text: {lv: Kārtība, en: Rules}
        options:
          - {code: adopted, text: {lv: Pieņemta, en: Adopted}}
          - {code: drafting, text: {lv: Tiek izstrādāta, en: Being drafted}}
          - {code: none, text: {lv: Nav, en: None}}
      - code: forms
        type: multi
        other: true
        text: {lv: Veidi, en: Forms}
        options:
          - {code: grants, text: {lv: Granti, en: Grants}}
          - {code: premises, text: {lv: Telpas, en: Premises}}
          - {code: none, exclusive: true, text: {lv: Nekas, en: Nothing}}
      - {code: support, type: money, min: 0, show_if: "rules = 'adopted'", text: {lv: Atbalsts EUR, en: Support EUR}}
      - {code: share, type: percent, decimals: 1, text: {lv: Daļa, en: Share}}
      - {code: meetings, type: decimal, decimals: 1, min: 0, max: 52, text: {lv: Sēdes, en: Meetings}}
      - {code: since, type: year, min: 2010, max: reference_year, text: {lv: Kopš, en: Since}}
      - {code: council, type: yesno, text: {lv: Padome, en: Council}}
      - {code: note, type: longtext, text: {lv: Piezīme, en: Note}}
indicators:
  - {code: per_resident, formula: "support / population", unit: EUR, decimals: 2, text: {lv: EUR uz iedzīvotāju, en: EUR per resident}}
`

var riga = func() *time.Location { l, _ := time.LoadLocation("Europe/Riga"); return l }()

// xlsxRows: three submitted responses (a and b in Vidzemes, c in
// Kurzemes) and a draft that the default filter leaves out.
func xlsxRows(t testing.TB) (*survey.Definition, []Row) {
	t.Helper()
	def, err := survey.Parse([]byte(xlsxDef), "xlsx-test")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	row := func(code, name, region, kind, status string, sub *time.Time, contacts []string, answers string) Row {
		a, err := survey.DecodeAnswers([]byte(answers))
		if err != nil {
			t.Fatal(err)
		}
		return Row{Municipality: domain.Municipality{Code: code, NameLV: name, NameEN: name + " EN", Kind: kind,
			PlanningRegion: region, StatisticalRegion: region}, Status: status, SubmittedAt: sub, UpdatedAt: sub,
			Answers: a, Contacts: contacts}
	}
	return def, []Row{
		row("a", "Ādaži", "Vidzemes", "novads", domain.StatusSubmitted, at("2026-11-20T10:30:00Z"), []string{"kontakts@a.lv"},
			`{"resp_name":"Anna Ozola","resp_email":"anna@a.lv","population":1000,"rules":"adopted",
			"forms":["grants","premises"],"support":5000.5,"share":12.5,"meetings":4.5,"since":2019,"council":true,
			"note":"=HYPERLINK(\"http://x\",\"y\")"}`),
		row("b", "Balvi", "Vidzemes", "novads", domain.StatusSubmitted, at("2026-11-21T08:00:00Z"), nil,
			`{"population":3000,"rules":"other","rules_other":"+371 2000","forms":["grants","other"],
			"forms_other":"-5 minus","share":7,"since":2024,"council":false,"note":"@home"}`),
		row("c", "Cēsis", "Kurzemes", "valstspilseta", domain.StatusSubmitted, at("2026-11-22T12:00:00Z"), nil,
			`{"population":20000,"rules":"none","forms":["none"],"meetings":12,"since":2019,"council":true,
			"note":"1. <b>Tom & \"Jerry\"</b>\n2. otrā rinda"}`),
		row("d", "Dobele", "Vidzemes", "novads", domain.StatusDraft, nil, []string{"draft@d.lv"},
			`{"resp_name":"Drafts Melnrakstis","population":500,"rules":"adopted"}`),
	}
}

func sliceSource(rows []Row, calls *int) Source {
	return func() Rows {
		if calls != nil {
			*calls++
		}
		return func(yield func(Row, error) bool) {
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

var xlsxStatus = []StatusRow{
	{Municipality: domain.Municipality{Code: "a", NameLV: "Ādaži", PlanningRegion: "Vidzemes", StatisticalRegion: "Vidzemes", Kind: "novads"},
		Status: "submitted", Percent: 100, LastActivity: func() *time.Time { t := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC); return &t }(),
		RemindersSent: 1, Contacts: []string{"kontakts@a.lv"}},
	{Municipality: domain.Municipality{Code: "c", NameLV: "Cēsis", PlanningRegion: "Kurzemes", StatisticalRegion: "Kurzemes", Kind: "valstspilseta"},
		Status: "submitted", Percent: 95},
	{Municipality: domain.Municipality{Code: "z", NameLV: "Zilupe", PlanningRegion: "Latgales", StatisticalRegion: "Latgales", Kind: "novads"},
		Status: "no_link", Contacts: []string{"zilupe@z.lv"}},
}

var generated = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// book writes the workbook and opens it; it returns the file's bytes too.
func book(t *testing.T, opt XLSXOptions) (*excelize.File, []byte) {
	t.Helper()
	def, rows := xlsxRows(t)
	if opt.Generated.IsZero() {
		opt.Generated = generated
	}
	if opt.TimeZone == nil {
		opt.TimeZone = riga
	}
	calls := 0
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, def, sliceSource(rows, &calls), opt); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("the source was read %d times, want 1 (aggregate, then stream the rows kept: rowMemo)", calls)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// sheetTable is a sheet's cells by row, and the wide sheet's columns by
// their code in row 2.
type sheetTable struct {
	t     *testing.T
	f     *excelize.File
	sheet string
	cols  map[string]int // code → column number (wide sheet)
}

func wideTable(t *testing.T, f *excelize.File) *sheetTable {
	t.Helper()
	rows, err := f.GetRows(SheetWide)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 {
		t.Fatalf("wide sheet has %d rows", len(rows))
	}
	st := &sheetTable{t: t, f: f, sheet: SheetWide, cols: map[string]int{}}
	for i, code := range rows[1] {
		if _, dup := st.cols[code]; dup {
			t.Errorf("column code %q twice", code)
		}
		st.cols[code] = i + 1
	}
	return st
}

func (st *sheetTable) ref(code string, row int) string {
	st.t.Helper()
	col, ok := st.cols[code]
	if !ok {
		st.t.Fatalf("no column %q in %s", code, st.sheet)
	}
	return cellName(col, row)
}

func (st *sheetTable) value(code string, row int) string {
	st.t.Helper()
	v, err := st.f.GetCellValue(st.sheet, st.ref(code, row))
	if err != nil {
		st.t.Fatal(err)
	}
	return v
}

func (st *sheetTable) raw(code string, row int) string {
	st.t.Helper()
	v, err := st.f.GetCellValue(st.sheet, st.ref(code, row), excelize.Options{RawCellValue: true})
	if err != nil {
		st.t.Fatal(err)
	}
	return v
}

// number asserts a numeric cell (no type attribute or t="n") and returns
// its value.
func (st *sheetTable) number(code string, row int) float64 {
	st.t.Helper()
	ref := st.ref(code, row)
	typ, err := st.f.GetCellType(st.sheet, ref)
	if err != nil {
		st.t.Fatal(err)
	}
	raw := st.raw(code, row)
	v, perr := strconv.ParseFloat(raw, 64)
	if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || perr != nil {
		st.t.Fatalf("%s!%s (%s) is not a number: type %v, value %q", st.sheet, ref, code, typ, raw)
	}
	return v
}

// numFmt is the custom number format of a cell.
func (st *sheetTable) numFmt(code string, row int) string {
	st.t.Helper()
	return cellNumFmt(st.t, st.f, st.sheet, st.ref(code, row))
}

func cellNumFmt(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if s.CustomNumFmt == nil {
		return ""
	}
	return *s.CustomNumFmt
}

func TestWorkbookSheets(t *testing.T) {
	t.Parallel()
	f, _ := book(t, XLSXOptions{})
	want := []string{"Kopsavilkums", "Atbildes", "Atbildes (garā forma)", "Kodu grāmata", "Statuss"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	for _, name := range want {
		if len([]rune(name)) > 31 || strings.ContainsAny(name, `[]:*?/\`) {
			t.Errorf("sheet name %q is not allowed in Excel", name)
		}
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want the summary", f.GetActiveSheetIndex())
	}
}

func TestWorkbookWideSheet(t *testing.T) {
	t.Parallel()
	f, _ := book(t, XLSXOptions{Personal: true, Status: xlsxStatus})
	w := wideTable(t, f)
	rows, _ := f.GetRows(SheetWide)
	// Header rows: texts, then codes; the leading columns first.
	wantCodes := []string{"municipality", "municipality_name", "kind", "planning_region", "statistical_region", "status",
		"submitted_at", "contacts", "resp_name", "resp_email", "population", "rules", "rules_other", "forms",
		"forms:grants", "forms:premises", "forms:none", "forms:other", "forms_other", "support", "share", "meetings",
		"since", "council", "note", "per_resident"}
	if !slices.Equal(rows[1], wantCodes) {
		t.Fatalf("codes row\n got %q\nwant %q", rows[1], wantCodes)
	}
	wantHead := map[string]string{"municipality": "Pašvaldības kods", "municipality_name": "Pašvaldība",
		"submitted_at": "Iesniegšanas laiks", "population": "Iedzīvotāji", "rules": "Kārtība", "forms": "Veidi",
		"forms:premises": "Telpas", "council": "Padome", "per_resident": "EUR uz iedzīvotāju"}
	for code, want := range wantHead {
		if got := w.value(code, 1); got != want {
			t.Errorf("header of %s: %q, want %q", code, got, want)
		}
	}
	// One row per submitted response (the draft is left out), in order.
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 2 header rows and 3 responses", len(rows))
	}
	for i, code := range []string{"a", "b", "c"} {
		if got := w.value("municipality", 3+i); got != code {
			t.Errorf("row %d: %q, want %q", 3+i, got, code)
		}
	}
	// Leading columns in words.
	for code, want := range map[string]string{"municipality_name": "Ādaži", "kind": "novads", "planning_region": "Vidzemes",
		"status": "Iesniegusi", "contacts": "kontakts@a.lv"} {
		if got := w.value(code, 3); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
	if got := w.value("kind", 5); got != "valstspilsēta" {
		t.Errorf("kind of c: %q", got)
	}

	// Dates are numbers with a date format, in the export's time zone.
	sub := w.number("submitted_at", 3)
	if nf := w.numFmt("submitted_at", 3); !strings.Contains(nf, "yyyy") || !strings.Contains(nf, "hh:mm") {
		t.Errorf("submitted_at number format %q", nf)
	}
	if got := w.value("submitted_at", 3); got != "2026-11-20 12:30" {
		t.Errorf("submitted_at shown as %q, want 2026-11-20 12:30 (Riga time)", got)
	}
	if want := 46346.0 + 12.5/24; sub < want-1e-6 || sub > want+1e-6 {
		t.Errorf("submitted_at serial %v, want %v", sub, want)
	}

	// Numbers are numbers, with their formats.
	for _, c := range []struct {
		code   string
		row    int
		want   float64
		format string
	}{
		{"population", 3, 1000, "#,##0"},
		{"population", 5, 20000, "#,##0"},
		{"support", 3, 5000.5, "#,##0.00\"\u00a0EUR\""},
		{"share", 3, 12.5, "0.0\"\u00a0%\""},
		{"share", 4, 7, "0.0\"\u00a0%\""},
		{"meetings", 5, 12, "#,##0.0"},
		{"since", 4, 2024, "0"},
		{"per_resident", 3, 5.0005, "#,##0.00\"\u00a0EUR\""},
	} {
		if got := w.number(c.code, c.row); got != c.want {
			t.Errorf("%s row %d: %v, want %v", c.code, c.row, got, c.want)
		}
		if got := w.numFmt(c.code, c.row); got != c.format {
			t.Errorf("%s number format %q, want %q", c.code, got, c.format)
		}
	}
	if got := w.raw("population", 3); got != "1000" {
		t.Errorf("an integer is stored as %q", got)
	}

	// Choice answers as labels; multiple choice joined, and 0/1 per option.
	for _, c := range []struct{ code, a, b, c string }{
		{"rules", "Pieņemta", "Cits", "Nav"}, // a category, not the form's "Cits (norādiet)"
		{"rules_other", "", "+371 2000", ""},
		{"forms", "Granti; Telpas", "Granti; Cits", "Nekas"},
		{"forms_other", "", "-5 minus", ""},
		{"council", "Jā", "Nē", "Jā"},
		{"support", "5,000.50\u00a0EUR", "", ""}, // as excelize formats it; Excel groups by the reader's locale
	} {
		for i, want := range []string{c.a, c.b, c.c} {
			if got := w.value(c.code, 3+i); got != want {
				t.Errorf("%s row %d: %q, want %q", c.code, 3+i, got, want)
			}
		}
	}
	for _, c := range []struct {
		code    string
		a, b, c float64
	}{{"forms:grants", 1, 1, 0}, {"forms:premises", 1, 0, 0}, {"forms:none", 0, 0, 1}, {"forms:other", 0, 1, 0}} {
		for i, want := range []float64{c.a, c.b, c.c} {
			if got := w.number(c.code, 3+i); got != want {
				t.Errorf("%s row %d: %v, want %v", c.code, 3+i, got, want)
			}
		}
	}
	// Not shown or not answered: empty, not 0.
	if got := w.raw("support", 4); got != "" {
		t.Errorf("support of b (not shown): %q", got)
	}

	// Formula-looking text is text: an inline string, no formula.
	for _, c := range []struct {
		code string
		row  int
		want string
	}{{"note", 3, `=HYPERLINK("http://x","y")`}, {"rules_other", 4, "+371 2000"}, {"note", 4, "@home"}, {"forms_other", 4, "-5 minus"},
		{"note", 5, "1. <b>Tom & \"Jerry\"</b>\n2. otrā rinda"}} {
		ref := w.ref(c.code, c.row)
		typ, _ := f.GetCellType(SheetWide, ref)
		formula, err := f.GetCellFormula(SheetWide, ref)
		if err != nil || formula != "" || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
			t.Errorf("%s (%s): type %v, formula %q, %v; want a text cell without formula", ref, c.code, typ, formula, err)
		}
		if got := w.value(c.code, c.row); got != c.want {
			t.Errorf("%s: %q, want %q", ref, got, c.want)
		}
	}

	// Freeze panes below the headers and after the name; an autofilter on
	// the code row over every response.
	panes, err := f.GetPanes(SheetWide)
	if err != nil || !panes.Freeze || panes.XSplit != 2 || panes.YSplit != 2 || panes.TopLeftCell != "C3" {
		t.Errorf("panes %+v %v", panes, err)
	}
	names := f.GetDefinedName()
	var filter string
	for _, n := range names {
		if n.Name == "_xlnm._FilterDatabase" && n.Scope == SheetWide {
			filter = n.RefersTo
		}
	}
	if want := "'Atbildes'!$A$2:$" + colName(len(wantCodes)) + "$5"; strings.ReplaceAll(filter, "$", "") != strings.ReplaceAll(want, "$", "") {
		t.Errorf("autofilter %q, want %q", filter, want)
	}
	// Widths: the text column grew to its longest answer, the name column is readable.
	if wd, _ := f.GetColWidth(SheetWide, colName(w.cols["note"])); wd < 26 {
		t.Errorf("note column width %v", wd)
	}
}

func TestWorkbookLongSheet(t *testing.T) {
	t.Parallel()
	f, _ := book(t, XLSXOptions{Personal: true})
	rows, err := f.GetRows(SheetLong)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], "|"); got != "Pašvaldības kods|Jautājuma kods|Atbildes varianta kods|Vērtība" {
		t.Fatalf("header %q", got)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join(append(r, make([]string, 4-len(r))...), "|"))
	}
	want := []string{
		"a|resp_name||Anna Ozola", "a|resp_email||anna@a.lv", "a|population||1,000", "a|rules|adopted|Pieņemta",
		"a|forms|grants|Granti", "a|forms|premises|Telpas", "a|support||5,000.50\u00a0EUR", "a|share||12.5\u00a0%",
		"a|meetings||4.5", "a|since||2019", "a|council|true|Jā", `a|note||=HYPERLINK("http://x","y")`,
		"b|population||3,000", "b|rules|other|Cits", "b|rules_other||+371 2000", "b|forms|grants|Granti",
		"b|forms|other|Cits", "b|forms_other||-5 minus", "b|share||7.0\u00a0%", "b|since||2024",
		"b|council|false|Nē", "b|note||@home",
		"c|population||20,000", "c|rules|none|Nav", "c|forms|none|Nekas", "c|meetings||12.0", "c|since||2019", "c|council|true|Jā",
		"c|note||1. <b>Tom & \"Jerry\"</b>\n2. otrā rinda",
	}
	if !slices.Equal(got, want) {
		t.Errorf("long sheet\n got %q\nwant %q", got, want)
	}
	// Numbers are numbers there too.
	typ, _ := f.GetCellType(SheetLong, "D4")
	raw, _ := f.GetCellValue(SheetLong, "D4", excelize.Options{RawCellValue: true})
	if typ != excelize.CellTypeUnset || raw != "1000" || cellNumFmt(t, f, SheetLong, "D4") != "#,##0" {
		t.Errorf("D4: type %v raw %q", typ, raw)
	}
}

func TestWorkbookCodebook(t *testing.T) {
	t.Parallel()
	f, _ := book(t, XLSXOptions{})
	rows, err := f.GetRows(SheetCodebook)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], "|"); got != "Kods|Sadaļa|Teksts (latviski)|Teksts (angliski)|Tips|Atbilžu varianti (kods = teksts)|Nosacījums (show_if)|Ierobežojumi|Personas dati" {
		t.Fatalf("header %q", got)
	}
	if len(rows) != 1+11+1 {
		t.Fatalf("%d rows, want header, 11 questions, 1 indicator", len(rows))
	}
	byCode := map[string][]string{}
	for _, r := range rows[1:] {
		byCode[r[0]] = append(r, make([]string, 9-len(r))...)
	}
	forms := byCode["forms"]
	if forms[2] != "Veidi" || forms[3] != "Forms" || forms[4] != "multi" ||
		forms[5] != "grants = Granti\npremises = Telpas\nnone = Nekas (izslēdz citus)\nother = Cits (teksts laukā forms_other)" {
		t.Errorf("forms %q", forms)
	}
	if s := byCode["support"]; s[6] != "rules = 'adopted'" || s[7] != "min 0; zīmes aiz komata: 2" {
		t.Errorf("support %q", s)
	}
	if s := byCode["since"]; s[7] != "min 2010; max reference_year (2025)" {
		t.Errorf("since %q", s)
	}
	if s := byCode["rules"]; !strings.HasPrefix(s[7], "obligāts") {
		t.Errorf("rules %q", s)
	}
	if s := byCode["resp_email"]; s[8] != "jā" || s[7] != "līdz 254 rakstzīmēm" {
		t.Errorf("resp_email %q", s)
	}
	if s := byCode["per_resident"]; s[4] != "indikators" || !strings.Contains(s[7], "support / population") {
		t.Errorf("indicator %q", s)
	}
}

func TestWorkbookStatusSheet(t *testing.T) {
	t.Parallel()
	f, _ := book(t, XLSXOptions{Personal: true, Status: xlsxStatus})
	rows, _ := f.GetRows(SheetStatus)
	if got := strings.Join(rows[0], "|"); got != "Pašvaldības kods|Pašvaldība|Plānošanas reģions|Statuss|Aizpildīts, %|Pēdējā aktivitāte|Nosūtīti atgādinājumi|Kontaktpersonas (e-pasti)" {
		t.Fatalf("header %q", got)
	}
	if got := strings.Join(rows[1], "|"); got != "a|Ādaži|Vidzemes|Iesniegusi|100\u00a0%|2026-11-20 12:30|1|kontakts@a.lv" {
		t.Errorf("row a %q", got)
	}
	if got := strings.Join(rows[3], "|"); got != "z|Zilupe|Latgales|Nav saites|0\u00a0%||0|zilupe@z.lv" {
		t.Errorf("row z %q", got)
	}
	// The filter's region applies to the tracker too; English on request.
	f, _ = book(t, XLSXOptions{Status: xlsxStatus, Filter: Filter{PlanningRegion: "Kurzemes"}, Lang: "en"})
	rows, _ = f.GetRows(SheetStatus)
	if len(rows) != 2 || strings.Join(rows[1], "|") != "c|Cēsis|Kurzemes|Submitted|95%||0" {
		t.Errorf("filtered, English: %q", rows)
	}
}

// TestWorkbookPersonalData: a viewer's workbook has no personal
// questions and no contacts anywhere; a coordinator's has them.
func TestWorkbookPersonalData(t *testing.T) {
	t.Parallel()
	personal := []string{"Anna Ozola", "anna@a.lv", "kontakts@a.lv", "zilupe@z.lv"}
	for _, coordinator := range []bool{false, true} {
		f, _ := book(t, XLSXOptions{Personal: coordinator, Status: xlsxStatus})
		all := allText(t, f)
		for _, s := range personal {
			if strings.Contains(all, s) != coordinator {
				t.Errorf("Personal=%v: %q present: %v", coordinator, s, !coordinator)
			}
		}
		rows, _ := f.GetRows(SheetWide)
		for _, code := range []string{"resp_name", "resp_email", "contacts"} {
			if slices.Contains(rows[1], code) != coordinator {
				t.Errorf("Personal=%v: column %s", coordinator, code)
			}
		}
		if coordinator {
			continue
		}
		if got := rows[1][7]; got != "population" {
			t.Errorf("viewer: first question column %q", got)
		}
	}
}

func allText(t *testing.T, f *excelize.File) string {
	t.Helper()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t"))
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestWorkbookSummary(t *testing.T) {
	t.Parallel()
	f, _ := book(t, XLSXOptions{Round: "xlsx-test · 01.11.2026–15.12.2026", Filter: Filter{}})
	get := func(ref string) string {
		v, err := f.GetCellValue(SheetSummary, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if get("A1") != "Darbgrāmatas tests" || get("A2") != "xlsx-test · 01.11.2026–15.12.2026 · pārskata gads 2025" ||
		get("B3") != "2026-11-26 14:00" || get("B4") != "visas iesniegtās atbildes" || get("B5") != "3" {
		t.Errorf("head: %q %q %q %q %q", get("A1"), get("A2"), get("B3"), get("B4"), get("B5"))
	}
	// Find the rules block and its table.
	rows, _ := f.GetRows(SheetSummary)
	find := func(col int, text string) int {
		for i, r := range rows {
			if len(r) > col && r[col] == text {
				return i + 1
			}
		}
		t.Fatalf("%q not on the summary", text)
		return 0
	}
	r := find(0, "rules")
	if get(cellName(2, r)) != "Kārtība" || get(cellName(3, r+1)) != "3" || get(cellName(3, r+2)) != "0" {
		t.Errorf("rules head: %q", rows[r-1:r+3])
	}
	if got := strings.Join(rows[r+3], "|"); got != "Kods|Atbilde|Skaits|% no atbildējušajiem" {
		t.Errorf("rules table header %q", got)
	}
	if got := strings.Join(rows[r+4], "|"); got != "adopted|Pieņemta|1|33.3\u00a0%" {
		t.Errorf("rules first option %q", got)
	}
	// Indicators on top: n and mean of per_resident (only a has support).
	ir := find(0, "per_resident")
	if got := strings.Join(rows[ir-1][:5], "|"); got != "per_resident|EUR uz iedzīvotāju|EUR|1|5.00\u00a0EUR" {
		t.Errorf("indicator row %q", got)
	}
	// Numbers: statistics with formats.
	pr := find(0, "population")
	if get(cellName(3, pr+5)) != "3" || get(cellName(2, pr+7)) != "Vidējais" || get(cellName(3, pr+7)) != "8,000.0" {
		t.Errorf("population stats: %q", rows[pr-1:pr+12])
	}
}

// chartInfo is what a chart part says — its title, bar direction,
// grouping, and each series' name, category and value references — and
// where it is anchored on the sheet (0-based column and row).
type chartInfo struct {
	part, title, barDir, grouping string
	series                        []seriesInfo
	col, row                      int
}

type seriesInfo struct{ name, cat, val string }

// xmlChart reads the parts of a chart that matter here. The names are
// local, so c:cat and a default-namespace cat both match.
type xmlChart struct {
	Title []string `xml:"chart>title>tx>rich>p>r>t"`
	Bars  []struct {
		BarDir   attrVal `xml:"barDir"`
		Grouping attrVal `xml:"grouping"`
		Ser      []struct {
			Name   string `xml:"tx>strRef>f"`
			CatStr string `xml:"cat>strRef>f"`
			CatNum string `xml:"cat>numRef>f"`
			Val    string `xml:"val>numRef>f"`
		} `xml:"ser"`
	} `xml:"chart>plotArea>barChart"`
}

type attrVal struct {
	Val string `xml:"val,attr"`
}

type xmlDrawing struct {
	Anchors []struct {
		Col   int `xml:"from>col"`
		Row   int `xml:"from>row"`
		Chart struct {
			ID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"graphicFrame>graphic>graphicData>chart"`
	} `xml:"twoCellAnchor"`
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// charts reads every xl/charts/chart*.xml part of the file and where the
// summary's drawing anchors it.
func charts(t *testing.T, data []byte) []chartInfo {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		parts[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	decode := func(name string, v any) {
		t.Helper()
		if err := xml.Unmarshal(parts[name], v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// The summary is sheet1; its drawing holds the anchors.
	var sheetRels, drawingRels xmlRels
	decode("xl/worksheets/_rels/sheet1.xml.rels", &sheetRels)
	if len(sheetRels.Rels) != 1 {
		t.Fatalf("summary relationships %+v", sheetRels)
	}
	drawing := path.Join("xl/worksheets", sheetRels.Rels[0].Target)
	var dr xmlDrawing
	decode(drawing, &dr)
	decode(path.Join(path.Dir(drawing), "_rels", path.Base(drawing)+".rels"), &drawingRels)
	target := map[string]string{}
	for _, r := range drawingRels.Rels {
		target[r.ID] = path.Join(path.Dir(drawing), r.Target)
	}
	anchors := map[string][2]int{}
	for _, a := range dr.Anchors {
		anchors[target[a.Chart.ID]] = [2]int{a.Col, a.Row}
	}

	var out []chartInfo
	for name := range parts {
		if !reChart.MatchString(name) {
			continue
		}
		var xc xmlChart
		decode(name, &xc)
		ci := chartInfo{part: name, title: strings.Join(xc.Title, "")}
		at, ok := anchors[name]
		if !ok {
			t.Errorf("%s is not on the summary's drawing", name)
		}
		ci.col, ci.row = at[0], at[1]
		if len(xc.Bars) != 1 {
			t.Fatalf("%s: %d bar charts", name, len(xc.Bars))
		}
		b := xc.Bars[0]
		ci.barDir, ci.grouping = b.BarDir.Val, b.Grouping.Val
		for _, s := range b.Ser {
			ci.series = append(ci.series, seriesInfo{name: s.Name, cat: s.CatStr + s.CatNum, val: s.Val})
		}
		out = append(out, ci)
	}
	return out
}

var reChart = regexp.MustCompile(`^xl/charts/chart\d+\.xml$`)

var reRange = regexp.MustCompile(`^'((?:[^']|'')+)'!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?$`)

// rangeValues reads the cells a chart reference points at; the reference
// must name a quoted sheet and an absolute range in one column.
func rangeValues(t *testing.T, f *excelize.File, ref string) []string {
	t.Helper()
	m := reRange.FindStringSubmatch(ref)
	if m == nil {
		t.Fatalf("reference %q is not 'Sheet'!$C$1:$C$9", ref)
	}
	sheet := strings.ReplaceAll(m[1], "''", "'")
	if sheet != SheetSummary {
		t.Fatalf("reference %q points at %q", ref, sheet)
	}
	r1, _ := strconv.Atoi(m[3])
	r2 := r1
	if m[4] != "" {
		if m[4] != m[2] {
			t.Fatalf("reference %q spans columns", ref)
		}
		r2, _ = strconv.Atoi(m[5])
	}
	var out []string
	for r := r1; r <= r2; r++ {
		v, err := f.GetCellValue(sheet, m[2]+strconv.Itoa(r), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestWorkbookCharts(t *testing.T) {
	t.Parallel()
	f, data := book(t, XLSXOptions{})
	got := charts(t, data)
	// A chart per closed question (rules, forms, council) and per numeric
	// question with answers (population, support, share, meetings, since).
	if len(got) != 8 {
		t.Fatalf("%d chart parts, want 8: %+v", len(got), got)
	}
	byTitle := map[string]chartInfo{}
	for _, c := range got {
		byTitle[c.title] = c
		for _, s := range c.series {
			for _, ref := range []string{s.cat, s.val} {
				if !strings.HasPrefix(ref, "'Kopsavilkums'!$") {
					t.Errorf("%s: reference %q is not a quoted range on Kopsavilkums", c.part, ref)
				}
			}
		}
	}
	check := func(title, barDir, grouping string, want [][2][]string, names []string) {
		t.Helper()
		c, ok := byTitle[title]
		if !ok {
			t.Fatalf("no chart %q among %v", title, slices.Collect(func(yield func(string) bool) {
				for k := range byTitle {
					if !yield(k) {
						return
					}
				}
			}))
		}
		if c.barDir != barDir || c.grouping != grouping {
			t.Errorf("%s: barDir %q grouping %q, want %q %q", title, c.barDir, c.grouping, barDir, grouping)
		}
		if len(c.series) != len(want) {
			t.Fatalf("%s: %d series, want %d", title, len(c.series), len(want))
		}
		for i, s := range c.series {
			if cats := rangeValues(t, f, s.cat); !slices.Equal(cats, want[i][0]) {
				t.Errorf("%s series %d categories %q → %q, want %q", title, i, s.cat, cats, want[i][0])
			}
			if vals := rangeValues(t, f, s.val); !slices.Equal(vals, want[i][1]) {
				t.Errorf("%s series %d values %q → %q, want %q", title, i, s.val, vals, want[i][1])
			}
			if n := rangeValues(t, f, s.name); len(n) != 1 || n[0] != names[i] {
				t.Errorf("%s series %d name %q → %q, want %q", title, i, s.name, n, names[i])
			}
		}
	}
	rulesCats := []string{"Pieņemta", "Tiek izstrādāta", "Nav", "Cits"}
	check("Kārtība", "bar", "clustered", [][2][]string{{rulesCats, {"1", "0", "1", "1"}}}, []string{"Skaits"})
	formsCats := []string{"Granti", "Telpas", "Nekas", "Cits"}
	check("Veidi", "bar", "stacked", [][2][]string{{formsCats, {"2", "1", "1", "1"}}, {formsCats, {"1", "2", "2", "2"}}},
		[]string{"Izvēlējās", "Neizvēlējās"})
	check("Padome", "col", "clustered", [][2][]string{{{"Jā", "Nē"}, {"2", "1"}}}, []string{"Skaits"})
	// Distributions: counts that add up to the answers.
	for title, n := range map[string]int{"Iedzīvotāji — sadalījums": 3, "Atbalsts EUR — sadalījums": 1,
		"Daļa — sadalījums": 2, "Sēdes — sadalījums": 2, "Kopš — sadalījums": 3} {
		c, ok := byTitle[title]
		if !ok || len(c.series) != 1 || c.barDir != "col" {
			t.Errorf("distribution chart %q: %+v", title, c)
			continue
		}
		total := 0
		for _, v := range rangeValues(t, f, c.series[0].val) {
			k, _ := strconv.Atoi(v)
			total += k
		}
		if cats := rangeValues(t, f, c.series[0].cat); total != n || len(cats) == 0 || cats[0] == "" {
			t.Errorf("%s: total %d (want %d), categories %q", title, total, n, cats)
		}
	}
	// Years in whole intervals: 2019 twice and 2024 once.
	c := byTitle["Kopš — sadalījums"]
	cats, vals := rangeValues(t, f, c.series[0].cat), rangeValues(t, f, c.series[0].val)
	if !slices.Equal(cats, []string{"2015–2019", "2020–2024"}) || !slices.Equal(vals, []string{"2", "1"}) {
		t.Errorf("years: %q %q", cats, vals)
	}
	// Each chart sits in column H beside its own table (the question code
	// is in column A of the chart's first row), and charts do not overlap.
	codes := map[string]string{"Kārtība": "rules", "Veidi": "forms", "Padome": "council",
		"Iedzīvotāji — sadalījums": "population", "Atbalsts EUR — sadalījums": "support", "Daļa — sadalījums": "share",
		"Sēdes — sadalījums": "meetings", "Kopš — sadalījums": "since"}
	var tops []int
	for _, c := range got {
		code, _ := f.GetCellValue(SheetSummary, cellName(1, c.row+1))
		if c.col != 7 || code != codes[c.title] {
			t.Errorf("%s (%s) anchored at column %d row %d beside %q", c.part, c.title, c.col, c.row, code)
		}
		tops = append(tops, c.row)
	}
	slices.Sort(tops)
	for i := 1; i < len(tops); i++ {
		if tops[i]-tops[i-1] < chartRows {
			t.Errorf("charts at rows %d and %d overlap", tops[i-1], tops[i])
		}
	}
}

// A sheet name with a space or diacritics must be quoted in a series
// reference.
func TestColumnRangeQuotes(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"Kopsavilkums":        "'Kopsavilkums'!$B$5:$B$8",
		"Līdzdalības budžets": "'Līdzdalības budžets'!$B$5:$B$8",
		"Pašvaldību 'dati'":   "'Pašvaldību ''dati'''!$B$5:$B$8",
	} {
		if got := columnRange(name, 2, 5, 8); got != want {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
	}
}

func TestWorkbookEnglishAndFilter(t *testing.T) {
	t.Parallel()
	f, _ := book(t, XLSXOptions{Lang: "en", Filter: Filter{PlanningRegion: "Vidzemes", Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}}})
	if got := f.GetSheetList(); got[0] != "Kopsavilkums" {
		t.Errorf("sheet names stay Latvian: %q", got)
	}
	w := wideTable(t, f)
	rows, _ := f.GetRows(SheetWide)
	if len(rows) != 5 {
		t.Fatalf("%d rows, want headers and a, b, d", len(rows))
	}
	for code, want := range map[string]string{"municipality": "Municipality code", "population": "Population",
		"forms:grants": "Grants"} {
		if got := w.value(code, 1); got != want {
			t.Errorf("header %s: %q, want %q", code, got, want)
		}
	}
	if got := w.value("municipality_name", 3); got != "Ādaži EN" {
		t.Errorf("name %q", got)
	}
	if got := w.value("rules", 3); got != "Adopted" {
		t.Errorf("rules %q", got)
	}
	if got := w.value("status", 5); got != "Filling in" {
		t.Errorf("status of d %q", got)
	}
	if got := w.value("council", 3); got != "Yes" {
		t.Errorf("council %q", got)
	}
	if v, _ := f.GetCellValue(SheetSummary, "B4"); v != "Planning region: Vidzemes; Status: Submitted, Filling in" {
		t.Errorf("selection %q", v)
	}
}

func TestWorkbookSourceError(t *testing.T) {
	t.Parallel()
	def, rows := xlsxRows(t)
	boom := errors.New("connection lost")
	pass := 0
	src := func() Rows {
		pass++
		p := pass
		return func(yield func(Row, error) bool) {
			if !yield(rows[0], nil) {
				return
			}
			if p == 2 {
				yield(Row{}, boom)
			}
		}
	}
	// Rows kept from the first pass are not read again (rowMemo): memo 0
	// makes the second pass read the source, as past the budget.
	var buf bytes.Buffer
	if err := writeXLSX(context.Background(), &buf, def, src, XLSXOptions{}, excelize.TotalRows, 0); !errors.Is(err, boom) || buf.Len() != 0 {
		t.Fatalf("err %v, %d bytes written", err, buf.Len())
	}
}

// With no responses at all the workbook still opens, with empty tables.
func TestWorkbookEmpty(t *testing.T) {
	t.Parallel()
	def, _ := xlsxRows(t)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, def, sliceSource(nil, nil), XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(SheetWide)
	if len(rows) != 2 {
		t.Errorf("%d rows", len(rows))
	}
}

func TestHistogram(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		values []float64
		whole  bool
		want   string
	}{
		{[]float64{5}, true, "5:1"},
		{[]float64{2019, 2019, 2024}, true, "2015–2019:2 2020–2024:1"},
		{[]float64{2019, 2020, 2021, 2022, 2023, 2025}, true, "2018–2019:1 2020–2021:2 2022–2023:2 2024–2025:1"},
		{[]float64{0, 10, 25, 99}, false, "0–50:3 50–100:1"},
		{[]float64{0.1, 0.2, 0.3}, false, "0,1–0,2:1 0,2–0,3:2"},
		{[]float64{1000, 3000, 20000}, true, "0–9999:2 10 000–19 999:0 20 000–29 999:1"},
		{[]float64{-3, 1, 2}, true, "-5–-1:1 0–4:2"},
	} {
		var parts []string
		for _, b := range histogram(c.values, c.whole) {
			parts = append(parts, b.label("lv")+":"+strconv.Itoa(b.count))
		}
		if got := strings.ReplaceAll(strings.Join(parts, " "), "\u00a0", " "); got != c.want {
			t.Errorf("%v: %s, want %s", c.values, got, c.want)
		}
	}
}
