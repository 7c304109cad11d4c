package store_test

import (
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// Reservations count as failures until they succeed: five unfinished ones
// (their process died) close the account until they leave the window.
// A success where nothing else counts leaves no trace; one after a failure
// keeps counting.
func TestLoginAttemptReservations(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	const window = 15 * time.Minute
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	reserve := func(email, ip string, at time.Time) int64 {
		t.Helper()
		id, _, err := s.ReserveLoginAttempt(ctx, email, ip, at, at.Add(-window), 5, 20)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for i := 0; i < 5; i++ {
		if reserve("a@x.lv", "192.0.2.1", t0) == 0 {
			t.Fatalf("reservation %d refused", i)
		}
	}
	id, n, err := s.ReserveLoginAttempt(ctx, "a@x.lv", "192.0.2.2", t0.Add(time.Minute), t0.Add(time.Minute-window), 5, 20)
	if err != nil || id != 0 || n.ByEmail != 5 || n.OldestEmail == nil || !n.OldestEmail.Equal(t0) {
		t.Fatalf("the sixth: id %d counts %+v %v", id, n, err)
	}
	if reserve("a@x.lv", "192.0.2.2", t0.Add(window+time.Second)) == 0 {
		t.Fatal("stale reservations did not leave the window")
	}

	// A clean account signs in as often as it likes.
	for i := 0; i < 10; i++ {
		at := t0.Add(time.Hour + time.Duration(i)*time.Second)
		id := reserve("b@x.lv", "192.0.2.3", at)
		if id == 0 {
			t.Fatalf("sign-in %d of a clean account refused", i)
		}
		if err := s.SucceedLoginAttempt(ctx, id, at.Add(-window), at.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// After a failure, a success keeps counting: 1 failure + 4 successes
	// fill the account's five.
	at := t0.Add(2 * time.Hour)
	if err := s.FailLoginAttempt(ctx, reserve("b@x.lv", "192.0.2.4", at)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		id := reserve("b@x.lv", "192.0.2.4", at)
		if id == 0 {
			t.Fatalf("success %d refused", i)
		}
		if err := s.SucceedLoginAttempt(ctx, id, at.Add(-window), at.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if reserve("b@x.lv", "192.0.2.5", at) != 0 {
		t.Fatal("a sixth check in a window with a failure")
	}
	// A day later, a success prunes everyone's old attempts.
	at = t0.Add(25 * time.Hour)
	if err := s.SucceedLoginAttempt(ctx, reserve("c@x.lv", "192.0.2.6", at), at.Add(-window), at.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := s.DB().GetContext(ctx, &left, `SELECT count(*) FROM login_failures WHERE email = 'a@x.lv'`); err != nil || left != 0 {
		t.Fatalf("%d attempts of a day ago left (%v)", left, err)
	}
}
