package store

import (
	"context"
	"encoding/json"
	"iter"
	"time"
)

// TrackerRow is one municipality's standing in a round, read in one query
// for the response tracker.
type TrackerRow struct {
	Municipality
	// The working link: its id (nil: none), when it was made and last
	// opened, and when an e-mail carrying it was last sent.
	LinkID        *int64     `db:"link_id"`
	LinkCreatedAt *time.Time `db:"link_created_at"`
	LinkUsedAt    *time.Time `db:"link_used_at"`
	LinkSentAt    *time.Time `db:"link_sent_at"`
	// LinkRevokedAt is when the municipality's last link was revoked or
	// replaced (nil: never).
	LinkRevokedAt  *time.Time      `db:"link_revoked_at"`
	ResponseStatus *string         `db:"response_status"`
	Version        int             `db:"version"`
	AnswersJSON    json.RawMessage `db:"answers"`
	// CarriedJSON: see Response.CarriedJSON.
	CarriedJSON      json.RawMessage `db:"carried"`
	SubmittedVersion *int            `db:"submitted_version"`
	SubmittedAt      *time.Time      `db:"submitted_at"`
	ResponseUpdated  *time.Time      `db:"response_updated_at"`
	ExtendedUntil    *time.Time      `db:"extended_until"`
	InvitationsSent  int             `db:"invitations_sent"`
	RemindersSent    int             `db:"reminders_sent"`
	MessagesFailed   int             `db:"messages_failed"`
	LastMessageAt    *time.Time      `db:"last_message_at"`
	ReturnedAt       *time.Time      `db:"returned_at"`
	Returns          int             `db:"returns"`
}

const qTracker = `
SELECT m.code, m.name_lv, m.name_en, m.kind, m.planning_region, m.statistical_region, m.active, m.updated_at,
       i.id AS link_id, i.created_at AS link_created_at, i.last_used_at AS link_used_at,
       msg.link_sent AS link_sent_at,
       (SELECT max(v.revoked_at) FROM invitations v WHERE v.survey_id = $1 AND v.municipality_code = m.code) AS link_revoked_at,
       r.status AS response_status, COALESCE(r.version, 0) AS version, COALESCE(r.answers, '{}') AS answers,
       COALESCE(r.carried, '{}') AS carried,
       r.submitted_version, r.submitted_at, r.updated_at AS response_updated_at,
       d.closes_at AS extended_until,
       COALESCE(msg.invitations, 0) AS invitations_sent, COALESCE(msg.reminders, 0) AS reminders_sent,
       COALESCE(msg.failed, 0) AS messages_failed, msg.last_sent AS last_message_at,
       rt.created_at AS returned_at,
       (SELECT count(*) FROM returns x WHERE x.response_id = r.id) AS returns
FROM municipalities m
LEFT JOIN invitations i ON i.survey_id = $1 AND i.municipality_code = m.code AND i.revoked_at IS NULL
LEFT JOIN responses r ON r.survey_id = $1 AND r.municipality_code = m.code
LEFT JOIN deadline_extensions d ON d.survey_id = $1 AND d.municipality_code = m.code
LEFT JOIN returns rt ON rt.response_id = r.id AND rt.resolved_at IS NULL
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE kind = 'invitation' AND status = 'sent') AS invitations,
           count(*) FILTER (WHERE kind = 'reminder' AND status = 'sent') AS reminders,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           max(sent_at) AS last_sent,
           max(sent_at) FILTER (WHERE status = 'sent' AND invitation_id = i.id) AS link_sent
    FROM messages WHERE survey_id = $1 AND municipality_code = m.code
) msg ON true
WHERE m.active OR r.id IS NOT NULL
ORDER BY m.code`

var trackerStatements = []string{qTracker, firstBatch(qTracker)}

// Tracker returns every active municipality's (and every answering
// municipality's) standing in the round.
func (s *Store) Tracker(ctx context.Context, surveyID int64) ([]TrackerRow, error) {
	return s.now().Tracker(ctx, surveyID)
}

// TrackerRows is Tracker within the snapshot, streamed (smallFirstRows):
// one batch of rows in memory at a time, whatever the number of
// municipalities.
func (sn *Snapshot) TrackerRows(ctx context.Context, surveyID int64) iter.Seq2[TrackerRow, error] {
	return smallFirstRows[TrackerRow](ctx, sn, qTracker, surveyID)
}

// Tracker is Store.Tracker within the snapshot.
func (sn *Snapshot) Tracker(ctx context.Context, surveyID int64) ([]TrackerRow, error) {
	var out []TrackerRow
	return out, sn.q.SelectContext(ctx, &out, qTracker, surveyID)
}
