package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// ReplaceRoundDefinition checks under its locks, whatever its caller
// checked before: a round that opens at or before Now is refused, and so
// is one where a response has anything but the system's carry-over (here
// a system save); a refusal changes nothing. Otherwise the carried-only
// responses are replaced by the new carry-over.
func TestReplaceRoundDefinitionChecksInTheTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	carry := func(code string) store.CarryOver {
		return store.CarryOver{SurveyID: f.sv.ID, Municipality: code, Answers: survey.Answers{"ngo_rules": "adopted"},
			Carried: map[string]string{"ngo_rules": "prev"}, Note: "prev"}
	}
	if ok, err := f.s.StartCarried(ctx, carry("ogre")); !ok || err != nil {
		t.Fatalf("start carried: %v %v", ok, err)
	}
	repl := store.RoundReplacement{SurveyID: f.sv.ID, TitleLV: "Jauns", TitleEN: "New", ReferenceYear: f.def.ReferenceYear,
		Definition: f.def.JSON(), DefinitionSHA256: "sha2", Carry: []store.CarryOver{carry("riga")}}

	before := storetest.Fingerprint(t, f.s)
	repl.Now = f.sv.OpensAt // opens at Now: it has opened
	if _, err := f.s.ReplaceRoundDefinition(ctx, repl); !errors.Is(err, store.ErrRoundOpened) {
		t.Fatalf("an opened round: %v", err)
	}
	if after := storetest.Fingerprint(t, f.s); after != before {
		t.Fatal("a refusal changed the database")
	}
	repl.Now = f.sv.OpensAt.Add(-time.Minute)
	if _, err := f.apply(t, 0, `{"resp_name":"Anna"}`, false); err != nil {
		t.Fatal(err)
	}
	before = storetest.Fingerprint(t, f.s)
	var saved *store.SavedAnswersError
	if _, err := f.s.ReplaceRoundDefinition(ctx, repl); !errors.As(err, &saved) || saved.Municipalities != 1 {
		t.Fatalf("a saved response: %v", err)
	}
	if after := storetest.Fingerprint(t, f.s); after != before {
		t.Fatal("a refusal changed the database")
	}

	// Without Rīga's save: Ogre's carried response goes, Rīga's comes.
	f2 := newFixture(t)
	if ok, err := f2.s.StartCarried(ctx, store.CarryOver{SurveyID: f2.sv.ID, Municipality: "ogre",
		Answers: survey.Answers{"ngo_rules": "none"}, Carried: map[string]string{"ngo_rules": "prev"}}); !ok || err != nil {
		t.Fatalf("start carried: %v %v", ok, err)
	}
	repl.SurveyID, repl.Now = f2.sv.ID, f2.sv.OpensAt.Add(-time.Minute)
	repl.Carry = []store.CarryOver{{SurveyID: f2.sv.ID, Municipality: "riga", Answers: survey.Answers{"ngo_rules": "adopted"},
		Carried: map[string]string{"ngo_rules": "prev"}, Note: "prev"}}
	n, err := f2.s.ReplaceRoundDefinition(ctx, repl)
	if err != nil || n != 1 {
		t.Fatalf("replace: %d %v", n, err)
	}
	if _, err := f2.s.Response(ctx, f2.sv.ID, "ogre"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Ogre's carried response stayed: %v", err)
	}
	r, err := f2.s.Response(ctx, f2.sv.ID, "riga")
	if err != nil || r.Version != 1 {
		t.Fatalf("Rīga's response %+v %v", r, err)
	}
	if sv, _ := f2.s.SurveyByID(ctx, f2.sv.ID); sv.DefinitionSHA256 != "sha2" || sv.TitleLV != "Jauns" {
		t.Fatalf("round %+v", sv)
	}
}
