package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Message kinds and statuses.
const (
	MessageInvitation = "invitation"
	MessageReminder   = "reminder"
	// MessageReceipt confirms a submit to the address the respondent typed.
	MessageReceipt = "receipt"

	MessageQueued = "queued"
	MessageSent   = "sent"
	MessageFailed = "failed"
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
	// Of a receipt: its language and the version submitted, and when.
	Lang            *string    `db:"lang"`
	ResponseVersion *int       `db:"response_version"`
	SubmittedAt     *time.Time `db:"submitted_at"`
}

const (
	messageColumns = `id, survey_id, municipality_code, kind, recipient, invitation_id, user_id, status,
    attempts, error, created_at, sent_at, lang, response_version, submitted_at`
	qInsertMessage = `
INSERT INTO messages (survey_id, municipality_code, kind, recipient, invitation_id, user_id, lang, response_version, submitted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ` + messageColumns
	// Claiming skips rows another instance is sending.
	qClaimMessages = `
SELECT ` + messageColumns + ` FROM messages
WHERE status = 'queued' AND ($1 = 0 OR survey_id = $1) AND NOT (id = ANY($3))
ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`
	qFinishMessage    = `UPDATE messages SET status = $2, attempts = attempts + 1, error = $3, sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE id = $1`
	qRequeueMessage   = `UPDATE messages SET attempts = attempts + 1, error = $2 WHERE id = $1`
	qMessagesOfSurvey = `SELECT ` + messageColumns + ` FROM messages WHERE survey_id = $1 ORDER BY id DESC`
)

var messageStatements = []string{qInsertMessage, qClaimMessages, qFinishMessage, qRequeueMessage, qMessagesOfSurvey}

// NewMessage is a message to queue.
type NewMessage struct {
	SurveyID     int64
	Municipality string
	Kind         string
	Recipient    string
	InvitationID int64
	UserID       int64
	// Receipts only: the respondent's language ("lv" or "en") and the
	// version submitted, and when.
	Lang            string
	ResponseVersion int
	SubmittedAt     time.Time
}

// QueueMessages records messages to send, all or none.
func (s *Store) QueueMessages(ctx context.Context, list []NewMessage) ([]Message, error) {
	out := make([]Message, 0, len(list))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, m := range list {
			var inv, user *int64
			if m.InvitationID != 0 {
				inv = &m.InvitationID
			}
			if m.UserID != 0 {
				user = &m.UserID
			}
			var lang, version, at any
			if m.Kind == MessageReceipt {
				lang, version, at = m.Lang, m.ResponseVersion, m.SubmittedAt
			}
			var row Message
			if err := tx.GetContext(ctx, &row, qInsertMessage, m.SurveyID, m.Municipality, m.Kind, m.Recipient, inv, user,
				lang, version, at); err != nil {
				return err
			}
			out = append(out, row)
		}
		return nil
	})
	return out, err
}

// Outcome is the result of one delivery attempt.
type Outcome struct {
	Status string // MessageSent, MessageFailed, or MessageQueued to try again
	Error  string
}

// DeliverQueued claims up to limit queued messages (of one round, or any
// when surveyID is 0; not those in skip), calls send for each while holding the claim, and
// records the outcomes. Messages another instance is sending are skipped.
func (s *Store) DeliverQueued(ctx context.Context, surveyID int64, limit int, skip []int64, send func(Message) Outcome) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var list []Message
		if err := tx.SelectContext(ctx, &list, qClaimMessages, surveyID, limit, pq.Array(skip)); err != nil {
			return err
		}
		for _, m := range list {
			o := send(m)
			var errText *string
			if o.Error != "" {
				errText = &o.Error
			}
			var err error
			if o.Status == MessageQueued {
				_, err = tx.ExecContext(ctx, qRequeueMessage, m.ID, errText)
			} else {
				_, err = tx.ExecContext(ctx, qFinishMessage, m.ID, o.Status, errText)
			}
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// MessagesOfSurvey lists the round's messages, the newest first.
func (s *Store) MessagesOfSurvey(ctx context.Context, surveyID int64) ([]Message, error) {
	var out []Message
	return out, s.db.SelectContext(ctx, &out, qMessagesOfSurvey, surveyID)
}
