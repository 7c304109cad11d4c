package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// querier is what reads need: the pool or a transaction.
type querier interface {
	QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error)
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// Snapshot reads the database as it was at one moment, so that several
// reads (a report's passes over the rows and the tracker) agree even while
// municipalities keep saving.
type Snapshot struct{ q querier }

// ReadSnapshot runs fn in a read-only REPEATABLE READ transaction.
func (s *Store) ReadSnapshot(ctx context.Context, fn func(*Snapshot) error) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() // read-only: nothing to commit
	return fn(&Snapshot{q: tx})
}

func (s *Store) now() *Snapshot { return &Snapshot{q: s.db} }
