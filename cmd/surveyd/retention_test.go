package main

import (
	"context"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// round retention: sets and clears a round's retention period; bad input
// is refused, saying why.
func TestRoundRetentionCommand(t *testing.T) {
	t.Parallel()
	url := storetest.NewDatabase(t)
	env := map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "warn"}
	if err := runEnv(t, env, "seed"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"round", "retention", "--survey", "regional-2025"}, "usage: surveyd round retention"},
		{[]string{"round", "retention", "--survey", "regional-2025", "--days", "drīz"}, "a whole number of days or none"},
		{[]string{"round", "retention", "--survey", "regional-2025", "--days", "-1"}, "0 to 36500 days"},
		{[]string{"round", "retention", "--survey", "nav-tadas", "--days", "30"}, `there is no round "nav-tadas"`},
	} {
		if err := runEnv(t, env, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv, err := st.SurveyBySlug(context.Background(), "regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	days := func() *int {
		rt, err := st.Retention(context.Background(), sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return rt.Days
	}
	if err := runEnv(t, env, "round", "retention", "--survey", "regional-2025", "--days", "400"); err != nil {
		t.Fatal(err)
	}
	if d := days(); d == nil || *d != 400 {
		t.Fatalf("days %v, want 400", d)
	}
	if err := runEnv(t, env, "round", "retention", "--survey", "regional-2025", "--days", "none"); err != nil {
		t.Fatal(err)
	}
	if d := days(); d != nil {
		t.Fatalf("days %v, want none", *d)
	}
}
