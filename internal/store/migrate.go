package store

import (
	"context"
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
	m, err := s.migrator(ctx)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	v, _, err := m.Version()
	return v, err
}

// SchemaCurrent returns an error unless the schema is exactly at the newest
// embedded migration: a service must not run on a schema that is behind (or
// ahead, written by a newer release).
func (s *Store) SchemaCurrent(ctx context.Context) error {
	m, err := s.migrator(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	v, dirty, err := m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return errors.New("the database has no schema yet: run `surveyd migrate`")
	}
	if err != nil {
		return err
	}
	latest, err := LatestMigration()
	if err != nil {
		return err
	}
	switch {
	case dirty:
		return fmt.Errorf("migration %d failed half-way (dirty); fix the database by hand, then `surveyd migrate`", v)
	case v < latest:
		return fmt.Errorf("database schema is at %d, this build needs %d: run `surveyd migrate`", v, latest)
	case v > latest:
		return fmt.Errorf("database schema is at %d, newer than this build (%d): run the newer release", v, latest)
	}
	return nil
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
