package store_test

import (
	"errors"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// TestCheckQueriesLeavesStatementsPrepared: the start-up check leaves the
// connection it ran on with the statements connections keep prepared, so
// that the first request after a start runs each in one round trip (not
// two: Parse and Describe, then Bind and Execute); a statement not kept
// still takes two.
func TestCheckQueriesLeavesStatementsPrepared(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	s, err := store.OpenWith(ctx, dsn, store.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckQueries(ctx); err != nil {
		t.Fatal(err)
	}
	trips := func(what string, want uint64, fn func() error) {
		t.Helper()
		before := s.RoundTrips()
		if err := fn(); err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		if got := s.RoundTrips() - before; got != want {
			t.Errorf("%s: %d round trips, want %d", what, got, want)
		}
	}
	trips("the round by its address (kept prepared)", 1, func() error {
		_, err := s.SurveyBySlug(ctx, "no-such-round")
		return err
	})
	trips("the round by its id (not kept)", 2, func() error {
		_, err := s.SurveyByID(ctx, 12345)
		return err
	})
}
