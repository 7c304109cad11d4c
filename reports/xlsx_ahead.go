package reports

import "github.com/civitas-lv/surveyd/internal/ahead"

// Reading ahead. Writing a big workbook is two kinds of work one after the
// other for every row: getting the row (the database cursor, decoding its
// answers, preparing them for Aggregate) and using it (aggregating it,
// writing its cells). readAhead does the first on a goroutine of its own,
// a few batches of rows ahead of the second, so a machine with two cores
// does both at once.

// Batches of rows read ahead: aheadBatch rows each, at most aheadBatches
// waiting (some 200 rows, a few hundred kilobytes of decoded answers).
const (
	aheadBatch   = 32
	aheadBatches = 6
)

// readAhead gives the rows of rows in their order, reading them on a
// goroutine of its own while the caller uses those read already
// (ahead.Seq2); prep, when not nil, is called there on each row without an
// error before it is given. An error ends the rows. When the caller stops
// early the goroutine is stopped and waited for before the loop returns,
// so the next pass may use the same database transaction.
func readAhead(rows Rows, prep func(*Row)) Rows {
	return ahead.Seq2(rows, aheadBatch, aheadBatches, prep)
}
