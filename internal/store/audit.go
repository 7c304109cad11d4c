package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// The domain types this file keeps.
type (
	AuditEntry  = domain.AuditEntry
	AuditFilter = domain.AuditFilter
)

const (
	auditColumns = `id, at, action, actor_kind, user_id, user_email, api_token_id, survey_id, survey_slug,
       municipality, client_addr, detail`
	qInsertAudit = `INSERT INTO audit_log (action, actor_kind, user_id, user_email, api_token_id, survey_id, survey_slug,
       municipality, client_addr, detail)
VALUES ($1, $2, $3, $4, $5, $6, coalesce((SELECT slug FROM surveys WHERE id = $6), ''), $7, $8, $9)`
	// The filter's empty values select all; rows newest first, paged by id.
	qAuditWhere = `
WHERE ($1 = '' OR action = $1) AND ($2 = '' OR user_email = $2) AND ($3 = '' OR survey_slug = $3)
  AND ($4 = '' OR municipality = $4) AND ($5::timestamptz IS NULL OR at >= $5)
  AND ($6::timestamptz IS NULL OR at < $6) AND ($7 = 0 OR id < $7)`
	qAuditPage = `SELECT ` + auditColumns + ` FROM audit_log` + qAuditWhere + ` ORDER BY id DESC LIMIT $8`
	qAuditAll  = `SELECT ` + auditColumns + ` FROM audit_log` + qAuditWhere + ` ORDER BY id DESC`
)

var auditStatements = []string{qInsertAudit, qAuditPage, qAuditAll}

// NewAudit is a row to append to the audit log. SurveyID's slug is copied
// from the round.
type NewAudit struct {
	Action       string
	ActorKind    string
	UserID       *int64
	UserEmail    string
	APITokenID   *int64
	SurveyID     *int64
	Municipality string
	ClientAddr   string
	// Detail is marshalled to a JSON object (nil: {}).
	Detail map[string]any
}

// AppendAudit appends a row to the audit log.
func (s *Store) AppendAudit(ctx context.Context, a NewAudit) error {
	detail := []byte("{}")
	if len(a.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(a.Detail); err != nil {
			return err
		}
	}
	_, err := s.db.ExecContext(ctx, qInsertAudit, a.Action, a.ActorKind, a.UserID, a.UserEmail, a.APITokenID,
		a.SurveyID, a.Municipality, a.ClientAddr, detail)
	return err
}

func auditArgs(f AuditFilter) []any {
	opt := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	return []any{f.Action, f.UserEmail, f.SurveySlug, f.Municipality, opt(f.From), opt(f.To), f.Before}
}

// AuditPage returns up to limit rows of the filter, newest first.
func (s *Store) AuditPage(ctx context.Context, f AuditFilter, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	return out, s.db.SelectContext(ctx, &out, qAuditPage, append(auditArgs(f), limit)...)
}

// EachAudit calls fn with every row of the filter, newest first, reading
// them as a stream.
func (s *Store) EachAudit(ctx context.Context, f AuditFilter, fn func(AuditEntry) error) error {
	rows, err := s.db.QueryxContext(ctx, qAuditAll, auditArgs(f)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		if err := rows.StructScan(&e); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
