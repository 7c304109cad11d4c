package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Sign-in attempts are reserved before the password is checked, so that no
// more checks run than the limit allows however many arrive at once, and
// however many instances of the service answer them: the count and the
// reservation happen in one transaction under PostgreSQL advisory locks on
// the account and on the address.
//
// An attempt's state: pending while its password is being checked (one
// whose process died stays pending and counts as a failure until it leaves
// the window), failed, or succeeded (kept only when the account or the
// address already had attempts counted in the window, so that a burst that
// holds the right password gets one check, not one per request).
const (
	LoginPending   = "pending"
	LoginFailed    = "failed"
	LoginSucceeded = "succeeded"
)

// LoginAttempts counts the attempts that count against the limits (failed,
// pending, and kept successes) in a window, per account and per address.
type LoginAttempts struct {
	ByEmail int `db:"by_email"`
	ByIP    int `db:"by_ip"`
	// Oldest is the earliest attempt in the window among those counted;
	// the window frees up from then on.
	OldestEmail *time.Time `db:"oldest_email"`
	OldestIP    *time.Time `db:"oldest_ip"`
}

const (
	// Advisory locks: class 7301 with hashtext of the e-mail address, class
	// 7302 with hashtext of the client address. The account first, then the
	// address: every reservation takes them in this order, so two
	// reservations never wait for each other in a circle.
	qLockLoginAttempts = `SELECT pg_advisory_xact_lock(7301, hashtext($1)), pg_advisory_xact_lock(7302, hashtext($2))`
	qLoginAttempts     = `
SELECT count(*) FILTER (WHERE email = $1) AS by_email, count(*) FILTER (WHERE ip = $2) AS by_ip,
       min(at) FILTER (WHERE email = $1) AS oldest_email, min(at) FILTER (WHERE ip = $2) AS oldest_ip
FROM login_failures WHERE (email = $1 OR ip = $2) AND at > $3`
	qInsertLoginAttempt = `INSERT INTO login_failures (email, ip, at, state) VALUES ($1, $2, $3, 'pending') RETURNING id`
	qFailLoginAttempt   = `UPDATE login_failures SET state = 'failed' WHERE id = $1`
	// A success keeps counting when anything else counts in the window for
	// the account or the address; otherwise it leaves no trace.
	qKeepLoginSuccess = `
UPDATE login_failures a SET state = 'succeeded' WHERE a.id = $1 AND EXISTS (
    SELECT 1 FROM login_failures o WHERE (o.email = a.email OR o.ip = a.ip) AND o.at > $2 AND o.id <> a.id)`
	qDropLoginAttempt   = `DELETE FROM login_failures WHERE id = $1 AND state = 'pending'`
	qPruneLoginAttempts = `DELETE FROM login_failures WHERE at < $1`
)

var loginFailureStatements = []string{qLockLoginAttempts, qLoginAttempts, qInsertLoginAttempt, qFailLoginAttempt,
	qKeepLoginSuccess, qDropLoginAttempt, qPruneLoginAttempts}

// ReserveLoginAttempt counts the attempts since since for the account and
// the address and, when both are below their limits, records a pending
// attempt at at and returns its id; 0 when a limit is reached (nothing is
// recorded). Either way it returns the counts it saw. Every instance of
// the service reserves through the same locks, so the limits hold for all
// of them together.
func (s *Store) ReserveLoginAttempt(ctx context.Context, email, ip string, at, since time.Time, perAccount, perIP int) (int64, LoginAttempts, error) {
	var (
		id int64
		n  LoginAttempts
	)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qLockLoginAttempts, email, ip); err != nil {
			return err
		}
		// A statement of its own after the locks: it sees every attempt
		// committed by whoever held them before.
		if err := tx.GetContext(ctx, &n, qLoginAttempts, email, ip, since); err != nil {
			return err
		}
		if n.ByEmail >= perAccount || n.ByIP >= perIP {
			return nil
		}
		return tx.GetContext(ctx, &id, qInsertLoginAttempt, email, ip, at)
	})
	if err != nil {
		return 0, LoginAttempts{}, err
	}
	return id, n, nil
}

// FailLoginAttempt records that the reserved attempt's password was wrong.
func (s *Store) FailLoginAttempt(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, qFailLoginAttempt, id)
	return err
}

// SucceedLoginAttempt records that the reserved attempt signed in: it
// keeps counting while other attempts of its account or address count in
// the window that began at since, and is forgotten otherwise. Attempts
// older than before (everyone's) are deleted.
func (s *Store) SucceedLoginAttempt(ctx context.Context, id int64, since, before time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qKeepLoginSuccess, id, since); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qDropLoginAttempt, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, qPruneLoginAttempts, before)
		return err
	})
}
