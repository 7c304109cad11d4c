package store

import (
	"context"
	"encoding/json"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"

	"github.com/civitas-lv/surveyd/survey"
)

// The domain types this file keeps.
type Revision = domain.Revision

const (
	qInsertRevision = `
INSERT INTO revisions (response_id, version, action, actor, invitation_id, user_id, before, after, note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	qRevisions = `
SELECT id, response_id, version, action, actor, invitation_id, user_id, before, after, note, created_at
FROM revisions WHERE response_id = $1 ORDER BY version`
	qRevisionsAfter = `
SELECT id, response_id, version, action, actor, invitation_id, user_id, before, after, note, created_at
FROM revisions WHERE response_id = $1 AND version > $2 ORDER BY version DESC`
)

var revisionStatements = []string{qInsertRevision, qRevisions, qRevisionsAfter}

func insertRevision(ctx context.Context, tx *sqlx.Tx, responseID int64, version int, action string,
	a Actor, before, after survey.Answers) error {
	b, err := json.Marshal(before)
	if err != nil {
		return err
	}
	af, err := json.Marshal(after)
	if err != nil {
		return err
	}
	var inv, user *int64
	switch a.Kind {
	case ActorInvitation:
		inv = &a.InvitationID
	case ActorUser:
		user = &a.UserID
	}
	var note *string
	if a.Note != "" {
		note = &a.Note
	}
	_, err = tx.ExecContext(ctx, qInsertRevision, responseID, version, action, a.Kind, inv, user, b, af, note)
	return err
}

// Revisions returns a response's history, oldest first.
func (s *Store) Revisions(ctx context.Context, responseID int64) ([]Revision, error) {
	var out []Revision
	return out, s.db.SelectContext(ctx, &out, qRevisions, responseID)
}
