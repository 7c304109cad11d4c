package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// TestArchiveCommands: `surveyd archive export` writes a round's archive
// (mode 0600), `archive import` restores it into another installation's
// migrated database, refuses it again under the same slug, takes it under
// --slug (given after the file), and refuses a damaged file with the reason,
// changing nothing.
func TestArchiveCommands(t *testing.T) {
	t.Parallel()
	env := map[string]string{"LOG_LEVEL": "warn", "DATABASE_URL": storetest.NewDatabase(t)}
	if err := runEnv(t, env, "seed", "--opens", "2026-11-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	if err := runEnv(t, env, "demo", "--survey", "regional-2025", "--responses", "12", "--seed", "5"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "regional-2025.zip")
	if err := runEnv(t, env, "archive", "export", "--survey", "regional-2025", "-o", file); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() < 1000 {
		t.Fatalf("archive %v %v", fi, err)
	}

	// Another installation: an empty database, migrated.
	target := storetest.NewDatabase(t)
	env["DATABASE_URL"] = target
	if err := runEnv(t, env, "migrate"); err != nil {
		t.Fatal(err)
	}
	if err := runEnv(t, env, "archive", "import", file); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv, err := st.SurveyBySlug(context.Background(), "regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	if list, err := st.ResponsesForSurvey(context.Background(), sv.ID); err != nil || len(list) != 12 {
		t.Errorf("restored round: %d responses, %v; want 12", len(list), err)
	}
	before := storetest.Fingerprint(t, st)
	truncated := filepath.Join(dir, "truncated.zip")
	data, _ := os.ReadFile(file)
	if err := os.WriteFile(truncated, data[:len(data)-100], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"archive", "import", file}, "already exists; restore it under another slug (--slug)"},
		{[]string{"archive", "import", truncated, "--slug", "regional-2025-b"}, "the archive is damaged"},
		{[]string{"archive", "import", filepath.Join(dir, "none.zip")}, "no such file"},
		{[]string{"archive", "import"}, "give one archive file"},
		{[]string{"archive", "export", "--survey", "regional-2025"}, "--survey and -o are required"},
		{[]string{"archive", "export", "--survey", "nope", "-o", filepath.Join(dir, "nope.zip")}, "not found"},
		{[]string{"archive", "list"}, "unknown subcommand"},
	} {
		err := runEnv(t, env, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: %v, want it to say %q", c.args, err, c.says)
		}
	}
	if after := storetest.Fingerprint(t, st); after != before {
		t.Errorf("refused imports changed the database")
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.zip")); err == nil {
		t.Errorf("a failed export left a file")
	}
	if err := runEnv(t, env, "archive", "import", file, "--slug", "regional-2025-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SurveyBySlug(context.Background(), "regional-2025-b"); err != nil {
		t.Errorf("--slug: %v", err)
	}
}
