package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// Respondent is everything a request through an invitation link needs, read
// in one query: the link, its round, its municipality and the response so
// far (Response.ID is 0 when nothing has been saved yet).
type Respondent struct {
	Invitation   Invitation
	Survey       Survey
	Municipality Municipality
	Response     Response
	// ExtendedUntil is the municipality's own later deadline, if any.
	ExtendedUntil *time.Time
	// Return is the open request for correction, if any.
	Return *ReturnRequest
	// CarriedYears maps the slug of each round the response's unconfirmed
	// carried-over answers come from to its reference year (a round
	// deleted since is missing).
	CarriedYears map[string]int
}

// State is the round's state for this municipality at now.
func (r Respondent) State(now time.Time) RoundState { return r.Survey.StateWith(now, r.ExtendedUntil) }

// Deadline is when answering ends for this municipality.
func (r Respondent) Deadline() time.Time { return r.Survey.Deadline(r.ExtendedUntil) }

// respondentQuery is the one query of a link's context; definition is the
// survey's definition column, or an empty value when it is left to the cache.
func respondentQuery(definition string) string {
	return `
SELECT i.id AS "i.id", i.survey_id AS "i.survey_id", i.municipality_code AS "i.municipality_code",
       i.created_at AS "i.created_at", i.token_salt AS "i.token_salt", i.revoked_at AS "i.revoked_at", i.last_used_at AS "i.last_used_at",
       s.id AS "s.id", s.slug AS "s.slug", s.title_lv AS "s.title_lv", s.title_en AS "s.title_en",
       s.reference_year AS "s.reference_year", ` + definition + ` AS "s.definition",
       s.definition_sha256 AS "s.definition_sha256", s.opens_at AS "s.opens_at", s.closes_at AS "s.closes_at", s.closed_at AS "s.closed_at",
       s.created_at AS "s.created_at", s.updated_at AS "s.updated_at", s.previous_survey_id AS "s.previous_survey_id",
       m.code AS "m.code", m.name_lv AS "m.name_lv", m.name_en AS "m.name_en", m.kind AS "m.kind",
       m.planning_region AS "m.planning_region", m.statistical_region AS "m.statistical_region",
       m.active AS "m.active", m.updated_at AS "m.updated_at",
       COALESCE(r.id, 0) AS "r.id", s.id AS "r.survey_id", m.code AS "r.municipality_code",
       COALESCE(r.status, 'draft') AS "r.status", COALESCE(r.answers, '{}') AS "r.answers",
       COALESCE(r.version, 0) AS "r.version", r.submitted_answers AS "r.submitted_answers",
       r.submitted_version AS "r.submitted_version", r.submitted_at AS "r.submitted_at",
       COALESCE(r.created_at, now()) AS "r.created_at", COALESCE(r.updated_at, now()) AS "r.updated_at",
       COALESCE(r.carried, '{}') AS "r.carried",
       d.closes_at AS extended_until, rt.comments AS return_comments, rt.note AS return_note,
       CASE WHEN r.carried IS NOT NULL AND r.carried <> '{}' THEN
           (SELECT jsonb_object_agg(cs.slug, cs.reference_year) FROM surveys cs
            WHERE cs.slug IN (SELECT c.value FROM jsonb_each_text(r.carried) c)) END AS carried_years
FROM invitations i
JOIN surveys s ON s.id = i.survey_id
JOIN municipalities m ON m.code = i.municipality_code
LEFT JOIN deadline_extensions d ON d.survey_id = i.survey_id AND d.municipality_code = i.municipality_code
LEFT JOIN responses r ON r.survey_id = i.survey_id AND r.municipality_code = i.municipality_code
LEFT JOIN returns rt ON rt.response_id = r.id AND rt.resolved_at IS NULL
WHERE i.token_sha256 = $1 AND i.revoked_at IS NULL`
}

var (
	qRespondent = respondentQuery("s.definition")
	// qRespondentLean leaves the definition (19 KB for a round) to the
	// caller's cache: SurveyDefinition reads it on a miss.
	qRespondentLean   = respondentQuery("''::bytea")
	qSurveyDefinition = `SELECT definition, definition_sha256 FROM surveys WHERE id = $1`
)

// qSaveContext is the part of a link's context a save needs
// (SaveContextByTokenHash), in four tables each found by a unique index:
// respondentQuery without what only pages show (the round's titles and
// year, the municipality's names, the open request for correction, the
// years of the rounds answers were carried over from) and without the
// submitted answers, a second answers document that a save never reads.
// Measured with pgbench against the same data, the full read cost
// PostgreSQL about 0.2 ms more CPU per save than this one. $2 and $3 are
// the response and version whose answers the caller holds
// (SaveContextHolding): those answers are not sent again.
const qSaveContext = `
SELECT ` + saveContextColumns + `
FROM (SELECT $2::bigint AS rid, $3::int AS ver) h, invitations i` + saveContextJoins + `
WHERE i.token_sha256 = $1 AND i.revoked_at IS NULL`

