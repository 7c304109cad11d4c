package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/refdata"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var ctx = context.Background()

// fixture is a database with the municipalities and one open round.
type fixture struct {
	s   *store.Store
	sv  store.Survey
	def *survey.Definition
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	s := storetest.New(t)
	list, err := refdata.Municipalities()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertMunicipalities(ctx, list); err != nil {
		t.Fatal(err)
	}
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	sv, err := s.CreateSurvey(ctx, store.Survey{Slug: def.Slug, TitleLV: def.Title.LV, TitleEN: def.Title.EN,
		ReferenceYear: def.ReferenceYear, Definition: def.JSON(), DefinitionSHA256: "sha1",
		OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{s, sv, def}
}

func (f fixture) apply(t *testing.T, base int, js string, submit bool) (store.Saved, error) {
	t.Helper()
	a, err := survey.DecodeAnswers([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: "sha1",
		BaseVersion: base, Answers: a, Submit: submit, Actor: store.Actor{Kind: store.ActorSystem}})
}

func TestSchemaAndQueries(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	if err := s.SchemaCurrent(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckQueries(ctx); err != nil {
		t.Fatal(err)
	}
	// Migrating an up-to-date database is a no-op.
	v, err := s.Migrate(ctx)
	latest, _ := store.LatestMigration()
	if err != nil || v != latest {
		t.Fatalf("Migrate = %d, %v; want %d", v, err, latest)
	}
}

func TestSchemaBehindIsRefused(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.DB().Exec(`UPDATE schema_migrations SET version = 0`); err != nil {
		t.Fatal(err)
	}
	if err := s.SchemaCurrent(ctx); err == nil {
		t.Fatal("a schema behind the build was accepted")
	}
}

func TestMunicipalitiesIdempotent(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	list, _ := refdata.Municipalities()
	n, err := s.UpsertMunicipalities(ctx, list)
	if err != nil || n != 43 {
		t.Fatalf("first load changed %d, %v", n, err)
	}
	n, err = s.UpsertMunicipalities(ctx, list)
	if err != nil || n != 0 {
		t.Fatalf("second load changed %d rows, want 0 (%v)", n, err)
	}
	list[0].NameEN = "Riga (corrected)"
	if n, _ = s.UpsertMunicipalities(ctx, list); n != 1 {
		t.Fatalf("a correction changed %d rows, want 1", n)
	}
	m, err := s.Municipality(ctx, list[0].Code)
	if err != nil || m.NameEN != "Riga (corrected)" {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := s.Municipality(ctx, "atlantida"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown municipality: %v", err)
	}
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok1, h1 := auth.NewToken()
	inv1, err := f.s.RotateInvitation(ctx, f.sv.ID, "riga", store.NewLink{Hash: h1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.InvitationByTokenHash(ctx, auth.HashToken(tok1))
	if err != nil || got.ID != inv1.ID || got.MunicipalityCode != "riga" {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	// Rotating revokes the old link.
	tok2, h2 := auth.NewToken()
	if _, err := f.s.RotateInvitation(ctx, f.sv.ID, "riga", store.NewLink{Hash: h2}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.InvitationByTokenHash(ctx, auth.HashToken(tok1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old link still works: %v", err)
	}
	inv2, err := f.s.InvitationByTokenHash(ctx, auth.HashToken(tok2))
	if err != nil {
		t.Fatal(err)
	}
	// Create-if-missing leaves a working link alone.
	_, h3 := auth.NewToken()
	if _, created, err := f.s.CreateInvitationIfMissing(ctx, f.sv.ID, "riga", store.NewLink{Hash: h3}); err != nil || created {
		t.Fatalf("created = %v, %v", created, err)
	}
	if _, created, err := f.s.CreateInvitationIfMissing(ctx, f.sv.ID, "cesis", store.NewLink{Hash: h3}); err != nil || !created {
		t.Fatalf("created = %v, %v", created, err)
	}
	// Revoking stops the link; revoking again is ErrNotFound.
	if err := f.s.RevokeInvitation(ctx, inv2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.InvitationByTokenHash(ctx, auth.HashToken(tok2)); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("revoked link still works")
	}
	if err := f.s.RevokeInvitation(ctx, inv2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestApplyVersionsAndRevisions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.s.Response(ctx, f.sv.ID, "riga"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no response yet: %v", err)
	}
	// Saving nothing from version 0 creates nothing.
	saved, err := f.apply(t, 0, `{}`, false)
	if err != nil || saved.Changed || saved.Response.Version != 0 {
		t.Fatalf("empty first save: %+v %v", saved, err)
	}
	if _, err := f.s.Response(ctx, f.sv.ID, "riga"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("an empty save created a response row")
	}
	saved, err = f.apply(t, 0, `{"population":1000,"resp_name":"Anna"}`, false)
	if err != nil || !saved.Changed || saved.Response.Version != 1 || saved.Response.Status != store.StatusDraft {
		t.Fatalf("first save: %+v %v", saved, err)
	}
	saved, err = f.apply(t, 1, `{"population":1200,"resp_name":"Anna","resp_position":"Vadītāja"}`, false)
	if err != nil || saved.Response.Version != 2 {
		t.Fatalf("second save: %+v %v", saved, err)
	}
	// Stale version: 409 with the current version, nothing changed.
	_, err = f.apply(t, 1, `{"population":5}`, false)
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Current != 2 || !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale save: %v", err)
	}
	// The same answers again change nothing.
	saved, err = f.apply(t, 2, `{"population":1200,"resp_name":"Anna","resp_position":"Vadītāja"}`, false)
	if err != nil || saved.Changed || saved.Response.Version != 2 {
		t.Fatalf("no-op save: %+v %v", saved, err)
	}
	// Submit snapshots the answers.
	saved, err = f.apply(t, 2, `{"population":1200,"resp_name":"Anna","resp_position":"Vadītāja"}`, true)
	r := saved.Response
	if err != nil || r.Version != 3 || r.Status != store.StatusSubmitted || r.SubmittedAt == nil ||
		*r.SubmittedVersion != 3 || r.ChangedSinceSubmit() {
		t.Fatalf("submit: %+v %v", saved, err)
	}
	// Editing after submit keeps the status and the submitted snapshot.
	saved, err = f.apply(t, 3, `{"population":1300,"resp_name":"Anna","resp_position":"Vadītāja"}`, false)
	r = saved.Response
	if err != nil || r.Status != store.StatusSubmitted || !r.ChangedSinceSubmit() || string(r.SubmittedJSON) == string(r.AnswersJSON) {
		t.Fatalf("edit after submit: %+v %v", r, err)
	}

	revs, err := f.s.Revisions(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 4 {
		t.Fatalf("revisions = %d, want one per change (4)", len(revs))
	}
	wantActions := []string{"save", "save", "submit", "save"}
	for i, rev := range revs {
		if rev.Version != i+1 || rev.Action != wantActions[i] || rev.Actor != store.ActorSystem {
			t.Errorf("revision %d = v%d %s %s", i, rev.Version, rev.Action, rev.Actor)
		}
	}
	before, _ := revs[1].Before()
	after, _ := revs[1].After()
	if len(before) != 1 || before["population"] == nil || len(after) != 2 || after["resp_position"] != "Vadītāja" {
		t.Errorf("revision 2 diff = %v → %v", before, after)
	}
	if before, _ := revs[2].Before(); len(before) != 0 {
		t.Errorf("submit without changes records no answer changes, got %v", before)
	}
}

func TestApplyRefusesOtherDefinition(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: "other",
		Answers: survey.Answers{"population": "1"}, Actor: store.Actor{Kind: store.ActorSystem}})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("got %v", err)
	}
}

// TestConcurrentSavesNeverOverwrite: of many saves racing from one version,
// exactly one wins; the rest get a conflict.
// wins counts the saves that succeeded; the others must have been
// refused as stale (ErrConflict).
func wins(t *testing.T, results []error) int {
	t.Helper()
	n := 0
	for _, err := range results {
		switch {
		case err == nil:
			n++
		case errors.Is(err, store.ErrConflict):
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	return n
}

func TestConcurrentSavesNeverOverwrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.apply(t, 0, `{"population":1}`, false); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := survey.Answers{"population": jsonNumber(100 + i)}
			_, results[i] = f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", BaseVersion: 1,
				Answers: a, Actor: store.Actor{Kind: store.ActorSystem}})
		}()
	}
	wg.Wait()
	if won := wins(t, results); won != 1 {
		t.Fatalf("%d saves won, want exactly 1", won)
	}
	r, _ := f.s.Response(ctx, f.sv.ID, "riga")
	revs, _ := f.s.Revisions(ctx, r.ID)
	if r.Version != 2 || len(revs) != 2 {
		t.Fatalf("version %d with %d revisions, want 2 and 2", r.Version, len(revs))
	}
}

func TestReplaceDefinitionRefusedOnceAnswered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := f.s.ReplaceDefinition(ctx, f.sv.ID, "a", "b", 2025, f.def.JSON(), "sha2"); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: "sha2",
		Answers: survey.Answers{"resp_name": "A"}, Actor: store.Actor{Kind: store.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReplaceDefinition(ctx, f.sv.ID, "a", "b", 2025, f.def.JSON(), "sha3"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("replace after answers: %v", err)
	}
}

func TestRespondentByTokenHash(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok, h := auth.NewToken()
	if _, err := f.s.RotateInvitation(ctx, f.sv.ID, "riga", store.NewLink{Hash: h}); err != nil {
		t.Fatal(err)
	}
	r, err := f.s.RespondentByTokenHash(ctx, auth.HashToken(tok))
	if err != nil {
		t.Fatal(err)
	}
	if r.Survey.ID != f.sv.ID || r.Municipality.NameLV != "Rīgas valstspilsēta" || r.Response.ID != 0 ||
		r.Response.Version != 0 || string(r.Response.AnswersJSON) != "{}" || len(r.Survey.Definition) == 0 {
		t.Fatalf("before any save: %+v", r.Response)
	}
	if _, err := f.apply(t, 0, `{"population":7}`, false); err != nil {
		t.Fatal(err)
	}
	r, err = f.s.RespondentByTokenHash(ctx, auth.HashToken(tok))
	if err != nil || r.Response.ID == 0 || r.Response.Version != 1 || string(r.Response.AnswersJSON) != `{"population": 7}` {
		t.Fatalf("after a save: %+v %v", r.Response, err)
	}
	if _, err := f.s.RespondentByTokenHash(ctx, auth.HashToken("nope")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
}

// TestRebaseSeesEveryEarlierVersion: a change made from any earlier version
// is given, through Rebase, exactly the answers stored at that version
// (reconstructed from the revision history across saves, a submit, a
// return and a coordinator's correction), and what Rebase returns is saved.
func TestRebaseSeesEveryEarlierVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	at := map[int]string{0: `{}`}
	steps := []string{`{"resp_name":"A"}`, `{"resp_name":"A","population":100}`,
		`{"population":100,"ngo_forms":["grants","other"],"ngo_forms_other":"X"}`,
		`{"population":200,"ngo_forms":["grants"]}`}
	v := 0
	for _, js := range steps {
		saved, err := f.apply(t, v, js, false)
		if err != nil {
			t.Fatal(err)
		}
		v = saved.Response.Version
		at[v] = js
	}
	saved, err := f.apply(t, v, steps[len(steps)-1], true) // submit: same answers
	if err != nil {
		t.Fatal(err)
	}
	v = saved.Response.Version
	at[v] = steps[len(steps)-1]
	u, err := f.s.CreateUser(ctx, "coord@example.lv", "Koordinatore", "coordinator", "")
	if err != nil {
		t.Fatal(err)
	}
	ret, err := f.s.ReturnResponse(ctx, f.sv.ID, "riga", v, u.ID, "note", nil)
	if err != nil {
		t.Fatal(err)
	}
	v = ret.Version
	at[v] = steps[len(steps)-1]
	corr, err := survey.DecodeAnswers([]byte(`{"population":300,"ngo_forms":["grants"]}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.s.Correct(ctx, store.Correction{SurveyID: f.sv.ID, Municipality: "riga", BaseVersion: v, Answers: corr,
		UserID: u.ID, Reason: "tālrunis"})
	if err != nil || !c.Changed {
		t.Fatalf("correction: %v", err)
	}
	v = c.Response.Version
	at[v] = `{"population":300,"ngo_forms":["grants"]}`
	if len(at) != 8 {
		t.Fatalf("%d versions recorded, want 8", len(at))
	}
	for base, js := range at {
		if base == v {
			continue
		}
		want, _ := survey.DecodeAnswers([]byte(js))
		var got survey.Answers
		_, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: "sha1",
			BaseVersion: base, Answers: survey.Answers{}, Actor: store.Actor{Kind: store.ActorSystem},
			Rebase: func(b, cur survey.Answers, version int) (survey.Answers, error) {
				got = b
				return nil, errStop
			}})
		if !errors.Is(err, errStop) {
			t.Fatalf("base %d: %v", base, err)
		}
		before, after := survey.Diff(want, got)
		if len(before) > 0 || len(after) > 0 {
			t.Errorf("base %d: reconstructed %v, want %v", base, got, want)
		}
	}
	// What Rebase returns is what is saved, from the current version.
	next := survey.Answers{"resp_name": "Z"}
	s, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: "sha1",
		BaseVersion: 1, Answers: survey.Answers{}, Actor: store.Actor{Kind: store.ActorSystem},
		Rebase: func(b, cur survey.Answers, version int) (survey.Answers, error) { return next, nil }})
	if err != nil || s.Response.Version != v+1 {
		t.Fatalf("rebased save: %v, version %d", err, s.Response.Version)
	}
	if a, _ := s.Response.Answers(); len(a) != 1 || a["resp_name"] != "Z" {
		t.Errorf("stored %v", a)
	}
	// Without Rebase a stale base is still a conflict.
	if _, err := f.apply(t, 1, `{}`, false); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale save without Rebase: %v", err)
	}
}

var errStop = errors.New("stop")

// TestResponsesAtMost: a round's responses are counted against n, of any
// status, and no other round's.
func TestResponsesAtMost(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	check := func(n int, want bool) {
		t.Helper()
		if got, err := f.s.ResponsesAtMost(ctx, f.sv.ID, n); err != nil || got != want {
			t.Fatalf("ResponsesAtMost(%d) = %v, %v; want %v", n, got, err, want)
		}
	}
	check(0, true)
	for i, muni := range []string{"riga", "cesis"} {
		a := survey.Answers{"population": json.Number("1000")}
		if _, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: muni, DefinitionSHA256: "sha1",
			Answers: a, Submit: i == 0, Actor: store.Actor{Kind: store.ActorSystem}}); err != nil {
			t.Fatal(err)
		}
	}
	check(0, false)
	check(1, false)
	check(2, true)
	check(200, true)
	if got, err := f.s.ResponsesAtMost(ctx, f.sv.ID+1000, 0); err != nil || !got {
		t.Fatalf("another round: %v, %v", got, err)
	}
}
