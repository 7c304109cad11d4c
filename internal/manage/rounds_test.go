package manage_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
)

// TestCreateRoundSlug: a slug typed to override the definition's follows
// the definition's slug rule, with the rule's error, and nothing is stored;
// a good one names the new round without changing the caller's definition.
func TestCreateRoundSlug(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	opens := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	closes := opens.AddDate(0, 1, 0)
	for _, bad := range []string{"Pilot_2027", "-pilot", "p", "pilots un " + strings.Repeat("x", 70), "pilot/2027"} {
		_, err := m.CreateRound(ctx, op, def, bad, opens, closes)
		if !errors.Is(err, manage.ErrBadSlug) || !errors.Is(err, survey.ErrBadSlug) {
			t.Errorf("slug %q: %v, want the slug rule's error", bad, err)
		}
		if err != nil && !strings.Contains(err.Error(), "lower-case letters") {
			t.Errorf("slug %q: %q does not say what a slug may hold", bad, err)
		}
	}
	if list, err := m.Rounds(ctx, op); err != nil || len(list) != 0 {
		t.Fatalf("refused slugs stored rounds: %v %v", list, err)
	}

	sv, err := m.CreateRound(ctx, op, def, "pilot-2027", opens, closes)
	if err != nil || sv.Slug != "pilot-2027" || def.Slug != "regional-2025" {
		t.Fatalf("good slug: %+v %v (definition's slug now %q)", sv, err, def.Slug)
	}
	stored, err := survey.Parse(sv.Definition, "")
	if err != nil || stored.Slug != "pilot-2027" {
		t.Fatalf("the stored questionnaire's slug: %v %v", stored, err)
	}
	if _, err := m.CreateRound(ctx, op, def, "pilot-2027", opens, closes); !errors.Is(err, domain.ErrExists) {
		t.Fatalf("a taken slug: %v", err)
	}
	// The definition's own slug when none is typed; the dates are checked.
	if _, err := m.CreateRound(ctx, op, def, "", closes, opens); !errors.Is(err, manage.ErrDateOrder) {
		t.Fatalf("dates in the wrong order: %v", err)
	}
	if sv, err := m.CreateRound(ctx, op, def, "", opens, closes); err != nil || sv.Slug != "regional-2025" {
		t.Fatalf("the definition's slug: %+v %v", sv, err)
	}
}

// TestTrackerContacts: the tracker carries contacts (personal data) only
// for those who may see them; a viewer gets the rest.
func TestTrackerContacts(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	sv, _, err := m.EnsureRound(ctx, def, time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.SaveContacts(ctx, op, "riga", []domain.Contact{{Email: "anna@riga.lv"}}); err != nil {
		t.Fatal(err)
	}
	contactsOf := func(p domain.Principal) (rows int, contacts int) {
		t.Helper()
		tr, err := m.Tracker(ctx, p, sv, def)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tr.Rows {
			contacts += len(r.Contacts)
		}
		return len(tr.Rows), contacts
	}
	viewer, err := m.Store.CreateUser(ctx, "viewer@survey.test", "Skatītājs", domain.RoleViewer, "")
	if err != nil {
		t.Fatal(err)
	}
	coordinator, err := m.Store.CreateUser(ctx, "coordinator@survey.test", "Koordinators", domain.RoleCoordinator, "")
	if err != nil {
		t.Fatal(err)
	}
	if rows, n := contactsOf(domain.UserPrincipal(viewer)); rows != 43 || n != 0 {
		t.Errorf("viewer: %d rows, %d contacts", rows, n)
	}
	for _, p := range []domain.Principal{domain.UserPrincipal(coordinator), op} {
		if rows, n := contactsOf(p); rows != 43 || n != 1 {
			t.Errorf("%+v: %d rows, %d contacts", p, rows, n)
		}
	}
}
