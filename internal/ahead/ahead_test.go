package ahead

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

func ints(n, failAt int, err error, running *int) func(yield func(int, error) bool) {
	return func(yield func(int, error) bool) {
		*running++
		defer func() { *running-- }()
		for i := range n {
			if i == failAt {
				yield(0, err)
				return
			}
			if !yield(i, nil) {
				return
			}
		}
	}
}

func settled(t *testing.T, before int) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
		}
	}
}

// Order kept, prep applied, an error ends the sequence, an early stop
// stops the source before the loop returns, nothing left running.
func TestSeq2(t *testing.T) {
	before := runtime.NumGoroutine()
	boom := errors.New("boom")
	for _, n := range []int{0, 1, 7, 8, 9, 100} {
		running, i := 0, 0
		for v, err := range Seq2(ints(n, -1, nil, &running), 4, 2, func(v *int) { *v *= 10 }) {
			if err != nil || v != i*10 {
				t.Fatalf("n=%d: %d: %d %v", n, i, v, err)
			}
			i++
		}
		if i != n || running != 0 {
			t.Fatalf("n=%d: %d values, running %d", n, i, running)
		}
	}
	running, i := 0, 0
	var got error
	for v, err := range Seq2(ints(100, 13, boom, &running), 4, 2, nil) {
		if err != nil {
			got = err
			continue
		}
		if v != i {
			t.Fatalf("%d: %d", i, v)
		}
		i++
	}
	if got != boom || i != 13 || running != 0 {
		t.Fatalf("error %v after %d values, running %d", got, i, running)
	}
	i = 0
	for range Seq2(ints(1000000, -1, nil, &running), 4, 2, nil) {
		if i++; i == 5 {
			break
		}
	}
	if running != 0 {
		t.Fatal("the source runs after the loop")
	}
	settled(t, before)
}
