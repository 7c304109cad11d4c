package manage_test

import (
	"reflect"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
)

// TestHeldAnswersNeverStale: the save after a save through the same link
// is not sent the answers again — it holds what the last one wrote, the
// answers the page reads — and once anybody else changes the response (a
// coordinator's correction here), the next save reads the answers anew:
// its revision's "before" is the corrected answer, not the one held.
func TestHeldAnswersNeverStale(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	_, token, now := openRound2026(t, m, def)
	save := func(r *manage.Respondent, code string, v any) manage.Saved {
		t.Helper()
		in := r.Answers.Clone()
		in[code] = v
		saved, err := m.SaveAnswers(ctx, r, r.Response.Version, in)
		if err != nil || !saved.Changed {
			t.Fatalf("save %s: %+v %v", code, saved, err)
		}
		return saved
	}
	r, err := m.RespondentToSave(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Response.AnswersJSON == nil {
		t.Fatal("the first save's read held answers it was never given")
	}
	first := save(r, "resp_name", "Anna")

	r, err = m.RespondentToSave(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	page, err := m.RespondentByToken(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Response.AnswersJSON != nil {
		t.Error("the answers the last save wrote were read again")
	}
	if r.Response.Version != first.Response.Version || !reflect.DeepEqual(r.Answers, page.Answers) {
		t.Fatalf("held answers at version %d:\n %v\nthe page's at %d:\n %v", r.Response.Version, r.Answers, page.Response.Version, page.Answers)
	}
	save(r, "resp_name", "Anna Bērziņa")

	// A coordinator corrects the name; the link's next save must see it.
	cur, err := m.RespondentByToken(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Correct(ctx, domain.OperatorPrincipal(), manage.Correction{Slug: "regional-2026", Municipality: "riga",
		Question: "resp_name", BaseVersion: cur.Response.Version, Answers: survey.Answers{"resp_name": "Koordinatora labots"},
		Reason: "Pārrakstīšanās kļūda"}); err != nil {
		t.Fatal(err)
	}
	r, err = m.RespondentToSave(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Response.AnswersJSON == nil || r.Answers["resp_name"] != "Koordinatora labots" {
		t.Fatalf("after the correction the save holds %q (read again: %v)", r.Answers["resp_name"], r.Response.AnswersJSON != nil)
	}
	saved := save(r, "resp_name", "Anna B.")
	revs, err := m.Store.Revisions(ctx, saved.Response.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := revs[len(revs)-1]
	if string(last.BeforeJSON) != `{"resp_name": "Koordinatora labots"}` || string(last.AfterJSON) != `{"resp_name": "Anna B."}` {
		t.Errorf("the save's revision %s → %s", last.BeforeJSON, last.AfterJSON)
	}
}
