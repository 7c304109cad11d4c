package manage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// nextRound2026 makes the 2025 round with Rīga's submitted answers and the
// 2026 round from it, opening at opens.
func nextRound2026(t *testing.T, m *manage.Manager, def *survey.Definition, opens time.Time) (src, next domain.Survey) {
	t.Helper()
	src = roundFrom2025(t, m, def)
	res, err := m.CreateRoundFrom(ctx, domain.OperatorPrincipal(), src.Slug, "regional-2026", 2026, opens, opens.AddDate(0, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	return src, res.Survey
}

// editedDefinition is the round's questionnaire with edit applied, read
// back as a file would be.
func editedDefinition(t *testing.T, m *manage.Manager, sv domain.Survey, edit func(d *survey.Definition)) *survey.Definition {
	t.Helper()
	cur, err := m.Definition(sv)
	if err != nil {
		t.Fatal(err)
	}
	d, err := survey.Parse(cur.JSON(), "copy") // a copy to change
	if err != nil {
		t.Fatal(err)
	}
	edit(d)
	out, err := survey.Parse(d.JSON(), "edited")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// liaisonSingle makes ngo_liaison (carry_over, multiple choice) a single
// choice: another type, so its answer no longer fits.
func liaisonSingle(d *survey.Definition) {
	q := d.Question("ngo_liaison")
	q.Type = survey.Single
	for _, o := range q.Options {
		o.Exclusive = false
	}
}

// TestReplaceRoundDefinition: the 2026 round made from 2025, not yet open,
// gets an edited questionnaire (ngo_liaison another type, marked as a
// break; ngo_rules unchanged; the file's slug another): the round keeps
// its slug, Rīga's carried answers are worked out again under the new
// questions (ngo_rules still carried, ngo_liaison not), in one carry
// revision.
func TestReplaceRoundDefinition(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	src, sv := nextRound2026(t, m, def, time.Now().AddDate(0, 1, 0).Truncate(time.Second))
	before, err := m.Store.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := before.Answers(); a["ngo_liaison"] == nil || a["ngo_rules"] != "adopted" {
		t.Fatalf("carried before: %v", a)
	}
	edited := editedDefinition(t, m, sv, func(d *survey.Definition) {
		d.Slug = "cits-nosaukums"
		liaisonSingle(d)
		d.Question("ngo_liaison").BreaksSeries = true
		d.Question("resp_name").Text.EN = "Your full name"
	})
	res, err := m.ReplaceRoundDefinition(ctx, domain.OperatorPrincipal(), sv.Slug, edited)
	if err != nil {
		t.Fatal(err)
	}
	if res.Survey.Slug != sv.Slug || res.Survey.ID != sv.ID || res.Carried != 1 || res.Source == nil || res.Source.ID != src.ID {
		t.Fatalf("replaced: %+v", res)
	}
	if _, err := m.Store.SurveyBySlug(ctx, "cits-nosaukums"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the file's slug made a round: %v", err)
	}
	got, err := m.Definition(res.Survey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != sv.Slug || got.Question("ngo_liaison").Type != survey.Single || got.Question("resp_name").Text.EN != "Your full name" ||
		res.Survey.DefinitionSHA256 == sv.DefinitionSHA256 || res.Survey.DefinitionSHA256 != manage.DefinitionSHA256(got) {
		t.Fatalf("stored definition: slug %q, ngo_liaison %s, sha %s", got.Slug, got.Question("ngo_liaison").Type, res.Survey.DefinitionSHA256)
	}
	resp, err := m.Store.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	answers, _ := resp.Answers()
	carried, _ := resp.Carried()
	if answers["ngo_rules"] != "adopted" || carried["ngo_rules"] != src.Slug {
		t.Errorf("the unchanged question is not carried: %v %v", answers, carried)
	}
	if _, ok := answers["ngo_liaison"]; ok {
		t.Errorf("the changed question is still carried: %v", answers["ngo_liaison"])
	}
	if _, ok := carried["ngo_liaison"]; ok {
		t.Errorf("the changed question is still marked carried: %v", carried)
	}
	revs, err := m.Store.Revisions(ctx, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 1 || revs[0].Action != "carry" || revs[0].Actor != domain.ActorSystem || revs[0].Note == nil || *revs[0].Note != src.Slug {
		t.Fatalf("revisions after replacing: %+v", revs)
	}
	if resp.Version != 1 {
		t.Fatalf("response version %d, want 1", resp.Version)
	}
}

// TestReplaceRoundDefinitionRefused: a round that has opened, a file of
// another reference year, a questionnaire breaking the series without
// breaks_series and a round where a municipality saved are each refused
// with their own error, and change nothing.
func TestReplaceRoundDefinitionRefused(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	_, sv := nextRound2026(t, m, def, time.Now().AddDate(0, 1, 0).Truncate(time.Second))
	same := editedDefinition(t, m, sv, func(*survey.Definition) {})
	viewer := domain.Principal{User: domain.User{ID: 1, Role: domain.RoleViewer}}
	refusedAs := func(p domain.Principal, name string, slug string, d *survey.Definition, check func(error) bool) {
		t.Helper()
		before := storetest.Fingerprint(t, m.Store)
		_, err := m.ReplaceRoundDefinition(ctx, p, slug, d)
		if !check(err) {
			t.Errorf("%s: %v", name, err)
		}
		if after := storetest.Fingerprint(t, m.Store); after != before {
			t.Errorf("%s: the refused replacement changed the database", name)
		}
	}
	refused := func(name string, slug string, d *survey.Definition, check func(error) bool) {
		t.Helper()
		refusedAs(op, name, slug, d, check)
	}

	// Another reference year: the message names both.
	year := editedDefinition(t, m, sv, func(d *survey.Definition) { d.ReferenceYear = 2027 })
	refused("year", sv.Slug, year, func(err error) bool {
		var ye *manage.ReferenceYearError
		return errors.As(err, &ye) && ye.Round == 2026 && ye.File == 2027
	})
	// ngo_liaison changes type without breaks_series: the problem names it.
	breaks := editedDefinition(t, m, sv, liaisonSingle)
	refused("series", sv.Slug, breaks, func(err error) bool {
		var se *survey.SeriesError
		return errors.As(err, &se) && len(se.Problems) == 1 && se.Problems[0].Code == "ngo_liaison"
	})
	refusedAs(viewer, "viewer", sv.Slug, same, func(err error) bool { return errors.Is(err, domain.ErrForbidden) })
	refused("unknown", "nav-tadas", same, func(err error) bool { return errors.Is(err, domain.ErrNotFound) })

	// Ogre saves a draft through its link, and a coordinator's correction
	// counts as well: two municipalities, refused, Rīga's carried answers
	// as they were.
	inv, err := m.Store.ActiveInvitation(ctx, sv.ID, "ogre")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "ogre", DefinitionSHA256: sv.DefinitionSHA256,
		Answers: survey.Answers{"resp_name": "Ilze"}, Actor: domain.Actor{Kind: domain.ActorInvitation, InvitationID: inv.ID}}); err != nil {
		t.Fatal(err)
	}
	u, err := m.Store.CreateUser(ctx, "koord@survey.test", "Koordinators", domain.RoleCoordinator, "")
	if err != nil {
		t.Fatal(err)
	}
	riga, err := m.Store.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Store.ConfirmCarried(ctx, sv.ID, "riga", riga.Version, []string{"ngo_rules"},
		domain.Actor{Kind: domain.ActorUser, UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	refused("saved", sv.Slug, same, func(err error) bool {
		var se *manage.SavedAnswersError
		return errors.As(err, &se) && se.Municipalities == 2
	})
	if got, _ := m.Store.SurveyBySlug(ctx, sv.Slug); got.DefinitionSHA256 != sv.DefinitionSHA256 {
		t.Error("the definition changed")
	}

	// A round that has opened.
	if _, err := m.SetRoundDates(ctx, op, sv, time.Now().Add(-time.Hour), sv.ClosesAt); err != nil {
		t.Fatal(err)
	}
	refused("opened", sv.Slug, same, func(err error) bool { return errors.Is(err, manage.ErrRoundOpened) })
	// Closed before it opened: refused as well.
	if _, err := m.SetRoundDates(ctx, op, sv, sv.OpensAt, sv.ClosesAt); err != nil {
		t.Fatal(err)
	}
	if err := m.CloseRound(ctx, op, sv, time.Now()); err != nil {
		t.Fatal(err)
	}
	refused("closed", sv.Slug, same, func(err error) bool { return errors.Is(err, manage.ErrRoundOpened) })
}

// TestReplaceRoundDefinitionWithoutSource: a round made from a file (no
// source round) takes any questionnaire of its reference year; nothing is
// carried.
func TestReplaceRoundDefinitionWithoutSource(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	opens := time.Now().AddDate(0, 1, 0).Truncate(time.Second)
	sv, err := m.CreateRound(ctx, op, def, "", opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	edited := editedDefinition(t, m, sv, liaisonSingle) // no source: no series to break
	res, err := m.ReplaceRoundDefinition(ctx, op, sv.Slug, edited)
	if err != nil || res.Carried != 0 || res.Source != nil {
		t.Fatalf("replaced: %+v %v", res, err)
	}
	if got, _ := m.Definition(res.Survey); got.Question("ngo_liaison").Type != survey.Single {
		t.Fatal("not replaced")
	}
}
