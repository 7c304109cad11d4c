package manage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// TestPreviewStoresNothing: a coordinator's whole preview session of a
// round that has not opened — the page, draft checks (valid, invalid, one
// that hides answers) and submit checks — leaves the database exactly as
// it was, and the checks say what a save or a submit would.
func TestPreviewStoresNothing(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	opens := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	u, err := m.Store.CreateUser(ctx, "koord@survey.test", "Koordinatore", domain.RoleCoordinator, "")
	if err != nil {
		t.Fatal(err)
	}
	p := domain.UserPrincipal(u)
	before := storetest.Fingerprint(t, m.Store)

	f, err := m.Preview(ctx, p, sv.Slug, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if f.Municipality.Code != "riga" || f.Def.Slug != sv.Slug || len(f.Answers) != 0 {
		t.Errorf("preview: %s %s %v", f.Municipality.Code, f.Def.Slug, f.Answers)
	}
	// A draft with a value that reveals two questions.
	c, err := m.CheckPreview(ctx, p, sv.Slug, "riga", decoded(t, `{"resp_name": "PRIEKŠSKATS-Zvaigzne",
		"ngo_forms": ["grants"], "ngo_support_eur": 12345}`), false)
	if err != nil {
		t.Fatal(err)
	}
	if !c.OK() || !c.Visible["ngo_support_eur"] || !c.Visible["ngo_supported_count"] || c.Visible["del_count"] {
		t.Errorf("draft: errors %v, visible %v", c.Errors, c.Visible)
	}
	done, total := survey.Completion(c.Progress)
	if done != 3 || total == 0 {
		t.Errorf("progress %d of %d, want 3 answered", done, total)
	}
	// A bad number is refused as a save would refuse it.
	c, err = m.CheckPreview(ctx, p, sv.Slug, "riga", survey.Answers{"population": "daudz"}, false)
	if err != nil || c.OK() || c.Errors["population"].LV == "" {
		t.Errorf("bad number: %v %v", c.Errors, err)
	}
	// A hidden question's answer is cleared, as a save would.
	c, err = m.CheckPreview(ctx, p, sv.Slug, "riga", decoded(t, `{"del_status": "no", "del_count": 3}`), false)
	if err != nil || !c.OK() || len(c.Cleared) != 1 || c.Cleared[0] != "del_count" || c.Answers["del_count"] != nil {
		t.Errorf("cleared: %v %v %v", c.Cleared, c.Answers, err)
	}
	// Submit mode: the required questions; a complete set passes.
	c, err = m.CheckPreview(ctx, p, sv.Slug, "riga", survey.Answers{"resp_name": "A"}, true)
	if err != nil || c.OK() || c.Errors["population"].LV == "" || !c.Submit {
		t.Errorf("submit: %v %v", c.Errors, err)
	}
	full := decoded(t, `{"resp_name": "Anna Ozola", "resp_position": "Speciāliste", "resp_email": "anna@novads.lv",
		"population": 24000, "consent_contact": true, "ngo_rules": "adopted", "ngo_forms": ["grants"],
		"ngo_support_eur": 48000, "ngo_supported_count": 31, "ngo_liaison": ["staff"],
		"ngo_published": "website", "del_status": "no", "pb_status": "not_started", "rc_status": "not_planned"}`)
	if c, err = m.CheckPreview(ctx, p, sv.Slug, "riga", full, true); err != nil || !c.OK() {
		t.Errorf("full submit: %v %v", c.Errors, err)
	}
	// Unknown round or municipality.
	if _, err := m.Preview(ctx, p, sv.Slug, "atlantida"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown municipality: %v", err)
	}
	if _, err := m.CheckPreview(ctx, p, "nav-tadas", "riga", full, true); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown round: %v", err)
	}
	if after := storetest.Fingerprint(t, m.Store); after != before {
		t.Errorf("the preview changed the database:\nbefore %s\nafter  %s", before, after)
	}
	if _, err := m.Store.Response(ctx, sv.ID, "riga"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a response exists after the preview: %v", err)
	}
}

// decoded reads answers as the API does.
func decoded(t *testing.T, js string) survey.Answers {
	t.Helper()
	a, err := survey.DecodeAnswers([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return a
}
