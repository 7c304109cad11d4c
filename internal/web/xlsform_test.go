package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// A coordinator creates a round from an XLSForm workbook on the new-round
// form; a workbook with a repeat is refused naming the row and column, and
// nothing is stored. Anyone who may see the round downloads its
// questionnaire as XLSForm, which reads back to the same questionnaire.
func TestRoundFromXLSFormAndDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	def, err := survey.Parse([]byte(`format: 1
slug: xls-2026
title: {lv: "Izklājlapa", en: "Spreadsheet"}
reference_year: 2026
sections:
  - code: a
    title: {lv: "Sadaļa", en: "Section"}
    questions:
      - code: has
        type: yesno
        text: {lv: "Vai ir?", en: "Is there?"}
      - code: q1
        type: int
        min: 0
        show_if: "has = true"
        text: {lv: "Cik?", en: "How many?"}
`), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := survey.ExportXLSForm(def, &b); err != nil {
		t.Fatal(err)
	}
	post := func(book []byte) result {
		body, ctype := multipartBody(t, map[string]string{"opens_at": "2026-12-01T09:00",
			"closes_at": "2026-12-20T23:59"}, "definition", "anketa.xlsx", string(book))
		return e.as(ck, "POST", "/surveys", body, "Content-Type", ctype)
	}

	// A repeat instead of the question q1 (row 4: group, has, q1).
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("survey", "B4"); v != "q1" {
		t.Fatalf("test data: B4 is %q", v)
	}
	f.SetCellStr("survey", "A4", "begin_repeat")
	var bad bytes.Buffer
	f.Write(&bad)
	f.Close()
	r := post(bad.Bytes())
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "row 4, column A (type): repeats (begin_repeat) are not supported") {
		t.Fatalf("the refusal does not name the row: %.1500s", r.body)
	}
	if _, err := e.st.SurveyBySlug(ctx, "xls-2026"); err == nil {
		t.Fatal("a refused workbook made a round")
	}

	wantStatus(t, post(b.Bytes()), http.StatusSeeOther)
	sv, err := e.st.SurveyBySlug(ctx, "xls-2026")
	if err != nil || sv.TitleEN != "Spreadsheet" {
		t.Fatalf("round %+v %v", sv, err)
	}
	stored, err := survey.Parse(sv.Definition, "stored")
	if err != nil || !bytes.Equal(stored.JSON(), def.JSON()) {
		t.Fatalf("stored definition differs: %v", err)
	}

	// The download, for a viewer.
	_, vck := e.user("viewer")
	if !strings.Contains(e.as(vck, "GET", "/surveys/"+e.sv.Slug, nil).body, `href="/surveys/`+e.sv.Slug+`/definition.xlsx"`) {
		t.Error("the round's page has no link to the XLSForm")
	}
	r = e.as(vck, "GET", "/surveys/"+e.sv.Slug+"/definition.xlsx", nil)
	wantStatus(t, r, http.StatusOK)
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, e.sv.Slug+"-xlsform.xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	back, err := survey.ImportXLSForm([]byte(r.body), "download.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	orig, err := survey.Parse(e.sv.Definition, "stored")
	if err != nil || !bytes.Equal(back.JSON(), orig.JSON()) {
		t.Fatalf("the download reads back differently: %v", err)
	}
}

// The tracker with its XLSForm link and the new-round form with its
// XLSForm hint fit a phone and a laptop, in both languages.
func TestBrowserXLSFormPagesFit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, _ := e.user("coordinator")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browser(t)
	signIn(t, c, ts.URL, coord.Email)
	for _, w := range []int64{1366, 390} {
		for _, lang := range []string{"lv", "en"} {
			// (The tracker's table is wider than a phone: only the
			// buttons above it are checked.)
			must(t, chromedp.Do(c, chromedp.EmulateViewport(w, 900), chromedp.Navigate(ts.URL+"/surveys/"+e.sv.Slug+"?lang="+lang)))
			if v := eval[[]float64](t, c, `[...document.querySelectorAll('p.actions a')].map(a => a.getBoundingClientRect().right)
				.concat([document.querySelector('a[href$="/definition.xlsx"]').getBoundingClientRect().width])`); len(v) < 2 || v[len(v)-1] == 0 {
				t.Errorf("tracker at %d px (%s): the XLSForm link is not shown", w, lang)
			} else {
				for _, r := range v[:len(v)-1] {
					if r > float64(w) {
						t.Errorf("tracker at %d px (%s): a button ends at %.0f px", w, lang, r)
					}
				}
			}
			fitsWidth(t, c, ts.URL+"/surveys/new?lang="+lang, "round-new-xlsform-"+lang, w)
		}
	}
}
