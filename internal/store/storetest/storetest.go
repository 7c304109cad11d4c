// Package storetest gives tests a real PostgreSQL database of their own.
//
// The first call migrates a template database once per test process; every
// New(t) then clones it (CREATE DATABASE … TEMPLATE, about 20 ms) and drops
// the clone when the test ends. The server is $TEST_DATABASE_URL, else
// $DATABASE_URL, and when neither answers the repository's scripts/pg-ensure
// starts a private one — tests never skip for want of a database.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// server is the per-process state: the admin connection URL and the
// template's name. It is the one package-level variable, because a test
// process shares one template across all its tests.
var server struct {
	once     sync.Once
	err      error
	admin    *url.URL
	template string
	walLog   bool
	mu       sync.Mutex
	n        int
}

const prefix = "surveyd_test_"

// New returns a store on a fresh, migrated database, dropped after the test.
func New(t testing.TB) *store.Store {
	t.Helper()
	dsn := NewDatabase(t)
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewDatabase creates a fresh migrated database and returns its URL; it is
// dropped after the test.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server.once.Do(setup)
	if server.err != nil {
		t.Fatalf("storetest: %v", server.err)
	}
	server.mu.Lock()
	server.n++
	name := fmt.Sprintf("%sdb_%d_%d", prefix, os.Getpid(), server.n)
	server.mu.Unlock()

	admin, err := sqlx.Open("postgres", server.admin.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	q := "CREATE DATABASE " + pq.QuoteIdentifier(name) + " TEMPLATE " + pq.QuoteIdentifier(server.template)
	if server.walLog {
		q += " STRATEGY WAL_LOG"
	}
	// CREATE DATABASE from one template must not run concurrently.
	server.mu.Lock()
	_, err = admin.Exec(q)
	server.mu.Unlock()
	if err != nil {
		t.Fatalf("storetest: %s: %v", q, err)
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("postgres", server.admin.String())
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name) + " WITH (FORCE)")
	})
	u := *server.admin
	u.Path = "/" + name
	return u.String()
}

// ServerURL returns the URL of the test server's maintenance database.
func ServerURL(t testing.TB) string {
	t.Helper()
	server.once.Do(setup)
	if server.err != nil {
		t.Fatalf("storetest: %v", server.err)
	}
	return server.admin.String()
}

// Main runs the tests and then drops the template database. Use it from
// TestMain: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if server.template != "" {
		if a, err := sqlx.Open("postgres", server.admin.String()); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(server.template) + " WITH (FORCE)")
			a.Close()
		}
	}
	os.Exit(code)
}

func setup() {
	server.err = func() error {
		admin, err := findServer()
		if err != nil {
			return err
		}
		server.admin = admin
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		a, err := sqlx.Open("postgres", admin.String())
		if err != nil {
			return err
		}
		defer a.Close()
		var version int
		if err := a.GetContext(ctx, &version, "SELECT current_setting('server_version_num')::int"); err != nil {
			return err
		}
		server.walLog = version >= 150000
		dropStale(ctx, a)

		b := make([]byte, 4)
		rand.Read(b)
		name := fmt.Sprintf("%stmpl_%d_%s", prefix, os.Getpid(), hex.EncodeToString(b))
		if _, err := a.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
			return err
		}
		server.template = name
		u := *admin
		u.Path = "/" + name
		s, err := store.Open(ctx, u.String())
		if err != nil {
			return err
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			return err
		}
		return s.CheckQueries(ctx)
	}()
}

// dropStale drops databases left by test processes that died (their pid is
// gone), so an interrupted run does not leave clutter behind.
func dropStale(ctx context.Context, a *sqlx.DB) {
	var names []string
	if err := a.SelectContext(ctx, &names, "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix+"%"); err != nil {
		return
	}
	for _, n := range names {
		parts := strings.Split(strings.TrimPrefix(n, prefix), "_")
		if len(parts) < 2 {
			continue
		}
		pid, err := strconv.Atoi(parts[1])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			continue // still running
		}
		a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(n)+" WITH (FORCE)")
	}
}

// findServer returns the maintenance-database URL of a server that answers.
func findServer() (*url.URL, error) {
	for _, env := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if dsn := os.Getenv(env); dsn != "" {
			if u, err := answering(dsn); err == nil {
				return u, nil
			}
		}
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "pg-ensure"))
	cmd.Stderr = os.Stderr
	if d := os.Getenv("TEST_DATABASE_URL"); d != "" {
		cmd.Env = append(os.Environ(), "DATABASE_URL="+d)
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL at $TEST_DATABASE_URL/$DATABASE_URL and scripts/pg-ensure failed: %w", err)
	}
	return answering(strings.TrimSpace(string(out)))
}

func answering(dsn string) (*url.URL, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("database URL must be postgres://…")
	}
	u.Path = "/postgres"
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "scripts", "pg-ensure")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("cannot find scripts/pg-ensure above the working directory")
		}
		dir = parent
	}
}
