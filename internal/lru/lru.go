// Package lru keeps values by key, letting the least recently used go
// when there are more than a given number of them or they cost more than
// a given total: the service's in-memory caches (chart sets, charts,
// earlier rounds' aggregates, workbooks), each of which keeps in the
// value whatever decides whether it may still be given (a stamp, an age).
package lru

import "sync"

// Cache is safe for concurrent use and ready at its zero value.
type Cache[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*entry[V]
	cost    int
	tick    uint64
}

type entry[V any] struct {
	val  V
	cost int
	used uint64
}

// Get returns the value kept for k when there is one and valid (nil: any)
// accepts it, marking it used.
func (c *Cache[K, V]) Get(k K, valid func(V) bool) (V, bool) {
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

// Put keeps v, which costs cost, for k in place of what was kept for it,
// then lets the least recently used go while more than maxEntries are
// kept or they cost more than maxCost (0: no bound on the cost).
func (c *Cache[K, V]) Put(k K, v V, cost, maxEntries, maxCost int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[K]*entry[V]{}
	}
	if old := c.entries[k]; old != nil {
		c.cost -= old.cost
	}
	c.tick++
	c.entries[k] = &entry[V]{val: v, cost: cost, used: c.tick}
	c.cost += cost
	for len(c.entries) > maxEntries || (maxCost > 0 && c.cost > maxCost) {
		var oldest K
		var at *entry[V]
		for k, e := range c.entries {
			if at == nil || e.used < at.used {
				oldest, at = k, e
			}
		}
		c.cost -= at.cost
		delete(c.entries, oldest)
	}
}

// Delete lets what is kept for k go.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[k]; e != nil {
		c.cost -= e.cost
		delete(c.entries, k)
	}
}

// Len is how many values are kept.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
