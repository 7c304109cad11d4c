package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Invitation is a municipality's personal link to a round. The token itself
// is never stored, only its SHA-256.
type Invitation struct {
	ID               int64      `db:"id"`
	SurveyID         int64      `db:"survey_id"`
	MunicipalityCode string     `db:"municipality_code"`
	CreatedAt        time.Time  `db:"created_at"`
	RevokedAt        *time.Time `db:"revoked_at"`
	LastUsedAt       *time.Time `db:"last_used_at"`
}

const (
	invitationColumns      = `id, survey_id, municipality_code, created_at, revoked_at, last_used_at`
	qRevokeActiveForMuni   = `UPDATE invitations SET revoked_at = now() WHERE survey_id = $1 AND municipality_code = $2 AND revoked_at IS NULL`
	qInsertInvitation      = `INSERT INTO invitations (survey_id, municipality_code, token_sha256) VALUES ($1, $2, $3) RETURNING ` + invitationColumns
	qInsertInvitationIfNew = `
INSERT INTO invitations (survey_id, municipality_code, token_sha256) VALUES ($1, $2, $3)
ON CONFLICT (survey_id, municipality_code) WHERE revoked_at IS NULL DO NOTHING
RETURNING ` + invitationColumns
	qInvitationByHash = `SELECT ` + invitationColumns + ` FROM invitations WHERE token_sha256 = $1 AND revoked_at IS NULL`
	qRevokeInvitation = `UPDATE invitations SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`
	qTouchInvitation  = `UPDATE invitations SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`
)

var invitationStatements = []string{qRespondent, qRevokeActiveForMuni, qInsertInvitation, qInsertInvitationIfNew,
	qInvitationByHash, qRevokeInvitation, qTouchInvitation}

// RotateInvitation revokes the municipality's working link for the round (if
// any) and stores a new one with the token hash, in one transaction.
func (s *Store) RotateInvitation(ctx context.Context, surveyID int64, municipality string, tokenHash []byte) (Invitation, error) {
	var inv Invitation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qRevokeActiveForMuni, surveyID, municipality); err != nil {
			return err
		}
		return tx.GetContext(ctx, &inv, qInsertInvitation, surveyID, municipality, tokenHash)
	})
	return inv, err
}

// CreateInvitationIfMissing stores a link with the token hash only when the
// municipality has no working link for the round; created reports whether
// it did.
func (s *Store) CreateInvitationIfMissing(ctx context.Context, surveyID int64, municipality string, tokenHash []byte) (inv Invitation, created bool, err error) {
	err = s.db.GetContext(ctx, &inv, qInsertInvitationIfNew, surveyID, municipality, tokenHash)
	if err == nil {
		return inv, true, nil
	}
	if err = notFound(err); err == ErrNotFound {
		return Invitation{}, false, nil
	}
	return Invitation{}, false, err
}

// InvitationByTokenHash finds the working (not revoked) link with the hash.
func (s *Store) InvitationByTokenHash(ctx context.Context, hash []byte) (Invitation, error) {
	var inv Invitation
	return inv, notFound(s.db.GetContext(ctx, &inv, qInvitationByHash, hash))
}

// RevokeInvitation stops a link from working; ErrNotFound if it already had.
func (s *Store) RevokeInvitation(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, qRevokeInvitation, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// TouchInvitation records that the link was used (at most once a minute).
func (s *Store) TouchInvitation(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, qTouchInvitation, id)
	return err
}
