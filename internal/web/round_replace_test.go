package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// notOpenNextRound makes the 2026 round from the env's round (Rīga
// submitted), opening in a week by the real clock, which the server then
// also uses.
func (e *env) notOpenNextRound() domain.Survey {
	e.t.Helper()
	e.realTime()
	e.submitAnswers("riga", printAnswers)
	now := time.Now()
	res, err := e.m.CreateRoundFrom(ctx, domain.OperatorPrincipal(), e.sv.Slug, "regional-2026", 2026,
		now.Add(7*24*time.Hour), now.Add(30*24*time.Hour))
	must(e.t, err)
	return res.Survey
}

// relabel changes the English label of the question code in an XLSForm
// workbook.
func relabel(t *testing.T, book []byte, code, label string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(book))
	must(t, err)
	defer f.Close()
	rows, err := f.GetRows("survey")
	must(t, err)
	col := -1
	for i, h := range rows[0] {
		if h == "label::English (en)" {
			col = i
		}
	}
	for r, row := range rows {
		if len(row) > 1 && row[1] == code && col >= 0 {
			cell, err := excelize.CoordinatesToCellName(col+1, r+1)
			must(t, err)
			must(t, f.SetCellStr("survey", cell, label))
			var b bytes.Buffer
			must(t, f.Write(&b))
			return b.Bytes()
		}
	}
	t.Fatalf("no question %s with an English label in the workbook", code)
	return nil
}

// TestReplaceDefinitionPage: the settings page of a round that has not
// opened offers "Aizstāt anketu" with the XLSForm download; the round's
// XLSForm with one label edited, uploaded back, replaces the
// questionnaire (the form shows the new label) and carries Rīga's answers
// over again; a bad file lists the loader's problems (422), a file over
// the limit is 413, and neither changes anything; once the round opens the
// section is gone and an upload is refused.
func TestReplaceDefinitionPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sv := e.notOpenNextRound()
	_, ck := e.user("coordinator")
	settings := "/surveys/" + sv.Slug + "/settings"
	page := e.as(ck, "GET", settings, nil)
	wantStatus(t, page, http.StatusOK)
	for _, want := range []string{`id="replace"`, "Aizstāt anketu", `href="/surveys/` + sv.Slug + `/definition.xlsx"`,
		`action="/surveys/` + sv.Slug + `/definition" enctype="multipart/form-data"`, `name="definition"`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("the settings page lacks %q", want)
		}
	}
	upload := func(name, content string) result {
		body, ctype := multipartBody(t, map[string]string{}, "definition", name, content)
		return e.as(ck, "POST", "/surveys/"+sv.Slug+"/definition", body, "Content-Type", ctype)
	}

	// A bad file: the loader's problems, nothing changed.
	before := dbFingerprint(t, e)
	r := upload("anketa.yaml", "format: 1\nslug: regional-2026\nreference_year: 2026\nsections: []\n")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Anketas definīcijā ir kļūdas") || !strings.Contains(r.body, `id="replace-errors"`) ||
		!strings.Contains(r.body, "title") {
		t.Fatalf("the refusal does not list the problems: %.2000s", r.body)
	}
	wantStatus(t, upload("anketa.yaml", strings.Repeat("#", 1<<20+10)), http.StatusRequestEntityTooLarge)
	if after := dbFingerprint(t, e); after != before {
		t.Fatal("a refused file changed the database")
	}

	// The round's own XLSForm with an English label edited.
	dl := e.as(ck, "GET", "/surveys/"+sv.Slug+"/definition.xlsx", nil)
	wantStatus(t, dl, http.StatusOK)
	book := relabel(t, []byte(dl.body), "resp_name", "Your name and surname")
	r = upload("regional-2026-xlsform.xlsx", string(book))
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != settings+"?done=replaced" {
		t.Fatalf("redirect to %q", loc)
	}
	if !strings.Contains(e.as(ck, "GET", settings+"?done=replaced", nil).body, "Anketa aizstāta.") {
		t.Error("no flash after replacing")
	}
	got, err := e.st.SurveyBySlug(ctx, sv.Slug)
	must(t, err)
	if got.DefinitionSHA256 == sv.DefinitionSHA256 {
		t.Fatal("the questionnaire was not replaced")
	}
	preview := e.as(ck, "GET", "/surveys/"+sv.Slug+"/preview/riga?lang=en", nil)
	wantStatus(t, preview, http.StatusOK)
	if !strings.Contains(preview.body, "Your name and surname") {
		t.Error("the form does not show the new label")
	}
	resp, err := e.st.Response(ctx, sv.ID, "riga")
	must(t, err)
	if a, _ := resp.Answers(); a["ngo_rules"] != "adopted" {
		t.Errorf("Rīga's answers were not carried over again: %v", a)
	}

	// Open: no section, and an upload is refused.
	_, err = e.st.SetSurveyDates(ctx, sv.ID, time.Now().Add(-time.Hour), sv.ClosesAt)
	must(t, err)
	if body := e.as(ck, "GET", settings, nil).body; strings.Contains(body, `id="replace"`) || strings.Contains(body, "Aizstāt anketu") {
		t.Fatal("an open round offers to replace its questionnaire")
	}
	before = dbFingerprint(t, e)
	r = upload("regional-2026-xlsform.xlsx", string(book))
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "Kārta jau ir atvērta") {
		t.Errorf("the refusal does not say why: %.1500s", r.body)
	}
	if after := dbFingerprint(t, e); after != before {
		t.Fatal("a refused upload changed the database")
	}
}

