package auth

import "time"

// Throttle is the sign-in rate limit: at most PerAccount password checks
// that count for one e-mail and PerIP from one address within Window. A
// check counts from the moment it is reserved, before the password is
// compared (so parallel attempts cannot pass the limit); it stops counting
// if it signs in while nothing else counts for its account and address.
// Past either limit, sign-in is refused (even with the right password)
// until the oldest counted attempt leaves the window. The store enforces
// the counting (store.ReserveLoginAttempt); this is the one place of the
// numbers.
type Throttle struct {
	PerAccount int
	PerIP      int
	Window     time.Duration
}

// DefaultThrottle is 5 failures per account and 20 per address in 15 minutes.
func DefaultThrottle() Throttle { return Throttle{PerAccount: 5, PerIP: 20, Window: 15 * time.Minute} }

// Wait says how long to wait before trying again given the counted
// attempts and the oldest counted for each; 0 means go ahead.
func (t Throttle) Wait(now time.Time, byAccount, byIP int, oldestAccount, oldestIP *time.Time) time.Duration {
	var wait time.Duration
	check := func(n, limit int, oldest *time.Time) {
		if n >= limit && oldest != nil {
			if w := oldest.Add(t.Window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	check(byAccount, t.PerAccount, oldestAccount)
	check(byIP, t.PerIP, oldestIP)
	if wait > 0 && wait < time.Second {
		wait = time.Second
	}
	return wait
}
