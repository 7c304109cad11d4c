package store

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"

	"github.com/civitas-lv/surveyd/survey"
)

// The domain types this file keeps.
type Revision = domain.Revision

const RevisionErase = domain.RevisionErase

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
	qRevisionsBetween = `
SELECT id, response_id, version, action, actor, invitation_id, user_id, before, after, note, created_at
FROM revisions WHERE response_id = $1 AND version > $2 AND version <= $3 ORDER BY version DESC`
)

var revisionStatements = []string{qInsertRevision, qRevisions, qRevisionsAfter}

func insertRevision(ctx context.Context, tx *sqlx.Tx, responseID int64, version int, action string,
	a Actor, before, after survey.Answers) error {
	kind, inv, user, b, af, note, err := revisionArgs(a, before, after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, qInsertRevision, responseID, version, action, kind, inv, user, b, af, note)
	return err
}

// revisionArgs are a revision's columns actor … note.
func revisionArgs(a Actor, before, after survey.Answers) (kind string, inv, user *int64, b, af []byte, note *string, err error) {
	if b, err = survey.MarshalAnswers(before); err != nil {
		return
	}
	if af, err = survey.MarshalAnswers(after); err != nil {
		return
	}
	switch a.Kind {
	case ActorInvitation:
		inv = &a.InvitationID
	case ActorUser:
		user = &a.UserID
	}
	if a.Note != "" {
		note = &a.Note
	}
	return a.Kind, inv, user, b, af, note, nil
}

// Revisions returns a response's history, oldest first.
func (s *Store) Revisions(ctx context.Context, responseID int64) ([]Revision, error) {
	var out []Revision
	return out, s.db.SelectContext(ctx, &out, qRevisions, responseID)
}