// TestReplaceDefinitionRefusals: another reference year and a series
// break are named at the section (422); a municipality that saved makes
// it 409, naming how many — in Latvian and English.
func TestReplaceDefinitionRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sv := e.notOpenNextRound()
	_, ck := e.user("coordinator")
	def, err := e.m.Definition(sv)
	must(t, err)
	yaml := func(edit func(string) string) string { return edit(string(def.JSON())) } // JSON is YAML too
	upload := func(content, lang string) result {
		body, ctype := multipartBody(t, map[string]string{}, "definition", "anketa.json", content)
		return e.as(ck, "POST", "/surveys/"+sv.Slug+"/definition?lang="+lang, body, "Content-Type", ctype)
	}
	before := dbFingerprint(t, e)
	r := upload(yaml(func(s string) string {
		return strings.Replace(s, `"reference_year":2026`, `"reference_year":2027`, 1)
	}), "lv")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Faila pārskata gads ir 2027, bet šīs kārtas – 2026") {
		t.Errorf("the year refusal: %.1500s", r.body)
	}
	r = upload(yaml(func(s string) string { return strings.Replace(s, "Vārds, uzvārds", "Vārds un uzvārds", 1) }), "lv")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "nenorādot, ka tie vairs nav salīdzināmi") || !strings.Contains(r.body, `question &#34;resp_name&#34;`) {
		t.Errorf("the series refusal does not name the question: %.3000s", r.body)
	}
	if after := dbFingerprint(t, e); after != before {
		t.Fatal("a refused file changed the database")
	}
	// Ogre saves something of its own (the form refuses before opening:
	// as the system would, through its link).
	inv, err := e.st.ActiveInvitation(ctx, sv.ID, "ogre")
	must(t, err)
	_, err = e.st.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "ogre", Answers: survey.Answers{"resp_name": "Ilze"},
		Actor: domain.Actor{Kind: domain.ActorInvitation, InvitationID: inv.ID}})
	must(t, err)
	same := string(def.JSON())
	r = upload(same, "lv")
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "1 pašvaldība šajā kārtā jau ir saglabājusi savas atbildes") {
		t.Errorf("the saved refusal (lv): %.3000s", r.body)
	}
	r = upload(same, "en")
	if !strings.Contains(r.body, "1 municipality has already saved its own answers") {
		t.Errorf("the saved refusal (en): %.3000s", r.body)
	}
}

// TestBrowserReplaceSectionFits: the section fits a laptop and a phone, in
// both languages.
func TestBrowserReplaceSectionFits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sv := e.notOpenNextRound()
	coord, _ := e.user("coordinator")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browserAt(t, 1366, 900)
	signIn(t, c, ts.URL, coord.Email)
	for _, w := range []int64{1366, 390} {
		for _, lang := range []string{"lv", "en"} {
			fitsWidth(t, c, ts.URL+"/surveys/"+sv.Slug+"/settings?lang="+lang, "replace-"+lang, w)
			// The next round's text fields look like the page's other
			// fields (a field without type="text" missed their style).
			if st := eval[[]string](t, c, `['next-slug', 'next-year', 'next-opens'].map(function (id) {
				var s = getComputedStyle(document.getElementById(id)); return s.paddingLeft + ' ' + s.borderTopWidth; })`); st[0] != st[2] || st[1] != st[2] {
				t.Errorf("%s at %d px: the next round's fields are styled %q, the date field %q", lang, w, st[:2], st[2])
			}
			if !eval[bool](t, c, `(function () {
				var s = document.getElementById('replace'), f = document.getElementById('replace-file');
				return !!s && s.getBoundingClientRect().width > 0 && !!f && document.querySelector('label[for="replace-file"]') !== null;
			})()`) {
				t.Errorf("%d px (%s): the section is not shown", w, lang)
			}
			must(t, chromedp.Do(c, chromedp.WaitVisible(chromedp.CSS("#replace-submit"))))
		}
	}
}
