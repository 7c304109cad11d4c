package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

// TestFeedbackCommand: the CLI writes an .html and an .xlsx per
// municipality that submitted (or per listed one), named by its code, in
// a directory it makes readable by its owner only, the files too; it
// needs no release, and refuses what it cannot do without leaving files.
func TestFeedbackCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": storetest.NewDatabase(t), "LOG_LEVEL": "warn"}
	if err := runEnv(t, env, "seed", "--opens", "2026-11-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	if err := runEnv(t, env, "demo", "--survey", "regional-2025", "--responses", "5", "--seed", "3"); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "atgriezeniska-saite")
	if err := runEnv(t, env, "feedback", "--survey", "regional-2025", "-o", dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory %v %v", fi, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names, codes []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		if err != nil || info.Mode().Perm() != 0o600 || !info.Mode().IsRegular() {
			t.Errorf("%s: mode %v %v", e.Name(), info.Mode(), err)
		}
		if code, ok := strings.CutSuffix(e.Name(), ".html"); ok {
			codes = append(codes, code)
		}
	}
	if len(codes) != 5 || len(names) != 10 {
		t.Fatalf("files %q, want an .html and an .xlsx for each of the 5 municipalities", names)
	}
	for _, code := range codes {
		if !slices.Contains(names, code+".xlsx") {
			t.Errorf("%s.html without %s.xlsx", code, code)
		}
		html, err := os.ReadFile(filepath.Join(dir, code+".html"))
		if err != nil || !strings.HasPrefix(strings.ToLower(string(html)), "<!doctype html>") || !strings.Contains(string(html), `lang="lv"`) {
			t.Errorf("%s.html is not a standalone Latvian page: %.200s", code, html)
		}
		x, err := excelize.OpenFile(filepath.Join(dir, code+".xlsx"))
		if err != nil {
			t.Errorf("%s.xlsx does not open: %v", code, err)
			continue
		}
		x.Close()
	}

	// One municipality, in English, into an existing directory; a listed
	// municipality that has not submitted gets nothing.
	one := filepath.Join(root, "one")
	if err := os.Mkdir(one, 0o750); err != nil {
		t.Fatal(err)
	}
	var absent string
	for _, c := range []string{"valmiera", "ogre", "adazi", "cesis", "riga", "liepaja"} {
		if !slices.Contains(codes, c) {
			absent = c
			break
		}
	}
	if err := runEnv(t, env, "feedback", "--survey", "regional-2025", "-o", one, "--lang", "en",
		"--municipality", codes[0]+","+absent); err != nil {
		t.Fatal(err)
	}
	entries, _ = os.ReadDir(one)
	if len(entries) != 2 || entries[0].Name() != codes[0]+".html" || entries[1].Name() != codes[0]+".xlsx" {
		t.Fatalf("files %v", entries)
	}
	html, _ := os.ReadFile(filepath.Join(one, codes[0]+".html"))
	if !strings.Contains(string(html), `lang="en"`) {
		t.Errorf("not in English: %.200s", html)
	}

	for _, bad := range [][]string{
		{"feedback", "--survey", "regional-2025"},
		{"feedback", "-o", filepath.Join(root, "x")},
		{"feedback", "--survey", "nope", "-o", filepath.Join(root, "x")},
		{"feedback", "--survey", "regional-2025", "-o", filepath.Join(root, "x"), "--lang", "de"},
		{"feedback", "--survey", "regional-2025", "-o", filepath.Join(root, "x"), "--municipality", "nekurienes"},
		{"feedback", "--survey", "regional-2025", "-o", filepath.Join(dir, codes[0]+".html")}, // a file, not a directory
	} {
		if err := runEnv(t, env, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "x")); !os.IsNotExist(err) {
		t.Errorf("a refused run left its directory: %v", err)
	}
}
