package store_test

import (
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/store"
)

// TestRespondentKnowsSourceRound: a link's round comes with the round it
// was made from, as SurveyByID gives it (the feedback a municipality
// opens through its link puts last round's answers beside this year's by
// it).
func TestRespondentKnowsSourceRound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	next, err := f.s.CreateSurvey(ctx, store.Survey{Slug: "regional-2026", TitleLV: "a", TitleEN: "b", ReferenceYear: 2026,
		Definition: f.def.JSON(), DefinitionSHA256: "sha2", OpensAt: time.Now().Add(-time.Hour),
		ClosesAt: time.Now().Add(time.Hour), PreviousSurveyID: &f.sv.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sv   store.Survey
		want *int64
	}{{f.sv, nil}, {next, &f.sv.ID}} {
		tok, h := auth.NewToken()
		if _, err := f.s.RotateInvitation(ctx, c.sv.ID, "riga", store.NewLink{Hash: h}); err != nil {
			t.Fatal(err)
		}
		r, err := f.s.RespondentByTokenHash(ctx, auth.HashToken(tok))
		if err != nil {
			t.Fatal(err)
		}
		got := r.Survey.PreviousSurveyID
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("%s through a link: previous round %v, want %v", c.sv.Slug, got, c.want)
		}
	}
}
