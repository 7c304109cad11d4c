package store

import (
	"context"
	"time"
)

// Session is a signed-in browser. The cookie holds the token; only its
// SHA-256 is stored.
type Session struct {
	UserID     int64     `db:"user_id"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

const (
	qInsertSession = `INSERT INTO sessions (token_sha256, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)`
	// A session counts only while it is within both limits and its user is
	// active.
	qSessionUser = `
SELECT s.user_id AS "s.user_id", s.created_at AS "s.created_at", s.last_seen_at AS "s.last_seen_at",
       s.expires_at AS "s.expires_at",
       u.id AS "u.id", u.email AS "u.email", u.name AS "u.name", u.role AS "u.role",
       u.password_hash AS "u.password_hash", u.password_changed_at AS "u.password_changed_at",
       u.disabled_at AS "u.disabled_at", u.created_at AS "u.created_at", u.updated_at AS "u.updated_at"
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND s.last_seen_at > $2 - $3 * interval '1 second'
  AND u.disabled_at IS NULL`
	qTouchSession       = `UPDATE sessions SET last_seen_at = $2 WHERE token_sha256 = $1`
	qDeleteSession      = `DELETE FROM sessions WHERE token_sha256 = $1`
	qEndSession         = `DELETE FROM sessions WHERE token_sha256 = $1 RETURNING user_id`
	qDeleteUserSessions = `DELETE FROM sessions WHERE user_id = $1 AND token_sha256 <> $2`
	qDeleteOldSessions  = `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $1 - $2 * interval '1 second'`
)

var sessionStatements = []string{qInsertSession, qSessionUser, qTouchSession, qDeleteSession, qEndSession,
	qDeleteUserSessions, qDeleteOldSessions}

// CreateSession stores a session for the user, started at now, until expires.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, userID int64, now, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, qInsertSession, tokenHash, userID, now, expires)
	return err
}

// SessionUser returns a live session and its user: not past its absolute
// expiry, seen within idle, user active. ErrNotFound otherwise.
func (s *Store) SessionUser(ctx context.Context, tokenHash []byte, now time.Time, idle time.Duration) (Session, User, error) {
	var row struct {
		S Session `db:"s"`
		U User    `db:"u"`
	}
	err := s.db.GetContext(ctx, &row, qSessionUser, tokenHash, now, idle.Seconds())
	return row.S, row.U, notFound(err)
}

// TouchSession records activity (the caller limits how often).
func (s *Store) TouchSession(ctx context.Context, tokenHash []byte, now time.Time) error {
	_, err := s.db.ExecContext(ctx, qTouchSession, tokenHash, now)
	return err
}

// DeleteSession ends a session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.db.ExecContext(ctx, qDeleteSession, tokenHash)
	return err
}

// EndSession ends a session (sign-out) and returns its user's ID;
// ErrNotFound when there was none.
func (s *Store) EndSession(ctx context.Context, tokenHash []byte) (int64, error) {
	var id int64
	return id, notFound(s.db.GetContext(ctx, &id, qEndSession, tokenHash))
}

// DeleteExpiredSessions removes sessions past either limit.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx, qDeleteOldSessions, now, idle.Seconds())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
