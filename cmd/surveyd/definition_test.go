package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// TestDefinitionConvert: YAML → XLSForm → YAML → JSON keeps the 2025
// questionnaire as it is; a workbook with a repeat is refused naming the
// row; nothing is written for a refused input.
func TestDefinitionConvert(t *testing.T) {
	t.Parallel()
	orig, raw, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(p("in.yaml"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	steps := [][2]string{{"in.yaml", "form.xlsx"}, {"form.xlsx", "back.yml"}, {"back.yml", "back.json"}, {"back.json", "again.xlsx"}}
	for _, s := range steps {
		if err := runEnv(t, nil, "definition", "convert", p(s[0]), p(s[1])); err != nil {
			t.Fatalf("%s → %s: %v", s[0], s[1], err)
		}
	}
	for _, name := range []string{"back.yml", "back.json"} {
		data, _ := os.ReadFile(p(name))
		d, err := survey.Parse(data, name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d.JSON(), orig.JSON()) {
			t.Errorf("%s differs from the original", name)
		}
	}
	f, err := excelize.OpenFile(p("again.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.GetSheetList(), ","); !strings.HasPrefix(got, "survey,choices,settings") {
		t.Errorf("sheets %s", got)
	}
	// Turn a question into a repeat: refused with the row, nothing written.
	rows, _ := f.GetRows("survey")
	for i, r := range rows {
		if len(r) > 1 && r[1] == "population" {
			cell := "A" + strconv.Itoa(i+1)
			f.SetCellStr("survey", cell, "begin_repeat")
			if err := f.SaveAs(p("bad.xlsx")); err != nil {
				t.Fatal(err)
			}
			err := runEnv(t, nil, "definition", "convert", p("bad.xlsx"), p("bad.yaml"))
			want := `sheet "survey", row ` + strconv.Itoa(i+1) + `, column A (type): repeats (begin_repeat) are not supported`
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("a repeat: %v\nwant %s", err, want)
			}
			if _, err := os.Stat(p("bad.yaml")); err == nil {
				t.Error("a refused input wrote its output")
			}
			break
		}
	}
	f.Close()
	for _, bad := range [][]string{
		{"definition", "convert", p("in.yaml")},
		{"definition", "convert", p("in.yaml"), p("out.txt")},
		{"definition", "convert", p("in.yaml"), p("in.yaml")},
		{"definition", "convert", p("missing.yaml"), p("out.xlsx")},
		{"definition", "export", p("in.yaml"), p("out.xlsx")},
	} {
		if err := runEnv(t, nil, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

// round create reads an XLSForm workbook as it reads YAML.
func TestRoundCreateFromXLSForm(t *testing.T) {
	t.Parallel()
	url := storetest.NewDatabase(t)
	env := map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "warn"}
	if err := runEnv(t, env, "seed"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	def := filepath.Join(dir, "pilot.yaml")
	os.WriteFile(def, []byte("format: 1\nslug: pilot-xls\ntitle: {lv: Izmēģinājums, en: Pilot}\nreference_year: 2026\n"+
		"sections:\n  - code: a\n    title: {lv: A, en: A}\n    questions:\n      - {code: q1, type: int, text: {lv: Cik?, en: How many?}}\n"), 0o600)
	xlsx := filepath.Join(dir, "pilot.xlsx")
	if err := runEnv(t, env, "definition", "convert", def, xlsx); err != nil {
		t.Fatal(err)
	}
	if err := runEnv(t, env, "round", "create", "--file", xlsx, "--opens", "2027-01-01", "--closes", "2027-02-01"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv, err := st.SurveyBySlug(context.Background(), "pilot-xls")
	if err != nil || sv.TitleEN != "Pilot" {
		t.Fatalf("round %+v %v", sv, err)
	}
}