// qSaveContexts is qSaveContext for many links at once: $1 their token
// hashes, $2 and $3 the response and version each one's caller holds the
// answers of; each row is led by its link's place in $1 (from 1).
const qSaveContexts = `
SELECT h.n, ` + saveContextColumns + `
FROM unnest($1::bytea[], $2::bigint[], $3::int[]) WITH ORDINALITY AS h(hash, rid, ver, n)
JOIN invitations i ON i.token_sha256 = h.hash AND i.revoked_at IS NULL` + saveContextJoins

const (
	saveContextColumns = `i.id, i.survey_id, i.municipality_code,
       s.slug, s.definition_sha256, s.opens_at, s.closes_at, s.closed_at,
       COALESCE(r.id, 0), COALESCE(r.status, 'draft'),
       CASE WHEN r.id = h.rid AND r.version = h.ver THEN NULL ELSE COALESCE(r.answers, '{}') END,
       COALESCE(r.version, 0),
       r.submitted_version, r.submitted_at, COALESCE(r.created_at, now()), COALESCE(r.updated_at, now()),
       COALESCE(r.carried, '{}'), d.closes_at`
	saveContextJoins = `
JOIN surveys s ON s.id = i.survey_id
LEFT JOIN deadline_extensions d ON d.survey_id = i.survey_id AND d.municipality_code = i.municipality_code
LEFT JOIN responses r ON r.survey_id = i.survey_id AND r.municipality_code = i.municipality_code`
)

var respondentStatements = []string{qRespondent, qRespondentLean, qSurveyDefinition, qSaveContext, qSaveContexts}

// respondentRow maps the prefixed columns of qRespondent.
type respondentRow struct {
	I              Invitation   `db:"i"`
	S              Survey       `db:"s"`
	M              Municipality `db:"m"`
	R              Response     `db:"r"`
	ExtendedUntil  *time.Time   `db:"extended_until"`
	ReturnComments []byte       `db:"return_comments"`
	ReturnNote     *string      `db:"return_note"`
	CarriedYears   []byte       `db:"carried_years"`
}

// scan reads the columns of respondentQuery in their order: a plain Scan
// (no reflection over the 44 columns on every request).
func (row *respondentRow) scan(r *sql.Row) error {
	var (
		iRevoked, iUsed, sClosed, rSubmittedAt, extended sql.NullTime
		sPrevious, rSubmittedVersion                     sql.NullInt64
		note                                             sql.NullString
	)
	err := r.Scan(&row.I.ID, &row.I.SurveyID, &row.I.MunicipalityCode, &row.I.CreatedAt, &row.I.TokenSalt, &iRevoked, &iUsed,
		&row.S.ID, &row.S.Slug, &row.S.TitleLV, &row.S.TitleEN, &row.S.ReferenceYear, (*[]byte)(&row.S.Definition),
		&row.S.DefinitionSHA256, &row.S.OpensAt, &row.S.ClosesAt, &sClosed, &row.S.CreatedAt, &row.S.UpdatedAt, &sPrevious,
		&row.M.Code, &row.M.NameLV, &row.M.NameEN, &row.M.Kind, &row.M.PlanningRegion, &row.M.StatisticalRegion,
		&row.M.Active, &row.M.UpdatedAt,
		&row.R.ID, &row.R.SurveyID, &row.R.MunicipalityCode, &row.R.Status, (*[]byte)(&row.R.AnswersJSON), &row.R.Version,
		&row.R.SubmittedJSON, &rSubmittedVersion, &rSubmittedAt, &row.R.CreatedAt, &row.R.UpdatedAt, (*[]byte)(&row.R.CarriedJSON),
		&extended, &row.ReturnComments, &note, &row.CarriedYears)
	if err != nil {
		return err
	}
	row.I.RevokedAt, row.I.LastUsedAt, row.S.ClosedAt = timeOrNil(iRevoked), timeOrNil(iUsed), timeOrNil(sClosed)
	row.R.SubmittedAt, row.ExtendedUntil = timeOrNil(rSubmittedAt), timeOrNil(extended)
	if sPrevious.Valid {
		row.S.PreviousSurveyID = &sPrevious.Int64
	}
	if rSubmittedVersion.Valid {
		v := int(rSubmittedVersion.Int64)
		row.R.SubmittedVersion = &v
	}
	if note.Valid {
		row.ReturnNote = &note.String
	}
	return nil
}

