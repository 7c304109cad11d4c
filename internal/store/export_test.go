package store

import (
	"context"
	"slices"
)

// RespondentRow is the row a link's context is read into.
type RespondentRow = respondentRow

// RespondentRows reads a link's context row twice: with the plain Scan
// the store uses, and through sqlx's reflection over the db tags (as it
// was read before), for the test to compare.
func (s *Store) RespondentRows(ctx context.Context, hash []byte) (plain, reflected any, err error) {
	var a, b RespondentRow
	if err := a.scan(s.db.QueryRowContext(ctx, qRespondent, hash)); err != nil {
		return nil, nil, err
	}
	if err := s.db.GetContext(ctx, &b, qRespondent, hash); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// ReadContextsTogether reads the links' save contexts in one batch
// (readContexts): each one's context and whether its link works, and
// whether the statement failed.
func (s *Store) ReadContextsTogether(hashes [][]byte) (out []Respondent, found []bool, failed bool) {
	batch := make([]*batchedContext, len(hashes))
	for i, h := range hashes {
		batch[i] = &batchedContext{hash: h}
	}
	s.readContexts(batch)
	for _, it := range batch {
		out, found, failed = append(out, it.out), append(found, it.found), it.failed
	}
	return out, found, failed
}

// BatchSave is one save for WriteSavesTogether.
type BatchSave struct {
	ResponseID, SurveyID int64
	Version              int // the version it was made from
	Answers              string
	InvitationID         *int64
}

// WriteSavesTogether writes the saves in one batch (writeSaves) and says
// which were written, and at what version.
func (s *Store) WriteSavesTogether(saves []BatchSave) (written []bool, versions []int) {
	batch := make([]*batchedSave, len(saves))
	for i, v := range saves {
		kind := ActorSystem
		if v.InvitationID != nil {
			kind = ActorInvitation
		}
		batch[i] = &batchedSave{id: v.ResponseID, args: batchArgs(v.ResponseID, v.SurveyID, "", v.Version,
			[]byte(v.Answers), []byte(`{}`), kind, v.InvitationID, nil, []byte(`{}`), []byte(v.Answers), nil, nil, nil)}
	}
	s.writeSaves(slices.Clone(batch)) // it sorts them by response
	for _, it := range batch {
		written, versions = append(written, it.written), append(versions, it.version)
	}
	return written, versions
}

// QuerySurveyBySlug is a statement every connection keeps prepared.
const QuerySurveyBySlug = qSurveyBySlug
