package manage_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// submitted2025 is what Rīga submitted in 2025: answers to carry_over
// questions (ngo_rules, ngo_forms with "other", ngo_liaison, pb_status,
// pb_first_year), to questions that are not carried (a yearly amount, a
// count, the respondent's name) and a draft change after the submit that
// must not be carried (only submitted answers are).
var submitted2025 = survey.Answers{
	"ngo_rules": "adopted", "ngo_forms": []any{"grants", "other"}, "ngo_forms_other": "Balvas",
	"ngo_liaison": []any{"council", "staff"}, "pb_status": "voted", "pb_first_year": 2023,
	"ngo_support_eur": 12000, "ngo_supported_count": 14, "resp_name": "Anna Ozola",
}

// roundFrom2025 makes the 2025 round with Rīga's submitted answers (and an
// unsubmitted draft change on top), and Ogre's draft only.
func roundFrom2025(t *testing.T, m *manage.Manager, def *survey.Definition) domain.Survey {
	t.Helper()
	opens := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
	sv, err := m.CreateRound(ctx, domain.OperatorPrincipal(), def, "", opens, opens.AddDate(0, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	sys := domain.Actor{Kind: domain.ActorSystem}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", Answers: submitted2025,
		Submit: true, Actor: sys}); err != nil {
		t.Fatal(err)
	}
	draft := submitted2025.Clone()
	draft["ngo_rules"] = "drafting"
	draft["pb_status"] = "rules_only"
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", BaseVersion: 1,
		Answers: draft, Actor: sys}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "ogre",
		Answers: survey.Answers{"ngo_rules": "none"}, Actor: sys}); err != nil {
		t.Fatal(err)
	}
	return sv
}

