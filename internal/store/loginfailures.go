package store

import (
	"context"
	"time"
)

// LoginFailures counts recent failed sign-ins for an account and an address.
type LoginFailures struct {
	ByEmail int `db:"by_email"`
	ByIP    int `db:"by_ip"`
	// Oldest is the earliest failure in the window among those counted;
	// the window frees up from then on.
	OldestEmail *time.Time `db:"oldest_email"`
	OldestIP    *time.Time `db:"oldest_ip"`
}

const (
	qInsertLoginFailure = `INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, $3)`
	qLoginFailures      = `
SELECT count(*) FILTER (WHERE email = $1) AS by_email, count(*) FILTER (WHERE ip = $2) AS by_ip,
       min(at) FILTER (WHERE email = $1) AS oldest_email, min(at) FILTER (WHERE ip = $2) AS oldest_ip
FROM login_failures WHERE (email = $1 OR ip = $2) AND at > $3`
	qClearLoginFailures = `DELETE FROM login_failures WHERE email = $1 OR at < $2`
)

var loginFailureStatements = []string{qInsertLoginFailure, qLoginFailures, qClearLoginFailures}

// RecordLoginFailure notes a failed sign-in.
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, qInsertLoginFailure, email, ip, at)
	return err
}

// RecentLoginFailures counts failures since since.
func (s *Store) RecentLoginFailures(ctx context.Context, email, ip string, since time.Time) (LoginFailures, error) {
	var f LoginFailures
	return f, s.db.GetContext(ctx, &f, qLoginFailures, email, ip, since)
}

// ClearLoginFailures forgets an account's failures after a successful
// sign-in, and everyone's failures older than before.
func (s *Store) ClearLoginFailures(ctx context.Context, email string, before time.Time) error {
	_, err := s.db.ExecContext(ctx, qClearLoginFailures, email, before)
	return err
}
