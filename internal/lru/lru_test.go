package lru

import "testing"

// TestLRU: the least recently used goes past the size (a get counts as a
// use), a value valid refuses is not given, and put replaces.
func TestLRU(t *testing.T) {
	t.Parallel()
	var c Cache[string, int]
	c.Put("a", 1, 1, 2, 0)
	c.Put("b", 2, 1, 2, 0)
	if v, ok := c.Get("a", nil); !ok || v != 1 {
		t.Fatalf("a: %d %v", v, ok)
	}
	c.Put("c", 3, 1, 2, 0) // b is the least recently used now
	if _, ok := c.Get("b", nil); ok {
		t.Error("b kept past the size")
	}
	for k, want := range map[string]int{"a": 1, "c": 3} {
		if v, ok := c.Get(k, nil); !ok || v != want {
			t.Errorf("%s: %d %v", k, v, ok)
		}
	}
	if _, ok := c.Get("a", func(v int) bool { return v != 1 }); ok {
		t.Error("a given though refused")
	}
	c.Put("a", 10, 1, 2, 0)
	if v, _ := c.Get("a", nil); v != 10 {
		t.Errorf("a after put: %d", v)
	}
	if c.Len() != 2 {
		t.Errorf("%d kept", c.Len())
	}
}

// TestLRUCost: past the total cost the least recently used go, and a
// value put again counts its new cost only.
func TestLRUCost(t *testing.T) {
	t.Parallel()
	var c Cache[string, int]
	c.Put("a", 1, 40, 10, 100)
	c.Put("b", 2, 40, 10, 100)
	c.Put("b", 2, 50, 10, 100) // 90 in all, not 130
	if c.Len() != 2 {
		t.Fatalf("%d kept after putting b again", c.Len())
	}
	c.Get("a", nil)
	c.Put("c", 3, 20, 10, 100) // 110: b, the least recently used, goes
	if _, ok := c.Get("b", nil); ok || c.Len() != 2 {
		t.Errorf("b kept past the cost (%d kept)", c.Len())
	}
}
