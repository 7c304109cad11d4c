package manage_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// completeAnswers is a complete, valid set of answers to regional-2025.
const completeAnswers = `{"resp_name":"Anna Ozola","resp_position":"Speciāliste","resp_email":"anna@novads.lv","population":24000,
"consent_contact":true,"ngo_rules":"adopted","ngo_forms":["grants"],"ngo_support_eur":48000,"ngo_supported_count":31,
"ngo_liaison":["staff"],"ngo_published":"website","del_status":"no","pb_status":"not_started","rc_status":"not_planned"}`

// reviewFixture is a round where riga has submitted complete answers and
// then changed its phone number without submitting, and cesis has a
// draft; with a viewer and a coordinator.
type reviewFixture struct {
	m                   *manage.Manager
	sv                  domain.Survey
	viewer, coordinator domain.Principal
	coordinatorID       int64
}

func newReviewFixture(t *testing.T) *reviewFixture {
	t.Helper()
	m, def := setup(t)
	opens := time.Now().Add(-time.Hour).Truncate(time.Second)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	a, err := survey.DecodeAnswers([]byte(completeAnswers))
	if err != nil {
		t.Fatal(err)
	}
	res := def.Validate(a, survey.Submit)
	if !res.OK() {
		t.Fatalf("test data: %v", res.Errors)
	}
	sha := manage.DefinitionSHA256(def)
	saved, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", DefinitionSHA256: sha,
		Answers: res.Answers, Submit: true, Actor: domain.Actor{Kind: domain.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	edited := survey.Answers{"resp_phone": "+371 20000000"}
	for k, v := range res.Answers {
		edited[k] = v
	}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", DefinitionSHA256: sha,
		BaseVersion: saved.Response.Version, Answers: edited, Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "cesis", DefinitionSHA256: sha,
		Answers: survey.Answers{"resp_name": "Jānis Ozols"}, Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	f := &reviewFixture{m: m, sv: sv}
	for _, role := range []string{domain.RoleViewer, domain.RoleCoordinator} {
		u, err := m.Store.CreateUser(ctx, role+"@survey.test", role, role, "")
		if err != nil {
			t.Fatal(err)
		}
		if role == domain.RoleViewer {
			f.viewer = domain.UserPrincipal(u)
		} else {
			f.coordinator, f.coordinatorID = domain.UserPrincipal(u), u.ID
		}
	}
	return f
}

func (f *reviewFixture) response(t *testing.T, code string) domain.Response {
	t.Helper()
	r, err := f.m.Store.Response(ctx, f.sv.ID, code)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReviewPersonalData: a viewer reads the answers without the personal
// ones (in either copy) and without the history; a coordinator reads
// everything, with who made each change.
func TestReviewPersonalData(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t)
	if _, err := f.m.Correct(ctx, f.coordinator, manage.Correction{Slug: f.sv.Slug, Municipality: "riga", Question: "population",
		BaseVersion: f.response(t, "riga").Version, Answers: survey.Answers{"population": json.Number("24100")}, Reason: "Precizēts"}); err != nil {
		t.Fatal(err)
	}
	rv, err := f.m.Review(ctx, f.viewer, f.sv.Slug, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if rv.Personal || len(rv.History) != 0 {
		t.Errorf("viewer: personal %v, %d history entries", rv.Personal, len(rv.History))
	}
	for _, copy := range []survey.Answers{rv.Answers, rv.Submitted} {
		for _, k := range []string{"resp_name", "resp_email", "resp_phone", "consent_contact"} {
			if _, ok := copy[k]; ok {
				t.Errorf("the viewer reads the personal answer %s", k)
			}
		}
		if copy["population"] != json.Number("24100") {
			t.Errorf("viewer: population %v", copy["population"])
		}
	}
	if !rv.Visible["resp_name"] || rv.Visible["pb_first_year"] {
		t.Errorf("visible %v", rv.Visible)
	}

	rv, err = f.m.Review(ctx, f.coordinator, f.sv.Slug, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if !rv.Personal || rv.Answers["resp_phone"] != "+371 20000000" || rv.Submitted["resp_name"] != "Anna Ozola" {
		t.Errorf("coordinator: %v / %v", rv.Answers, rv.Submitted)
	}
	if len(rv.History) != 3 {
		t.Fatalf("%d history entries, want 3", len(rv.History))
	}
	if h := rv.History[0]; h.Action != "correct" || h.Actor != domain.ActorUser || h.UserEmail != "coordinator@survey.test" ||
		h.Note != "Precizēts" || h.Before["population"] != json.Number("24000") || h.After["population"] != json.Number("24100") {
		t.Errorf("newest entry %+v", h)
	}
	if _, err := f.m.Review(ctx, f.viewer, f.sv.Slug, "atlantida"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown municipality: %v", err)
	}
	// Nothing saved yet: an empty response.
	if rv, err := f.m.Review(ctx, f.viewer, f.sv.Slug, "ogre"); err != nil || rv.Response.ID != 0 || rv.Submitted != nil {
		t.Errorf("ogre: %+v %v", rv, err)
	}
}

// TestCorrectRules: a correction needs a reason within the limits, keeps
// the working copy valid as a draft and the submitted copy valid for
// submitting, and is made from the current version; a refused one changes
// nothing. The operator's is recorded as the system's.
func TestCorrectRules(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t)
	riga := f.response(t, "riga")
	c := manage.Correction{Slug: f.sv.Slug, Municipality: "riga", Question: "population", BaseVersion: riga.Version,
		Answers: survey.Answers{"population": json.Number("25000")}, Reason: "  Pa tālruni  "}
	refused := []struct {
		name   string
		change func(c *manage.Correction)
		want   func(error) bool
	}{
		{"no reason", func(c *manage.Correction) { c.Reason = " \n" }, answerErrIs(manage.ErrReasonMissing)},
		{"long reason", func(c *manage.Correction) { c.Reason = strings.Repeat("ā", manage.MaxTextChars+1) }, answerErrIs(manage.ErrTooLong)},
		{"unknown question", func(c *manage.Correction) { c.Question = "nope" }, answerErrIs(manage.ErrUnknownQuestion)},
		{"nothing saved", func(c *manage.Correction) { c.Municipality = "ogre" }, answerErrIs(domain.ErrNotFound)},
		{"invalid", func(c *manage.Correction) { c.Answers = survey.Answers{"population": json.Number("-5")} }, answerInvalidAt("population")},
		// Clearing a required answer is a valid draft, but the submitted
		// copy must stay complete.
		{"incomplete submitted copy", func(c *manage.Correction) { c.Answers = survey.Answers{} }, answerInvalidAt("population")},
		{"stale", func(c *manage.Correction) { c.BaseVersion-- }, answerConflict(riga.Version)},
	}
	for _, r := range refused {
		before := storetest.Fingerprint(t, f.m.Store)
		c := c
		r.change(&c)
		if _, err := f.m.Correct(ctx, f.coordinator, c); !r.want(err) {
			t.Errorf("%s: %v", r.name, err)
		}
		if after := storetest.Fingerprint(t, f.m.Store); after != before {
			t.Errorf("%s was refused but changed the database", r.name)
		}
	}
	// A draft without a submitted copy: only the working copy is checked.
	cesis := f.response(t, "cesis")
	if _, err := f.m.Correct(ctx, f.coordinator, manage.Correction{Slug: f.sv.Slug, Municipality: "cesis", Question: "population",
		BaseVersion: cesis.Version, Answers: survey.Answers{"population": json.Number("14000")}, Reason: "x"}); err != nil {
		t.Errorf("cesis: %v", err)
	}

	got, err := f.m.Correct(ctx, f.coordinator, c)
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := survey.DecodeAnswers(got.SubmittedJSON)
	work, _ := got.Answers()
	if got.Version != riga.Version+1 || sub["population"] != json.Number("25000") || work["population"] != json.Number("25000") ||
		work["resp_phone"] != "+371 20000000" || !got.ChangedSinceSubmit() {
		t.Errorf("corrected: v%d %s / %s", got.Version, got.SubmittedJSON, got.AnswersJSON)
	}
	revs, err := f.m.Store.Revisions(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := revs[len(revs)-1]; last.Actor != domain.ActorUser || *last.UserID != f.coordinatorID || *last.Note != "Pa tālruni" {
		t.Errorf("revision %+v", last)
	}

	c.BaseVersion, c.Answers = got.Version, survey.Answers{"population": json.Number("25100")}
	if got, err = f.m.Correct(ctx, domain.OperatorPrincipal(), c); err != nil {
		t.Fatal(err)
	}
	revs, _ = f.m.Store.Revisions(ctx, got.ID)
	if last := revs[len(revs)-1]; last.Actor != domain.ActorSystem || last.UserID != nil || *last.Note != "Pa tālruni" {
		t.Errorf("the operator's revision %+v", last)
	}
}

// TestReturnRules: a return needs a note or a comment on a question of the
// round, within the limits, of a submitted response, from its current
// version; a refused one changes nothing. The operator's is recorded as
// the system's.
func TestReturnRules(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t)
	riga := f.response(t, "riga")
	r := manage.Return{Slug: f.sv.Slug, Municipality: "riga", BaseVersion: riga.Version,
		Comments: map[string]string{"population": "  Vai pareizi?  ", "ngo_rules": "  "}}
	refused := []struct {
		name   string
		change func(r *manage.Return)
		want   func(error) bool
	}{
		{"empty", func(r *manage.Return) { r.Comments = map[string]string{"population": " "} }, answerErrIs(manage.ErrReturnEmpty)},
		{"unknown question", func(r *manage.Return) { r.Comments = map[string]string{"nope": "?"} }, answerErrIs(manage.ErrUnknownQuestion)},
		{"long note", func(r *manage.Return) { r.Note = strings.Repeat("ā", manage.MaxTextChars+1) }, answerErrIs(manage.ErrTooLong)},
		{"long comment", func(r *manage.Return) {
			r.Comments = map[string]string{"population": strings.Repeat("ā", manage.MaxTextChars+1)}
		}, answerErrIs(manage.ErrTooLong)},
		{"bad characters", func(r *manage.Return) { r.Note = "a\x00b" }, answerErrIs(manage.ErrBadCharacters)},
		{"not submitted", func(r *manage.Return) { r.Municipality, r.BaseVersion = "cesis", f.response(t, "cesis").Version }, answerErrIs(domain.ErrNotSubmitted)},
		{"nothing saved", func(r *manage.Return) { r.Municipality = "ogre" }, answerErrIs(domain.ErrNotFound)},
		{"stale", func(r *manage.Return) { r.BaseVersion-- }, answerConflict(riga.Version)},
	}
	for _, x := range refused {
		before := storetest.Fingerprint(t, f.m.Store)
		r := r
		x.change(&r)
		if _, err := f.m.ReturnResponse(ctx, f.coordinator, r); !x.want(err) {
			t.Errorf("%s: %v", x.name, err)
		}
		if after := storetest.Fingerprint(t, f.m.Store); after != before {
			t.Errorf("%s was refused but changed the database", x.name)
		}
	}
	got, err := f.m.ReturnResponse(ctx, f.coordinator, r)
	if err != nil || got.Status != domain.StatusReturned {
		t.Fatalf("return: %+v %v", got, err)
	}
	rets, err := f.m.Store.Returns(ctx, got.ID)
	if err != nil || len(rets) != 1 || len(rets[0].Comments) != 1 || rets[0].Comments["population"] != "Vai pareizi?" ||
		*rets[0].UserID != f.coordinatorID {
		t.Fatalf("returns %+v %v", rets, err)
	}
	if _, err := f.m.ReturnResponse(ctx, f.coordinator, manage.Return{Slug: f.sv.Slug, Municipality: "riga",
		BaseVersion: got.Version, Note: "Vēlreiz"}); !errors.Is(err, domain.ErrNotSubmitted) {
		t.Errorf("returned again: %v", err)
	}

	// The operator returns cesis once it is submitted.
	cesis := f.response(t, "cesis")
	a, _ := survey.DecodeAnswers([]byte(completeAnswers))
	sub, err := f.m.Store.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: "cesis", BaseVersion: cesis.Version,
		Answers: a, Submit: true, Actor: domain.Actor{Kind: domain.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.ReturnResponse(ctx, domain.OperatorPrincipal(), manage.Return{Slug: f.sv.Slug, Municipality: "cesis",
		BaseVersion: sub.Response.Version, Note: "No komandrindas"}); err != nil {
		t.Fatal(err)
	}
	rets, _ = f.m.Store.Returns(ctx, sub.Response.ID)
	revs, _ := f.m.Store.Revisions(ctx, sub.Response.ID)
	if len(rets) != 1 || rets[0].UserID != nil || revs[len(revs)-1].Actor != domain.ActorSystem {
		t.Errorf("the operator's return %+v, revision %+v", rets, revs[len(revs)-1])
	}
}

func answerErrIs(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func answerInvalidAt(code string) func(error) bool {
	return func(err error) bool {
		var ia *manage.InvalidAnswersError
		if !errors.As(err, &ia) {
			return false
		}
		_, ok := ia.Errors[code]
		return ok
	}
}

func answerConflict(current int) func(error) bool {
	return func(err error) bool {
		var ce *domain.ConflictError
		return errors.As(err, &ce) && ce.Current == current
	}
}
