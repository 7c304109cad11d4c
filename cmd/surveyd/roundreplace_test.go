package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// round replace: a not-yet-open round takes a new questionnaire (the
// file's slug ignored); another reference year, an unknown round and a
// round that has opened are refused, saying why, and change nothing.
func TestRoundReplaceCommand(t *testing.T) {
	t.Parallel()
	url := storetest.NewDatabase(t)
	env := map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "warn"}
	if err := runEnv(t, env, "seed"); err != nil { // regional-2025 opens today
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, title string, year int) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("format: 1\nslug: cits\ntitle: {lv: "+title+", en: Pilot}\nreference_year: "+strconv.Itoa(year)+"\n"+
			"sections:\n  - code: a\n    title: {lv: A, en: A}\n    questions:\n      - {code: q1, type: int, text: {lv: Cik?, en: How many?}}\n"), 0o600)
		return p
	}
	first := write("pilot.yaml", "Izmēģinājums", 2026)
	if err := runEnv(t, env, "round", "create", "--file", first, "--slug", "pilot", "--opens", "2030-01-01", "--closes", "2030-02-01"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before, err := st.SurveyBySlug(context.Background(), "pilot")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"round", "replace", "--survey", "pilot"}, "usage: surveyd round replace"},
		{[]string{"round", "replace", "--survey", "pilot", "--file", write("2027.yaml", "Cits gads", 2027)}, "reference year is 2027, the round's 2026"},
		{[]string{"round", "replace", "--survey", "nav-tadas", "--file", first}, `there is no round "nav-tadas"`},
		{[]string{"round", "replace", "--survey", "regional-2025", "--file", first}, "the round has opened"},
	} {
		if err := runEnv(t, env, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	if got, _ := st.SurveyBySlug(context.Background(), "pilot"); got.DefinitionSHA256 != before.DefinitionSHA256 {
		t.Fatal("a refused replacement changed the round")
	}
	if err := runEnv(t, env, "round", "replace", "--survey", "pilot", "--file", write("new.yaml", "Jaunais nosaukums", 2026)); err != nil {
		t.Fatal(err)
	}
	got, err := st.SurveyBySlug(context.Background(), "pilot")
	if err != nil || got.TitleLV != "Jaunais nosaukums" || got.ID != before.ID {
		t.Fatalf("replaced round %+v %v", got, err)
	}
	if _, err := st.SurveyBySlug(context.Background(), "cits"); err == nil {
		t.Fatal("the file's slug made a round")
	}
}
