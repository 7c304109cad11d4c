package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
)

// The domain types this file keeps.
type Survey = domain.Survey

type RoundState = domain.RoundState

const (
	RoundNotOpen = domain.RoundNotOpen
	RoundOpen    = domain.RoundOpen
	RoundClosed  = domain.RoundClosed
)

const (
	surveyColumns = `id, slug, title_lv, title_en, reference_year, definition, definition_sha256,
    opens_at, closes_at, closed_at, created_at, updated_at, previous_survey_id`
	qInsertSurvey = `
INSERT INTO surveys (slug, title_lv, title_en, reference_year, definition, definition_sha256, opens_at, closes_at,
    previous_survey_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING ` + surveyColumns
	qSurveyBySlug       = `SELECT ` + surveyColumns + ` FROM surveys WHERE slug = $1`
	qSurveyByID         = `SELECT ` + surveyColumns + ` FROM surveys WHERE id = $1`
	qSurveyHasResponses = `SELECT EXISTS (SELECT 1 FROM responses WHERE survey_id = $1)`
	// At most $2 responses: counted no further than one past $2.
	qSurveyResponsesAtMost = `SELECT count(*) <= $2 FROM (SELECT 1 FROM responses WHERE survey_id = $1 LIMIT $2 + 1) r`
	qReplaceDefinition     = `
UPDATE surveys SET definition = $2, definition_sha256 = $3, title_lv = $4, title_en = $5,
    reference_year = $6, updated_at = now()
WHERE id = $1`
	qLockSurvey     = `SELECT id FROM surveys WHERE id = $1 FOR UPDATE`
	qSurveys        = `SELECT ` + surveyColumns + ` FROM surveys ORDER BY opens_at DESC, id DESC`
	qCloseSurvey    = `UPDATE surveys SET closed_at = $2, updated_at = now() WHERE id = $1 AND closed_at IS NULL`
	qSetSurveyDates = `
UPDATE surveys SET opens_at = $2, closes_at = $3, closed_at = NULL, updated_at = now()
WHERE id = $1 RETURNING ` + surveyColumns
)

var surveyStatements = []string{qInsertSurvey, qSurveyBySlug, qSurveyByID,
	qSurveyHasResponses, qSurveyResponsesAtMost, qReplaceDefinition, qLockSurvey, qSurveys, qCloseSurvey, qSetSurveyDates,
	qLockSurveyWindow, qLockRoundResponses, qSavedResponses, qDeleteRoundResponses}

// Surveys lists every round, the newest first.
func (s *Store) Surveys(ctx context.Context) ([]Survey, error) {
	var out []Survey
	return out, s.db.SelectContext(ctx, &out, qSurveys)
}

// CloseSurvey closes a round early, for everyone; ErrNotFound if it was
// already closed early.
func (s *Store) CloseSurvey(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.ExecContext(ctx, qCloseSurvey, id, at)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetSurveyDates sets the answering window and lifts an early closing (this
// is how a round is reopened).
func (s *Store) SetSurveyDates(ctx context.Context, id int64, opens, closes time.Time) (Survey, error) {
	var out Survey
	return out, notFound(s.db.GetContext(ctx, &out, qSetSurveyDates, id, opens, closes))
}

// CreateSurvey stores a new round (with its source round when
// in.PreviousSurveyID is set); ErrExists when the slug is taken.
func (s *Store) CreateSurvey(ctx context.Context, in Survey) (Survey, error) {
	var out Survey
	err := s.db.GetContext(ctx, &out, qInsertSurvey, in.Slug, in.TitleLV, in.TitleEN, in.ReferenceYear,
		[]byte(in.Definition), in.DefinitionSHA256, in.OpensAt, in.ClosesAt, in.PreviousSurveyID)
	if isUniqueViolation(err) {
		return Survey{}, ErrExists
	}
	return out, err
}

// SurveyBySlug returns the round with the slug.
func (s *Store) SurveyBySlug(ctx context.Context, slug string) (Survey, error) {
	var out Survey
	return out, notFound(s.db.GetContext(ctx, &out, qSurveyBySlug, slug))
}

// SurveyByID returns the round with the id.
func (s *Store) SurveyByID(ctx context.Context, id int64) (Survey, error) {
	var out Survey
	return out, notFound(s.db.GetContext(ctx, &out, qSurveyByID, id))
}

// ResponsesAtMost says whether the round has at most n responses (of any
// status), counting no further than n+1.
func (s *Store) ResponsesAtMost(ctx context.Context, id int64, n int) (bool, error) {
	var ok bool
	return ok, s.db.GetContext(ctx, &ok, qSurveyResponsesAtMost, id, n)
}

// ReplaceDefinition swaps a round's questionnaire snapshot. It is refused
// with ErrConflict once any municipality has saved an answer, so answers are
// never reinterpreted under a different questionnaire.
func (s *Store) ReplaceDefinition(ctx context.Context, id int64, titleLV, titleEN string, refYear int,
	definition json.RawMessage, sha string) error {
	return s.replaceDefinition(ctx, id, titleLV, titleEN, refYear, definition, sha, false)
}

// ReplaceAnsweredDefinition is ReplaceDefinition even after answers were
// saved: only for a change the caller has checked does not change how
// answers are read (a question's carry_over mark).
func (s *Store) ReplaceAnsweredDefinition(ctx context.Context, id int64, titleLV, titleEN string, refYear int,
	definition json.RawMessage, sha string) error {
	return s.replaceDefinition(ctx, id, titleLV, titleEN, refYear, definition, sha, true)
}

func (s *Store) replaceDefinition(ctx context.Context, id int64, titleLV, titleEN string, refYear int,
	definition json.RawMessage, sha string, answered bool) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var got int64
		if err := tx.GetContext(ctx, &got, qLockSurvey, id); err != nil {
			return notFound(err)
		}
		var has bool
		if err := tx.GetContext(ctx, &has, qSurveyHasResponses, id); err != nil {
			return err
		}
		if has && !answered {
			return ErrConflict
		}
		_, err := tx.ExecContext(ctx, qReplaceDefinition, id, []byte(definition), sha, titleLV, titleEN, refYear)
		return err
	})
}

