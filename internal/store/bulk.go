package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrRealAnswers refuses a synthetic scale set in a database where some
// municipality other than a simulated one has a response: the generator is
// for scratch databases, never the production one.
var ErrRealAnswers = errors.New("the database holds responses of real municipalities: the scale generator writes only to a scratch database")

const (
	qLockResponsesForScale = `LOCK TABLE responses IN SHARE ROW EXCLUSIVE MODE`
	qRealResponsesExist    = `SELECT EXISTS (SELECT 1 FROM responses WHERE left(municipality_code, length($1)) <> $1)`
	qInsertMunicipalities  = `
INSERT INTO municipalities (code, name_lv, name_en, kind, planning_region, statistical_region, active)
SELECT code, name_lv, name_en, kind, planning_region, statistical_region, true
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    AS m (code, name_lv, name_en, kind, planning_region, statistical_region)
ON CONFLICT (code) DO NOTHING`
	// Each bulk response's one revision, exactly as Apply writes a first
	// submit: version 1, nothing before, every answer after.
	qInsertBulkRevisions = `
INSERT INTO revisions (response_id, version, action, actor, before, after, note, created_at)
SELECT id, 1, 'submit', 'system', '{}', answers, $2, submitted_at
FROM responses WHERE survey_id = $1`
)

var bulkStatements = []string{qRealResponsesExist, qInsertMunicipalities, qInsertBulkRevisions}

// ScaleResponse is one synthetic response of a scale set: submitted
// answers (their canonical JSON, as json.Marshal of survey.Answers gives
// it) submitted at At.
type ScaleResponse struct {
	Municipality string
	Answers      []byte
	At           time.Time
}

// ScaleSet is a synthetic benchmark data set.
type ScaleSet struct {
	// Simulated is the code prefix of the simulated municipalities
	// ("sim-"); a response of any other municipality refuses the set.
	Simulated string
	// Municipalities are inserted (those that exist already are kept).
	Municipalities []Municipality
	// Rounds are created in order; each after the first is made from the
	// one before it (PreviousSurveyID).
	Rounds []Survey
	// Responses calls add for every response of round i (its index in
	// Rounds), each a municipality at most once.
	Responses func(i int, add func(ScaleResponse) error) error
	// Note is the revisions' note.
	Note string
}

// LoadScale writes a scale set in one transaction: the municipalities
// (one statement), the rounds, the responses (COPY) and their revisions
// (one statement per round). The responses are submitted as Apply's first
// submit stores them: version 1, the answers also as the submitted
// answers, nothing carried, and one revision "submit" by the system. It
// refuses with ErrRealAnswers, changing nothing, when any municipality
// without the Simulated prefix has a response, and with ErrExists when a
// round's slug is taken. It returns the rounds as stored.
func (s *Store) LoadScale(ctx context.Context, set ScaleSet) ([]Survey, error) {
	if set.Simulated == "" {
		return nil, errors.New("scale set: no prefix for simulated municipalities")
	}
	var out []Survey
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// No real save can slip in between the check and the commit.
		if _, err := tx.ExecContext(ctx, qLockResponsesForScale); err != nil {
			return err
		}
		var real bool
		if err := tx.GetContext(ctx, &real, qRealResponsesExist, set.Simulated); err != nil {
			return err
		}
		if real {
			return ErrRealAnswers
		}
		if err := insertMunicipalities(ctx, tx, set.Municipalities); err != nil {
			return err
		}
		var prev *int64
		for i, in := range set.Rounds {
			var sv Survey
			err := tx.GetContext(ctx, &sv, qInsertSurvey, in.Slug, in.TitleLV, in.TitleEN, in.ReferenceYear,
				[]byte(in.Definition), in.DefinitionSHA256, in.OpensAt, in.ClosesAt, prev)
			if isUniqueViolation(err) {
				return fmt.Errorf("round %q: %w", in.Slug, ErrExists)
			}
			if err != nil {
				return err
			}
			if err := copyResponses(ctx, tx, sv.ID, func(add func(ScaleResponse) error) error {
				return set.Responses(i, add)
			}); err != nil {
				return err
			}
			var note *string
			if set.Note != "" {
				note = &set.Note
			}
			if _, err := tx.ExecContext(ctx, qInsertBulkRevisions, sv.ID, note); err != nil {
				return err
			}
			out = append(out, sv)
			prev = &sv.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func insertMunicipalities(ctx context.Context, tx *sqlx.Tx, list []Municipality) error {
	if len(list) == 0 {
		return nil
	}
	cols := make([][]string, 6)
	for _, m := range list {
		for i, v := range []string{m.Code, m.NameLV, m.NameEN, m.Kind, m.PlanningRegion, m.StatisticalRegion} {
			cols[i] = append(cols[i], v)
		}
	}
	_, err := tx.ExecContext(ctx, qInsertMunicipalities, pq.Array(cols[0]), pq.Array(cols[1]), pq.Array(cols[2]),
		pq.Array(cols[3]), pq.Array(cols[4]), pq.Array(cols[5]))
	return err
}

// copyResponses writes the round's submitted responses with COPY.
func copyResponses(ctx context.Context, tx *sqlx.Tx, surveyID int64, each func(add func(ScaleResponse) error) error) error {
	st, err := tx.PrepareContext(ctx, pq.CopyIn("responses", "survey_id", "municipality_code", "status", "answers",
		"version", "submitted_answers", "submitted_version", "submitted_at", "created_at", "updated_at", "carried"))
	if err != nil {
		return err
	}
	defer st.Close()
	err = each(func(r ScaleResponse) error {
		// Strings, not []byte: COPY would send bytes as bytea.
		a := string(r.Answers)
		_, err := st.ExecContext(ctx, surveyID, r.Municipality, StatusSubmitted, a, 1, a, 1, r.At, r.At, r.At, "{}")
		return err
	})
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx)
	return err
}
