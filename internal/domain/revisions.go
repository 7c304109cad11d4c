package domain

import (
	"encoding/json"
	"time"

	"github.com/civitas-lv/surveyd/survey"
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
