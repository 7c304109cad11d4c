package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestCommands runs the CLI as an operator would: seed, invite (CSV),
// demo, migrate.
func TestCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", storetest.NewDatabase(t))
	t.Setenv("BASE_URL", "https://aptauja.example.lv")
	t.Setenv("LOG_LEVEL", "warn")
	if err := run([]string{"seed", "--opens", "2026-12-01", "--closes", "2026-12-31"}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "links.csv")
	if err := run([]string{"invite", "--survey", "regional-2025", "--municipality", "riga,cesis", "-o", out}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != "municipality,name,url" {
		t.Fatalf("CSV: %v %v", rows, err)
	}
	if rows[1][0] != "cesis" || rows[1][1] != "Cēsu novads" || !strings.HasPrefix(rows[1][2], "https://aptauja.example.lv/r/") {
		t.Fatalf("row: %v", rows[1])
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("links file mode %v, want 0600", fi.Mode().Perm())
	}
	// --missing-only adds nothing for municipalities that have links.
	if err := run([]string{"invite", "--survey", "regional-2025", "--municipality", "riga", "--missing-only", "-o", out}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); strings.Count(string(b), "\n") != 3 {
		t.Errorf("missing-only appended links: %s", b)
	}
	if err := run([]string{"demo", "--survey", "regional-2025", "--responses", "3", "--seed", "1"}); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"migrate"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"invite"}, {"demo", "--survey", "regional-2025"}, {"frobnicate"},
		{"seed", "--opens", "1.12.2026"}, {"invite", "--survey", "nope"}} {
		if err := run(bad); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

func TestParseWhen(t *testing.T) {
	riga, _ := time.LoadLocation("Europe/Riga")
	d, err := parseWhen("2026-12-15", riga, true)
	if err != nil || d.Format("2006-01-02 15:04 -07:00") != "2026-12-15 23:59 +02:00" {
		t.Fatalf("%v %v", d, err)
	}
	d, err = parseWhen("2026-12-01", riga, false)
	if err != nil || d.Format("15:04") != "00:00" {
		t.Fatalf("%v %v", d, err)
	}
	if _, err := parseWhen("2026-12-01T09:00:00Z", riga, false); err != nil {
		t.Fatal(err)
	}
}
