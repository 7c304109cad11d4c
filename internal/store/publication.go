package store

import "context"

const (
	qPublication    = `SELECT question_code, publishable FROM question_publication WHERE survey_id = $1`
	qSetPublication = `
INSERT INTO question_publication (survey_id, question_code, publishable, user_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (survey_id, question_code) DO UPDATE SET publishable = EXCLUDED.publishable,
    user_id = EXCLUDED.user_id, updated_at = now()`
)

var publicationStatements = []string{qPublication, qSetPublication}

// Publication returns a round's coordinator choices of which free-text
// questions are publishable, by question code (questions without a choice
// are absent).
func (s *Store) Publication(ctx context.Context, surveyID int64) (map[string]bool, error) {
	var rows []struct {
		Code        string `db:"question_code"`
		Publishable bool   `db:"publishable"`
	}
	if err := s.db.SelectContext(ctx, &rows, qPublication, surveyID); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.Code] = r.Publishable
	}
	return out, nil
}

// SetPublication records a coordinator's choice for one question of a
// round; ErrNotFound when the round does not exist.
func (s *Store) SetPublication(ctx context.Context, surveyID int64, code string, publishable bool, userID int64) error {
	var user *int64
	if userID != 0 {
		user = &userID
	}
	_, err := s.db.ExecContext(ctx, qSetPublication, surveyID, code, publishable, user)
	if isForeignKeyViolation(err) {
		return ErrNotFound
	}
	return err
}
