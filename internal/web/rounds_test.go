package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// TestNewRoundBadSlug: a slug typed in the new-round form that breaks the
// slug rule gets the form again (422) saying what a slug may hold, and no
// round is created, under either name.
func TestNewRoundBadSlug(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	def := `format: 1
slug: pilot-2026
title: {lv: "Izmēģinājums", en: "Pilot"}
reference_year: 2026
sections:
  - code: a
    title: {lv: "Sadaļa", en: "Section"}
    questions:
      - {code: q1, type: int, text: {lv: "Cik?", en: "How many?"}}
`
	for _, slug := range []string{"Pilot_2026", "-pilot", "x", "pilot 2026"} {
		body, ctype := multipartBody(t, map[string]string{"slug": slug, "opens_at": "2026-12-01T09:00",
			"closes_at": "2026-12-20T23:59"}, "definition", "pilot.yaml", def)
		r := e.as(ck, "POST", "/surveys", body, "Content-Type", ctype)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.body, "drīkst būt tikai mazie latīņu burti, cipari un defise") {
			t.Fatalf("slug %q: the page does not say what a slug may hold: %.1500s", slug, r.body)
		}
		if !strings.Contains(r.body, `value="`+slug+`"`) {
			t.Errorf("slug %q: the form does not keep what was typed", slug)
		}
	}
	list, err := e.st.Surveys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range list {
		if sv.ID != e.sv.ID {
			t.Fatalf("a round was created: %+v", sv.Slug)
		}
	}
	if _, err := e.st.SurveyBySlug(ctx, "pilot-2026"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the definition's slug was used instead: %v", err)
	}
}

// TestNextRoundForm: the settings page offers "a new round from this one"
// with the next year filled in; a bad year or a taken slug gets the page
// again with the problem at the form and what was typed, and nothing is
// made; a good one makes the round, its links and Rīga's carried-over
// answers, and shows the new round's settings.
func TestNextRoundForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.submitAnswers("riga", printAnswers)
	page := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/settings", nil)
	wantStatus(t, page, http.StatusOK)
	for _, want := range []string{"Jauna kārta no šīs", `name="reference_year" value="2026"`, `value="regional-2026"`,
		`action="/surveys/regional-2025/next"`, `<label for="next-year">`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("the settings page lacks %q", want)
		}
	}
	form := url.Values{"slug": {"regional-2026"}, "reference_year": {"2025"},
		"opens_at": {"2027-11-01T09:00"}, "closes_at": {"2027-12-15T23:59"}}
	r := e.form(ck, "/surveys/"+e.sv.Slug+"/next", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "vēlāku par šīs kārtas gadu (2025)") || !strings.Contains(r.body, `id="next-error"`) ||
		!strings.Contains(r.body, `value="2025"`) {
		t.Fatalf("a year not later: %.2000s", r.body)
	}
	form.Set("reference_year", "2026")
	form.Set("slug", e.sv.Slug)
	r = e.form(ck, "/surveys/"+e.sv.Slug+"/next", form)
	wantStatus(t, r, http.StatusConflict)
	if list, _ := e.st.Surveys(ctx); len(list) != 1 {
		t.Fatalf("refused forms made %d rounds", len(list))
	}
	form.Set("slug", "regional-2026")
	r = e.form(ck, "/surveys/"+e.sv.Slug+"/next", form)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/surveys/regional-2026/settings?done=next" {
		t.Fatalf("redirect to %q", loc)
	}
	sv, err := e.st.SurveyBySlug(ctx, "regional-2026")
	if err != nil || sv.ReferenceYear != 2026 || sv.PreviousSurveyID == nil || *sv.PreviousSurveyID != e.sv.ID {
		t.Fatalf("new round %+v %v", sv, err)
	}
	resp, err := e.st.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if carried, _ := resp.Carried(); carried["ngo_rules"] != e.sv.Slug || carried["del_status"] != e.sv.Slug {
		t.Fatalf("carried %v", carried)
	}
	if inv, err := e.st.ActiveInvitation(ctx, sv.ID, "ogre"); err != nil || inv.ID == 0 {
		t.Fatalf("no link for Ogre: %v", err)
	}
	done := e.as(ck, "GET", "/surveys/regional-2026/settings?done=next", nil)
	if !strings.Contains(done.body, "Izveidota no kārtas regional-2025.") {
		t.Fatal("the new round's page does not name its source")
	}
	if !strings.Contains(done.body, "Jaunā kārta izveidota no iepriekšējās") {
		t.Fatalf("no flash: %.1500s", done.body)
	}
}
