package survey

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func exportBook(t *testing.T, d *Definition) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := ExportXLSForm(d, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The 2025 questionnaire exported to XLSForm and imported back is the same
// definition.
func TestXLSFormRoundTrip2025(t *testing.T) {
	d := regional(t)
	back, err := ImportXLSForm(exportBook(t, d), "regional-2025.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(back.JSON()), string(d.JSON()); got != want {
		t.Fatalf("round trip differs:\n got %s\nwant %s", got, want)
	}
}

// A definition with what 2025 lacks (section help, pattern, yes/no in
// conditions, a show_if whose spelling is not the canonical one) comes back
// the same too.
func TestXLSFormRoundTripOddities(t *testing.T) {
	src := `format: 1
slug: mini-2026
title: {lv: "Mazā", en: "Small"}
reference_year: 2026
sections:
  - code: a
    title: {lv: "A", en: "A"}
    help: {lv: "Palīdzība", en: "Help"}
    questions:
      - code: ok
        type: yesno
        text: {lv: "Jā?", en: "Yes?"}
      - code: code
        type: text
        pattern: "[A-Z]{2}[0-9]+"
        pattern_message: {lv: "Divi burti un cipari", en: "Two letters and digits"}
        max_length: 20
        show_if: "ok = true"
        text: {lv: "Kods", en: "Code"}
      - code: why
        type: longtext
        show_if: "not ok"
        publishable: true
        text: {lv: "Kāpēc?", en: "Why?"}
      - code: share
        type: percent
        decimals: 1
        show_if: "ok == true and (answered(code))"
        text: {lv: "Daļa", en: "Share"}
      - code: since
        type: year
        min: 1990
        max: reference_year
        carry_over: true
        text: {lv: "Kopš", en: "Since"}
      - code: kind
        type: single
        breaks_series: true
        options:
          - {code: x, text: {lv: "X", en: "X"}}
          - {code: y, text: {lv: "Y", en: "Y"}}
        text: {lv: "Veids", en: "Kind"}
      - code: amount
        type: money
        renamed_from: sum
        text: {lv: "Summa", en: "Amount"}
rules:
  - code: r1
    assert: "share <= 50 or not ok"
    message: {lv: "Par daudz", en: "Too much"}
`
	d, err := Parse([]byte(src), "mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	back, err := ImportXLSForm(exportBook(t, d), "mini.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(back.JSON()), string(d.JSON()); got != want {
		t.Fatalf("round trip differs:\n got %s\nwant %s", got, want)
	}
}

func readBook(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// The exported workbook uses XLSForm's sheet, column and type names.
func TestXLSFormExportNames(t *testing.T) {
	f := readBook(t, exportBook(t, regional(t)))
	if got := strings.Join(f.GetSheetList(), ","); got != "survey,choices,settings,surveyd_rules,surveyd_indicators" {
		t.Errorf("sheets: %s", got)
	}
	rows, _ := f.GetRows("survey")
	head := rows[0]
	want := []string{"type", "name", "label::Latviešu (lv)", "label::English (en)", "required", "relevant", "appearance"}
	for i, w := range want {
		if head[i] != w {
			t.Errorf("survey column %d = %q, want %q", i+1, head[i], w)
		}
	}
	for _, h := range head[len(want):] {
		if !strings.HasPrefix(h, "surveyd_") {
			t.Errorf("survey column %q is neither XLSForm's nor surveyd_", h)
		}
	}
	types := map[string]bool{}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		types[strings.Fields(r[0])[0]] = true
		if len(r) > 1 {
			byName[r[1]] = r
		}
	}
	for ty := range types {
		switch ty {
		case "begin_group", "end_group", "note", "select_one", "select_multiple", "integer", "decimal", "text":
		default:
			t.Errorf("type %q is not an XLSForm type", ty)
		}
	}
	col := func(r []string, name string) string {
		for i, h := range head {
			if h == name && i < len(r) {
				return r[i]
			}
		}
		return ""
	}
	for name, want := range map[string][2]string{
		"resp_email":      {"text", "email"},
		"consent_contact": {"select_one surveyd_yesno", "yesno"},
		"ngo_forms":       {"select_multiple ngo_forms or_other", ""},
		"ngo_rules":       {"select_one ngo_rules", ""},
		"population":      {"integer", ""},
		"pb_first_year":   {"integer", "year"},
		"ngo_support_eur": {"decimal", "money"},
		"rc_meetings":     {"decimal", ""},
	} {
		r := byName[name]
		if r == nil || r[0] != want[0] || col(r, "surveyd_type") != want[1] {
			t.Errorf("%s: type %q surveyd_type %q, want %q", name, r, col(r, "surveyd_type"), want)
		}
	}
	if r := byName["final_comments"]; col(r, "appearance") != "multiline" {
		t.Errorf("longtext: appearance %q", col(r, "appearance"))
	}
	if r := byName["pb_first_year"]; col(r, "relevant") != "${pb_status} != 'not_started'" || col(r, "surveyd_show_if") != "" {
		t.Errorf("relevant %q, surveyd_show_if %q", col(r, "relevant"), col(r, "surveyd_show_if"))
	}
	if r := byName["ngo"]; r[0] != "begin_group" || col(r, "label::English (en)") != "Support to associations and foundations" {
		t.Errorf("group row %q", r)
	}
	ch, _ := f.GetRows("choices")
	if strings.Join(ch[0], ",") != "list_name,name,label::Latviešu (lv),label::English (en),surveyd_exclusive" {
		t.Errorf("choices columns %q", ch[0])
	}
	st, _ := f.GetRows("settings")
	if strings.Join(st[0][:4], ",") != "form_title,form_id,version,default_language" || st[1][1] != "regional-2025" || st[1][3] != "Latviešu (lv)" {
		t.Errorf("settings %q", st)
	}
}

// book writes a workbook from sheets given as rows of cells.
func book(t *testing.T, sheets ...any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i := 0; i < len(sheets); i += 2 {
		name, rows := sheets[i].(string), sheets[i+1].([][]string)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var xlsSettingsRows = [][]string{{"form_title", "form_id", "surveyd_title_en", "surveyd_reference_year"},
	{"Tests", "test-2026", "Test", "2026"}}

// surveyWith is a small form whose row 4 (the third question row) is row.
func surveyWith(head []string, row []string) [][]string {
	base := [][]string{
		append([]string{"type", "name", "label::Latviešu (lv)", "label::English (en)"}, head...),
		{"begin_group", "g", "Grupa", "Group"},
		{"integer", "n", "Skaits", "Count"},
		row,
		{"end_group"},
	}
	return base
}

func TestXLSFormRefusesUnsupported(t *testing.T) {
	choices := [][]string{{"list_name", "name", "label::Latviešu (lv)", "label::English (en)"},
		{"c", "a", "A", "A"}, {"c", "b", "B", "B"}}
	for _, tc := range []struct {
		name string
		head []string
		row  []string
		want string
	}{
		{"repeat", nil, []string{"begin_repeat", "r", "R", "R"}, `sheet "survey", row 4, column A (type): repeats (begin_repeat) are not supported`},
		{"repeat with space", nil, []string{"begin repeat", "r", "R", "R"}, `row 4, column A (type): repeats (begin repeat) are not supported`},
		{"calculate", nil, []string{"calculate", "x", "X", "X"}, `row 4, column A (type): calculations (calculate) are not supported`},
		{"calculation column", []string{"calculation"}, []string{"text", "x", "X", "X", "${n} * 2"}, `row 4, column E (calculation): calculations are not supported`},
		{"image", nil, []string{"image", "x", "X", "X"}, `row 4, column A (type): media (image) are not supported`},
		{"audio", nil, []string{"audio", "x", "X", "X"}, `row 4, column A (type): media (audio) are not supported`},
		{"video", nil, []string{"video", "x", "X", "X"}, `row 4, column A (type): media (video) are not supported`},
		{"file", nil, []string{"file", "x", "X", "X"}, `row 4, column A (type): media (file) are not supported`},
		{"geopoint", nil, []string{"geopoint", "x", "X", "X"}, `row 4, column A (type): geo types (geopoint) are not supported`},
		{"geotrace", nil, []string{"geotrace", "x", "X", "X"}, `row 4, column A (type): geo types (geotrace) are not supported`},
		{"geoshape", nil, []string{"geoshape", "x", "X", "X"}, `row 4, column A (type): geo types (geoshape) are not supported`},
		{"choice filter", []string{"choice_filter"}, []string{"select_one c", "x", "X", "X", "${n} > 1"}, `row 4, column E (choice_filter): choice filters (choice_filter) are not supported`},
		{"unknown type", nil, []string{"barcode", "x", "X", "X"}, `row 4, column A (type): type "barcode" is not supported`},
		{"unknown function", []string{"relevant"}, []string{"text", "x", "X", "X", "string-length(${n}) > 2"}, `row 4, column E (relevant): position 1: function string-length() is not supported`},
		{"choice name", []string{"relevant"}, []string{"text", "x", "X", "X", "jr:choice-name(${n}, '${n}') = 'a'"}, `row 4, column E (relevant): position 1: jr:choice-name()`},
		{"unknown question", []string{"relevant"}, []string{"text", "x", "X", "X", "${nope} > 2"}, `row 4, column E (relevant): position 1: unknown question ${nope}`},
		{"dot in relevant", []string{"relevant"}, []string{"integer", "x", "X", "X", ". > 2"}, `row 4, column E (relevant): position 1: '.' (this question) can be used only in a constraint`},
		{"other language", []string{"label::Русский (ru)"}, []string{"text", "x", "X", "X", "Икс"}, `sheet "survey", row 1, column E (label::Русский (ru)): language "ru"`},
		{"unknown column", []string{"default"}, []string{"text", "x", "X", "X", "abc"}, `row 4, column E (default): default answers are not supported`},
		{"nested group", nil, []string{"begin_group", "h", "H", "H"}, `row 4, column A (type): a group inside group "g"`},
		{"conditional required", []string{"required"}, []string{"text", "x", "X", "X", "${n} > 1"}, `row 4, column E (required): "${n} > 1": write yes or no`},
		{"appearance", []string{"appearance"}, []string{"select_one c", "x", "X", "X", "minimal"}, `row 4, column E (appearance): "minimal" is not supported`},
		{"stray note", nil, []string{"note", "x", "X", "X"}, `row 4, column A (type): a note is supported only`},
		{"surveyd_type", []string{"surveyd_type"}, []string{"integer", "x", "X", "X", "money"}, `row 4, column E (surveyd_type): "money" does not go with type integer (allowed: int, year)`},
		{"surveyd_type on multi", []string{"surveyd_type"}, []string{"select_multiple c", "x", "X", "X", "yesno"}, `row 4, column E (surveyd_type): "yesno" does not go with type select_multiple (leave it empty)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := book(t, "survey", surveyWith(tc.head, tc.row), "choices", choices, "settings", xlsSettingsRows)
			_, err := ImportXLSForm(data, "t.xlsx")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant %s", err, tc.want)
			}
		})
	}
	// The same form without the bad row imports (KoboToolbox's $kuid too).
	data := book(t, "survey", surveyWith([]string{"$kuid"}, []string{"text", "x", "X", "X", "ab12"}), "choices", choices, "settings", xlsSettingsRows)
	if _, err := ImportXLSForm(data, "t.xlsx"); err != nil {
		t.Fatal(err)
	}
}

// A form made in a spreadsheet program: no surveyd_ columns except the
// reference year, a constraint, a date, or_other, "begin group" spelt
// with a space.
func TestXLSFormImportPlain(t *testing.T) {
	data := book(t,
		"survey", [][]string{
			{"type", "name", "label::Latviešu (lv)", "label::English (en)", "hint::Latviešu (lv)", "hint::English (en)", "required", "relevant", "constraint", "constraint_message::Latviešu (lv)", "constraint_message::English (en)", "appearance"},
			{"note", "welcome", "Sveiki", "Welcome"},
			{"begin group", "main", "Galvenais", "Main", "", "", "", "", "", "", "", "field-list"},
			{"select_one yn", "has", "Vai ir?", "Is there?", "", "", "yes"},
			{"integer", "cnt", "Cik?", "How many?", "Skaits", "Count", "TRUE", "${has} = 'y'", ". >= 1 and . <= 100", "No 1 līdz 100", "From 1 to 100"},
			{"select_multiple kinds or_other", "kinds", "Kādi?", "Which?"},
			{"text", "note2", "Piezīmes", "Notes", "", "", "", "selected(${kinds}, 'k1') or selected(${kinds}, 'k2')", "", "", "", "multiline"},
			{"integer", "many", "Cik daudz?", "How many more?", "", "", "", "count-selected(${kinds}) >= 2 and not(${has} = 'n')"},
			{"date", "when", "Kad?", "When?"},
			{"end group"},
		},
		"choices", [][]string{{"list_name", "name", "label::Latviešu (lv)", "label::English (en)"},
			{"yn", "y", "Jā", "Yes"}, {"yn", "n", "Nē", "No"},
			{"kinds", "k1", "Viens", "One"}, {"kinds", "k2", "Divi", "Two"}},
		"settings", xlsSettingsRows)
	d, err := ImportXLSForm(data, "plain.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if d.Intro.EN != "Welcome" || len(d.Sections) != 1 || d.Sections[0].Code != "main" {
		t.Errorf("intro %q sections %d", d.Intro, len(d.Sections))
	}
	cnt := d.Question("cnt")
	if cnt.Type != Int || !cnt.Required || cnt.ShowIf != "has = 'y'" || cnt.Help.LV != "Skaits" {
		t.Errorf("cnt: %+v", cnt)
	}
	if r := d.Rules; len(r) != 1 || r[0].Code != "cnt_constraint" || r[0].Assert != "cnt >= 1 and cnt <= 100" || r[0].Field != "cnt" || r[0].Message.EN != "From 1 to 100" {
		t.Errorf("rules %+v", r[0])
	}
	if q := d.Question("kinds"); q.Type != Multi || !q.Other || len(q.Options) != 2 || d.Question("many").ShowIf != "count(kinds) >= 2 and not (has = 'n')" {
		t.Errorf("kinds %+v", q)
	}
	if q := d.Question("note2"); q.Type != Long || q.ShowIf != "selected(kinds, 'k1', 'k2')" {
		t.Errorf("note2 %+v", q)
	}
	if q := d.Question("when"); q.Type != Short || q.Pattern == "" || !d.Question("when").pattern.MatchString("2026-03-31") || q.pattern.MatchString("2026-13-01") {
		t.Errorf("when %+v", q)
	}
}

func TestXLSFormExpressionsToDefinition(t *testing.T) {
	types := map[string]Type{"n": Int, "m": Decimal, "s": Single, "ms": Multi, "ok": YesNo, "t": Short}
	typeOf := func(c string) (Type, bool) { ty, ok := types[c]; return ty, ok }
	for _, tc := range []struct{ xls, def string }{
		{"${n} > 2", "n > 2"},
		{"${s} = 'a'", "s = 'a'"},
		{"${s} != \"a\"", "s != 'a'"},
		{"selected(${s}, 'a')", "selected(s, 'a')"},
		{"selected(${ms}, 'a') or selected(${ms}, 'b')", "selected(ms, 'a', 'b')"},
		{"selected(${ms}, 'a') or selected(${s}, 'b')", "selected(ms, 'a') or selected(s, 'b')"},
		{"count-selected(${ms}) >= 2", "count(ms) >= 2"},
		{"${n} > 1 and ${m} < 2", "n > 1 and m < 2"},
		{"${n} > 1 or ${m} < 2 and ${s} = 'x'", "n > 1 or m < 2 and s = 'x'"},
		{"(${n} > 1 or ${m} < 2) and ${s} = 'x'", "(n > 1 or m < 2) and s = 'x'"},
		{"not(${s} = 'a')", "not (s = 'a')"},
		{"not(selected(${ms}, 'a'))", "not selected(ms, 'a')"},
		{"${ok} = 'yes'", "ok = true"},
		{"${ok} != 'no'", "ok != false"},
		{"${t} != ''", "answered(t)"},
		{"${t} = ''", "not answered(t)"},
		{". >= 0 and . <= 100", "n >= 0 and n <= 100"},
		{". <= ${m} div 2", "n <= m / 2"},
		{"${n} div ${m} * 1000", "n / m * 1000"},
		{"${n} div (${m} * 1000)", "n / (m * 1000)"},
		{"(${n} > 0) = (${m} > 0)", "(n > 0) = (m > 0)"},
		{"-${n} + 1.5 < 0", "-n + 1.5 < 0"},
		{"true()", "true"},
	} {
		got, err := defExprOf(tc.xls, typeOf, "n")
		if err != nil || got != tc.def {
			t.Errorf("%s → %q %v, want %q", tc.xls, got, err, tc.def)
		}
	}
	for _, bad := range []string{"${n} mod 2 = 1", "${n} / 2", "string-length(${t}) > 1", "n > 2", "${n} >", "(${n}", "../x", "${x} = 1"} {
		if got, err := defExprOf(bad, typeOf, "n"); err == nil {
			t.Errorf("%s → %q, want an error", bad, got)
		}
	}
}

func TestXLSFormExpressionsFromDefinition(t *testing.T) {
	types := map[string]Type{"n": Int, "m": Decimal, "s": Single, "ms": Multi, "ok": YesNo, "t": Short}
	typeOf := func(c string) Type { return types[c] }
	for _, tc := range []struct{ def, xls string }{
		{"n > 2", "${n} > 2"},
		{"s == 'a'", "${s} = 'a'"},
		{"s <> 'a'", "${s} != 'a'"},
		{"selected(s, 'a')", "selected(${s}, 'a')"},
		{"selected(ms, 'a', 'b')", "selected(${ms}, 'a') or selected(${ms}, 'b')"},
		{"selected(ms, 'a', 'b') and n > 1", "(selected(${ms}, 'a') or selected(${ms}, 'b')) and ${n} > 1"},
		{"count(ms) >= 2", "count-selected(${ms}) >= 2"},
		{"n > 1 and not (m < 2 or s = 'x')", "${n} > 1 and not(${m} < 2 or ${s} = 'x')"},
		{"ok = true", "${ok} = 'yes'"},
		{"false = ok", "${ok} = 'no'"},
		{"ok and n > 1", "${ok} = 'yes' and ${n} > 1"},
		{"answered(t)", "${t} != ''"},
		{"not answered(t)", "not(${t} != '')"},
		{"n / m * 1000", "${n} div ${m} * 1000"},
		{"n / (m * 1000)", "${n} div (${m} * 1000)"},
		{"(n > 0) = (m > 0)", "(${n} > 0) = (${m} > 0)"},
		{"t = \"it's\"", "${t} = \"it's\""},
	} {
		got, err := xlsExprOf(tc.def, typeOf, "")
		if err != nil || got != tc.xls {
			t.Errorf("%s → %q %v, want %q", tc.def, got, err, tc.xls)
		}
	}
	// "." for the constraint's own question.
	for _, tc := range []struct{ def, xls string }{
		{"n <= m", ". <= ${m}"},
		{"n >= 0 and n <= 100", ". >= 0 and . <= 100"},
	} {
		got, err := xlsExprOf(tc.def, typeOf, "n")
		if err != nil || got != tc.xls {
			t.Errorf("%s → %q %v, want %q", tc.def, got, err, tc.xls)
		}
	}
}

// YAML() gives a file Parse reads back to the same definition.
func TestDefinitionYAML(t *testing.T) {
	d := regional(t)
	y, err := d.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(y, "out.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	if string(back.JSON()) != string(d.JSON()) {
		t.Fatalf("YAML round trip differs:\n%s", y)
	}
	if !strings.Contains(string(y), "slug: regional-2025\n") {
		t.Errorf("not YAML in block style:\n%.400s", y)
	}
}

func TestParseAny(t *testing.T) {
	d := regional(t)
	for _, data := range [][]byte{exportBook(t, d), d.JSON()} {
		back, err := ParseAny(data, "x")
		if err != nil || !bytes.Equal(back.JSON(), d.JSON()) {
			t.Errorf("ParseAny: %v", err)
		}
	}
	if _, err := ParseAny([]byte("PK\x03\x04garbage"), "x.xlsx"); err == nil || !strings.Contains(err.Error(), "not an .xlsx workbook") {
		t.Errorf("a broken workbook: %v", err)
	}
	if _, err := ParseAny([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "x.xls"); err == nil || !strings.Contains(err.Error(), "save it as .xlsx") {
		t.Errorf("an .xls workbook: %v", err)
	}
}

func fuzzTypes(c string) (Type, bool) {
	switch c {
	case "ok":
		return YesNo, true
	case "ms":
		return Multi, true
	}
	return Int, identRe.MatchString(c)
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// FuzzXLSFormExpr: no input makes the translators panic, and what import
// makes of an XLSForm expression, once exported and imported again, is a
// fixed point (a bare yes/no question "ok" becomes "ok = true" on the way).
func FuzzXLSFormExpr(f *testing.F) {
	for _, s := range []string{"${n} > 2", "selected(${ms}, 'a') or selected(${ms}, 'b')", "not(${ok} = 'yes')",
		". >= 0 and . <= 100", "${a} div (${b} * -3.5) != ''", "count-selected(${ms}) >= 2", "((${a}))", "true() or false()"} {
		f.Add(s)
	}
	typeOf := func(c string) Type { t, _ := fuzzTypes(c); return t }
	f.Fuzz(func(t *testing.T, src string) {
		def, err := defExprOf(src, fuzzTypes, "dot")
		if err != nil {
			return
		}
		x, err := xlsExprOf(def, typeOf, "")
		if err != nil {
			t.Fatalf("%q → %q does not export: %v", src, def, err)
		}
		once, err := defExprOf(x, fuzzTypes, "")
		if err != nil {
			t.Fatalf("%q → %q → %q does not import: %v", src, def, x, err)
		}
		x2, err := xlsExprOf(once, typeOf, "")
		if err != nil {
			t.Fatal(err)
		}
		again, err := defExprOf(x2, fuzzTypes, "")
		if err != nil || again != once {
			t.Fatalf("%q → %q → %q → %q → %q → %q %v", src, def, x, once, x2, again, err)
		}
	})
}

// FuzzDefinitionExprToXLSForm: every expression the definition's parser
// reads exports, and comes back (through the canonical form) stable.
func FuzzDefinitionExprToXLSForm(f *testing.F) {
	for _, s := range []string{"n > 2", "selected(ms, 'a', 'b') and not ok", "(a > 0) = (b > 0)", "a / b * 1000",
		"not answered(t) or ok = true", "-a - -b", "count(ms) >= 2 or x <> 'y'"} {
		f.Add(s)
	}
	typeOf := func(c string) Type { t, _ := fuzzTypes(c); return t }
	f.Fuzz(func(t *testing.T, src string) {
		if _, err := parseExpr(src); err != nil {
			return
		}
		x, err := xlsExprOf(src, typeOf, "")
		if err != nil {
			if strings.Contains(src, "'") && strings.Contains(src, `"`) {
				return // a text with both quotes cannot be written in XLSForm
			}
			t.Fatalf("%q does not export: %v", src, err)
		}
		back, err := defExprOf(x, fuzzTypes, "")
		if err != nil {
			t.Fatalf("%q → %q does not import: %v", src, x, err)
		}
		x2, err := xlsExprOf(back, typeOf, "")
		if err != nil {
			t.Fatal(err)
		}
		again, err := defExprOf(x2, fuzzTypes, "")
		if err != nil || again != back {
			t.Fatalf("%q → %q → %q → %q → %q %v", src, x, back, x2, again, err)
		}
	})
}

// The loader's problems say where their subject is in the workbook.
func TestXLSFormLoaderProblemsNameTheRow(t *testing.T) {
	data := book(t, "survey", [][]string{
		{"type", "name", "label::Latviešu (lv)", "label::English (en)", "constraint", "relevant"},
		{"begin_group", "g", "Grupa", "Group"},
		{"integer", "n", "Skaits", ""},
		{"select_one c", "s", "Izvēle", "Choice"},
		{"integer", "m", "Cits", "Other", ". > ${s}"},
		{"integer", "k", "K", "K", "", "${s} > 1"},
		{"end_group"},
	}, "choices", [][]string{{"list_name", "name", "label::Latviešu (lv)", "label::English (en)"},
		{"c", "a", "A", ""}}, "settings", xlsSettingsRows)
	_, err := ImportXLSForm(data, "t.xlsx")
	for _, want := range []string{
		`question "n": text: English text (en) is missing (sheet "survey", row 3)`,
		`question "s" option "a": text: English text (en) is missing (sheet "survey", row 4)`,
		`rule "m_constraint": assert: column 3: '>' needs a number, but this is text (sheet "survey", row 5, column constraint, read as: m > s)`,
		`question "k": show_if: column 3: '>' needs a number, but this is text (sheet "survey", row 6, column relevant, read as: s > 1)`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant %s", err, want)
		}
	}
}

// A constraint comes in as a rule and goes out as a constraint again; a
// rule named like one but out of the constraints' order stays on the
// surveyd_rules sheet, and either way the definition comes back the same.
func TestXLSFormConstraintRoundTrip(t *testing.T) {
	data := book(t, "survey", [][]string{
		{"type", "name", "label::Latviešu (lv)", "label::English (en)", "constraint", "constraint_message::Latviešu (lv)", "constraint_message::English (en)"},
		{"begin_group", "g", "Grupa", "Group"},
		{"integer", "a", "A", "A", ". >= 1 and . <= 100", "No 1 līdz 100", "From 1 to 100"},
		{"integer", "b", "B", "B", ". <= ${a}"},
		{"end_group"},
	}, "settings", xlsSettingsRows)
	d, err := ImportXLSForm(data, "c.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Rules) != 2 || d.Rules[1].Assert != "b <= a" || d.Rules[1].Message != defaultConstraintMessage {
		t.Fatalf("rules %+v %+v", d.Rules[0], d.Rules[1])
	}
	out := exportBook(t, d)
	f := readBook(t, out)
	if v, _ := f.GetCellValue("survey", "E3"); v != ". >= 1 and . <= 100" {
		t.Errorf("a's constraint %q", v)
	}
	if v, _ := f.GetCellValue("survey", "F4"); v != defaultConstraintMessage.LV {
		t.Errorf("b's message %q", v)
	}
	if list := f.GetSheetList(); len(list) != 3 {
		t.Errorf("sheets %v: the rules went to constraints, no surveyd_rules", list)
	}
	back, err := ImportXLSForm(out, "c2.xlsx")
	if err != nil || !bytes.Equal(back.JSON(), d.JSON()) {
		t.Fatalf("round trip: %v\n got %s\nwant %s", err, back.JSON(), d.JSON())
	}

	// Rules in another order, spellings the translation changes.
	src := `format: 1
slug: c-2026
title: {lv: "C", en: "C"}
reference_year: 2026
sections:
  - code: g
    title: {lv: "G", en: "G"}
    questions:
      - {code: a, type: int, text: {lv: A, en: A}}
      - {code: b, type: int, text: {lv: B, en: B}}
      - {code: ok, type: yesno, text: {lv: J, en: Y}}
rules:
  - {code: b_constraint, assert: "b <= a", message: {lv: x, en: x}}
  - {code: a_constraint, assert: "a >= 1", message: {lv: y, en: y}}
  - {code: ok_constraint, assert: "ok or a > 1", message: {lv: z, en: z}}
`
	d, err = Parse([]byte(src), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out = exportBook(t, d)
	f = readBook(t, out)
	rules, _ := f.GetRows("surveyd_rules")
	if len(rules) != 2 || rules[1][0] != "b_constraint" {
		t.Errorf("surveyd_rules %q", rules)
	}
	back, err = ImportXLSForm(out, "c3.xlsx")
	if err != nil || !bytes.Equal(back.JSON(), d.JSON()) {
		t.Fatalf("round trip: %v\n got %s\nwant %s", err, back.JSON(), d.JSON())
	}
}

// TestXLSFormDeclaresItsRange: every sheet of an exported workbook
// declares the range its cells fill. pyxform reads a workbook with openpyxl
// in read-only mode, which trusts that declaration: a sheet left at "A1"
// reads as its first header cell only, and the form converts to an empty
// one without a word of warning.
func TestXLSFormDeclaresItsRange(t *testing.T) {
	t.Parallel()
	d, _, err := Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	f := readBook(t, exportBook(t, d))
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		cols := 0
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		end, _ := excelize.CoordinatesToCellName(cols, len(rows))
		got, err := f.GetSheetDimension(name)
		if err != nil {
			t.Fatal(err)
		}
		if want := "A1:" + end; got != want {
			t.Errorf("sheet %q declares %q, its cells fill %q", name, got, want)
		}
	}
}
