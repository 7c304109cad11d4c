package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// TestApplySeen: a change made from the response as the caller read it
// (Change.Seen) is written in one statement while nobody saved since; when
// somebody did, or the round's definition changed, it is decided as
// without Seen — refused, or rebased on what is stored now — and the
// revisions stay exact. A submit resolves the open return.
func TestApplySeen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seen := func() *store.Seen {
		t.Helper()
		r, err := f.s.Response(ctx, f.sv.ID, "riga")
		if errors.Is(err, store.ErrNotFound) {
			r = store.Response{SurveyID: f.sv.ID, MunicipalityCode: "riga", Status: store.StatusDraft}
		} else if err != nil {
			t.Fatal(err)
		}
		a, err := r.Answers()
		if err != nil {
			t.Fatal(err)
		}
		return &store.Seen{Response: r, Answers: a}
	}
	change := func(base int, js string, s *store.Seen) store.Change {
		a, err := survey.DecodeAnswers([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: "sha1",
			BaseVersion: base, Answers: a, Actor: store.Actor{Kind: store.ActorSystem}, Seen: s}
	}
	last := func(version int) (before, after string) {
		t.Helper()
		r, _ := f.s.Response(ctx, f.sv.ID, "riga")
		revs, err := f.s.Revisions(ctx, r.ID)
		if err != nil || r.Version != version || len(revs) != version {
			t.Fatalf("version %d with %d revisions (%v), want %d", r.Version, len(revs), err, version)
		}
		l := revs[len(revs)-1]
		return string(l.BeforeJSON), string(l.AfterJSON)
	}

	// The first save, from nothing.
	if out, err := f.s.Apply(ctx, change(0, `{"population":7}`, seen())); err != nil || !out.Changed || out.Response.Version != 1 {
		t.Fatalf("first: %+v %v", out, err)
	}
	if b, a := last(1); b != `{}` || a != `{"population": 7}` {
		t.Fatalf("first revision %s → %s", b, a)
	}
	at1 := seen()
	if _, err := f.s.Apply(ctx, change(1, `{"population":7,"resp_name":"A"}`, at1)); err != nil {
		t.Fatal(err)
	}
	// Made from version 1, read at 1, stored is 2: refused with the
	// version stored, nothing written.
	var ce *store.ConflictError
	if _, err := f.s.Apply(ctx, change(1, `{"population":8}`, at1)); !errors.As(err, &ce) || ce.Current != 2 {
		t.Fatalf("stale without Rebase: %v", err)
	}
	last(2)
	// The same with Rebase: given the answers at 1 and at 2.
	c := change(1, `{"population":8}`, at1)
	c.Rebase = func(base, current survey.Answers, v int) (survey.Answers, error) {
		want := survey.Answers{"population": json.Number("7")}
		if v != 2 || !reflect.DeepEqual(base, want) || current["resp_name"] != "A" {
			t.Errorf("rebase from %v to %v at %d", base, current, v)
		}
		out := current.Clone()
		out["population"] = 8
		return out, nil
	}
	if out, err := f.s.Apply(ctx, c); err != nil || out.Response.Version != 3 {
		t.Fatalf("rebased: %+v %v", out, err)
	}
	if b, a := last(3); b != `{"population": 7}` || a != `{"population": 8}` {
		t.Fatalf("rebased revision %s → %s", b, a)
	}
	// Read at 3 but the definition changed since: refused, nothing written.
	at3 := seen()
	c = change(3, `{"population":9,"resp_name":"A"}`, at3)
	c.DefinitionSHA256 = "sha-other"
	if _, err := f.s.Apply(ctx, c); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("another definition: %v", err)
	}
	last(3)
	// Nothing changed: nothing written.
	if out, err := f.s.Apply(ctx, change(3, `{"population":8,"resp_name":"A"}`, at3)); err != nil || out.Changed || out.Response.Version != 3 {
		t.Fatalf("unchanged: %+v %v", out, err)
	}
	// Submitted, returned, submitted again from what was read: the return
	// is resolved.
	c = change(3, `{"population":8,"resp_name":"A"}`, at3)
	c.Submit = true
	if out, err := f.s.Apply(ctx, c); err != nil || out.Response.Status != store.StatusSubmitted || out.Response.Version != 4 {
		t.Fatalf("submit: %+v %v", out, err)
	}
	if _, err := f.s.ReturnResponse(ctx, f.sv.ID, "riga", 4, 0, "check", nil); err != nil {
		t.Fatal(err)
	}
	c = change(5, `{"population":9,"resp_name":"A"}`, seen())
	c.Submit = true
	out, err := f.s.Apply(ctx, c)
	if err != nil || out.Response.Status != store.StatusSubmitted || out.Response.Version != 6 ||
		out.Response.SubmittedVersion == nil || *out.Response.SubmittedVersion != 6 {
		t.Fatalf("submit again: %+v %v", out, err)
	}
	rets, err := f.s.Returns(ctx, out.Response.ID)
	if err != nil || len(rets) != 1 || rets[0].ResolvedAt == nil {
		t.Fatalf("returns after the submit: %+v %v", rets, err)
	}
	if b, a := last(6); b != `{"population": 8}` || a != `{"population": 9}` {
		t.Fatalf("submit revision %s → %s", b, a)
	}
}

