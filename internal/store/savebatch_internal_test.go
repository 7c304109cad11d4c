package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

type testItem struct {
	waiter
	n int
}

// TestBatcherQueue: an item queued while a batch runs goes into the next
// batch with the others queued meanwhile; one whose caller stops waiting
// before that is taken out and never reaches a batch; the batcher goes on.
func TestBatcherQueue(t *testing.T) {
	t.Parallel()
	release, started := make(chan struct{}), make(chan struct{})
	var got [][]int
	b := batcher[*testItem]{inFlight: 1, max: 10, batch: func(items []*testItem) {
		var ns []int
		for _, it := range items {
			ns = append(ns, it.n)
		}
		got = append(got, ns) // one batch at a time: inFlight 1
		if len(got) == 1 {
			close(started)
			<-release
		}
	}}
	first := make(chan error)
	go func() { first <- b.wait(context.Background(), &testItem{n: 1}) }()
	waitQueued := func(n int) {
		t.Helper()
		for range 1000 {
			b.mu.Lock()
			q := len(b.queue)
			b.mu.Unlock()
			if q == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("queue never held %d", n)
	}
	<-started // the first is in its batch
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error)
	go func() { gone <- b.wait(ctx, &testItem{n: 2}) }()
	third := make(chan error)
	go func() { third <- b.wait(context.Background(), &testItem{n: 3}) }()
	waitQueued(2)
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while queued: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-third; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0]) != 1 || got[0][0] != 1 || len(got[1]) != 1 || got[1][0] != 3 {
		t.Fatalf("batches %v, want [[1] [3]]", got)
	}
	if err := b.wait(context.Background(), &testItem{n: 4}); err != nil || len(got) != 3 {
		t.Fatalf("after: %v, batches %v", err, got)
	}
}
