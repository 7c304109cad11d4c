// Package storetest gives tests a real PostgreSQL database of their own.
//
// The first call migrates a template database once per test process; every
// New(t) then clones it (CREATE DATABASE … TEMPLATE, about 0.1 s; parallel
// tests clone at the same time) and drops the clone in the background when
// the test ends (DROP DATABASE waits for a checkpoint). The server is
// $TEST_DATABASE_URL, else $DATABASE_URL, and when neither answers the
// repository's scripts/pg-ensure test starts the tests' private cluster — tests
// never skip for want of a database. make test sets TEST_DATABASE_URL to that
// cluster unless it was set already.
//
// Every database a test process makes is named after the database in that
// URL, then "_test_", a random id of the process (the run), and "tmpl" for
// the template or "db" and a number: with TEST_DATABASE_URL=postgres://…/surveyd,
// surveyd_test_3f9c0a1b2c4d_tmpl and surveyd_test_3f9c0a1b2c4d_db17. A run
// drops only the databases it created itself, so several machines or CI
// runners can share one server. A run that is killed (say by -timeout)
// leaves its databases behind; they are easy to spot by the prefix and can
// be dropped by hand.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// server is the per-process state: the server, this run's names and the
// template. It is the one package-level variable, because a test process
// shares one template across all its tests.
var server struct {
	once     sync.Once
	err      error
	run      *run
	template string
}

// maxIdentifier is PostgreSQL's limit on a name, in bytes (NAMEDATALEN-1);
// a longer name is silently truncated, which would make two names equal.
const maxIdentifier = 63

// maxSuffix is the longest part a run appends to its prefix: "tmpl" or "db"
// and a decimal counter.
const maxSuffix = 12

// run is one test process's databases on one server: the names it may
// make (prefix plus "tmpl" or "db" and a number) and the ones it has made and not
// yet dropped. Only those are ever dropped.
type run struct {
	admin  *url.URL // the maintenance database ("postgres")
	db     *sqlx.DB // a connection pool to it
	prefix string   // <base>_test_<id>_
	walLog bool     // PostgreSQL 15+: CREATE DATABASE … STRATEGY WAL_LOG

	mu   sync.Mutex
	n    int
	made map[string]bool

	dropping sync.WaitGroup // drops started by dropLater
	// dropSlots limits the drops running at once (dropLater): a few while
	// tests run, many when they have ended (Main).
	dropSlots slots
}

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
	return newDatabase(t, server.template)
}

// NewEmptyDatabase creates a fresh database without any schema (never
// migrated) and returns its URL; it is dropped after the test.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "template0")
}

// newDatabase creates a database of this run from template and drops it
// after the test.
func newDatabase(t testing.TB, template string) string {
	t.Helper()
	server.once.Do(setup)
	if server.err != nil {
		t.Fatalf("storetest: %v", server.err)
	}
	r := server.run
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name, err := r.create(ctx, template)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { r.dropLater(name) })
	return r.url(name)
}

// ServerURL returns the URL of the test server's maintenance database.
func ServerURL(t testing.TB) string {
	t.Helper()
	server.once.Do(setup)
	if server.err != nil {
		t.Fatalf("storetest: %v", server.err)
	}
	return server.run.admin.String()
}

// Main runs the tests and then drops every database this run made that is
// still there (the template and any clone a test did not drop). Use it from
// TestMain: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M, after ...func()) {
	code := m.Run()
	for _, f := range after {
		f()
	}
	if r := server.run; r != nil {
		r.dropSlots.widen(dropsAtTheEnd)
		r.dropping.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		if err := r.dropAll(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "storetest: %v\n", err)
		}
		cancel()
		r.db.Close()
	}
	os.Exit(code)
}

func setup() {
	server.err = func() error {
		admin, base, err := findServer()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		r, err := newRun(ctx, admin, base)
		if err != nil {
			return err
		}
		server.run = r
		name, err := r.create(ctx, "")
		if err != nil {
			return err
		}
		server.template = name
		s, err := store.Open(ctx, r.url(name))
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

// newRun connects to the server's maintenance database and gives the run a
// random id (48 bits: runs on one server do not meet by chance).
func newRun(ctx context.Context, admin *url.URL, base string) (*run, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	db, err := sqlx.Open("postgres", admin.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(4)
	var version int
	if err := db.GetContext(ctx, &version, "SELECT current_setting('server_version_num')::int"); err != nil {
		db.Close()
		return nil, err
	}
	return &run{admin: admin, db: db, prefix: runPrefix(base, hex.EncodeToString(b)),
		walLog: version >= 150000, made: map[string]bool{}, dropSlots: slots{limit: dropsWhileTesting}}, nil
}

// runPrefix is the start of every name a run makes: the base database's
// name (lower case letters, digits and _ only, "surveyd" if nothing is
// left) cut so that prefix and suffix fit in 63 bytes, then "_test_", the
// run's id and "_". (Nothing after the id is a bare number, so the cleanup
// of older checkouts, which took the second part for a process id and
// dropped the database when no such process ran here, leaves these alone.)
func runPrefix(base, id string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(base) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteRune(c)
		}
	}
	clean := b.String()
	if clean == "" {
		clean = "surveyd"
	}
	tail := "_test_" + id + "_"
	if max := maxIdentifier - maxSuffix - len(tail); len(clean) > max {
		clean = clean[:max]
	}
	return clean + tail
}

// url is the connection URL of the database name.
func (r *run) url(name string) string {
	u := *r.admin
	u.Path = "/" + name
	return u.String()
}

// create makes a new database of this run: a clone of template, or an empty
// one when template is "". Clones of one template may be created
// concurrently: CREATE DATABASE only needs that nobody is connected to the
// template, and nobody is after setup.
func (r *run) create(ctx context.Context, template string) (string, error) {
	r.mu.Lock()
	var name string
	if template == "" {
		name = r.prefix + "tmpl"
	} else {
		r.n++
		name = fmt.Sprintf("%sdb%d", r.prefix, r.n)
	}
	r.made[name] = true // before CREATE: a timed-out CREATE may still succeed
	r.mu.Unlock()
	q := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		q += " TEMPLATE " + pq.QuoteIdentifier(template)
		if r.walLog {
			q += " STRATEGY WAL_LOG"
		}
	}
	if _, err := r.db.ExecContext(ctx, q); err != nil {
		var pe *pq.Error
		if errors.As(err, &pe) && pe.Code == "42P04" { // duplicate_database: not ours
			r.mu.Lock()
			delete(r.made, name)
			r.mu.Unlock()
		}
		return "", fmt.Errorf("%s: %w", q, err)
	}
	return name, nil
}

