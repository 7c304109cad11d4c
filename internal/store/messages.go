package store

import (
	"context"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The domain types this file keeps.
const (
	MessageInvitation = domain.MessageInvitation
	MessageReminder   = domain.MessageReminder
	MessageReceipt    = domain.MessageReceipt
	MessageFeedback   = domain.MessageFeedback
	MessageQueued     = domain.MessageQueued
	MessageSending    = domain.MessageSending
	MessageSent       = domain.MessageSent
	MessageFailed     = domain.MessageFailed
)

type Message = domain.Message

const (
	messageColumns = `id, survey_id, municipality_code, kind, recipient, invitation_id, user_id, status,
    attempts, error, created_at, sent_at, lang, response_version, submitted_at, claimed_at, claimed_by`
	qInsertMessage = `
INSERT INTO messages (survey_id, municipality_code, kind, recipient, invitation_id, user_id, lang, response_version, submitted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ` + messageColumns
	// Claiming is one short statement: the oldest queued message (of one
	// round, or any when $1 is 0; not those in $2) becomes 'sending',
	// skipping rows another sender is claiming at the same moment.
	qClaimMessage = `
UPDATE messages SET status = 'sending', claimed_at = now(), claimed_by = $3
WHERE id = (SELECT id FROM messages WHERE status = 'queued' AND ($1 = 0 OR survey_id = $1) AND NOT (id = ANY($2))
            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING ` + messageColumns
	// The outcome, only while the claim is still this sender's; a feedback
	// message sent is also recorded on its release, in the same statement.
	qFinishMessage = `
WITH done AS (
    UPDATE messages SET status = $2, attempts = attempts + 1, error = $3,
        sent_at = CASE WHEN $2 = 'sent' THEN now() END, claimed_at = NULL, claimed_by = NULL
    WHERE id = $1 AND status = 'sending' AND claimed_by = $4
    RETURNING survey_id, municipality_code, kind, status, sent_at
), release AS (
    UPDATE feedback_releases f SET mail_sent_at = done.sent_at FROM done
    WHERE done.kind = 'feedback' AND done.status = 'sent'
      AND f.survey_id = done.survey_id AND f.municipality_code = done.municipality_code
    RETURNING 1
)
SELECT count(*) FROM done`
	qRequeueStaleMessages = `
UPDATE messages SET status = 'queued', claimed_at = NULL, claimed_by = NULL
WHERE status = 'sending' AND claimed_at < now() - make_interval(secs => $1)`
	qMessagesOfSurvey = `SELECT ` + messageColumns + ` FROM messages WHERE survey_id = $1 ORDER BY id DESC`
	qPendingMessages  = `
SELECT DISTINCT municipality_code FROM messages
WHERE survey_id = $1 AND kind = $2 AND status IN ('queued', 'sending') ORDER BY municipality_code`
)

var messageStatements = []string{qInsertMessage, qClaimMessage, qFinishMessage, qRequeueStaleMessages, qMessagesOfSurvey,
	qPendingMessages}

// NewMessage is a message to queue.
type NewMessage struct {
	SurveyID     int64
	Municipality string
	Kind         string
	Recipient    string
	InvitationID int64
	UserID       int64
	// The language ("lv" or "en"; required for receipts and feedback,
	// optional for invitations and reminders); receipts only:
	// the version submitted, and when.
	Lang            string
	ResponseVersion int
	SubmittedAt     time.Time
}

// QueueMessages records messages to send, all or none.
func (s *Store) QueueMessages(ctx context.Context, list []NewMessage) ([]Message, error) {
	var out []Message
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = insertMessages(ctx, tx, list)
		return err
	})
	return out, err
}

// insertMessages records messages to send within tx.
func insertMessages(ctx context.Context, tx *sqlx.Tx, list []NewMessage) ([]Message, error) {
	out := make([]Message, 0, len(list))
	for _, m := range list {
		var inv, user *int64
		if m.InvitationID != 0 {
			inv = &m.InvitationID
		}
		if m.UserID != 0 {
			user = &m.UserID
		}
		var lang, version, at any
		switch m.Kind {
		case MessageReceipt:
			lang, version, at = m.Lang, m.ResponseVersion, m.SubmittedAt
		case MessageFeedback:
			lang = m.Lang
		default: // invitations and reminders: the contact's language, when known
			if m.Lang != "" {
				lang = m.Lang
			}
		}
		var row Message
		if err := tx.GetContext(ctx, &row, qInsertMessage, m.SurveyID, m.Municipality, m.Kind, m.Recipient, inv, user,
			lang, version, at); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// Outcome is the result of one delivery attempt.
type Outcome struct {
	Status string // MessageSent, MessageFailed, or MessageQueued to try again
	Error  string
}

// ClaimMessage claims the oldest queued message (of one round, or any when
// surveyID is 0; not those in skip) for the sender named owner: it becomes
// MessageSending, in a statement of its own, so no transaction stays open
// while it is sent. Another sender never gets the same message, unless the
// claim grows stale (RequeueStaleMessages). ErrNotFound when none is
// queued.
func (s *Store) ClaimMessage(ctx context.Context, surveyID int64, skip []int64, owner string) (Message, error) {
	var m Message
	if skip == nil {
		skip = []int64{}
	}
	err := s.db.GetContext(ctx, &m, qClaimMessage, surveyID, pq.Array(skip), owner)
	return m, notFound(err)
}

// FinishMessage records the outcome of sending a claimed message, in a
// statement of its own. It reports false (and changes nothing) when the
// claim is no longer owner's: it went stale and the message was queued
// again meanwhile.
func (s *Store) FinishMessage(ctx context.Context, id int64, owner string, o Outcome) (bool, error) {
	var errText *string
	if o.Error != "" {
		errText = &o.Error
	}
	var n int
	if err := s.db.GetContext(ctx, &n, qFinishMessage, id, o.Status, errText, owner); err != nil {
		return false, err
	}
	return n == 1, nil
}

// RequeueStaleMessages puts messages claimed longer ago than olderThan
// back in the queue (their sender died mid-send) and says how many.
func (s *Store) RequeueStaleMessages(ctx context.Context, olderThan time.Duration) (int, error) {
	res, err := s.db.ExecContext(ctx, qRequeueStaleMessages, olderThan.Seconds())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PendingMessages lists the municipalities that have a message of the kind
// queued or being sent in the round.
func (s *Store) PendingMessages(ctx context.Context, surveyID int64, kind string) ([]string, error) {
	var out []string
	return out, s.db.SelectContext(ctx, &out, qPendingMessages, surveyID, kind)
}

// MessagesOfSurvey lists the round's messages, the newest first.
func (s *Store) MessagesOfSurvey(ctx context.Context, surveyID int64) ([]Message, error) {
	var out []Message
	return out, s.db.SelectContext(ctx, &out, qMessagesOfSurvey, surveyID)
}
