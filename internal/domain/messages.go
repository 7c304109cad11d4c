package domain

import "time"

// Message kinds and statuses.
const (
	MessageInvitation = "invitation"
	MessageReminder   = "reminder"
	// MessageReceipt confirms a submit to the address the respondent typed.
	MessageReceipt = "receipt"
	// MessageFeedback carries a municipality's results link (released
	// feedback) to its contacts.
	MessageFeedback = "feedback"

	MessageQueued = "queued"
	// MessageSending: claimed by a sender (ClaimMessage) and being sent.
	MessageSending = "sending"
	MessageSent    = "sent"
	MessageFailed  = "failed"
)

// Message is an e-mail the service sent or is about to send.
type Message struct {
	ID               int64      `db:"id"`
	SurveyID         int64      `db:"survey_id"`
	MunicipalityCode string     `db:"municipality_code"`
	Kind             string     `db:"kind"`
	Recipient        string     `db:"recipient"`
	InvitationID     *int64     `db:"invitation_id"`
	UserID           *int64     `db:"user_id"`
	Status           string     `db:"status"`
	Attempts         int        `db:"attempts"`
	Error            *string    `db:"error"`
	CreatedAt        time.Time  `db:"created_at"`
	SentAt           *time.Time `db:"sent_at"`
	// Of a receipt: its language and the version submitted, and when (a
	// feedback message has its language too).
	Lang            *string    `db:"lang"`
	ResponseVersion *int       `db:"response_version"`
	SubmittedAt     *time.Time `db:"submitted_at"`
	// Of a message being sent: when and by which sender it was claimed.
	ClaimedAt *time.Time `db:"claimed_at"`
	ClaimedBy *string    `db:"claimed_by"`
}
