package store

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// The domain types this file keeps.
type APIToken = domain.APIToken

const (
	apiTokenColumns = `t.id, t.user_id, u.email AS user_email, t.name, t.created_at, t.last_used_at, t.revoked_at`
	qInsertAPIToken = `INSERT INTO api_tokens (user_id, name, token_sha256, created_by) VALUES ($1, $2, $3, $4) RETURNING id`
	qAPIToken       = `SELECT ` + apiTokenColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`
	qAPITokens      = `SELECT ` + apiTokenColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC`
	qAPITokenUser   = `SELECT t.id, ` + `u.id AS "u.id", u.email AS "u.email", u.name AS "u.name", u.role AS "u.role", u.password_hash AS "u.password_hash", u.password_changed_at AS "u.password_changed_at", u.disabled_at AS "u.disabled_at", u.created_at AS "u.created_at", u.updated_at AS "u.updated_at" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL`
	qTouchAPIToken  = `UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`
	qRevokeAPIToken = `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`
)

var apiTokenStatements = []string{qInsertAPIToken, qAPIToken, qAPITokens, qAPITokenUser, qTouchAPIToken, qRevokeAPIToken}

// CreateAPIToken stores a token hash acting as userID, made by the user
// createdBy (nil: the command line's operator).
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string, tokenHash []byte, createdBy *int64) (APIToken, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, qInsertAPIToken, userID, name, tokenHash, createdBy); err != nil {
		return APIToken{}, err
	}
	var t APIToken
	return t, s.db.GetContext(ctx, &t, qAPIToken, id)
}

// APITokens lists every token, working ones first.
func (s *Store) APITokens(ctx context.Context) ([]APIToken, error) {
	var out []APIToken
	return out, s.db.SelectContext(ctx, &out, qAPITokens)
}

// APITokenUser returns the active user a working token acts as and records
// its use; ErrNotFound for unknown or revoked tokens and disabled users.
func (s *Store) APITokenUser(ctx context.Context, tokenHash []byte) (User, error) {
	u, _, err := s.APITokenUserID(ctx, tokenHash)
	return u, err
}

// APITokenUserID is APITokenUser, also returning the token's ID.
func (s *Store) APITokenUserID(ctx context.Context, tokenHash []byte) (User, int64, error) {
	var row struct {
		ID int64 `db:"id"`
		U  User  `db:"u"`
	}
	if err := s.db.GetContext(ctx, &row, qAPITokenUser, tokenHash); err != nil {
		return User{}, 0, notFound(err)
	}
	_, err := s.db.ExecContext(ctx, qTouchAPIToken, row.ID)
	return row.U, row.ID, err
}

// RevokeAPIToken stops a token; ErrNotFound if it already was.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, qRevokeAPIToken, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
