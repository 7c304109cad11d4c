package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// TestSavesWrittenTogether: many respondents saving at once are written
// in batches — far fewer statements than saves — and every save is
// written exactly as alone: its version, its answers, its own revision.
func TestSavesWrittenTogether(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	list, err := f.s.Municipalities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const clients, saves = 24, 10
	seen := make([]*store.Seen, clients)
	for i := range clients {
		a := survey.Answers{"population": jsonNumber(-1 - i)}
		out, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: list[i].Code, DefinitionSHA256: "sha1",
			Answers: a, Actor: store.Actor{Kind: store.ActorSystem}})
		if err != nil {
			t.Fatal(err)
		}
		seen[i] = &store.Seen{Response: out.Response, Answers: out.Answers}
	}
	before := f.s.RoundTrips()
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for i := range clients {
		wg.Go(func() {
			for n := range saves {
				a := survey.Answers{"population": jsonNumber(1000*i + n)}
				out, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: list[i].Code, DefinitionSHA256: "sha1",
					BaseVersion: seen[i].Response.Version, Answers: a, Actor: store.Actor{Kind: store.ActorSystem}, Seen: seen[i]})
				if err == nil && (!out.Changed || out.Response.Version != n+2) {
					err = fmt.Errorf("save %d: changed %v, version %d", n, out.Changed, out.Response.Version)
				}
				if err != nil {
					errs[i] = err
					return
				}
				seen[i] = &store.Seen{Response: out.Response, Answers: out.Answers}
			}
		})
	}
	wg.Wait()
	trips := f.s.RoundTrips() - before
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if trips > clients*saves/2 {
		t.Errorf("%d saves took %d round trips: not written together", clients*saves, trips)
	}
	t.Logf("%d saves in %d round trips", clients*saves, trips)
	for i := range clients {
		r, err := f.s.Response(ctx, f.sv.ID, list[i].Code)
		if err != nil {
			t.Fatal(err)
		}
		revs, err := f.s.Revisions(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != saves+1 || len(revs) != saves+1 {
			t.Fatalf("%s: version %d with %d revisions, want %d", list[i].Code, r.Version, len(revs), saves+1)
		}
		for n, rev := range revs[1:] {
			want := fmt.Sprintf(`{"population": %d}`, 1000*i+n)
			if rev.Version != n+2 || rev.Action != "save" || string(rev.AfterJSON) != want {
				t.Errorf("%s: revision %d: version %d %s %s, want %s", list[i].Code, n+2, rev.Version, rev.Action, rev.AfterJSON, want)
			}
		}
		if string(r.AnswersJSON) != fmt.Sprintf(`{"population": %d}`, 1000*i+saves-1) {
			t.Errorf("%s: answers %s", list[i].Code, r.AnswersJSON)
		}
	}
}

// TestSeenSavesNeverOverwrite: saves made from the same version of one
// response, at once, each from the response as read: one is written, the
// others are refused as stale — whether they met in one batch or not.
func TestSeenSavesNeverOverwrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first, err := f.apply(t, 0, `{"population":1}`, false)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, results[i] = f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "riga", BaseVersion: 1,
				Answers: survey.Answers{"population": jsonNumber(100 + i)}, Actor: store.Actor{Kind: store.ActorSystem},
				Seen: &store.Seen{Response: first.Response, Answers: first.Answers}})
		})
	}
	wg.Wait()
	won := wins(t, results)
	r, _ := f.s.Response(ctx, f.sv.ID, "riga")
	revs, _ := f.s.Revisions(ctx, r.ID)
	if won != 1 || r.Version != 2 || len(revs) != 2 {
		t.Fatalf("%d saves won; version %d with %d revisions, want 1, 2 and 2", won, r.Version, len(revs))
	}
}

