package main

import (
	"archive/zip"
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/reports"
)

// TestOpenDataCommand: the CLI writes the package (mode 0644: open data),
// the same bytes for the same data, with the configured publisher and
// download URLs, another licence with --licence, no personal column; bad
// arguments and an unknown licence leave no file.
func TestOpenDataCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL":       storetest.NewDatabase(t),
		"LOG_LEVEL":          "warn",
		"OPENDATA_PUBLISHER": "Latvijas Lauku forums",
		"OPENDATA_BASE_URL":  "https://dati.example.lv/aptauja/",
	}
	if err := runEnv(t, env, "seed", "--opens", "2026-11-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	if err := runEnv(t, env, "demo", "--survey", "regional-2025", "--responses", "12", "--seed", "5"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := func(name string) map[string]string {
		t.Helper()
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", name, fi.Mode().Perm())
		}
		zr, err := zip.OpenReader(p)
		if err != nil {
			t.Fatalf("%s does not open: %v", name, err)
		}
		defer zr.Close()
		out := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			out[f.Name] = string(b)
		}
		return out
	}
	for _, name := range []string{"a.zip", "b.zip"} {
		if err := runEnv(t, env, "opendata", "--survey", "regional-2025", "-o", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := os.ReadFile(filepath.Join(dir, "a.zip"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.zip"))
	if !bytes.Equal(a, b) {
		t.Error("two packages of the same data differ")
	}
	got := files("a.zip")
	csvHead, _, _ := strings.Cut(got["responses.csv"], "\n")
	if strings.Count(got["responses.csv"], "\n") != 13 || strings.Contains(csvHead, "resp_") ||
		strings.Contains(got["responses.csv"], "@") {
		t.Errorf("responses.csv: 12 rows without personal data expected:\n%.300s", got["responses.csv"])
	}
	for _, want := range []string{`"author": "Latvijas Lauku forums"`, `"license_id": "cc-by"`,
		`"url": "https://dati.example.lv/aptauja/regional-2025/responses.csv"`, `"maintainer_email": "aptauja@localhost"`} {
		if !strings.Contains(got["ckan.json"], want) {
			t.Errorf("ckan.json lacks %s", want)
		}
	}

	if err := runEnv(t, env, "opendata", "--survey", "regional-2025", "-o", filepath.Join(dir, "cc0.zip"), "--licence", "CC0-1.0"); err != nil {
		t.Fatal(err)
	}
	if got := files("cc0.zip"); !strings.Contains(got["ckan.json"], `"license_id": "cc-zero"`) {
		t.Error("--licence CC0-1.0 is not in ckan.json")
	}
	for _, bad := range [][]string{
		{"opendata", "--survey", "regional-2025"},
		{"opendata", "-o", filepath.Join(dir, "x.zip")},
		{"opendata", "--survey", "nope", "-o", filepath.Join(dir, "nope.zip")},
		{"opendata", "--survey", "regional-2025", "-o", filepath.Join(dir, "x.zip"), "--licence", "GPL-3.0"},
	} {
		if err := runEnv(t, env, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "a.zip,b.zip,cc0.zip" {
		t.Errorf("files left: %q", names)
	}
}

// TestOpenDataDefaults: the configuration's defaults are the ones the
// package falls back to, and a licence the package does not know stops
// the service from starting.
func TestOpenDataDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OpenDataPublisher != manage.DefaultOpenDataPublisher || cfg.OpenDataLicence != reports.Licences()[0].ID {
		t.Errorf("defaults %q %q", cfg.OpenDataPublisher, cfg.OpenDataLicence)
	}
	for _, l := range reports.Licences() {
		if _, err := config.Load(func(k string) string { return map[string]string{"OPENDATA_LICENCE": l.ID}[k] }); err != nil {
			t.Errorf("%s: %v", l.ID, err)
		}
	}
	if set := openDataSettings(cfg); set.ContactEmail != "aptauja@localhost" {
		t.Errorf("contact %q, want MAIL_FROM's address", set.ContactEmail)
	}
	cfg.OpenDataLicence = "Beerware-1.0"
	cfg.LinkKey = "a link key of thirty-two characters or more"
	if _, err := newManager(cfg, nil, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "OPENDATA_LICENCE") {
		t.Errorf("an unknown licence: %v", err)
	}
}
