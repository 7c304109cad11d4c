// Package ahead reads a sequence ahead of its reader: on a goroutine of
// its own, a few batches ahead, so that getting the values (a database
// cursor, decoding) and using them run on two cores at once.
package ahead

import "iter"

// item is a value or the error that ends the sequence.
type item[T any] struct {
	v   T
	err error
}

// Seq2 gives the values of seq in their order, reading them on a goroutine
// of its own at most batches batches of batch values ahead of the caller;
// prep, when not nil, is called there on each value without an error
// before it is given (work on the value that need not wait for the
// caller). An error is given in its place and ends the sequence, as seq's
// errors do. When the caller stops early (or is done) the goroutine is
// told to stop and waited for before the loop returns, so nothing of seq
// runs after it — the caller may go on using what seq used (a database
// transaction) — and no goroutine is left behind. A panic in seq or prep
// is raised again in the caller.
func Seq2[T any](seq iter.Seq2[T, error], batch, batches int, prep func(*T)) iter.Seq2[T, error] {
	batch, batches = max(batch, 1), max(batches, 1)
	return func(yield func(T, error) bool) {
		out := make(chan []item[T], batches)
		stop := make(chan struct{})
		done := make(chan struct{})
		var panicked any
		go func() {
			defer close(done)
			defer close(out)
			defer func() {
				if p := recover(); p != nil {
					panicked = p
				}
			}()
			send := func(b []item[T]) bool {
				select {
				case out <- b:
					return true
				case <-stop:
					return false
				}
			}
			b := make([]item[T], 0, batch)
			for v, err := range seq {
				if err == nil && prep != nil {
					prep(&v)
				}
				b = append(b, item[T]{v, err})
				if len(b) == batch || err != nil {
					if !send(b) || err != nil {
						return
					}
					b = make([]item[T], 0, batch)
				}
			}
			if len(b) > 0 {
				send(b)
			}
		}()
		defer func() {
			close(stop)
			<-done
			if panicked != nil {
				panic(panicked)
			}
		}()
		for b := range out {
			for i := range b {
				if !yield(b[i].v, b[i].err) || b[i].err != nil {
					return
				}
			}
		}
	}
}