// Replacing a not-yet-open round's questionnaire (RoundReplacement).
const (
	qLockSurveyWindow   = `SELECT opens_at, closed_at FROM surveys WHERE id = $1 FOR UPDATE`
	qLockRoundResponses = `SELECT id FROM responses WHERE survey_id = $1 ORDER BY id FOR UPDATE`
	// A response is the municipality's own when it is submitted or has a
	// revision other than the system's carry-over and an erasure of
	// personal data (which removes answers, adds none).
	qSavedResponses = `
SELECT count(*) FROM responses r
WHERE r.survey_id = $1 AND (r.status <> 'draft' OR EXISTS (
    SELECT 1 FROM revisions v WHERE v.response_id = r.id
        AND NOT ((v.action = 'carry' AND v.actor = 'system') OR v.action = 'erase')))`
	qDeleteRoundResponses = `DELETE FROM responses WHERE survey_id = $1`
)

// ErrRoundOpened refuses to replace the questionnaire of a round that has
// opened or was closed.
var ErrRoundOpened = errors.New("the round has opened")

// SavedAnswersError refuses to replace the questionnaire of a round in
// which municipalities have saved something of their own.
type SavedAnswersError struct{ Municipalities int }

func (e *SavedAnswersError) Error() string {
	return fmt.Sprintf("%d municipalities have saved answers in the round", e.Municipalities)
}

// RoundReplacement is a new questionnaire for a round that has not opened.
type RoundReplacement struct {
	SurveyID         int64
	TitleLV, TitleEN string
	ReferenceYear    int
	Definition       json.RawMessage
	DefinitionSHA256 string
	// Now: the round must open after it and not be closed.
	Now time.Time
	// Carry are the responses to start again with the answers carried over
	// under the new questionnaire (as StartCarried starts them).
	Carry []CarryOver
}

// ReplaceRoundDefinition replaces a not-yet-open round's questionnaire in
// one transaction: with the round and its responses locked it refuses a
// round that opens at or before r.Now or was closed (ErrRoundOpened) and
// one where a municipality has a response of its own (submitted, or with
// any revision but the system's carry-over: *SavedAnswersError); else it
// removes every response (carried-over answers only) with its revisions,
// stores the definition and starts the responses r.Carry. It returns how
// many were started. A refusal changes nothing.
func (s *Store) ReplaceRoundDefinition(ctx context.Context, r RoundReplacement) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var window struct {
			OpensAt  time.Time  `db:"opens_at"`
			ClosedAt *time.Time `db:"closed_at"`
		}
		if err := tx.GetContext(ctx, &window, qLockSurveyWindow, r.SurveyID); err != nil {
			return notFound(err)
		}
		if window.ClosedAt != nil || !window.OpensAt.After(r.Now) {
			return ErrRoundOpened
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, qLockRoundResponses, r.SurveyID); err != nil {
			return err
		}
		var saved int
		if err := tx.GetContext(ctx, &saved, qSavedResponses, r.SurveyID); err != nil {
			return err
		}
		if saved > 0 {
			return &SavedAnswersError{Municipalities: saved}
		}
		if _, err := tx.ExecContext(ctx, qDeleteRoundResponses, r.SurveyID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qReplaceDefinition, r.SurveyID, []byte(r.Definition), r.DefinitionSHA256,
			r.TitleLV, r.TitleEN, r.ReferenceYear); err != nil {
			return err
		}
		for _, c := range r.Carry {
			if c.SurveyID != r.SurveyID {
				return fmt.Errorf("carry-over for round %d in round %d", c.SurveyID, r.SurveyID)
			}
			ok, err := startCarried(ctx, tx, c)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
