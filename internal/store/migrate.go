package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database/postgres"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/civitas-lv/surveyd/migrations"
)

// Migrate applies every pending migration (under golang-migrate's advisory
// lock, so several instances may start at once) and returns the version.
func (s *Store) Migrate(ctx context.Context) (uint, error) {
	v, _, err := s.MigrateReport(ctx)
	return v, err
}

// MigrateReport is Migrate that also says whether this call applied any
// migration: of several instances starting at once, the one that takes
// the advisory lock first applies them; the others wait for it, then find
// nothing to do.
func (s *Store) MigrateReport(ctx context.Context) (version uint, applied bool, err error) {
	m, err := s.migrator(ctx)
	if err != nil {
		return 0, false, err
	}
	defer m.Close()
	err = m.Up()
	switch {
	case errors.Is(err, migrate.ErrNoChange):
	case err != nil:
		return 0, false, fmt.Errorf("migrate: %w", err)
	default:
		applied = true
	}
	v, _, err := m.Version()
	return v, applied, err
}

// SchemaCurrent returns an error unless the schema is exactly at the newest
// embedded migration: a service must not run on a schema that is behind (or
// ahead, written by a newer release). The error is a *SchemaError.
func (s *Store) SchemaCurrent(ctx context.Context) error {
	v, dirty, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest, err := LatestMigration()
	if err != nil {
		return err
	}
	switch {
	case v == 0 && !dirty:
		return &SchemaError{State: SchemaMissing}
	case dirty:
		return &SchemaError{State: SchemaDirty, At: v, Want: latest}
	case v < latest:
		return &SchemaError{State: SchemaBehind, At: v, Want: latest}
	case v > latest:
		return &SchemaError{State: SchemaAhead, At: v, Want: latest}
	}
	return nil
}

// What is wrong with the schema (SchemaError.State).
const (
	SchemaMissing = "schema_missing" // never migrated
	SchemaDirty   = "schema_dirty"   // a migration failed half-way
	SchemaBehind  = "schema_behind"  // older than this build
	SchemaAhead   = "schema_ahead"   // written by a newer release
)

// SchemaError says how the database's schema differs from this build's.
type SchemaError struct {
	State    string // SchemaMissing, SchemaDirty, SchemaBehind or SchemaAhead
	At, Want uint   // the database's version and this build's
}

func (e *SchemaError) Error() string {
	switch e.State {
	case SchemaMissing:
		return "the database has no schema yet: run `surveyd migrate`"
	case SchemaDirty:
		return fmt.Sprintf("migration %d failed half-way (dirty); fix the database by hand, then `surveyd migrate`", e.At)
	case SchemaBehind:
		return fmt.Sprintf("database schema is at %d, this build needs %d: run `surveyd migrate`", e.At, e.Want)
	}
	return fmt.Sprintf("database schema is at %d, newer than this build (%d): run the newer release", e.At, e.Want)
}

// SchemaVersion reads golang-migrate's record of the schema: its version
// (0 when the database was never migrated) and whether the last migration
// failed half-way. One read, nothing created: the readiness check calls it.
func (s *Store) SchemaVersion(ctx context.Context) (version uint, dirty bool, err error) {
	var row struct {
		Version int64 `db:"version"`
		Dirty   bool  `db:"dirty"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT version, dirty FROM schema_migrations LIMIT 1`)
	var pe *pq.Error
	switch {
	case errors.As(err, &pe) && pe.Code == "42P01": // undefined_table: never migrated
		return 0, false, nil
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case row.Version < 0:
		return 0, row.Dirty, nil
	}
	return uint(row.Version), row.Dirty, nil
}

func (s *Store) migrator(ctx context.Context) (*migrate.Migrate, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	drv, err := postgres.WithConnection(ctx, conn, &postgres.Config{})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return migrate.NewWithInstance("iofs", src, "postgres", drv)
}

// LatestMigration is the highest migration number embedded in the binary.
func LatestMigration() (uint, error) {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return 0, err
	}
	var latest uint
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".up.sql") {
			continue
		}
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("migration file %s: %w", e.Name(), err)
		}
		latest = max(latest, uint(n))
	}
	return latest, nil
}

// EnsureDatabase creates the database named in dsn when the server answers
// but the database does not exist yet (connecting to the "postgres"
// maintenance database to do so).
func EnsureDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return nil // a key=value DSN: leave it to the operator
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || name == "postgres" {
		return nil
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return err
	}
	err = db.PingContext(ctx)
	db.Close()
	var pe *pq.Error
	if err == nil || !errors.As(err, &pe) || pe.Code != "3D000" { // invalid_catalog_name
		return nil // exists, or a problem Open will report
	}
	admin := *u
	admin.Path = "/postgres"
	adb, err := sqlx.Open("postgres", admin.String())
	if err != nil {
		return err
	}
	defer adb.Close()
	_, err = adb.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	if err != nil && !isDuplicateDatabase(err) {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func isDuplicateDatabase(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "42P04"
}
