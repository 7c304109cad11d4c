package main

import (
	"context"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// TestDemoScale: demo --scale makes the set; without --scale, or with
// sizes missing, nothing is written.
func TestDemoScale(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL": storetest.NewDatabase(t),
		"BASE_URL":     "https://aptauja.example.lv",
		"LOG_LEVEL":    "warn",
	}
	if err := runEnv(t, env, "seed", "--opens", "2026-12-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before := storetest.Fingerprint(t, st)
	for _, bad := range [][]string{
		{"demo", "--rounds", "2", "--municipalities", "5", "--responses", "8"},
		{"demo", "--scale", "--rounds", "2", "--responses", "8"},
		{"demo", "--scale", "--survey", "regional-2025", "--rounds", "2", "--municipalities", "5", "--responses", "8"},
		{"demo", "--scale", "--rounds", "2", "--municipalities", "5", "--responses", "11"},
	} {
		if err := runEnv(t, env, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
	if storetest.Fingerprint(t, st) != before {
		t.Fatal("a refused demo --scale changed the database")
	}
	if err := runEnv(t, env, "demo", "--scale", "--rounds", "2", "--municipalities", "5", "--responses", "8", "--seed", "3"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id
		WHERE s.slug IN ('scale-2021', 'scale-2022') AND r.municipality_code LIKE 'sim-%' AND r.status = 'submitted'`); err != nil || n != 8 {
		t.Errorf("%d scale responses (%v), want 8", n, err)
	}
}
