package store

import (
	"context"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The domain types this file keeps.
type FeedbackRelease = domain.FeedbackRelease

type FeedbackReleased = domain.FeedbackReleased

const (
	feedbackColumns = `f.survey_id, f.municipality_code, f.first_released_at, f.released_at, f.released_by,
    COALESCE(u.email, '') AS released_by_email, f.submitted_version, f.submitted_at, f.withdrawn_at, f.withdrawn_by,
    f.mail_queued_at, f.mail_sent_at, f.first_opened_at, f.last_opened_at,
    EXISTS (SELECT 1 FROM messages m WHERE m.survey_id = f.survey_id AND m.municipality_code = f.municipality_code
            AND m.kind = 'feedback' AND m.status IN ('queued', 'sending')) AS mail_pending,
    (SELECT count(*) FROM messages m WHERE m.survey_id = f.survey_id AND m.municipality_code = f.municipality_code
            AND m.kind = 'feedback' AND m.status = 'failed'
            AND m.created_at >= COALESCE(f.mail_queued_at, f.released_at)) AS mail_failed`
	qFeedbackReleases = `SELECT ` + feedbackColumns + `
FROM feedback_releases f LEFT JOIN users u ON u.id = f.released_by
WHERE f.survey_id = $1 ORDER BY f.municipality_code`
	qFeedbackRelease = `SELECT ` + feedbackColumns + `
FROM feedback_releases f LEFT JOIN users u ON u.id = f.released_by
WHERE f.survey_id = $1 AND f.municipality_code = $2`
	// Releasing reads what is submitted in the same statement, so what is
	// recorded as released is what was submitted at that moment; only
	// submitted responses (not returned ones) are released. Releasing
	// again records the new submitted version and time, and clears a
	// withdrawal.
	qReleaseFeedback = `
INSERT INTO feedback_releases (survey_id, municipality_code, released_by, submitted_version, submitted_at)
SELECT r.survey_id, r.municipality_code, $3, r.submitted_version, r.submitted_at
FROM responses r
WHERE r.survey_id = $1 AND r.status = 'submitted' AND (cardinality($2::text[]) = 0 OR r.municipality_code = ANY($2))
ORDER BY r.municipality_code
ON CONFLICT (survey_id, municipality_code) DO UPDATE SET released_at = greatest(now(), feedback_releases.first_released_at),
    released_by = EXCLUDED.released_by, submitted_version = EXCLUDED.submitted_version,
    submitted_at = EXCLUDED.submitted_at, withdrawn_at = NULL, withdrawn_by = NULL
RETURNING municipality_code, (xmax = 0) AS first`
	qWithdrawFeedback = `
UPDATE feedback_releases SET withdrawn_at = now(), withdrawn_by = $4
WHERE survey_id = $1 AND municipality_code = $2 AND released_at = $3 AND withdrawn_at IS NULL`
	qFeedbackOpened = `
UPDATE feedback_releases SET first_opened_at = COALESCE(first_opened_at, now()), last_opened_at = now()
WHERE survey_id = $1 AND municipality_code = $2 AND withdrawn_at IS NULL`
	qFeedbackMailQueued = `
UPDATE feedback_releases SET mail_queued_at = now()
WHERE survey_id = $1 AND municipality_code = ANY($2) AND withdrawn_at IS NULL`
)

var feedbackStatements = []string{qFeedbackReleases, qFeedbackRelease, qReleaseFeedback, qWithdrawFeedback,
	qFeedbackOpened, qFeedbackMailQueued}

// FeedbackReleases returns the round's releases (withdrawn ones too) by
// municipality code.
func (s *Store) FeedbackReleases(ctx context.Context, surveyID int64) (map[string]FeedbackRelease, error) {
	return s.now().FeedbackReleases(ctx, surveyID)
}

// FeedbackReleases is Store.FeedbackReleases within the snapshot.
func (sn *Snapshot) FeedbackReleases(ctx context.Context, surveyID int64) (map[string]FeedbackRelease, error) {
	var list []FeedbackRelease
	if err := sn.q.SelectContext(ctx, &list, qFeedbackReleases, surveyID); err != nil {
		return nil, err
	}
	out := make(map[string]FeedbackRelease, len(list))
	for _, f := range list {
		out[f.MunicipalityCode] = f
	}
	return out, nil
}

// FeedbackRelease returns one municipality's release (withdrawn or not);
// ErrNotFound when its feedback was never released.
func (s *Store) FeedbackRelease(ctx context.Context, surveyID int64, municipality string) (FeedbackRelease, error) {
	var f FeedbackRelease
	return f, notFound(s.db.GetContext(ctx, &f, qFeedbackRelease, surveyID, municipality))
}

// ReleaseFeedback releases the feedback of the listed municipalities
// (every one when codes is empty) that have submitted now — not those
// returned for correction or not submitted — recording their submitted
// version, who and when, in one statement. A municipality released before
// is released again (withdrawn or not).
func (s *Store) ReleaseFeedback(ctx context.Context, surveyID int64, codes []string, userID int64) ([]FeedbackReleased, error) {
	var user *int64
	if userID != 0 {
		user = &userID
	}
	if codes == nil {
		codes = []string{}
	}
	var out []FeedbackReleased
	return out, s.db.SelectContext(ctx, &out, qReleaseFeedback, surveyID, pq.Array(codes), user)
}

// WithdrawFeedback withdraws the municipality's release made at
// releasedAt; ErrConflict when its feedback is not released now or was
// released again since.
func (s *Store) WithdrawFeedback(ctx context.Context, surveyID int64, municipality string, releasedAt time.Time, userID int64) error {
	var user *int64
	if userID != 0 {
		user = &userID
	}
	res, err := s.db.ExecContext(ctx, qWithdrawFeedback, surveyID, municipality, releasedAt, user)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrConflict
	}
	return nil
}

// FeedbackOpened records that the municipality opened its released
// results.
func (s *Store) FeedbackOpened(ctx context.Context, surveyID int64, municipality string) error {
	_, err := s.db.ExecContext(ctx, qFeedbackOpened, surveyID, municipality)
	return err
}

// QueueFeedbackMessages records feedback messages to send and, for the
// municipalities they go to, that the e-mail was asked for — all in one
// transaction.
func (s *Store) QueueFeedbackMessages(ctx context.Context, surveyID int64, list []NewMessage) ([]Message, error) {
	var out []Message
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out, err = insertMessages(ctx, tx, list); err != nil {
			return err
		}
		seen := map[string]bool{}
		codes := []string{}
		for _, m := range list {
			if !seen[m.Municipality] {
				seen[m.Municipality] = true
				codes = append(codes, m.Municipality)
			}
		}
		_, err = tx.ExecContext(ctx, qFeedbackMailQueued, surveyID, pq.Array(codes))
		return err
	})
	return out, err
}
