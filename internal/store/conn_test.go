package store_test

import (
	"context"
	"database/sql"
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

// TestKeptStatementPreparedAndRun: a kept statement prepared through
// database/sql runs under its context, and closing it leaves it with the
// connection, which runs it again in one round trip.
func TestKeptStatementPreparedAndRun(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	s, err := store.OpenWith(ctx, dsn, store.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.DB().PrepareContext(ctx, store.QuerySurveyBySlug)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.QueryRowContext(ctx, "no-such-round").Scan(new(int64)); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("the kept statement run through database/sql: %v", err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.ExecContext(gone, "no-such-round"); !errors.Is(err, context.Canceled) {
		t.Errorf("the kept statement ran under a context already ended: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	before := s.RoundTrips()
	if _, err := s.SurveyBySlug(ctx, "no-such-round"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if got := s.RoundTrips() - before; got != 1 {
		t.Errorf("after the statement was closed: %d round trips, want 1", got)
	}
}
