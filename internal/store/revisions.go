package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/jmoiron/sqlx"
)

// Revision is one change of a response: who, when, and the answers that
// changed with their values before and after.
type Revision struct {
	ID           int64           `db:"id"`
	ResponseID   int64           `db:"response_id"`
	Version      int             `db:"version"`
	Action       string          `db:"action"`
	Actor        string          `db:"actor"`
	InvitationID *int64          `db:"invitation_id"`
	UserID       *int64          `db:"user_id"`
	BeforeJSON   json.RawMessage `db:"before"`
	AfterJSON    json.RawMessage `db:"after"`
	Note         *string         `db:"note"`
	CreatedAt    time.Time       `db:"created_at"`
}

// Before decodes the changed answers' old values.
func (r Revision) Before() (survey.Answers, error) { return survey.DecodeAnswers(r.BeforeJSON) }

// After decodes the changed answers' new values.
func (r Revision) After() (survey.Answers, error) { return survey.DecodeAnswers(r.AfterJSON) }

// Changes decodes the changed answers' values before and after.
func (r Revision) Changes() (before, after survey.Answers, err error) {
	if before, err = r.Before(); err != nil {
		return nil, nil, err
	}
	after, err = r.After()
	return before, after, err
}

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
