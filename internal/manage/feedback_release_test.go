package manage_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// TestReleaseAndWithdrawFeedback: a release takes only municipalities
// submitted at that moment (not one returned for correction, not one that
// never submitted), all of them when none is named; releasing again
// records the latest submitted version and lifts a withdrawal; a
// withdrawal names the release it was confirmed for.
func TestReleaseAndWithdrawFeedback(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	operator := domain.OperatorPrincipal()
	opens := time.Now().Add(-time.Hour)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	coord, err := m.Store.CreateUser(ctx, "koordinatore@example.lv", "", domain.RoleCoordinator, "")
	if err != nil {
		t.Fatal(err)
	}
	submit := func(code string, population int) store.Saved {
		t.Helper()
		base := 0
		if r, err := m.Store.Response(ctx, sv.ID, code); err == nil {
			base = r.Version
		}
		saved, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: code, DefinitionSHA256: sv.DefinitionSHA256,
			BaseVersion: base, Answers: survey.Answers{"resp_name": "A", "population": population}, Submit: true,
			Actor: domain.Actor{Kind: domain.ActorSystem}})
		if err != nil {
			t.Fatal(err)
		}
		return saved
	}
	submit("riga", 600000)
	submit("cesis", 15000)
	submit("ogre", 30000)
	ogre, err := m.Store.Response(ctx, sv.ID, "ogre")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.ReturnResponse(ctx, sv.ID, "ogre", ogre.Version, coord.ID, "", nil); err != nil {
		t.Fatal(err)
	}

	if _, err := m.ReleaseFeedback(ctx, operator, sv, []string{"riga", "nekurienes"}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("an unknown municipality: %v", err)
	}
	res, err := m.ReleaseFeedback(ctx, domain.UserPrincipal(coord), sv, []string{"cesis", "ogre", "valmiera", "cesis"})
	if err != nil || !slices.Equal(res.First, []string{"cesis"}) || len(res.Again) != 0 ||
		!slices.Equal(res.Skipped[manage.SkipNotSubmitted], []string{"ogre", "valmiera"}) {
		t.Fatalf("release cesis, ogre, valmiera: %+v %v", res, err)
	}
	res, err = m.ReleaseFeedback(ctx, operator, sv, nil) // all that submitted
	if err != nil || !slices.Equal(res.First, []string{"riga"}) || !slices.Equal(res.Again, []string{"cesis"}) {
		t.Fatalf("release all: %+v %v", res, err)
	}

	// Withdrawing names its release: a stale one is refused, the same one twice is fine.
	f, err := m.Store.FeedbackRelease(ctx, sv.ID, "cesis")
	if err != nil || f.ReleasedBy != nil || f.ReleasedByEmail != "" { // released again by the operator: no user
		t.Fatalf("%+v %v", f, err)
	}
	if err := m.WithdrawFeedback(ctx, operator, sv, "cesis", f.ReleasedAt.Add(-time.Second)); !errors.Is(err, manage.ErrFeedbackChanged) {
		t.Fatalf("a stale withdrawal: %v", err)
	}
	for range 2 {
		if err := m.WithdrawFeedback(ctx, operator, sv, "cesis", f.ReleasedAt); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.WithdrawFeedback(ctx, operator, sv, "valmiera", f.ReleasedAt); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("never released: %v", err)
	}

	// Corrected and released again: the new version, no longer withdrawn.
	saved := submit("cesis", 15100)
	if _, err := m.ReleaseFeedback(ctx, operator, sv, []string{"cesis"}); err != nil {
		t.Fatal(err)
	}
	g, err := m.Store.FeedbackRelease(ctx, sv.ID, "cesis")
	if err != nil || !g.Released() || g.SubmittedVersion != *saved.Response.SubmittedVersion ||
		!g.FirstReleasedAt.Equal(f.FirstReleasedAt) || g.ReleasedAt.Before(f.ReleasedAt) {
		t.Fatalf("released again: %+v (before %+v) %v", g, f, err)
	}

	// The overview counts what is released.
	o, err := m.FeedbackOverview(ctx, operator, sv, def)
	if err != nil || o.Submitted != 2 || o.Released != 2 || o.Opened != 0 || len(o.Rows) != 2 { // ogre, returned and never released, is not listed
		t.Fatalf("overview: submitted %d, released %d, opened %d, rows %d; %v", o.Submitted, o.Released, o.Opened, len(o.Rows), err)
	}
}
