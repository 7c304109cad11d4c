package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// personalKeys are the regional-2025 round's personal questions.
var personalKeys = []string{"resp_name", "resp_position", "resp_email", "resp_phone", "consent_contact"}

// TestEraseBumpsVersion: erasing a round's personal data changes each
// response that held any as one more version with one revision 'erase'
// that holds no answers and names the codes erased; a submitted response
// whose submitted copy was the current one stays "not changed since
// submitted" (and its feedback release follows), one changed since stays
// so; a response without personal data is not touched; erasing again
// changes nothing.
func TestEraseBumpsVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	save := func(code string, base int, js string, submit bool) store.Response {
		t.Helper()
		a, err := survey.DecodeAnswers([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: code, DefinitionSHA256: "sha1",
			BaseVersion: base, Answers: a, Submit: submit, Actor: store.Actor{Kind: store.ActorSystem}})
		if err != nil || !out.Changed {
			t.Fatalf("%s from %d: %+v %v", code, base, out, err)
		}
		return out.Response
	}
	// riga: submitted as it is (v3, submitted 3), the name in a revision
	// only (changed before submitting), released feedback.
	save("riga", 0, `{"population":7,"resp_name":"Anna Bērziņa"}`, false)
	save("riga", 1, `{"population":7,"resp_name":"Anna Ozola","resp_email":"anna@riga.lv"}`, false)
	save("riga", 2, `{"population":7,"resp_name":"Anna Ozola","resp_email":"anna@riga.lv"}`, true)
	// cesis: submitted, then changed (v3, submitted 2).
	save("cesis", 0, `{"population":9,"resp_phone":"+371 20000000"}`, false)
	save("cesis", 1, `{"population":9,"resp_phone":"+371 20000000"}`, true)
	save("cesis", 2, `{"population":10,"resp_phone":"+371 20000000"}`, false)
	// valmiera: nothing personal.
	save("valmiera", 0, `{"population":11}`, false)
	// ogre: a phone once, cleared since: only a revision holds it.
	save("ogre", 0, `{"population":12,"resp_phone":"+371 20000001"}`, false)
	save("ogre", 1, `{"population":12}`, false)
	if _, err := f.s.ReleaseFeedback(ctx, f.sv.ID, []string{"riga", "cesis"}, 0); err != nil {
		t.Fatal(err)
	}

	type state struct {
		v, sv int
		revs  []store.Revision
		ans   string
	}
	read := func(code string) state {
		t.Helper()
		r, err := f.s.Response(ctx, f.sv.ID, code)
		if err != nil {
			t.Fatal(err)
		}
		revs, err := f.s.Revisions(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		st := state{v: r.Version, sv: -1, revs: revs, ans: string(r.AnswersJSON)}
		if r.SubmittedVersion != nil {
			st.sv = *r.SubmittedVersion
		}
		return st
	}
	codes := []string{"riga", "cesis", "valmiera", "ogre"}
	before := map[string]state{}
	for _, c := range codes {
		before[c] = read(c)
	}
	e, err := f.s.EraseRoundPersonal(ctx, f.sv.ID, personalKeys, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if e.Responses != 3 || e.Revisions != 5 {
		t.Errorf("erased %+v, want 3 responses (riga, cesis, ogre) and 5 revisions", e)
	}
	want := map[string]struct {
		sv   int
		note string
		ans  string
	}{
		"riga":  {4, "resp_name, resp_email", `{"population": 7}`},
		"cesis": {2, "resp_phone", `{"population": 10}`},
		"ogre":  {-1, "resp_phone", `{"population": 12}`},
	}
	for _, c := range codes {
		b, a := before[c], read(c)
		w, erased := want[c]
		if !erased {
			if a.v != b.v || a.sv != b.sv || len(a.revs) != len(b.revs) {
				t.Errorf("%s has nothing personal but changed: v%d sv%d %d revisions → v%d sv%d %d", c, b.v, b.sv,
					len(b.revs), a.v, a.sv, len(a.revs))
			}
			continue
		}
		if a.v != b.v+1 || a.sv != w.sv || len(a.revs) != len(b.revs)+1 || a.ans != w.ans {
			t.Errorf("%s: v%d sv%d %d revisions %s → v%d sv%d %d revisions %s; want v%d sv%d one more revision %s", c,
				b.v, b.sv, len(b.revs), b.ans, a.v, a.sv, len(a.revs), a.ans, b.v+1, w.sv, w.ans)
			continue
		}
		l := a.revs[len(a.revs)-1]
		if l.Action != store.RevisionErase || l.Version != a.v || l.Actor != store.ActorSystem || l.UserID != nil ||
			l.InvitationID != nil || string(l.BeforeJSON) != `{}` || string(l.AfterJSON) != `{}` || l.Note == nil || *l.Note != w.note {
			t.Errorf("%s: last revision %+v (note %v), want erase v%d by the system, {} → {}, note %q", c, l, l.Note, a.v, w.note)
		}
	}
	// riga's submitted copy was the current one: still "not changed since
	// submitted", and its feedback release records the new submitted
	// version (the feedback never shows personal answers); cesis was
	// changed since submitting and stays so, its release as it was.
	riga, _ := f.s.Response(ctx, f.sv.ID, "riga")
	cesis, _ := f.s.Response(ctx, f.sv.ID, "cesis")
	if riga.ChangedSinceSubmit() || !cesis.ChangedSinceSubmit() {
		t.Errorf("changed since submitted: riga %v (want false), cesis %v (want true)", riga.ChangedSinceSubmit(), cesis.ChangedSinceSubmit())
	}
	if string(riga.SubmittedJSON) != `{"population": 7}` || string(cesis.SubmittedJSON) != `{"population": 9}` {
		t.Errorf("submitted copies %s, %s", riga.SubmittedJSON, cesis.SubmittedJSON)
	}
	rel, err := f.s.FeedbackReleases(ctx, f.sv.ID)
	if err != nil || rel["riga"].SubmittedVersion != 4 || rel["cesis"].SubmittedVersion != 2 {
		t.Errorf("feedback releases: riga %d (want 4), cesis %d (want 2), %v", rel["riga"].SubmittedVersion,
			rel["cesis"].SubmittedVersion, err)
	}
	// Again: nothing to erase, nothing changes.
	after := map[string]state{}
	for _, c := range codes {
		after[c] = read(c)
	}
	if e, err := f.s.EraseRoundPersonal(ctx, f.sv.ID, personalKeys, time.Now()); err != nil || e != (domain.Erased{}) {
		t.Errorf("again: %+v %v", e, err)
	}
	for _, c := range codes {
		if a := read(c); a.v != after[c].v || a.sv != after[c].sv || len(a.revs) != len(after[c].revs) {
			t.Errorf("%s changed when erased again: v%d → v%d", c, after[c].v, a.v)
		}
	}
}

// TestEraseRefusesStaleSaves: a change made from a version before an
// erasure never writes the erased answers back: with or without Rebase,
// with Seen read before or after the erasure, or without Seen, it is a
// *ConflictError with the version now stored, and nothing is written. A
// change made after the erasure is saved (and rebased) as usual.
func TestEraseRefusesStaleSaves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	change := func(base int, js string) store.Change {
		a, err := survey.DecodeAnswers([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return store.Change{SurveyID: f.sv.ID, Municipality: "riga", DefinitionSHA256: "sha1",
			BaseVersion: base, Answers: a, Actor: store.Actor{Kind: store.ActorSystem}}
	}
	seen := func() *store.Seen {
		t.Helper()
		r, err := f.s.Response(ctx, f.sv.ID, "riga")
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.Answers()
		if err != nil {
			t.Fatal(err)
		}
		return &store.Seen{Response: r, Answers: a}
	}
	// The rebase a respondent's save uses keeps both sides' changes: here,
	// whatever the tab sends over what is stored.
	mine := func(c store.Change) store.Change {
		c.Rebase = func(base, current survey.Answers, _ int) (survey.Answers, error) {
			out := current.Clone()
			for k, v := range c.Answers {
				out[k] = v
			}
			return out, nil
		}
		return c
	}
	for _, js := range []string{`{"population":7}`, `{"population":7,"resp_name":"Anna Ozola","resp_email":"anna@riga.lv"}`} {
		r, _ := f.s.Response(ctx, f.sv.ID, "riga")
		if _, err := f.s.Apply(ctx, change(r.Version, js)); err != nil {
			t.Fatal(err)
		}
	}
	at2 := seen() // the tab, opened at version 2
	stale := `{"population":8,"resp_name":"Anna Ozola","resp_email":"anna@riga.lv"}`
	// Somebody else saves after the tab opened: the tab's save would be
	// rebased, so the erasure is not the only change since.
	if _, err := f.s.Apply(ctx, change(2, `{"population":7,"resp_name":"Anna Ozola","resp_email":"anna@riga.lv","ngo_rules":"none"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EraseRoundPersonal(ctx, f.sv.ID, personalKeys, time.Now()); err != nil {
		t.Fatal(err)
	}
	erased := seen()
	if erased.Response.Version != 4 {
		t.Fatalf("version %d after the erasure, want 4", erased.Response.Version)
	}
	revsBefore, _ := f.s.Revisions(ctx, erased.Response.ID)
	for _, tc := range []struct {
		name string
		c    store.Change
	}{
		{"without Rebase, without Seen", change(2, stale)},
		{"with Rebase, without Seen (applyLocked)", mine(change(2, stale))},
		{"with Rebase, Seen read after the erasure (applySeen)", func() store.Change { c := mine(change(2, stale)); c.Seen = erased; return c }()},
		{"with Rebase, Seen read before the erasure", func() store.Change { c := mine(change(2, stale)); c.Seen = at2; return c }()},
		{"with Rebase, from version 3 (after another save, before the erasure)", func() store.Change {
			c := mine(change(3, stale))
			c.Seen = erased
			return c
		}()},
	} {
		var ce *store.ConflictError
		if _, err := f.s.Apply(ctx, tc.c); !errors.As(err, &ce) || ce.Current != 4 || ce.Erased != (tc.c.Rebase != nil) {
			t.Errorf("%s: %v (%+v), want a conflict at version 4, erased %v", tc.name, err, ce, tc.c.Rebase != nil)
		}
		now := seen()
		revs, _ := f.s.Revisions(ctx, now.Response.ID)
		if now.Response.Version != 4 || len(revs) != len(revsBefore) ||
			string(now.Response.AnswersJSON) != `{"ngo_rules": "none", "population": 7}` {
			t.Errorf("%s: wrote v%d, %d revisions, answers %s", tc.name, now.Response.Version, len(revs), now.Response.AnswersJSON)
		}
	}
	// From the version after the erasure: saved, and rebased as usual.
	if _, err := f.s.Apply(ctx, change(4, `{"population":8,"ngo_rules":"none"}`)); err != nil {
		t.Fatal(err)
	}
	c := mine(change(4, `{"population":7,"ngo_rules":"none","resp_name":"Jānis Kalns"}`))
	c.Seen = seen()
	out, err := f.s.Apply(ctx, c)
	if err != nil || out.Response.Version != 6 || out.Answers["resp_name"] != "Jānis Kalns" {
		t.Fatalf("rebased after the erasure: %+v %v", out, err)
	}
}

// TestErasePersonRecordsUser: a person's erasure by a user records the
// user as the erase revision's actor, by the operator (0) the system.
func TestErasePersonRecordsUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u, err := f.s.CreateUser(ctx, "admin@survey.test", "Admins", domain.RoleAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, code := range []string{"riga", "cesis"} {
		a := survey.Answers{"population": 7, "resp_name": "Persona Nr" + string(rune('A'+i)), "resp_email": "p@" + code + ".lv"}
		if _, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: code, DefinitionSHA256: "sha1",
			Answers: a, Actor: store.Actor{Kind: store.ActorSystem}}); err != nil {
			t.Fatal(err)
		}
	}
	rounds := []domain.PersonalKeys{{SurveyID: f.sv.ID, Keys: personalKeys}}
	for _, tc := range []struct {
		email, code string
		user        int64
	}{{"p@riga.lv", "riga", u.ID}, {"p@cesis.lv", "cesis", 0}} {
		_, e, err := f.s.ErasePerson(ctx, domain.PersonQuery{Email: tc.email}, rounds, tc.user)
		if err != nil || e.Responses != 1 {
			t.Fatalf("%s: %+v %v", tc.code, e, err)
		}
		r, _ := f.s.Response(ctx, f.sv.ID, tc.code)
		revs, _ := f.s.Revisions(ctx, r.ID)
		l := revs[len(revs)-1]
		wantActor := store.ActorSystem
		if tc.user != 0 {
			wantActor = store.ActorUser
		}
		if r.Version != 2 || len(revs) != 2 || l.Action != store.RevisionErase || l.Actor != wantActor ||
			(tc.user != 0) != (l.UserID != nil) || (l.UserID != nil && *l.UserID != tc.user) ||
			l.Note == nil || *l.Note != "resp_name, resp_email" || string(l.BeforeJSON) != `{}` || string(l.AfterJSON) != `{}` {
			t.Errorf("%s: v%d, %d revisions, last %+v (note %v)", tc.code, r.Version, len(revs), l, l.Note)
		}
		if _, e, err := f.s.ErasePerson(ctx, domain.PersonQuery{Email: tc.email}, rounds, tc.user); err != nil || e != (domain.Erased{}) {
			t.Errorf("%s again: %+v %v", tc.code, e, err)
		}
		if again, _ := f.s.Response(ctx, f.sv.ID, tc.code); again.Version != 2 {
			t.Errorf("%s: v%d after erasing again", tc.code, again.Version)
		}
	}
}

// TestErasureIsNotTheMunicipalitysAnswer: a response holding only the
// system's carry-over stays replaceable with the round's questionnaire
// after its carried personal answer is erased: the erasure's revision is
// not the municipality's own saving.
func TestErasureIsNotTheMunicipalitysAnswer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if ok, err := f.s.StartCarried(ctx, store.CarryOver{SurveyID: f.sv.ID, Municipality: "ogre",
		Answers: survey.Answers{"ngo_rules": "none", "resp_position": "Vadītāja"},
		Carried: map[string]string{"ngo_rules": "prev", "resp_position": "prev"}, Note: "prev"}); !ok || err != nil {
		t.Fatalf("start carried: %v %v", ok, err)
	}
	if e, err := f.s.EraseRoundPersonal(ctx, f.sv.ID, personalKeys, time.Now()); err != nil || e.Responses != 1 {
		t.Fatalf("erasing: %+v %v", e, err)
	}
	r, err := f.s.Response(ctx, f.sv.ID, "ogre")
	if err != nil || r.Version != 2 || string(r.CarriedJSON) != `{"ngo_rules": "prev"}` || string(r.AnswersJSON) != `{"ngo_rules": "none"}` {
		t.Fatalf("after erasing: %+v (carried %s, answers %s) %v", r, r.CarriedJSON, r.AnswersJSON, err)
	}
	n, err := f.s.ReplaceRoundDefinition(ctx, store.RoundReplacement{SurveyID: f.sv.ID, TitleLV: "Jauns", TitleEN: "New",
		ReferenceYear: f.def.ReferenceYear, Definition: f.def.JSON(), DefinitionSHA256: "sha2", Now: f.sv.OpensAt.Add(-time.Minute)})
	if err != nil || n != 0 {
		t.Fatalf("replacing after the erasure: %d %v", n, err)
	}
}
