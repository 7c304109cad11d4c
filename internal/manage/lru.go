package manage

import "sync"

// lru keeps values by key, letting the least recently used go when there
// are more than a given number; safe for concurrent use, ready at its
// zero value. The Manager's caches (chart sets, earlier rounds'
// aggregates, workbooks) are each one, with what decides whether a kept
// value may still be given (a stamp, an age) in the value.
type lru[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*lruEntry[V]
	tick    uint64
}

type lruEntry[V any] struct {
	val  V
	used uint64
}

// get returns the value kept for k when there is one and valid (nil: any)
// accepts it, marking it used.
func (c *lru[K, V]) get(k K, valid func(V) bool) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[k]
	if e == nil || (valid != nil && !valid(e.val)) {
		var zero V
		return zero, false
	}
	c.tick++
	e.used = c.tick
	return e.val, true
}

// put keeps v for k, in place of what was kept for it, and lets the least
// recently used go past size.
func (c *lru[K, V]) put(k K, v V, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[K]*lruEntry[V]{}
	}
	c.tick++
	c.entries[k] = &lruEntry[V]{val: v, used: c.tick}
	for len(c.entries) > size {
		var oldest K
		first := true
		for k, e := range c.entries {
			if first || e.used < c.entries[oldest].used {
				oldest, first = k, false
			}
		}
		delete(c.entries, oldest)
	}
}
