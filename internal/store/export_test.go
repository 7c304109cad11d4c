package store

import "context"

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

// SetAfterExport makes Snapshot.Spread run f between exporting its
// snapshot and importing it on the other connections.
func SetAfterExport(s *Store, f func()) { s.afterExport = f }