// TestCreateRoundFrom: the 2026 round from the 2025 one copies the
// questionnaire with the new slug, reference year and title, remembers its
// source, issues links for every active municipality and starts Rīga's
// response with exactly its submitted answers to carry_over questions,
// marked as not confirmed, in one system revision naming the source round.
// Bad input stores nothing.
func TestCreateRoundFrom(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	src := roundFrom2025(t, m, def)
	opens := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	closes := opens.AddDate(0, 2, 0)

	for name, call := range map[string]func() error{
		"bad slug": func() error {
			_, err := m.CreateRoundFrom(ctx, op, src.Slug, "Reģionālā", 2026, opens, closes)
			return wantIs(err, manage.ErrBadSlug)
		},
		"taken slug": func() error {
			_, err := m.CreateRoundFrom(ctx, op, src.Slug, src.Slug, 2026, opens, closes)
			return wantIs(err, domain.ErrExists)
		},
		"unknown source": func() error {
			_, err := m.CreateRoundFrom(ctx, op, "nav-tadas", "regional-2026", 2026, opens, closes)
			return wantIs(err, domain.ErrNotFound)
		},
		"same year": func() error {
			_, err := m.CreateRoundFrom(ctx, op, src.Slug, "regional-2026", 2025, opens, closes)
			return wantIs(err, manage.ErrReferenceYear)
		},
		"dates": func() error {
			_, err := m.CreateRoundFrom(ctx, op, src.Slug, "regional-2026", 2026, closes, opens)
			return wantIs(err, manage.ErrDateOrder)
		},
		"viewer": func() error {
			_, err := m.CreateRoundFrom(ctx, domain.Principal{User: domain.User{ID: 1, Role: domain.RoleViewer}},
				src.Slug, "regional-2026", 2026, opens, closes)
			if err == nil {
				return errors.New("a viewer made a round")
			}
			return nil
		},
	} {
		if err := call(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if list, _ := m.Rounds(ctx, op); len(list) != 1 {
		t.Fatalf("refused input stored rounds: %d", len(list))
	}

	res, err := m.CreateRoundFrom(ctx, op, src.Slug, "regional-2026", 2026, opens, closes)
	if err != nil {
		t.Fatal(err)
	}
	sv := res.Survey
	if sv.Slug != "regional-2026" || sv.ReferenceYear != 2026 || sv.PreviousSurveyID == nil || *sv.PreviousSurveyID != src.ID ||
		sv.TitleLV != "Pašvaldību prakse sabiedrības līdzdalībā 2026" || sv.TitleEN != "Municipal practice in public participation 2026" {
		t.Fatalf("new round: %+v", sv)
	}
	newDef, err := m.Definition(sv)
	if err != nil || newDef.ReferenceYear != 2026 || len(newDef.Questions()) != len(def.Questions()) || !newDef.Question("ngo_rules").CarryOver {
		t.Fatalf("copied definition: %v", err)
	}
	if !strings.Contains(newDef.Intro.LV, "pārskata gadu – 2026. gadu") || !strings.Contains(newDef.Intro.EN, "the reference year, 2026.") {
		t.Fatalf("the introduction keeps the old year: %q", newDef.Intro.LV)
	}
	munis, _ := m.Store.Municipalities(ctx)
	active := 0
	for _, mu := range munis {
		if mu.Active {
			active++
		}
	}
	if len(res.Issued.Links) != active || active == 0 {
		t.Fatalf("%d links for %d active municipalities", len(res.Issued.Links), active)
	}
	if res.Carried != 1 {
		t.Fatalf("carried for %d municipalities, want 1 (Rīga; Ogre never submitted)", res.Carried)
	}
	if _, err := m.Store.Response(ctx, sv.ID, "ogre"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Ogre (a draft only) got a response: %v", err)
	}
	resp, err := m.Store.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := resp.Answers()
	want := survey.Answers{"ngo_rules": "adopted", "ngo_forms": []any{"grants", "other"}, "ngo_forms_other": "Balvas",
		"ngo_liaison": []any{"council", "staff"}, "pb_status": "voted", "pb_first_year": 2023}
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
		t.Fatalf("carried answers %s, want %s", g, w)
	}
	carried, _ := resp.Carried()
	if len(carried) != 5 || carried["ngo_forms"] != src.Slug || carried["pb_first_year"] != src.Slug {
		t.Fatalf("carried marks %v", carried)
	}
	if resp.Status != domain.StatusDraft || resp.SubmittedJSON != nil || resp.Version != 1 {
		t.Fatalf("carried response %+v", resp)
	}
	revs, _ := m.Store.Revisions(ctx, resp.ID)
	if len(revs) != 1 || revs[0].Action != "carry" || revs[0].Actor != domain.ActorSystem || revs[0].Note == nil || *revs[0].Note != src.Slug {
		t.Fatalf("revisions %+v", revs)
	}
	// Carried answers are nobody's submission: not in the reports, and
	// the tracker does not count them as the municipality's draft.
	err = m.Results(ctx, op, sv, newDef, "lv", func(src reports.Source, tr manage.Tracker) error {
		for row, err := range src() {
			if err != nil {
				return err
			}
			if (reports.Filter{}).Keep(row) {
				t.Errorf("a report has %s's row: %+v", row.Municipality.Code, row)
			}
		}
		for _, r := range tr.Rows {
			if r.Code == "riga" && (r.Status != manage.TrackLinkCreated || r.Answered != 0) {
				t.Errorf("tracker: Rīga %s with %d answered", r.Status, r.Answered)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantIs(err, target error) error {
	if !errors.Is(err, target) {
		return errors.New("got " + errString(err) + ", want " + target.Error())
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// TestCarriedAnswersCompatible: only carry_over questions whose type and
// options still fit are carried over.
func TestCarriedAnswersCompatible(t *testing.T) {
	t.Parallel()
	_, def := setup(t)
	// 2026: ngo_liaison becomes a single choice (another type), ngo_forms
	// loses the option "grants", ngo_published is no longer carry_over.
	edit, err := survey.Parse(def.JSON(), "copy")
	if err != nil {
		t.Fatal(err)
	}
	edit.Question("ngo_liaison").Type = survey.Single
	for _, o := range edit.Question("ngo_liaison").Options {
		o.Exclusive = false
	}
	for _, o := range edit.Question("ngo_forms").Options {
		if o.Code == "training" {
			o.Code = "training_2026"
		}
	}
	edit.Question("ngo_published").CarryOver = false
	nextDef, err := survey.Parse(edit.JSON(), "2026")
	if err != nil {
		t.Fatal(err)
	}
	if nextDef.Question("ngo_forms").Option("training") != nil || nextDef.Question("ngo_liaison").Type != survey.Single {
		t.Fatal("the test's edits did not apply")
	}
	sub := submitted2025.Clone()
	sub["ngo_forms"] = []any{"grants", "training", "other"}
	sub["ngo_published"] = "website"
	sub["rc_status"] = "established"
	sub, err = survey.DecodeAnswers([]byte(jsonOf(t, sub))) // as stored
	if err != nil {
		t.Fatal(err)
	}
	got, codes := manage.CarriedAnswers(def, nextDef, sub)
	if want := []string{"ngo_rules", "pb_status", "pb_first_year", "rc_status"}; !slices.Equal(codes, want) {
		t.Fatalf("carried %v, want %v", codes, want)
	}
	for _, k := range []string{"ngo_forms", "ngo_forms_other", "ngo_liaison", "ngo_published", "ngo_support_eur", "resp_name"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s carried over", k)
		}
	}
	// With the same definition, ngo_forms (with its "other" text) is.
	if _, codes := manage.CarriedAnswers(def, def, sub); !slices.Contains(codes, "ngo_forms") || !slices.Contains(codes, "ngo_published") {
		t.Fatalf("same definition: %v", codes)
	}
}

// openRound2026 makes regional-2026 from a 2025 round with answers
// (roundFrom2025), open now for a day, and returns the source round, Riga's
// token in the new round and now.
func openRound2026(t *testing.T, m *manage.Manager, def *survey.Definition) (domain.Survey, string, time.Time) {
	t.Helper()
	src := roundFrom2025(t, m, def)
	now := time.Now()
	res, err := m.CreateRoundFrom(ctx, domain.OperatorPrincipal(), src.Slug, "regional-2026", 2026, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res.Issued.Links {
		if l.Municipality == "riga" {
			return src, l.URL[strings.LastIndex(l.URL, "/")+1:], now
		}
	}
	t.Fatal("no link for riga in regional-2026")
	return src, "", now
}

// TestConfirmCarried: an unconfirmed carried answer blocks submit and does
// not count as answered; confirming a question or a section writes one
// revision naming the source round; changing an answer confirms it.
func TestConfirmCarried(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	src, token, now := openRound2026(t, m, def)
	r, err := m.RespondentByToken(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Carried) != 5 || r.Carried["ngo_rules"] != (manage.CarriedFrom{Round: src.Slug, Year: 2025}) {
		t.Fatalf("respondent's carried %v", r.Carried)
	}
	answered := func() int {
		n := 0
		for _, p := range r.Progress(r.Answers) {
			n += p.Answered
		}
		return n
	}
	if n := answered(); n != 0 {
		t.Fatalf("%d answered before confirming", n)
	}
	msg := wording.T(wording.LV, "respond.carried.unconfirmed", "year", 2025)
	submitErrs := func() map[string]survey.Text {
		t.Helper()
		_, err := m.SubmitAnswers(ctx, r, r.Response.Version, "lv")
		var inv *manage.InvalidAnswersError
		if !errors.As(err, &inv) || !inv.Submit {
			t.Fatalf("submit: %v", err)
		}
		return inv.Errors
	}
	errs := submitErrs()
	for _, code := range []string{"ngo_rules", "ngo_forms", "ngo_liaison", "pb_status", "pb_first_year"} {
		if errs[code].LV != msg {
			t.Errorf("submit's error at %s: %q, want %q", code, errs[code].LV, msg)
		}
	}
	if !strings.Contains(msg, "2025") {
		t.Fatalf("the message does not name the year: %q", msg)
	}

	// One question, then the NGO section's rest (ngo_rules is no longer
	// carried: skipped), each one revision naming the source round.
	base := r.Response.Version
	saved, err := m.ConfirmCarried(ctx, r, []string{"pb_first_year"}, base)
	if err != nil || !saved.Changed || r.Response.Version != base+1 || len(r.Carried) != 4 {
		t.Fatalf("confirm one: %+v %v %v", saved, err, r.Carried)
	}
	if _, err := m.ConfirmCarried(ctx, r, []string{"ngo_rules"}, base); !errors.As(err, new(*domain.ConflictError)) {
		t.Fatalf("a stale base: %v", err)
	}
	if _, err := m.ConfirmCarried(ctx, r, []string{"ngo_rules", "ngo_forms", "ngo_liaison", "ngo_published"}, r.Response.Version); err != nil {
		t.Fatal(err)
	}
	if len(r.Carried) != 1 || r.Carried["pb_status"].Round != src.Slug {
		t.Fatalf("left carried %v", r.Carried)
	}
	revs, _ := m.Store.Revisions(ctx, r.Response.ID)
	if len(revs) != 3 {
		t.Fatalf("%d revisions, want carry and two confirms", len(revs))
	}
	for _, rev := range revs[1:] {
		if rev.Action != "confirm" || rev.Actor != domain.ActorInvitation || rev.Note == nil || *rev.Note != src.Slug {
			t.Errorf("confirm revision %+v", rev)
		}
	}
	answers, _ := r.Response.Answers()
	if b, a := survey.Diff(answers, r.Answers); len(b)+len(a) > 0 {
		t.Fatalf("confirming changed answers: %v", answers)
	}
	if n := answered(); n != 4 {
		t.Fatalf("%d answered after confirming four", n)
	}
	if errs := submitErrs(); errs["ngo_rules"].LV != "" || errs["pb_status"].LV != msg {
		t.Fatalf("after confirming: %v", errs)
	}
	// Nothing left to confirm: nothing written.
	if saved, err := m.ConfirmCarried(ctx, r, []string{"ngo_rules"}, r.Response.Version); err != nil || saved.Changed {
		t.Fatalf("confirm again: %+v %v", saved, err)
	}

	// Changing the last carried answer confirms it.
	in := r.Answers.Clone()
	in["pb_status"] = "rules_only"
	post := manage.FormPost{Base: r.Response.Version, Answers: in}
	if _, err := m.SaveForm(ctx, r, post, "lv"); err != nil {
		t.Fatal(err)
	}
	if r, err = m.RespondentByToken(ctx, token, now); err != nil {
		t.Fatal(err)
	}
	if len(r.Carried) != 0 {
		t.Fatalf("changed, still carried: %v", r.Carried)
	}
	if errs := submitErrs(); errs["pb_status"].LV == msg {
		t.Fatalf("a changed answer still counts as unconfirmed")
	}
}

// TestEnsureRoundCarryOverMarks: the seed may add or remove carry_over
// marks on a round that has answers (they do not change how answers are
// read); any other change is still refused.
func TestEnsureRoundCarryOverMarks(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	plain, err := survey.Parse(def.JSON(), "copy")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range plain.Questions() {
		q.CarryOver = false
	}
	if plain, err = survey.Parse(plain.JSON(), "plain"); err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sv, _, err := m.EnsureRound(ctx, plain, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga",
		Answers: survey.Answers{"resp_name": "A"}, Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	sv, res, err := m.EnsureRound(ctx, def, opens, opens)
	if err != nil || res != manage.RoundUpdated {
		t.Fatalf("carry_over marks after answers: %v %v", res, err)
	}
	if got, _ := m.Definition(sv); !got.Question("ngo_rules").CarryOver {
		t.Fatal("the marks were not stored")
	}
	changed, _ := survey.Parse([]byte(strings.Replace(string(def.JSON()), "Vārds, uzvārds", "Vārds un uzvārds", 1)), "")
	if _, _, err := m.EnsureRound(ctx, changed, opens, opens); !errors.Is(err, manage.ErrDefinitionInUse) {
		t.Fatalf("another change after answers: %v", err)
	}
}

// TestPreviewShowsCarriedAnswers: previewing the next round, not yet open,
// as Rīga shows its carried-over answers with their marker, as Rīga will
// see them, and stores nothing; a municipality without any shows an empty
// form.
func TestPreviewShowsCarriedAnswers(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	src := roundFrom2025(t, m, def)
	opens := time.Now().AddDate(0, 1, 0).Truncate(time.Second)
	res, err := m.CreateRoundFrom(ctx, op, src.Slug, "regional-2026", 2026, opens, opens.AddDate(0, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	before := storetest.Fingerprint(t, m.Store)
	f, err := m.Preview(ctx, op, res.Survey.Slug, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if f.Answers["ngo_rules"] != submitted2025["ngo_rules"] {
		t.Errorf("preview answers: ngo_rules = %v, want the submitted %v", f.Answers["ngo_rules"], submitted2025["ngo_rules"])
	}
	if from, ok := f.Carried["ngo_rules"]; !ok || from.Round != src.Slug || from.Year != 2025 {
		t.Errorf("preview carried: %+v", f.Carried)
	}
	if _, ok := f.Answers["population"]; ok {
		t.Errorf("a yearly figure was carried over into the preview: %v", f.Answers["population"])
	}
	g, err := m.Preview(ctx, op, res.Survey.Slug, "cesis")
	if err != nil || len(g.Answers) != 0 || len(g.Carried) != 0 {
		t.Errorf("Cēsis answered nothing in 2025, its preview: %v %v %v", g.Answers, g.Carried, err)
	}
	if after := storetest.Fingerprint(t, m.Store); after != before {
		t.Error("the preview changed the database")
	}
}

// TestRespondentToSave: the save's Respondent (RespondentToSave) agrees
// with the page's (RespondentByToken) on what a save uses, saves as it
// does — a changed carried-over answer is confirmed, the others stay
// carried — and is refused by the changes that need more.
func TestRespondentToSave(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	_, token, now := openRound2026(t, m, def)
	full, err := m.RespondentByToken(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.RespondentToSave(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Survey.ID != full.Survey.ID || r.Survey.DefinitionSHA256 != full.Survey.DefinitionSHA256 ||
		r.Municipality.Code != full.Municipality.Code || r.State != full.State || !r.Deadline().Equal(full.Deadline()) ||
		r.Def != full.Def || r.Response.ID != full.Response.ID || r.Response.Version != full.Response.Version ||
		!reflect.DeepEqual(r.Answers, full.Answers) {
		t.Fatalf("save's respondent %+v\npage's %+v", r, full)
	}
	for name, err := range map[string]error{
		"submit": func() error { _, err := m.SubmitAnswers(ctx, r, r.Response.Version, "lv"); return err }(),
		"confirm": func() error {
			_, err := m.ConfirmCarried(ctx, r, []string{"ngo_rules"}, r.Response.Version)
			return err
		}(),
		"form": func() error {
			_, err := m.SaveForm(ctx, r, manage.FormPost{Base: r.Response.Version, Answers: r.Answers}, "lv")
			return err
		}(),
	} {
		if err == nil || errors.Is(err, domain.ErrConflict) {
			t.Errorf("%s with the save's respondent: %v, want refused", name, err)
		}
	}
	if after, _ := m.RespondentByToken(ctx, token, now); after.Response.Version != full.Response.Version {
		t.Fatalf("a refused change wrote: version %d, was %d", after.Response.Version, full.Response.Version)
	}

	in := r.Answers.Clone()
	in["pb_status"] = "rules_only"
	saved, err := m.SaveAnswers(ctx, r, r.Response.Version, in)
	if err != nil || !saved.Changed || saved.Response.Version != full.Response.Version+1 {
		t.Fatalf("save: %+v %v", saved, err)
	}
	carried, err := saved.Response.Carried()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := carried["pb_status"]; ok || len(carried) != len(full.Carried)-1 {
		t.Fatalf("carried after changing pb_status: %v (was %v)", carried, full.Carried)
	}
	after, err := m.RespondentByToken(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if after.Answers["pb_status"] != "rules_only" || after.Response.Version != saved.Response.Version {
		t.Fatalf("stored %v at version %d", after.Answers["pb_status"], after.Response.Version)
	}
}
