package domain

import (
	"encoding/json"
	"time"
)

// Survey is a survey round: a questionnaire snapshot and its answering window.
type Survey struct {
	ID               int64           `db:"id"`
	Slug             string          `db:"slug"`
	TitleLV          string          `db:"title_lv"`
	TitleEN          string          `db:"title_en"`
	ReferenceYear    int             `db:"reference_year"`
	Definition       json.RawMessage `db:"definition"`
	DefinitionSHA256 string          `db:"definition_sha256"`
	OpensAt          time.Time       `db:"opens_at"`
	ClosesAt         time.Time       `db:"closes_at"`
	// ClosedAt is set when a coordinator closed the round early.
	ClosedAt  *time.Time `db:"closed_at"`
	CreatedAt time.Time  `db:"created_at"`
	UpdatedAt time.Time  `db:"updated_at"`
	// PreviousSurveyID is the round this one was made from (CreateRoundFrom).
	PreviousSurveyID *int64 `db:"previous_survey_id"`
}

// RoundState is where a round stands at a moment.
type RoundState string

// Round states.
const (
	RoundNotOpen RoundState = "not_open"
	RoundOpen    RoundState = "open"
	RoundClosed  RoundState = "closed"
)

// State returns the round's state at now for everyone without an
// extended deadline.
func (s Survey) State(now time.Time) RoundState { return s.StateWith(now, nil) }

// StateWith returns the round's state at now for a municipality whose
// deadline may be extended (ext nil: the round's own). Closing early closes
// the round for everyone.
func (s Survey) StateWith(now time.Time, ext *time.Time) RoundState {
	switch {
	case s.ClosedAt != nil:
		return RoundClosed
	case now.Before(s.OpensAt):
		return RoundNotOpen
	case now.Before(s.Deadline(ext)):
		return RoundOpen
	}
	return RoundClosed
}

// Deadline is when answering ends for a municipality with extension ext.
func (s Survey) Deadline(ext *time.Time) time.Time {
	if ext != nil && ext.After(s.ClosesAt) {
		return *ext
	}
	return s.ClosesAt
}
