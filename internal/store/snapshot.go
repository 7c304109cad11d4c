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
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Snapshot reads the database as it was at one moment, so that several
// reads (a report's passes over the rows and the tracker) agree even while
// municipalities keep saving.
type Snapshot struct {
	q querier
	// tx says q is a transaction: long reads then go through a cursor
	// (ReportRows), fetched in batches, so no one statement lasts as long
	// as its reader takes (statement_timeout).
	tx bool
	// cursors names each cursor opened in the transaction uniquely.
	cursors int
}

// ReadSnapshot runs fn in a read-only REPEATABLE READ transaction. The
// transaction (and its connection) lasts as long as fn: a caller that
// reads rows while it builds something from them holds a connection for
// that long.
func (s *Store) ReadSnapshot(ctx context.Context, fn func(*Snapshot) error) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() // read-only: nothing to commit
	return fn(&Snapshot{q: tx, tx: true})
}

func (s *Store) now() *Snapshot { return &Snapshot{q: s.db} }
