package domain

import (
	"encoding/json"
	"time"
)

// Retention is a round's rule for its personal data (issue 14 point 5).
type Retention struct {
	SurveyID int64 `db:"id"`
	// Days after the round's last deadline (its closing date or the latest
	// extended deadline) when its personal answers and the recipients of
	// its e-mail are erased; nil: kept until erased by hand.
	Days *int `db:"personal_retention_days"`
	// ErasedAt is when the daily job first erased them (nil: not yet).
	ErasedAt *time.Time `db:"personal_erased_at"`
	// LastDeadline is the round's closing date or its latest extension.
	LastDeadline time.Time `db:"last_deadline"`
}

// EraseAt is when the round's personal data is due to be erased (nil: no
// period set).
func (r Retention) EraseAt() *time.Time {
	if r.Days == nil {
		return nil
	}
	t := r.LastDeadline.AddDate(0, 0, *r.Days)
	return &t
}

// PersonQuery is who to look for: an e-mail address (matched exactly,
// ignoring case) or a part of a name (ignoring case). Exactly one is set.
type PersonQuery struct {
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// PersonalKeys are one round's personal question codes.
type PersonalKeys struct {
	SurveyID int64
	Keys     []string
}

// PersonData is everything held about a person: what a search finds and
// what an erasure removes (users are shown, never erased).
type PersonData struct {
	Query     PersonQuery      `json:"query"`
	Responses []PersonResponse `json:"responses"`
	Contacts  []PersonContact  `json:"contacts"`
	Messages  []PersonMessage  `json:"messages"`
	Users     []PersonUser     `json:"users"`
}

// Empty reports whether nothing was found.
func (d PersonData) Empty() bool {
	return len(d.Responses) == 0 && len(d.Contacts) == 0 && len(d.Messages) == 0 && len(d.Users) == 0
}

// PersonResponse is a response whose personal answers (now or in any
// revision) match: its personal answers are taken as one person's.
type PersonResponse struct {
	ResponseID   int64  `db:"id" json:"-"`
	SurveyID     int64  `db:"survey_id" json:"-"`
	Survey       string `db:"slug" json:"round"`
	Municipality string `db:"municipality_code" json:"municipality"`
	// The personal answers of the working copy and of the submitted copy
	// (both {} when none).
	Answers   json.RawMessage `db:"answers" json:"answers"`
	Submitted json.RawMessage `db:"submitted" json:"submitted"`
	// Revisions that hold personal answers, with only those.
	Revisions []PersonRevision `json:"revisions,omitempty"`
}

// PersonRevision is a revision's personal answers before and after.
type PersonRevision struct {
	ResponseID int64           `db:"response_id" json:"-"`
	Version    int             `db:"version" json:"version"`
	Action     string          `db:"action" json:"action"`
	CreatedAt  time.Time       `db:"created_at" json:"at"`
	Before     json.RawMessage `db:"before" json:"before"`
	After      json.RawMessage `db:"after" json:"after"`
}

// PersonContact is a municipality contact that matches.
type PersonContact struct {
	ID           int64     `db:"id" json:"-"`
	Municipality string    `db:"municipality_code" json:"municipality"`
	Email        string    `db:"email" json:"email"`
	Name         string    `db:"name" json:"name"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

// PersonMessage is an e-mail sent (or queued) to a matching address.
type PersonMessage struct {
	ID           int64     `db:"id" json:"-"`
	Survey       string    `db:"slug" json:"round"`
	Municipality string    `db:"municipality_code" json:"municipality"`
	Kind         string    `db:"kind" json:"kind"`
	Recipient    string    `db:"recipient" json:"recipient"`
	Status       string    `db:"status" json:"status"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

// PersonUser is a staff account that matches (never erased by a person's
// erasure: an admin disables or renames it on the users page).
type PersonUser struct {
	ID    int64  `db:"id" json:"-"`
	Email string `db:"email" json:"email"`
	Name  string `db:"name" json:"name"`
	Role  string `db:"role" json:"role"`
}

// Erased counts what an erasure changed.
type Erased struct {
	Responses int `json:"responses"`
	Revisions int `json:"revisions"`
	Contacts  int `json:"contacts"`
	Messages  int `json:"messages"`
}
