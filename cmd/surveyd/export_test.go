package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/xuri/excelize/v2"
)

// TestExportCommand: the CLI writes a workbook that opens, personal data
// only with --personal, filters as on the web.
func TestExportCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": storetest.NewDatabase(t), "LOG_LEVEL": "warn"}
	if err := runEnv(t, env, "seed", "--opens", "2026-11-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	if err := runEnv(t, env, "demo", "--survey", "regional-2025", "--responses", "43", "--seed", "3"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	open := func(name string) (*excelize.File, [][]string) {
		t.Helper()
		f, err := excelize.OpenFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s does not open: %v", name, err)
		}
		t.Cleanup(func() { f.Close() })
		if got := f.GetSheetList(); !slices.Equal(got, []string{reports.SheetSummary, reports.SheetWide, reports.SheetLong,
			reports.SheetCodebook, reports.SheetStatus}) {
			t.Fatalf("%s: sheets %q", name, got)
		}
		rows, err := f.GetRows(reports.SheetWide)
		if err != nil {
			t.Fatal(err)
		}
		return f, rows
	}

	if err := runEnv(t, env, "export", "--survey", "regional-2025", "-o", filepath.Join(dir, "all.xlsx")); err != nil {
		t.Fatal(err)
	}
	_, rows := open("all.xlsx")
	if len(rows) != 2+43 {
		t.Errorf("all.xlsx: %d rows, want 2 header rows and 43 responses", len(rows))
	}
	if slices.Contains(rows[1], "resp_email") {
		t.Errorf("personal columns without --personal: %q", rows[1])
	}
	if fi, err := os.Stat(filepath.Join(dir, "all.xlsx")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v", fi.Mode().Perm(), err)
	}

	if err := runEnv(t, env, "export", "--survey", "regional-2025", "-o", filepath.Join(dir, "vidzeme.xlsx"),
		"--region", "Vidzemes", "--kind", "novads", "--lang", "en", "--personal"); err != nil {
		t.Fatal(err)
	}
	_, rows = open("vidzeme.xlsx")
	if len(rows) < 3 || len(rows) >= 2+43 || rows[0][0] != "Municipality code" || !slices.Contains(rows[1], "resp_email") {
		t.Errorf("vidzeme.xlsx: %d rows, headers %q / %q", len(rows), rows[0][:2], rows[1][:10])
	}
	for _, r := range rows[2:] {
		if r[3] != "Vidzemes" || r[2] != "municipality" {
			t.Errorf("row %q", r[:5])
		}
	}

	for _, bad := range [][]string{
		{"export", "--survey", "regional-2025"},
		{"export", "-o", filepath.Join(dir, "x.xlsx")},
		{"export", "--survey", "nope", "-o", filepath.Join(dir, "nope.xlsx")},
		{"export", "--survey", "regional-2025", "-o", filepath.Join(dir, "x.xlsx"), "--lang", "de"},
		{"export", "--survey", "regional-2025", "-o", filepath.Join(dir, "x.xlsx"), "--status", "sent"},
	} {
		if err := runEnv(t, env, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
	// A failed export leaves no file behind.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "all.xlsx,vidzeme.xlsx" {
		t.Errorf("files left: %q", names)
	}
}
