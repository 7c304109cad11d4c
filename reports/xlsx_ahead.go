package reports

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

// aheadRow is a row or the error that ends the rows.
type aheadRow struct {
	r   Row
	err error
}

// readAhead gives the rows of rows in their order, reading them on a
// goroutine of its own while the caller uses those read already; prep,
// when not nil, is called there on each row without an error before it is
// given (work on the row that need not wait for the caller). An error is
// given in its place and ends the rows, as from rows itself. When the
// caller stops early (or is done) the goroutine is told to stop and
// waited for before the loop returns, so nothing of rows runs after it —
// the next pass may use the same database transaction — and no goroutine
// is left behind. A panic in rows or prep is raised again in the caller.
func readAhead(rows Rows, prep func(*Row)) Rows {
	return func(yield func(Row, error) bool) {
		batches := make(chan []aheadRow, aheadBatches)
		stop := make(chan struct{})
		done := make(chan struct{})
		var panicked any
		go func() {
			defer close(done)
			defer close(batches)
			defer func() {
				if p := recover(); p != nil {
					panicked = p
				}
			}()
			send := func(b []aheadRow) bool {
				select {
				case batches <- b:
					return true
				case <-stop:
					return false
				}
			}
			batch := make([]aheadRow, 0, aheadBatch)
			for r, err := range rows {
				if err == nil && prep != nil {
					prep(&r)
				}
				batch = append(batch, aheadRow{r, err})
				if len(batch) == aheadBatch || err != nil {
					if !send(batch) || err != nil {
						return
					}
					batch = make([]aheadRow, 0, aheadBatch)
				}
			}
			if len(batch) > 0 {
				send(batch)
			}
		}()
		defer func() {
			close(stop)
			<-done
			if panicked != nil {
				panic(panicked)
			}
		}()
		for b := range batches {
			for i := range b {
				if !yield(b[i].r, b[i].err) || b[i].err != nil {
					return
				}
			}
		}
	}
}
