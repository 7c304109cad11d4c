package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Invitation is a municipality's personal link to a round. The token itself
// is never stored, only its SHA-256.
type Invitation struct {
	ID               int64  `db:"id"`
	SurveyID         int64  `db:"survey_id"`
	MunicipalityCode string `db:"municipality_code"`
	// TokenSalt derives the token with the service's link key (nil: the
	// link cannot be shown again).
	TokenSalt  []byte     `db:"token_salt"`
	CreatedAt  time.Time  `db:"created_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
}

const (
	invitationColumns      = `id, survey_id, municipality_code, token_salt, created_at, revoked_at, last_used_at`
	qRevokeActiveForMuni   = `UPDATE invitations SET revoked_at = now() WHERE survey_id = $1 AND municipality_code = $2 AND revoked_at IS NULL`
	qInsertInvitation      = `INSERT INTO invitations (survey_id, municipality_code, token_sha256, token_salt) VALUES ($1, $2, $3, $4) RETURNING ` + invitationColumns
	qInsertInvitationIfNew = `
INSERT INTO invitations (survey_id, municipality_code, token_sha256, token_salt) VALUES ($1, $2, $3, $4)
ON CONFLICT (survey_id, municipality_code) WHERE revoked_at IS NULL DO NOTHING
RETURNING ` + invitationColumns
	qInvitationByHash   = `SELECT ` + invitationColumns + ` FROM invitations WHERE token_sha256 = $1 AND revoked_at IS NULL`
	qRevokeInvitation   = `UPDATE invitations SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`
	qTouchInvitation    = `UPDATE invitations SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`
	qActiveInvitations  = `SELECT ` + invitationColumns + ` FROM invitations WHERE survey_id = $1 AND revoked_at IS NULL ORDER BY municipality_code`
	qInvitationHash     = `SELECT token_sha256 FROM invitations WHERE id = $1`
	qInvitationHashes   = `SELECT id, token_sha256 FROM invitations WHERE survey_id = $1 AND revoked_at IS NULL`
	qActiveInvitation   = `SELECT ` + invitationColumns + ` FROM invitations WHERE survey_id = $1 AND municipality_code = $2 AND revoked_at IS NULL`
	qRevokeInvitationOf = `UPDATE invitations SET revoked_at = now() WHERE id = $1 AND survey_id = $2 AND municipality_code = $3 AND revoked_at IS NULL`
	qRevokedNoLink      = `
SELECT DISTINCT v.municipality_code FROM invitations v
WHERE v.survey_id = $1 AND v.revoked_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM invitations a WHERE a.survey_id = $1 AND a.municipality_code = v.municipality_code AND a.revoked_at IS NULL)
ORDER BY 1`
)

var invitationStatements = []string{qRespondent, qRevokeActiveForMuni, qInsertInvitation, qInsertInvitationIfNew,
	qInvitationByHash, qRevokeInvitation, qTouchInvitation, qActiveInvitations, qActiveInvitation,
	qInvitationHash, qInvitationHashes, qRevokeInvitationOf, qRevokedNoLink}

// InvitationHash returns a link's token hash (to check a derived token).
func (s *Store) InvitationHash(ctx context.Context, id int64) ([]byte, error) {
	var h []byte
	return h, notFound(s.db.GetContext(ctx, &h, qInvitationHash, id))
}

// InvitationHashes returns the token hashes of the round's working links by
// invitation id.
func (s *Store) InvitationHashes(ctx context.Context, surveyID int64) (map[int64][]byte, error) {
	var rows []struct {
		ID   int64  `db:"id"`
		Hash []byte `db:"token_sha256"`
	}
	if err := s.db.SelectContext(ctx, &rows, qInvitationHashes, surveyID); err != nil {
		return nil, err
	}
	out := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Hash
	}
	return out, nil
}

// NewLink is a link to store: the token's hash and the salt it was derived
// from (nil when the token is random and cannot be derived again).
type NewLink struct {
	Hash []byte
	Salt []byte
}

func (l NewLink) salt() any {
	if l.Salt == nil {
		return nil
	}
	return l.Salt
}

// ActiveInvitations returns the round's working links by municipality.
func (s *Store) ActiveInvitations(ctx context.Context, surveyID int64) (map[string]Invitation, error) {
	var list []Invitation
	if err := s.db.SelectContext(ctx, &list, qActiveInvitations, surveyID); err != nil {
		return nil, err
	}
	out := make(map[string]Invitation, len(list))
	for _, inv := range list {
		out[inv.MunicipalityCode] = inv
	}
	return out, nil
}

// ActiveInvitation returns the municipality's working link to the round.
func (s *Store) ActiveInvitation(ctx context.Context, surveyID int64, municipality string) (Invitation, error) {
	var inv Invitation
	return inv, notFound(s.db.GetContext(ctx, &inv, qActiveInvitation, surveyID, municipality))
}

// RevokeActiveInvitation stops the municipality's working link; ErrNotFound
// if it has none.
func (s *Store) RevokeActiveInvitation(ctx context.Context, surveyID int64, municipality string) error {
	res, err := s.db.ExecContext(ctx, qRevokeActiveForMuni, surveyID, municipality)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// RotateInvitation revokes the municipality's working link for the round (if
// any) and stores a new one with the token hash, in one transaction.
func (s *Store) RotateInvitation(ctx context.Context, surveyID int64, municipality string, link NewLink) (Invitation, error) {
	var inv Invitation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qRevokeActiveForMuni, surveyID, municipality); err != nil {
			return err
		}
		return tx.GetContext(ctx, &inv, qInsertInvitation, surveyID, municipality, link.Hash, link.salt())
	})
	return inv, err
}

// ReplaceInvitation revokes the municipality's working link with the id
// from and stores a new one, in one transaction; ErrConflict when that link
// is no longer the working one (it was replaced or revoked meanwhile).
func (s *Store) ReplaceInvitation(ctx context.Context, surveyID int64, municipality string, from int64, link NewLink) (Invitation, error) {
	var inv Invitation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, qRevokeInvitationOf, from, surveyID, municipality)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		return tx.GetContext(ctx, &inv, qInsertInvitation, surveyID, municipality, link.Hash, link.salt())
	})
	return inv, err
}

// RevokedWithoutLink lists the municipalities (codes) whose link to the
// round was revoked or replaced and that have no working link now.
func (s *Store) RevokedWithoutLink(ctx context.Context, surveyID int64) ([]string, error) {
	var out []string
	return out, s.db.SelectContext(ctx, &out, qRevokedNoLink, surveyID)
}

// CreateInvitationIfMissing stores a link with the token hash only when the
// municipality has no working link for the round; created reports whether
// it did.
func (s *Store) CreateInvitationIfMissing(ctx context.Context, surveyID int64, municipality string, link NewLink) (inv Invitation, created bool, err error) {
	err = s.db.GetContext(ctx, &inv, qInsertInvitationIfNew, surveyID, municipality, link.Hash, link.salt())
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