// TestSaveBatchEachOnItsOwnCondition: in one batch, of two saves of the
// same response from the same version one is written; a save from a
// version the response has left is not; and when the statement fails as a
// whole (a revision naming a link that does not exist), nothing of the
// batch is written.
func TestSaveBatchEachOnItsOwnCondition(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	riga, err := f.apply(t, 0, `{"population":1}`, false)
	if err != nil {
		t.Fatal(err)
	}
	ogre, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "ogre", Answers: survey.Answers{"population": jsonNumber(2)},
		Actor: store.Actor{Kind: store.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	rid, oid, sv := riga.Response.ID, ogre.Response.ID, f.sv.ID
	written, versions := f.s.WriteSavesTogether([]store.BatchSave{
		{ResponseID: rid, SurveyID: sv, Version: 1, Answers: `{"population": 10}`},
		{ResponseID: oid, SurveyID: sv, Version: 7, Answers: `{"population": 20}`},
		{ResponseID: rid, SurveyID: sv, Version: 1, Answers: `{"population": 11}`},
	})
	if written[0] == written[2] || written[1] {
		t.Fatalf("written %v, want one of Riga's two and not Ogre's stale one", written)
	}
	win := 0
	if written[2] {
		win = 2
	}
	if versions[win] != 2 {
		t.Errorf("the written save's version %d, want 2", versions[win])
	}
	r, _ := f.s.Response(ctx, sv, "riga")
	revs, _ := f.s.Revisions(ctx, rid)
	want := []string{`{"population": 10}`, `{"population": 11}`}[win/2]
	if r.Version != 2 || len(revs) != 2 || string(r.AnswersJSON) != want || string(revs[1].AfterJSON) != want {
		t.Fatalf("Riga: version %d, %d revisions, answers %s, want 2, 2, %s", r.Version, len(revs), r.AnswersJSON, want)
	}
	if o, _ := f.s.Response(ctx, sv, "ogre"); o.Version != 1 {
		t.Errorf("Ogre's stale save was written: version %d", o.Version)
	}

	missing := int64(1 << 40)
	written, _ = f.s.WriteSavesTogether([]store.BatchSave{
		{ResponseID: oid, SurveyID: sv, Version: 1, Answers: `{"population": 21}`},
		{ResponseID: rid, SurveyID: sv, Version: 2, Answers: `{"population": 12}`, InvitationID: &missing},
	})
	if written[0] || written[1] {
		t.Errorf("a failed batch says written: %v", written)
	}
	if o, _ := f.s.Response(ctx, sv, "ogre"); o.Version != 1 || string(o.AnswersJSON) != `{"population": 2}` {
		t.Errorf("a failed batch wrote Ogre's save: version %d, %s", o.Version, o.AnswersJSON)
	}
}

// TestSaveContextsReadTogether: links read in one batch get each its own
// context, as read alone; an unknown or revoked link none; the same link
// twice its context twice.
func TestSaveContextsReadTogether(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var hashes [][]byte
	for _, m := range []string{"riga", "ogre", "cesis"} {
		tok, h := auth.NewToken()
		if _, err := f.s.RotateInvitation(ctx, f.sv.ID, m, store.NewLink{Hash: h}); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, auth.HashToken(tok))
	}
	if _, err := f.apply(t, 0, `{"population":1}`, false); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RevokeActiveInvitation(ctx, f.sv.ID, "cesis"); err != nil {
		t.Fatal(err)
	}
	unknown, _ := auth.NewToken()
	ask := [][]byte{hashes[0], hashes[2], auth.HashToken(unknown), hashes[1], hashes[0]}
	got, found, failed := f.s.ReadContextsTogether(ask)
	if failed || !reflect.DeepEqual(found, []bool{true, false, false, true, true}) {
		t.Fatalf("found %v, failed %v", found, failed)
	}
	for i, h := range ask {
		if !found[i] {
			continue
		}
		alone, err := f.s.SaveContextByTokenHash(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if alone.Response.ID == 0 { // now(), read twice
			alone.Response.CreatedAt, alone.Response.UpdatedAt = got[i].Response.CreatedAt, got[i].Response.UpdatedAt
		}
		if !reflect.DeepEqual(got[i], alone) {
			t.Errorf("link %d in a batch:\n %+v\nalone:\n %+v", i, got[i], alone)
		}
	}
	if got[0].Municipality.Code != "riga" || got[0].Response.Version != 1 || got[3].Municipality.Code != "ogre" {
		t.Errorf("contexts in the wrong places: %s v%d, %s", got[0].Municipality.Code, got[0].Response.Version, got[3].Municipality.Code)
	}
}
