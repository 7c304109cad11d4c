package web_test

import (
	"errors"
	"net/http"
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
