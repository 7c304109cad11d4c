package domain

import (
	"errors"
	"time"
)

// ErrNotSubmitted refuses to return a response that is not submitted.
var ErrNotSubmitted = errors.New("the response is not submitted")

// ReturnRequest is a coordinator's request to correct a response: a note
// and a comment per question code.
type ReturnRequest struct {
	ID         int64             `db:"id" json:"-"`
	ResponseID int64             `db:"response_id" json:"-"`
	UserID     *int64            `db:"user_id" json:"-"`
	Note       string            `db:"note" json:"note"`
	Comments   map[string]string `db:"-" json:"comments"`
	CreatedAt  time.Time         `db:"created_at" json:"created_at"`
	ResolvedAt *time.Time        `db:"resolved_at" json:"resolved_at"`
}
