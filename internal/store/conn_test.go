package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
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
	s := oneConnection(t)
	if err := s.CheckQueries(ctx); err != nil {
		t.Fatal(err)
	}
	roundTrips(t, s, "the round by its address (kept prepared)", 1, func() error {
		_, err := s.SurveyBySlug(ctx, "no-such-round")
		return err
	})
	roundTrips(t, s, "the round by its id (not kept)", 2, func() error {
		_, err := s.SurveyByID(ctx, 12345)
		return err
	})
	// The audit row an export writes while its request waits.
	roundTrips(t, s, "an audit row (kept prepared)", 1, func() error {
		return s.AppendAudit(ctx, store.NewAudit{Action: domain.AuditExportWorkbook, ActorKind: domain.AuditActorOperator,
			ClientAddr: domain.OperatorAddr})
	})
}

// TestKeptStatementPreparedAndRun: a kept statement prepared through
// database/sql runs under its context, and closing it leaves it with the
// connection, which runs it again in one round trip.
func TestKeptStatementPreparedAndRun(t *testing.T) {
	t.Parallel()
	s := oneConnection(t)
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
	roundTrips(t, s, "after the statement was closed", 1, func() error {
		if _, err := s.SurveyBySlug(ctx, "no-such-round"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("the round by its address: %v, want not found", err)
		}
		return nil
	})
}

// oneConnection is a store on a fresh database with one connection.
func oneConnection(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.OpenWith(ctx, storetest.NewDatabase(t), store.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// roundTrips fails the test unless fn (which may find nothing) takes want
// round trips.
func roundTrips(t *testing.T, s *store.Store, what string, want uint64, fn func() error) {
	t.Helper()
	before := s.RoundTrips()
	if err := fn(); err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if got := s.RoundTrips() - before; got != want {
		t.Errorf("%s: %d round trips, want %d", what, got, want)
	}
}

// TestWarmConnections: WarmConnections opens as many connections as asked,
// no more than the pool keeps idle, and leaves each one idle with the
// statements connections keep prepared: three requests at once then each
// run the round's lookup in one round trip.
func TestWarmConnections(t *testing.T) {
	t.Parallel()
	s, err := store.OpenWith(ctx, storetest.NewDatabase(t), store.Options{MaxConns: 5, MaxIdleConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.WarmConnections(ctx, 8); err != nil {
		t.Fatal(err)
	}
	if st := s.DB().Stats(); st.OpenConnections != 3 || st.Idle != 3 {
		t.Fatalf("after warming: %d connections open, %d idle; want 3 and 3", st.OpenConnections, st.Idle)
	}
	var conns []*sql.Conn
	for range 3 {
		c, err := s.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		roundTrips(t, s, fmt.Sprintf("the round by its address on connection %d", i+1), 1, func() error {
			err := c.QueryRowContext(ctx, store.QuerySurveyBySlug, "no-such-round").Scan(new(int64))
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return err
		})
	}
	if st := s.DB().Stats(); st.OpenConnections != 3 {
		t.Fatalf("%d connections open, want the 3 warmed", st.OpenConnections)
	}
}
