package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// TestCommandLimits: the CLI refuses what the web refuses (the limits of
// internal/manage): round dates outside the years 2000–2100, user names
// over 200 characters or with control characters; nothing is stored.
func TestCommandLimits(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	env := map[string]string{"DATABASE_URL": dsn, "BASE_URL": "https://aptauja.example.lv", "LOG_LEVEL": "warn"}
	if err := runEnv(t, env, "seed", "--opens", "2026-12-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(t.TempDir(), "pilot.yaml")
	os.WriteFile(def, []byte("format: 1\nslug: pilot\ntitle: {lv: Izmēģinājums, en: Pilot}\nreference_year: 2026\n"+
		"sections:\n  - code: a\n    title: {lv: A, en: A}\n    questions:\n      - {code: q1, type: int, text: {lv: Cik?, en: How many?}}\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"round", "create", "--file", def, "--opens", "0001-01-01", "--closes", "0001-02-01"}, "2000 to 2100"},
		{[]string{"round", "create", "--file", def, "--opens", "2027-01-01", "--closes", "9999-12-31"}, "2000 to 2100"},
		{[]string{"round", "create", "--file", def, "--opens", "1999-12-01T00:00:00Z", "--closes", "2027-01-01"}, "2000 to 2100"},
		{[]string{"seed", "--opens", "0001-01-01", "--closes", "0001-01-31"}, "2000 to 2100"},
		{[]string{"user", "add", "--email", "x@example.lv", "--role", "viewer", "--name", strings.Repeat("ā", 201)}, "at most 200"},
		{[]string{"user", "add", "--email", "x@example.lv", "--role", "viewer", "--name", "Līga\x1b[2J"}, "control character"},
		{[]string{"user", "add", "--email", "x@example.lv", "--role", "viewer", "--name", "Līga\nOzola"}, "control character"},
	} {
		err := runEnv(t, env, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.80q: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SurveyBySlug(context.Background(), "pilot"); err != domain.ErrNotFound {
		t.Errorf("a round was created: %v", err)
	}
	if _, err := st.UserByEmail(context.Background(), "x@example.lv"); err != domain.ErrNotFound {
		t.Errorf("a user was added: %v", err)
	}
	sv, err := st.SurveyBySlug(context.Background(), "regional-2025")
	if err != nil || sv.OpensAt.Year() != 2026 {
		t.Errorf("seeded round: %v %v", sv.OpensAt, err)
	}
	// At the limits: accepted.
	if err := runEnv(t, env, "round", "create", "--file", def, "--opens", "2000-01-01", "--closes", "2100-12-31"); err != nil {
		t.Errorf("a round from 2000 to 2100: %v", err)
	}
	if _, err := outputEnv(t, env, "user", "add", "--email", "x@example.lv", "--role", "viewer", "--name", strings.Repeat("ā", 200)); err != nil {
		t.Errorf("a name of 200 characters: %v", err)
	}
}
