package store

import (
	"context"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
)

// The domain types this file keeps.
const (
	RoleAdmin       = domain.RoleAdmin
	RoleCoordinator = domain.RoleCoordinator
	RoleViewer      = domain.RoleViewer
)

type User = domain.User

var (
	ErrLastAdmin = domain.ErrLastAdmin
)

const (
	userColumns   = `id, email, name, role, password_hash, password_changed_at, disabled_at, created_at, updated_at`
	qInsertUser   = `INSERT INTO users (email, name, role, password_hash, password_changed_at) VALUES ($1, $2, $3, $4, CASE WHEN $4::text IS NULL THEN NULL ELSE now() END) RETURNING ` + userColumns
	qUserByEmail  = `SELECT ` + userColumns + ` FROM users WHERE email = $1`
	qUserByID     = `SELECT ` + userColumns + ` FROM users WHERE id = $1`
	qUsers        = `SELECT ` + userColumns + ` FROM users ORDER BY disabled_at IS NOT NULL, email`
	qCountAdmins  = `SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL`
	qLockAdmins   = `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL FOR UPDATE`
	qUpdateUser   = `UPDATE users SET name = $2, role = $3, disabled_at = CASE WHEN $4 THEN COALESCE(disabled_at, now()) ELSE NULL END, updated_at = now() WHERE id = $1 RETURNING ` + userColumns
	qSetPassword  = `UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1`
	qInsertPwLink = `INSERT INTO password_links (token_sha256, user_id, expires_at) VALUES ($1, $2, $3)`
	qPwLink       = `SELECT user_id FROM password_links WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE`
	qPeekPwLink   = `SELECT u.email FROM password_links l JOIN users u ON u.id = l.user_id WHERE l.token_sha256 = $1 AND l.used_at IS NULL AND l.expires_at > now() AND u.disabled_at IS NULL`
	qUsePwLinks   = `UPDATE password_links SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`
)

var userStatements = []string{qInsertUser, qUserByEmail, qUserByID, qUsers, qCountAdmins, qLockAdmins,
	qUpdateUser, qSetPassword, qInsertPwLink, qPwLink, qPeekPwLink, qUsePwLinks}

// CreateUser stores a user (email already lower-case); passwordHash may be
// empty (the user sets it through a link). ErrExists when the email is taken.
func (s *Store) CreateUser(ctx context.Context, email, name, role, passwordHash string) (User, error) {
	var u User
	var pw *string
	if passwordHash != "" {
		pw = &passwordHash
	}
	err := s.db.GetContext(ctx, &u, qInsertUser, email, name, role, pw)
	if isUniqueViolation(err) {
		return User{}, ErrExists
	}
	return u, err
}

// UserByEmail finds a user by (lower-case) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	return u, notFound(s.db.GetContext(ctx, &u, qUserByEmail, email))
}

// UserByID finds a user by id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	return u, notFound(s.db.GetContext(ctx, &u, qUserByID, id))
}

// Users lists every user, active ones first.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var out []User
	return out, s.db.SelectContext(ctx, &out, qUsers)
}

// CountAdmins counts active admins.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	return n, s.db.GetContext(ctx, &n, qCountAdmins)
}

// UpdateUser changes a user's name, role and whether they are disabled. A
// disabled user's sessions and API tokens stop working at once. It refuses
// (ErrLastAdmin) to leave no active admin.
func (s *Store) UpdateUser(ctx context.Context, id int64, name, role string, disabled bool) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var admins []int64
		if err := tx.SelectContext(ctx, &admins, qLockAdmins); err != nil {
			return err
		}
		if len(admins) == 1 && admins[0] == id && (role != RoleAdmin || disabled) {
			return ErrLastAdmin
		}
		if err := tx.GetContext(ctx, &u, qUpdateUser, id, name, role, disabled); err != nil {
			return notFound(err)
		}
		if disabled {
			_, err := tx.ExecContext(ctx, qDeleteUserSessions, id, []byte{})
			return err
		}
		return nil
	})
	return u, err
}

// SetPassword stores a new bcrypt hash, ends the user's other sessions
// (all but keepSession, whose hash may be nil) and voids unused password
// links.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, keepSession []byte) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, qSetPassword, userID, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if keepSession == nil {
			keepSession = []byte{}
		}
		if _, err := tx.ExecContext(ctx, qDeleteUserSessions, userID, keepSession); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, qUsePwLinks, userID)
		return err
	})
}

// CreatePasswordLink stores a one-time set-password token hash for the user.
func (s *Store) CreatePasswordLink(ctx context.Context, userID int64, tokenHash []byte, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, qInsertPwLink, tokenHash, userID, expires)
	return err
}

// PasswordLinkEmail returns the email of the active user a working
// set-password link belongs to; ErrNotFound for used, expired or unknown links.
func (s *Store) PasswordLinkEmail(ctx context.Context, tokenHash []byte) (string, error) {
	var email string
	return email, notFound(s.db.GetContext(ctx, &email, qPeekPwLink, tokenHash))
}

// UsePasswordLink sets the password of the link's user and uses up the link
// (and every other unused link of the user) in one transaction; ErrNotFound
// for used, expired or unknown links.
func (s *Store) UsePasswordLink(ctx context.Context, tokenHash []byte, passwordHash string) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, qPwLink, tokenHash); err != nil {
			return notFound(err)
		}
		if err := tx.GetContext(ctx, &u, qUserByID, id); err != nil {
			return err
		}
		if !u.Active() {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, qSetPassword, id, passwordHash); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qDeleteUserSessions, id, []byte{}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, qUsePwLinks, id)
		return err
	})
	return u, err
}
