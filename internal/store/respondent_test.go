package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
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

// TestRespondentPlainScan: the plain Scan of a link's context reads what
// sqlx's reflection over the db tags reads, column for column, for a link
// with no response, a submitted one returned for correction with an
// extended deadline, and one of a round made from another.
func TestRespondentPlainScan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok, h := auth.NewToken()
	if _, err := f.s.RotateInvitation(ctx, f.sv.ID, "riga", store.NewLink{Hash: h}); err != nil {
		t.Fatal(err)
	}
	same := func(when string) {
		t.Helper()
		plain, reflected, err := f.s.RespondentRows(ctx, auth.HashToken(tok))
		if err != nil {
			t.Fatal(err)
		}
		a, b := reflect.ValueOf(plain), reflect.ValueOf(reflected)
		for i := range a.NumField() {
			fa, fb := a.Field(i), b.Field(i)
			if fa.Kind() != reflect.Struct {
				if !reflect.DeepEqual(fa.Interface(), fb.Interface()) {
					t.Errorf("%s: %s: plain %#v, sqlx %#v", when, a.Type().Field(i).Name, fa.Interface(), fb.Interface())
				}
				continue
			}
			for j := range fa.NumField() {
				name := a.Type().Field(i).Name + "." + fa.Type().Field(j).Name
				if (name == "R.CreatedAt" || name == "R.UpdatedAt") && fa.FieldByName("ID").Int() == 0 {
					continue // now(), read twice
				}
				if !reflect.DeepEqual(fa.Field(j).Interface(), fb.Field(j).Interface()) {
					t.Errorf("%s: %s.%s: plain %#v, sqlx %#v", when, a.Type().Field(i).Name, fa.Type().Field(j).Name,
						fa.Field(j).Interface(), fb.Field(j).Interface())
				}
			}
		}
	}
	same("no response")
	submitReturnExtend(t, f, 0, same)
	next, err := f.s.CreateSurvey(ctx, store.Survey{Slug: "regional-2026", TitleLV: "a", TitleEN: "b", ReferenceYear: 2026,
		Definition: f.def.JSON(), DefinitionSHA256: "sha2", OpensAt: time.Now().Add(-time.Hour),
		ClosesAt: time.Now().Add(time.Hour), PreviousSurveyID: &f.sv.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RotateInvitation(ctx, next.ID, "riga", store.NewLink{Hash: h}); err == nil {
		tok2, h2 := auth.NewToken()
		if _, err := f.s.RotateInvitation(ctx, next.ID, "ogre", store.NewLink{Hash: h2}); err != nil {
			t.Fatal(err)
		}
		tok = tok2
	}
	same("a round made from another")
}

// submitReturnExtend submits Riga's answers from version base, then
// returns them for correction and extends Riga's deadline, calling same
// after the submit and after the extension.
func submitReturnExtend(t *testing.T, f fixture, base int, same func(when string)) {
	t.Helper()
	saved, err := f.apply(t, base, `{"population": 5, "resp_name": "A"}`, true)
	if err != nil {
		t.Fatal(err)
	}
	same("submitted")
	if _, err := f.s.ReturnResponse(ctx, f.sv.ID, "riga", saved.Response.Version, 0, "please fix", map[string]string{"population": "too few"}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetExtension(ctx, f.sv.ID, "riga", time.Now().Add(48*time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	same("returned, extended")
}

// TestSaveContextIsRespondents: the save's narrow read of a link's
// context gives, for every field it fills, what the full read gives, and
// leaves the rest empty — for a link with no response, one with carried-
// over answers, a submitted response returned for correction with an
// extended deadline, a closed round, and unknown and revoked links.
func TestSaveContextIsRespondents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok, h := auth.NewToken()
	if _, err := f.s.RotateInvitation(ctx, f.sv.ID, "riga", store.NewLink{Hash: h}); err != nil {
		t.Fatal(err)
	}
	same := func(when string) {
		t.Helper()
		full, err := f.s.RespondentByTokenHash(ctx, auth.HashToken(tok))
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.s.SaveContextByTokenHash(ctx, auth.HashToken(tok))
		if err != nil {
			t.Fatal(err)
		}
		want := store.Respondent{ExtendedUntil: full.ExtendedUntil}
		want.Invitation.ID, want.Invitation.SurveyID, want.Invitation.MunicipalityCode =
			full.Invitation.ID, full.Invitation.SurveyID, full.Invitation.MunicipalityCode
		sv := full.Survey
		want.Survey = store.Survey{ID: sv.ID, Slug: sv.Slug, DefinitionSHA256: sv.DefinitionSHA256,
			OpensAt: sv.OpensAt, ClosesAt: sv.ClosesAt, ClosedAt: sv.ClosedAt}
		want.Municipality.Code = full.Municipality.Code
		want.Response = full.Response
		want.Response.SubmittedJSON = nil // not read
		if full.Response.ID == 0 {        // now(), read twice
			want.Response.CreatedAt, want.Response.UpdatedAt = got.Response.CreatedAt, got.Response.UpdatedAt
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n save context %+v\n want         %+v", when, got, want)
		}
		now := time.Now()
		if got.State(now) != full.State(now) || !got.Deadline().Equal(full.Deadline()) {
			t.Errorf("%s: state %s until %s, full read %s until %s", when, got.State(now), got.Deadline(), full.State(now), full.Deadline())
		}
	}
	same("no response")
	if ok, err := f.s.StartCarried(ctx, store.CarryOver{SurveyID: f.sv.ID, Municipality: "riga",
		Answers: survey.Answers{"population": json.Number("4")}, Carried: map[string]string{"population": "regional-2024"}, Note: "regional-2024"}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	same("carried over")
	submitReturnExtend(t, f, 1, same)
	if err := f.s.CloseSurvey(ctx, f.sv.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	same("closed")
	unknown, _ := auth.NewToken()
	if _, err := f.s.SaveContextByTokenHash(ctx, auth.HashToken(unknown)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown link: %v, want ErrNotFound", err)
	}
	if err := f.s.RevokeActiveInvitation(ctx, f.sv.ID, "riga"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SaveContextByTokenHash(ctx, auth.HashToken(tok)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked link: %v, want ErrNotFound", err)
	}
}
