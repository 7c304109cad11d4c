package domain

import (
	"encoding/json"
	"time"

	"github.com/civitas-lv/surveyd/survey"
)

// Response statuses.
const (
	StatusNone      = "none" // nothing saved (reports and the tracker)
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusReturned  = "returned"
)

// Response is one municipality's answers to one round.
type Response struct {
	ID               int64           `db:"id"`
	SurveyID         int64           `db:"survey_id"`
	MunicipalityCode string          `db:"municipality_code"`
	Status           string          `db:"status"`
	AnswersJSON      json.RawMessage `db:"answers"`
	Version          int             `db:"version"`
	SubmittedJSON    []byte          `db:"submitted_answers"`
	SubmittedVersion *int            `db:"submitted_version"`
	SubmittedAt      *time.Time      `db:"submitted_at"`
	CreatedAt        time.Time       `db:"created_at"`
	UpdatedAt        time.Time       `db:"updated_at"`
	// CarriedJSON maps the question codes whose answers were carried over
	// from a previous round and are not yet confirmed to that round's slug.
	CarriedJSON json.RawMessage `db:"carried"`
}

// Carried decodes the carried-over answers not yet confirmed: question code
// → the source round's slug (empty, never nil, when there are none).
func (r Response) Carried() (map[string]string, error) {
	out := map[string]string{}
	if len(r.CarriedJSON) == 0 {
		return out, nil
	}
	return out, json.Unmarshal(r.CarriedJSON, &out)
}

// Answers decodes the working copy of the answers.
func (r Response) Answers() (survey.Answers, error) {
	if len(r.AnswersJSON) == 0 {
		return survey.Answers{}, nil
	}
	return survey.DecodeAnswers(r.AnswersJSON)
}

// ChangedSinceSubmit reports whether the working copy has changes that were
// not submitted.
func (r Response) ChangedSinceSubmit() bool {
	return r.SubmittedVersion != nil && r.Version > *r.SubmittedVersion
}

// Actor says who makes a change.
type Actor struct {
	Kind         string // "invitation", "user" or "system"
	InvitationID int64
	UserID       int64
	Note         string
}

// Actor kinds.
const (
	ActorInvitation = "invitation"
	ActorUser       = "user"
	ActorSystem     = "system"
)

// RevisionErase is the action of the revision an erasure of personal data
// writes: it holds no answers (they are what was erased), and its note
// names the question codes erased, comma separated.
const RevisionErase = "erase"