func timeOrNil(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// RespondentByTokenHash loads a working link's context; ErrNotFound for an
// unknown or revoked link.
func (s *Store) RespondentByTokenHash(ctx context.Context, hash []byte) (Respondent, error) {
	return s.respondent(ctx, qRespondent, hash)
}

// RespondentByTokenHashLean is RespondentByTokenHash without the round's
// definition (Survey.Definition is empty; Survey.DefinitionSHA256 names
// it): for a caller that keeps parsed definitions by their hash, and reads
// one with SurveyDefinition when it has not got it.
func (s *Store) RespondentByTokenHashLean(ctx context.Context, hash []byte) (Respondent, error) {
	return s.respondent(ctx, qRespondentLean, hash)
}

func (s *Store) respondent(ctx context.Context, q string, hash []byte) (Respondent, error) {
	var row respondentRow
	if err := row.scan(s.db.QueryRowContext(ctx, q, hash)); err != nil {
		return Respondent{}, notFound(err)
	}
	out := Respondent{Invitation: row.I, Survey: row.S, Municipality: row.M, Response: row.R, ExtendedUntil: row.ExtendedUntil}
	if len(out.Survey.Definition) == 0 {
		out.Survey.Definition = nil // the lean query's
	}
	if row.ReturnComments != nil {
		rr := &ReturnRequest{Note: *row.ReturnNote}
		if err := json.Unmarshal(row.ReturnComments, &rr.Comments); err != nil {
			return Respondent{}, err
		}
		out.Return = rr
	}
	if row.CarriedYears != nil {
		if err := json.Unmarshal(row.CarriedYears, &out.CarriedYears); err != nil {
			return Respondent{}, err
		}
	}
	return out, nil
}

// SaveContextByTokenHash loads what a save through a working link needs,
// ErrNotFound for an unknown or revoked link. It is
// RespondentByTokenHashLean with only these filled in: the invitation's
// ID, SurveyID and MunicipalityCode; the round's ID, Slug,
// DefinitionSHA256, OpensAt, ClosesAt and ClosedAt (so State and
// Deadline are right); the municipality's Code; the response without
// SubmittedJSON (nil even when something was submitted); ExtendedUntil.
// Return and CarriedYears stay nil.
//
// It is read together with the contexts other saves ask for at the same
// time (savebatch.go: qSaveContexts); if that statement fails, on its own.
func (s *Store) SaveContextByTokenHash(ctx context.Context, hash []byte) (Respondent, error) {
	return s.SaveContextHolding(ctx, hash, Held{})
}

// Held names the answers a caller holds of a response: its ID and the
// version they are (zero: none).
type Held struct {
	ResponseID int64
	Version    int
}

// SaveContextHolding is SaveContextByTokenHash for a caller that holds
// the answers held names: when the link's response is still that response
// at that version, its answers are not sent (Response.AnswersJSON is nil;
// otherwise it never is). A response's version changes with every change
// of its answers, so the answers held are its answers.
func (s *Store) SaveContextHolding(ctx context.Context, hash []byte, held Held) (Respondent, error) {
	it := &batchedContext{hash: hash, held: held}
	if err := s.contexts.wait(ctx, it); err != nil {
		return Respondent{}, err
	}
	if it.failed {
		row := s.db.QueryRowContext(ctx, qSaveContext, hash, held.ResponseID, held.Version)
		if err := scanSaveContext(row, &it.out); err != nil {
			return Respondent{}, notFound(err)
		}
		return it.out, nil
	}
	if !it.found {
		return Respondent{}, ErrNotFound
	}
	return it.out, nil
}

// scanSaveContext reads the columns of qSaveContext in their order.
func scanSaveContext(row interface{ Scan(...any) error }, out *Respondent) error {
	var (
		sClosed, rSubmittedAt, extended sql.NullTime
		rSubmittedVersion               sql.NullInt64
	)
	i, sv, r := &out.Invitation, &out.Survey, &out.Response
	err := row.Scan(&i.ID, &i.SurveyID, &i.MunicipalityCode,
		&sv.Slug, &sv.DefinitionSHA256, &sv.OpensAt, &sv.ClosesAt, &sClosed,
		&r.ID, &r.Status, (*[]byte)(&r.AnswersJSON), &r.Version,
		&rSubmittedVersion, &rSubmittedAt, &r.CreatedAt, &r.UpdatedAt,
		(*[]byte)(&r.CarriedJSON), &extended)
	if err != nil {
		return err
	}
	sv.ID, out.Municipality.Code = i.SurveyID, i.MunicipalityCode
	r.SurveyID, r.MunicipalityCode = i.SurveyID, i.MunicipalityCode
	sv.ClosedAt, r.SubmittedAt, out.ExtendedUntil = timeOrNil(sClosed), timeOrNil(rSubmittedAt), timeOrNil(extended)
	if rSubmittedVersion.Valid {
		v := int(rSubmittedVersion.Int64)
		r.SubmittedVersion = &v
	}
	return nil
}

// SurveyDefinition reads a round's definition and its hash; ErrNotFound
// for an unknown round.
func (s *Store) SurveyDefinition(ctx context.Context, id int64) (json.RawMessage, string, error) {
	var row struct {
		Definition json.RawMessage `db:"definition"`
		SHA256     string          `db:"definition_sha256"`
	}
	if err := s.db.GetContext(ctx, &row, qSurveyDefinition, id); err != nil {
		return nil, "", notFound(err)
	}
	return row.Definition, row.SHA256, nil
}
