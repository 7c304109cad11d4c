package manage

import "testing"

// TestLRU: the least recently used goes past the size (a get counts as a
// use), a value valid refuses is not given, and put replaces.
func TestLRU(t *testing.T) {
	t.Parallel()
	var c lru[string, int]
	c.put("a", 1, 2)
	c.put("b", 2, 2)
	if v, ok := c.get("a", nil); !ok || v != 1 {
		t.Fatalf("a: %d %v", v, ok)
	}
	c.put("c", 3, 2) // b is the least recently used now
	if _, ok := c.get("b", nil); ok {
		t.Error("b kept past the size")
	}
	for k, want := range map[string]int{"a": 1, "c": 3} {
		if v, ok := c.get(k, nil); !ok || v != want {
			t.Errorf("%s: %d %v", k, v, ok)
		}
	}
	if _, ok := c.get("a", func(v int) bool { return v != 1 }); ok {
		t.Error("a given though refused")
	}
	c.put("a", 10, 2)
	if v, _ := c.get("a", nil); v != 10 {
		t.Errorf("a after put: %d", v)
	}
	if len(c.entries) != 2 {
		t.Errorf("%d kept", len(c.entries))
	}
}
