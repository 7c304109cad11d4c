package store

import (
	"context"
	"encoding/json"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"

	"github.com/civitas-lv/surveyd/survey"
)

// The domain types this file keeps.
var (
	ErrNotSubmitted = domain.ErrNotSubmitted
)

type ReturnRequest = domain.ReturnRequest

type returnRow struct {
	ReturnRequest
	CommentsJSON []byte `db:"comments"`
}

const (
	returnColumns = `id, response_id, user_id, note, comments, created_at, resolved_at`
	qInsertReturn = `INSERT INTO returns (response_id, user_id, note, comments) VALUES ($1, $2, $3, $4)`
	qReturnStatus = `
UPDATE responses SET status = 'returned', version = version + 1, updated_at = now(),
    submitted_version = CASE WHEN submitted_version = version THEN version + 1 ELSE submitted_version END
WHERE id = $1 RETURNING ` + responseColumns
	qResolveReturn = `UPDATE returns SET resolved_at = now() WHERE response_id = $1 AND resolved_at IS NULL`
	qReturns       = `SELECT ` + returnColumns + ` FROM returns WHERE response_id = $1 ORDER BY id DESC`
)

var returnStatements = []string{qInsertReturn, qReturnStatus, qResolveReturn, qReturns}

// ReturnResponse sends a submitted response back to the municipality for
// correction, from baseVersion (*ConflictError if stale). The answers stay;
// the status becomes "returned" until the municipality submits again.
// userID 0 records the return as the system's (the operator at the
// command line).
func (s *Store) ReturnResponse(ctx context.Context, surveyID int64, municipality string, baseVersion int,
	userID int64, note string, comments map[string]string) (Response, error) {
	var out Response
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur Response
		if err := tx.GetContext(ctx, &cur, qResponseForUpdate, surveyID, municipality); err != nil {
			return notFound(err)
		}
		if cur.Version != baseVersion {
			return &ConflictError{Current: cur.Version}
		}
		if cur.Status != StatusSubmitted {
			return ErrNotSubmitted
		}
		if comments == nil {
			comments = map[string]string{}
		}
		data, err := json.Marshal(comments)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &out, qReturnStatus, cur.ID); err != nil {
			return err
		}
		var by *int64 // NULL: the operator at the command line
		if userID != 0 {
			by = &userID
		}
		if _, err := tx.ExecContext(ctx, qInsertReturn, cur.ID, by, note, data); err != nil {
			return err
		}
		return insertRevision(ctx, tx, cur.ID, out.Version, "return", userActor(userID, note), survey.Answers{}, survey.Answers{})
	})
	return out, err
}

// Returns lists a response's requests for correction, the newest first.
func (s *Store) Returns(ctx context.Context, responseID int64) ([]ReturnRequest, error) {
	var rows []returnRow
	if err := s.db.SelectContext(ctx, &rows, qReturns, responseID); err != nil {
		return nil, err
	}
	out := make([]ReturnRequest, len(rows))
	for i, r := range rows {
		out[i] = r.ReturnRequest
		if err := json.Unmarshal(r.CommentsJSON, &out[i].Comments); err != nil {
			return nil, err
		}
	}
	return out, nil
}
