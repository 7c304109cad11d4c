package domain_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureLayers: the domain types, the questionnaire (survey), the
// reports and the archive's file format link no SQL package — not even through their tests' imports — so
// they stay usable and testable without a database, and the design's
// layering (web → manage → store) is kept by a test, not by convention.
func TestPureLayers(t *testing.T) {
	t.Parallel()
	const mod = "github.com/civitas-lv/surveyd/"
	out, err := exec.Command("go", "list", "-deps", "-test", mod+"internal/domain", mod+"survey", mod+"reports",
		mod+"internal/archive").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "database/sql", strings.HasPrefix(dep, "database/sql/"),
			strings.HasPrefix(dep, "github.com/jmoiron/sqlx"), strings.HasPrefix(dep, "github.com/lib/pq"),
			strings.HasPrefix(dep, "github.com/golang-migrate/"), dep == mod+"internal/store",
			strings.HasPrefix(dep, "github.com/gin-gonic/"):
			t.Errorf("domain, survey, reports or archive (or their tests) link %s", dep)
		}
	}
}

// TestWebDoesNotUseTheStore: the web layer decodes, calls one manage
// operation and renders; it never reaches the store itself, so every rule
// lives in manage where the CLI and the JSON API get it too. (Its tests may
// use the store to set up data.)
func TestWebDoesNotUseTheStore(t *testing.T) {
	t.Parallel()
	const mod = "github.com/civitas-lv/surveyd/"
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, mod+"internal/web").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, imp := range strings.Fields(string(out)) {
		if imp == mod+"internal/store" || strings.HasPrefix(imp, mod+"internal/store/") || imp == "database/sql" ||
			strings.HasPrefix(imp, "github.com/jmoiron/sqlx") || strings.HasPrefix(imp, "github.com/lib/pq") {
			t.Errorf("internal/web imports %s", imp)
		}
	}
}