// TestRespondentLean: the link's context without the definition (named by
// its hash; SurveyDefinition reads it), with the reference years of the
// rounds its carried-over answers come from.
func TestRespondentLean(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok, h := auth.NewToken()
	if _, err := f.s.RotateInvitation(ctx, f.sv.ID, "riga", store.NewLink{Hash: h}); err != nil {
		t.Fatal(err)
	}
	r, err := f.s.RespondentByTokenHashLean(ctx, auth.HashToken(tok))
	if err != nil || r.Survey.Definition != nil || r.Survey.DefinitionSHA256 != "sha1" || r.CarriedYears != nil {
		t.Fatalf("lean: %+v %v", r.Survey, err)
	}
	def, sha, err := f.s.SurveyDefinition(ctx, f.sv.ID)
	if err != nil || sha != "sha1" || len(def) == 0 {
		t.Fatalf("definition: %d bytes, %q, %v", len(def), sha, err)
	}
	if _, err := f.s.StartCarried(ctx, store.CarryOver{SurveyID: f.sv.ID, Municipality: "riga",
		Answers: survey.Answers{"population": json.Number("7")}, Carried: map[string]string{"population": f.sv.Slug}}); err != nil {
		t.Fatal(err)
	}
	r, err = f.s.RespondentByTokenHashLean(ctx, auth.HashToken(tok))
	if err != nil || !reflect.DeepEqual(r.CarriedYears, map[string]int{f.sv.Slug: f.sv.ReferenceYear}) {
		t.Fatalf("carried years %v (%v), want %s: %d", r.CarriedYears, err, f.sv.Slug, f.sv.ReferenceYear)
	}
}

// TestApplySeenReturnsStored: the response a one-statement save returns
// (its answers as written, not read back) is the response stored then,
// field for field, its answers decoded; for a new response, a later save
// and a submit.
func TestApplySeenReturnsStored(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i, c := range []struct {
		js     string
		submit bool
	}{{`{"population": 12, "resp_name": "Anna <&>"}`, false}, {`{"population": 12.5, "resp_name": "B"}`, false},
		{`{"population": 13, "resp_name": "C", "ngo_rules": "adopted"}`, true}} {
		cur, err := f.s.Response(ctx, f.sv.ID, "riga")
		if errors.Is(err, store.ErrNotFound) {
			cur = store.Response{SurveyID: f.sv.ID, MunicipalityCode: "riga", Status: store.StatusDraft}
		} else if err != nil {
			t.Fatal(err)
		}
		old, _ := cur.Answers()
		a, _ := survey.DecodeAnswers([]byte(c.js))
		saved, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: f.sv.DefinitionSHA256,
			BaseVersion: cur.Version, Answers: a, Submit: c.submit, Actor: store.Actor{Kind: store.ActorSystem},
			Seen: &store.Seen{Response: cur, Answers: old}})
		if err != nil || !saved.Changed {
			t.Fatalf("save %d: %v %v", i, saved.Changed, err)
		}
		stored, err := f.s.Response(ctx, f.sv.ID, "riga")
		if err != nil {
			t.Fatal(err)
		}
		ga, _ := saved.Response.Answers()
		sa, _ := stored.Answers()
		if !reflect.DeepEqual(ga, sa) || !reflect.DeepEqual(saved.Answers, sa) {
			t.Errorf("save %d: answers returned %v (%v), stored %v", i, ga, saved.Answers, sa)
		}
		got, want := saved.Response, stored
		got.AnswersJSON, want.AnswersJSON = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("save %d: returned %+v\nstored %+v", i, got, want)
		}
	}
}
