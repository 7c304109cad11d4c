package storetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

func TestMain(m *testing.M) { Main(m) }

func TestRunPrefix(t *testing.T) {
	t.Parallel()
	id := "0123456789ab"
	long := strings.Repeat("municipality", 10)
	for _, c := range []struct{ base, want string }{
		{"surveyd", "surveyd_test_0123456789ab_"},
		{"postgres", "postgres_test_0123456789ab_"},
		{"CI-Runner.7", "cirunner7_test_0123456789ab_"},
		{"aptauja_ēē", "aptauja__test_0123456789ab_"},
		{"", "surveyd_test_0123456789ab_"},
		{"ūdens", "dens_test_0123456789ab_"},
		{"ģē", "surveyd_test_0123456789ab_"},
		{long, long[:63-12-len("_test_0123456789ab_")] + "_test_0123456789ab_"},
	} {
		got := runPrefix(c.base, id)
		if got != c.want {
			t.Errorf("runPrefix(%q) = %q, want %q", c.base, got, c.want)
		}
		// The longest names a run makes still fit PostgreSQL's limit.
		for _, suffix := range []string{"tmpl", "db4294967295"} {
			if n := len(got + suffix); n > 63 {
				t.Errorf("%q: %d bytes", got+suffix, n)
			}
		}
	}
}

// TestNamesFollowTheURL: this process's databases are named after the
// database in the URL the tests were given, and carry one run id.
func TestNamesFollowTheURL(t *testing.T) {
	t.Parallel()
	dsn := NewDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	r := server.run
	if !regexp.MustCompile(`^[a-z0-9_]+_test_[0-9a-f]{12}_db[0-9]+$`).MatchString(name) ||
		!strings.HasPrefix(name, r.prefix) || server.template != r.prefix+"tmpl" {
		t.Fatalf("database %q and template %q do not share the run prefix %q", name, server.template, r.prefix)
	}
	// The prefix comes from the database the URL names, as answering read it.
	for _, c := range []struct{ path, want string }{
		{"/CI-Runner-7", "cirunner7"}, {"/surveyd", "surveyd"}, {"", r.admin.User.Username()},
	} {
		u := *r.admin
		u.Path = c.path
		_, base, err := answering(u.String())
		if err != nil {
			t.Fatal(err)
		}
		if p := runPrefix(base, "id"); p != c.want+"_test_id_" {
			t.Errorf("URL path %q: prefix %q, want %q", c.path, p, c.want+"_test_id_")
		}
	}
	if d := os.Getenv("TEST_DATABASE_URL"); d != "" {
		if _, base, err := answering(d); err == nil && !strings.HasPrefix(r.prefix, strings.TrimSuffix(runPrefix(base, "x"), "x_")) {
			t.Errorf("prefix %q is not derived from $TEST_DATABASE_URL's database %q", r.prefix, base)
		}
	}
	// Two runs never share a prefix.
	other, err := newRun(context.Background(), r.admin, "surveyd")
	if err != nil {
		t.Fatal(err)
	}
	defer other.db.Close()
	if other.prefix == r.prefix || !regexp.MustCompile(`^surveyd_test_[0-9a-f]{12}_$`).MatchString(other.prefix) {
		t.Errorf("second run's prefix %q (first %q)", other.prefix, r.prefix)
	}
	// The clone is a real, migrated database.
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Get(&n, "SELECT count(*) FROM schema_migrations"); err != nil || n != 1 {
		t.Fatalf("clone has no migration record: %d, %v", n, err)
	}
}

// TestDropsOnlyWhatItMade: a run's cleanup drops the databases it created
// and leaves alone every look-alike: one of another run, one with this
// run's own prefix that it did not make, and one in the old naming whose
// process is gone (which the old cleanup would have force-dropped).
func TestDropsOnlyWhatItMade(t *testing.T) {
	t.Parallel()
	ServerURL(t) // the server, found as every test finds it
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := newRun(ctx, server.run.admin, "surveyd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.db.Close() }) // cleanups run last-in first-out: this one last
	t.Cleanup(func() { r.dropAll(context.Background()) })
	mine, err := r.create(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	lookalikes := []string{
		runPrefix("surveyd", "000000000000") + "db1", // another run
		r.prefix + "db999999",                        // this run's prefix, never made by it
		// The old naming, of another machine: its process id means
		// nothing here. (The process id is this test's, so that the old
		// cleanup, should a checkout still have it, skips it too.)
		fmt.Sprintf("surveyd_test_db_%d_1", os.Getpid()),
	}
	for _, n := range lookalikes {
		if _, err := r.db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(n)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := r.db.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(n) + " WITH (FORCE)"); err != nil {
				t.Errorf("dropping the look-alike %s: %v", n, err)
			}
		})
	}
	exists := func(n string) bool {
		var ok bool
		if err := r.db.GetContext(ctx, &ok, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", n); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if err := r.drop(ctx, lookalikes[1]); err == nil {
		t.Errorf("drop of %s, which this run did not make, was not refused", lookalikes[1])
	}
	if err := r.dropAll(ctx); err != nil {
		t.Fatal(err)
	}
	if exists(mine) {
		t.Errorf("%s, made by the run, is still there", mine)
	}
	for _, n := range lookalikes {
		if !exists(n) {
			t.Errorf("the run's cleanup dropped %s, which it did not make", n)
		}
	}
	// A second cleanup has nothing left to do.
	if err := r.dropAll(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentClones: many clones of the template at once all succeed
// (no lock serialises them) and each is dropped again.
func TestConcurrentClones(t *testing.T) {
	t.Parallel()
	ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := server.run
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name, err := r.create(ctx, server.template)
			if err == nil {
				err = r.drop(ctx, name)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkClone measures CREATE DATABASE … TEMPLATE plus DROP, with 1, 2,
// 4 and 8 at a time (ns/op is wall time per clone):
//
//	go test ./internal/store/storetest -run '^$' -bench Clone -benchtime 40x
func BenchmarkClone(b *testing.B) {
	ServerURL(b)
	ctx := context.Background()
	r := server.run
	for _, par := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("at-once=%d", par), func(b *testing.B) {
			jobs := make(chan struct{})
			var wg sync.WaitGroup
			for w := 0; w < par; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range jobs {
						name, err := r.create(ctx, server.template)
						if err == nil {
							err = r.drop(ctx, name)
						}
						if err != nil {
							b.Error(err)
						}
					}
				}()
			}
			for i := 0; i < b.N; i++ {
				jobs <- struct{}{}
			}
			close(jobs)
			wg.Wait()
		})
	}
}
