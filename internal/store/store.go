// Package store is the only place with SQL. It keeps municipalities, survey
// rounds, invitation links, responses and their revision history in
// PostgreSQL (sqlx + lib/pq), one file per entity. Every write runs in one
// transaction. Lookups return ErrNotFound, never nil, nil; a stale version is
// a *ConflictError (errors.Is(err, ErrConflict)).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Sentinel errors returned by the store.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("version conflict")
	ErrExists   = errors.New("already exists")
)

// ConflictError reports a stale version: Current is the version now stored.
type ConflictError struct{ Current int }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("version conflict: the current version is %d", e.Current)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Store is the database handle. It is safe for concurrent use.
type Store struct {
	db *sqlx.DB
}

// Open connects to the database at dsn and checks that it answers.
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(5)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", RedactDSN(dsn), err)
	}
	return &Store{db: db}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DB exposes the pool for migrations and tests.
func (s *Store) DB() *sqlx.DB { return s.db }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// isUniqueViolation reports a unique constraint failure.
func isUniqueViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505"
}

// CheckQueries prepares every statement of the store, so that a typo or a
// schema mismatch stops the service at start-up instead of failing a
// respondent's request.
func (s *Store) CheckQueries(ctx context.Context) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range statements() {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("statement %q: %w", firstLine(q), err)
		}
		st.Close()
	}
	return nil
}

func statements() []string {
	var all []string
	for _, group := range [][]string{municipalityStatements, surveyStatements,
		invitationStatements, responseStatements, revisionStatements, userStatements, sessionStatements,
		apiTokenStatements, loginFailureStatements, contactStatements, extensionStatements,
		messageStatements, returnStatements, trackerStatements, reportRowStatements} {
		all = append(all, group...)
	}
	return all
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// RedactDSN hides the password of a connection URL for messages.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "(database)"
	}
	return u.Redacted()
}

// isForeignKeyViolation reports a reference to a row that does not exist.
func isForeignKeyViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23503"
}