// drop drops a database this run made; any other name is refused.
func (r *run) drop(ctx context.Context, name string) error {
	r.mu.Lock()
	mine := r.made[name]
	r.mu.Unlock()
	if !mine {
		return fmt.Errorf("not dropping %s: this run did not create it", name)
	}
	if _, err := r.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop %s: %w", name, err)
	}
	r.mu.Lock()
	delete(r.made, name)
	r.mu.Unlock()
	return nil
}

// dropLater drops a database of this run in the background, so that a
// test does not wait for it: DROP DATABASE waits for a checkpoint (about
// 0.2 s here), and drops running at once share one. A drop that fails is
// reported on stderr and tried again by dropAll.
func (r *run) dropLater(name string) {
	r.dropping.Add(1)
	go func() {
		defer r.dropping.Done()
		r.dropSlots.take()
		defer r.dropSlots.give()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := r.drop(ctx, name); err != nil {
			fmt.Fprintf(os.Stderr, "storetest: %v (tried again when the tests end)\n", err)
		}
	}()
}

// Drops run at once: every DROP DATABASE waits for a checkpoint, and those
// waiting at the same time share one. While tests run, a few, so that the
// drops leave connections and the server to the tests; once the tests have
// ended, the process only waits for the drops, and many at once share
// checkpoints (on a busy server a checkpoint took 3.5 s, and the manage
// tests' 130 databases then kept the process 78 s after its last test at 4
// at a time).
const (
	dropsWhileTesting = 4
	dropsAtTheEnd     = 16
)

// slots is a limit on how many run at once that can be raised while
// goroutines wait for a slot.
type slots struct {
	mu      sync.Mutex
	cond    *sync.Cond
	running int
	limit   int
}

func (s *slots) take() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cond == nil {
		s.cond = sync.NewCond(&s.mu)
	}
	for s.running >= s.limit {
		s.cond.Wait()
	}
	s.running++
}

func (s *slots) give() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running--
	if s.cond != nil {
		s.cond.Signal()
	}
}

// widen raises the limit to n and wakes every waiting goroutine.
func (s *slots) widen(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
	if s.cond != nil {
		s.cond.Broadcast()
	}
}

// dropAll drops every database this run made and has not dropped yet, the
// clones before the template.
func (r *run) dropAll(ctx context.Context) error {
	r.mu.Lock()
	var names []string
	for n := range r.made {
		if n != r.prefix+"tmpl" {
			names = append(names, n)
		}
	}
	if r.made[r.prefix+"tmpl"] {
		names = append(names, r.prefix+"tmpl")
	}
	r.mu.Unlock()
	var errs []string
	for _, n := range names {
		if err := r.drop(ctx, n); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// findServer returns the maintenance-database URL of a server that answers
// and the name of the database the URL it came from names.
func findServer() (*url.URL, string, error) {
	for _, env := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if dsn := os.Getenv(env); dsn != "" {
			if u, base, err := answering(dsn); err == nil {
				return u, base, nil
			}
		}
	}
	root, err := repoRoot()
	if err != nil {
		return nil, "", err
	}
	// The tests' private cluster (pg-ensure test: no fsync, nothing in it
	// is kept).
	cmd := exec.Command(filepath.Join(root, "scripts", "pg-ensure"), "test")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("no PostgreSQL at $TEST_DATABASE_URL/$DATABASE_URL and scripts/pg-ensure test failed: %w", err)
	}
	return answering(strings.TrimSpace(string(out)))
}

// answering checks that a server answers at dsn and returns the URL of its
// maintenance database and the name of the database dsn names (as libpq
// would: the path, else the user's name).
func answering(dsn string) (*url.URL, string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return nil, "", fmt.Errorf("database URL must be postgres://…")
	}
	base := strings.TrimPrefix(u.Path, "/")
	if base == "" {
		base = u.User.Username()
	}
	u.Path = "/postgres"
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return nil, "", err
	}
	return u, base, nil
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

// Fingerprint sums up every table of the store's database: its row count
// and a hash of its rows, so that any change shows — but for
// response_prepared, the charts' prepared forms of the answers: derived
// data that the service writes a second after the save or the read that
// made it, on a goroutine of its own, so a fingerprint taken in between
// would see a change that no request in between made.
func Fingerprint(t testing.TB, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if err := s.DB().SelectContext(ctx, &tables, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'response_prepared'
		ORDER BY table_name`); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if len(tables) < 10 {
		t.Fatalf("storetest: only %d tables: %v", len(tables), tables)
	}
	parts := make([]string, len(tables))
	for i, tb := range tables {
		parts[i] = fmt.Sprintf(`SELECT '%s' || ':' || count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM %s x`, tb, tb)
	}
	var rows []string
	if err := s.DB().SelectContext(ctx, &rows, strings.Join(parts, " UNION ALL ")); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return strings.Join(rows, "\n")
}
