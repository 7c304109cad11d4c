package store

import (
	"context"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// The domain types this file keeps.
type Extension = domain.Extension

const (
	qUpsertExtension = `
INSERT INTO deadline_extensions (survey_id, municipality_code, closes_at, user_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (survey_id, municipality_code) DO UPDATE SET closes_at = EXCLUDED.closes_at,
    user_id = EXCLUDED.user_id, created_at = now()`
	qDeleteExtension = `DELETE FROM deadline_extensions WHERE survey_id = $1 AND municipality_code = $2`
	qExtensions      = `SELECT municipality_code, closes_at, user_id, created_at FROM deadline_extensions WHERE survey_id = $1 ORDER BY municipality_code`
)

var extensionStatements = []string{qUpsertExtension, qDeleteExtension, qExtensions}

// SetExtension gives a municipality its own deadline for the round.
func (s *Store) SetExtension(ctx context.Context, surveyID int64, municipality string, closes time.Time, userID int64) error {
	var user *int64 // 0: nobody's (the operator at the command line)
	if userID != 0 {
		user = &userID
	}
	_, err := s.db.ExecContext(ctx, qUpsertExtension, surveyID, municipality, closes, user)
	if isForeignKeyViolation(err) {
		return ErrNotFound
	}
	return err
}

// DeleteExtension removes a municipality's own deadline; ErrNotFound if it
// had none.
func (s *Store) DeleteExtension(ctx context.Context, surveyID int64, municipality string) error {
	res, err := s.db.ExecContext(ctx, qDeleteExtension, surveyID, municipality)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Extensions returns the round's extended deadlines by municipality.
func (s *Store) Extensions(ctx context.Context, surveyID int64) (map[string]Extension, error) {
	var list []Extension
	if err := s.db.SelectContext(ctx, &list, qExtensions, surveyID); err != nil {
		return nil, err
	}
	out := make(map[string]Extension, len(list))
	for _, e := range list {
		out[e.MunicipalityCode] = e
	}
	return out, nil
}
