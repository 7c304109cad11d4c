package domain

import "time"

// FeedbackRelease is a municipality's feedback for a round: released to
// it (its personal link shows its results), or withdrawn. The report
// itself is built from the submitted answers whenever it is opened; this
// records the release, the e-mail with the results link and the
// municipality opening its results.
type FeedbackRelease struct {
	SurveyID         int64     `db:"survey_id"`
	MunicipalityCode string    `db:"municipality_code"`
	FirstReleasedAt  time.Time `db:"first_released_at"`
	ReleasedAt       time.Time `db:"released_at"`
	ReleasedBy       *int64    `db:"released_by"`
	// ReleasedByEmail is who released it last ("": a user since deleted).
	ReleasedByEmail string `db:"released_by_email"`
	// What was released: the municipality's submitted version and when it
	// was submitted.
	SubmittedVersion int        `db:"submitted_version"`
	SubmittedAt      time.Time  `db:"submitted_at"`
	WithdrawnAt      *time.Time `db:"withdrawn_at"`
	WithdrawnBy      *int64     `db:"withdrawn_by"`
	// The e-mail with the results link: last asked for, last delivered.
	MailQueuedAt *time.Time `db:"mail_queued_at"`
	MailSentAt   *time.Time `db:"mail_sent_at"`
	// MailPending: a feedback message is waiting or being sent;
	// MailFailed counts those that failed since the e-mail was last asked
	// for.
	MailPending bool `db:"mail_pending"`
	MailFailed  int  `db:"mail_failed"`
	// The municipality opening its results through its link.
	FirstOpenedAt *time.Time `db:"first_opened_at"`
	LastOpenedAt  *time.Time `db:"last_opened_at"`
}

// Released reports whether the feedback is released now (not withdrawn).
func (f FeedbackRelease) Released() bool { return f.WithdrawnAt == nil }

// Mailed reports whether the e-mail was asked for since the latest release.
func (f FeedbackRelease) Mailed() bool {
	return f.MailQueuedAt != nil && !f.MailQueuedAt.Before(f.ReleasedAt)
}

// FeedbackReleased says which municipalities ReleaseFeedback released:
// each code, and whether it was the first release.
type FeedbackReleased struct {
	Code  string `db:"municipality_code"`
	First bool   `db:"first"`
}
