package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// Every connection carries PostgreSQL's own limits: a statement that runs
// too long, or a transaction left idle, is ended by the server.
func TestConnectionsHaveTimeouts(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	show := func(s *store.Store, name string) string {
		t.Helper()
		var v string
		if err := s.DB().GetContext(ctx, &v, "SHOW "+name); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := show(s, "statement_timeout"); v != "30s" {
		t.Errorf("statement_timeout %q, want the default 30s", v)
	}
	if v := show(s, "idle_in_transaction_session_timeout"); v != "1min" {
		t.Errorf("idle_in_transaction_session_timeout %q, want the default 1min", v)
	}

	short, err := store.OpenWith(ctx, dsn, store.Options{StatementTimeout: 300 * time.Millisecond,
		IdleInTransactionTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	if v := show(short, "statement_timeout"); v != "300ms" {
		t.Errorf("statement_timeout %q, want 300ms", v)
	}
	start := time.Now()
	_, err = short.DB().ExecContext(ctx, "SELECT pg_sleep(5)")
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("a 5 s statement under a 300 ms statement_timeout: %v after %v", err, time.Since(start))
	}
	if !store.IsUnavailable(err) {
		t.Errorf("a statement timeout is not reported as the database being unavailable: %v", err)
	}
	// A setting in the URL wins over the default.
	own, err := store.Open(ctx, dsn+"&statement_timeout=45000")
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if v := show(own, "statement_timeout"); v != "45s" {
		t.Errorf("statement_timeout from the URL: %q, want 45s", v)
	}
}

// A database that stops answering holds no caller past its deadline, and
// the pool works again once it answers.
func TestFrozenDatabaseDeadline(t *testing.T) {
	t.Parallel()
	p, dsn := storetest.NewProxy(t, storetest.NewDatabase(t))
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	p.Freeze()
	const deadline = 300 * time.Millisecond
	calls := []struct {
		name string
		f    func(context.Context) error
	}{
		{"ping", s.Ping},
		{"query", func(c context.Context) error { var n int; return s.DB().GetContext(c, &n, "SELECT 1") }},
		{"transaction", func(c context.Context) error {
			tx, err := s.DB().BeginTxx(c, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(c, "SELECT 1"); err != nil {
				return err
			}
			return tx.Commit()
		}},
		{"new connection", func(c context.Context) error {
			// The connections above were given up: this one is dialled.
			conn, err := s.DB().Conn(c)
			if err != nil {
				return err
			}
			defer conn.Close()
			return conn.PingContext(c)
		}},
	}
	for _, call := range calls {
		c, cancel := context.WithTimeout(ctx, deadline)
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- call.f(c) }()
		select {
		case err := <-done:
			took := time.Since(start)
			switch {
			case err == nil:
				t.Errorf("%s: answered while the database was frozen", call.name)
			case took > deadline+time.Second:
				t.Errorf("%s: returned %v after its %v deadline", call.name, took, deadline)
			case !store.IsUnavailable(err):
				t.Errorf("%s: %v is not reported as the database being unavailable", call.name, err)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("%s: still waiting 3 s after its %v deadline", call.name, deadline)
		}
		cancel()
	}
	p.Resume()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var n int
	if err := s.DB().GetContext(c, &n, "SELECT 1"); err != nil || n != 1 {
		t.Fatalf("after the database answers again: %v", err)
	}
}
