package survey

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// hostileDefinitions are files shaped to make a YAML decoder use memory
// or time far out of proportion to their size (each would take from
// hundreds of megabytes to all the memory there is), with the limit each
// runs into.
func hostileDefinitions() []struct{ name, data, limit string } {
	var indented, keys, laughs strings.Builder
	for i := 0; i < 550; i++ { // 550 levels of block indentation, 150 KB
		fmt.Fprintf(&indented, "%sa:\n", strings.Repeat(" ", i))
	}
	for i := 0; i < 20_000; i++ { // 20,000 keys in one mapping, 170 KB
		fmt.Fprintf(&keys, "k%d: 1\n", i)
	}
	// "Billion laughs": each anchor is a list of ten aliases to the one
	// before; 1 KB names 10^9 values.
	laughs.WriteString("format: 1\nslug: laughs\nsections:\n  - code: s\n    questions:\n      - code: q0\n        type: int\n        max: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&laughs, "      - code: q%d\n        type: int\n        max: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n",
			i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	depth := fmt.Sprint("nest at most ", MaxDefinitionDepth, " levels")
	entries := fmt.Sprint("at most ", MaxDefinitionEntries)
	return []struct{ name, data, limit string }{
		{"200 KB of [", strings.Repeat("[", 200_000), depth},
		{"block sequences 100,000 deep", "sections:\n" + strings.Repeat("- ", 100_000) + "x\n", depth},
		{"block mappings 550 deep", indented.String(), depth},
		{"flow mappings 50,000 deep", "x: " + strings.Repeat("{a: ", 50_000), depth},
		{"JSON 100,000 deep", `{"sections":` + strings.Repeat("[", 100_000), depth},
		{"list entries in a flow list 100,000 deep", "sections: [" + strings.Repeat("- ", 100_000) + "]", depth},
		{"tagged list entries 40,000 deep", "sections: [" + strings.Repeat("- !t ", 40_000) + "]", depth},
		{"20,000 keys in one mapping", keys.String(), entries},
		{"50,000 items in one flow list", "sections: [" + strings.Repeat("x, ", 50_000) + "]", entries},
		{"aliases naming 10^9 values", laughs.String(), fmt.Sprint("at most ", MaxDefinitionValues)},
		{"25,000 lines", strings.Repeat("# comment\n", 25_000), fmt.Sprint("at most ", MaxDefinitionLines)},
		{"2 MB of comments", strings.Repeat("# "+strings.Repeat("x", 98)+"\n", 20_000), fmt.Sprint("at most ", MaxDefinitionBytes)},
	}
}

// TestParseRefusesHostileShapes: files nested deeper, wider or larger than
// any questionnaire are refused with a loader error that names the limit,
// quickly.
func TestParseRefusesHostileShapes(t *testing.T) {
	t.Parallel()
	for _, c := range hostileDefinitions() {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse([]byte(c.data), "hostile.yaml")
			took := time.Since(start)
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("want a DefinitionError, got %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, c.limit) || !strings.Contains(msg, "hostile.yaml") {
				t.Errorf("the message does not name the file and the limit (%s):\n%.400s", c.limit, msg)
			}
			if took > 500*time.Millisecond {
				t.Errorf("refusing took %v", took)
			}
		})
	}
}

// TestParseMemoryIsBounded parses the hostile files under a low memory
// limit and measures what the parse allocated: a few megabytes at most
// (before the limits: 140 MB for 8 KB of "[", an out-of-memory crash for
// 200 KB). Files built right up to the limits in the shapes that cost the
// decoder most stay within tens of megabytes. It does not run in
// parallel: it reads the process's allocation counters.
func TestParseMemoryIsBounded(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 20))
	const budget = 4 << 20
	for _, c := range hostileDefinitions() {
		data := []byte(c.data)
		alloc, inuse := allocatedBy(func() { Parse(data, "hostile.yaml") })
		if alloc > budget || inuse > budget {
			t.Errorf("%s: the parse allocated %.1f MB (%.1f MB more in use), want at most %d MB",
				c.name, float64(alloc)/(1<<20), float64(inuse)/(1<<20), budget>>20)
		}
	}
	for name, data := range largestAccepted() {
		if problem, _, _ := scanShape(data, false); problem != "" {
			t.Fatalf("%s: %s", name, problem)
		}
		alloc, inuse := allocatedBy(func() { Parse(data, "large.yaml") })
		t.Logf("%s (%d KB): %.1f MB allocated, %.1f MB more in use", name, len(data)>>10, float64(alloc)/(1<<20), float64(inuse)/(1<<20))
		if alloc > 64<<20 || inuse > 32<<20 {
			t.Errorf("%s (%d KB): the parse allocated %.1f MB (%.1f MB more in use), want at most 64 MB (32 MB)",
				name, len(data)>>10, float64(alloc)/(1<<20), float64(inuse)/(1<<20))
		}
	}
}

// largestAccepted builds files up to the limits: the 2025 questionnaire's
// sections repeated, and mappings of as many keys as allowed (the decoder
// takes time with the square of a mapping's keys).
func largestAccepted() map[string][]byte {
	fill := func(group func(i int) string) []byte {
		var b []byte
		for i := 0; ; i++ {
			next := append(b[:len(b):len(b)], group(i)...)
			if problem, _, _ := scanShape(next, false); problem != "" {
				return b
			}
			b = next
		}
	}
	src, _ := builtin.ReadFile("definitions/regional-2025.yaml")
	head, rest, _ := strings.Cut(string(src), "sections:\n")
	sections, tail, _ := strings.Cut(rest, "\nrules:")
	big := fill(func(i int) string {
		if i == 0 {
			return head + "sections:\n"
		}
		return sections
	})
	big = append(big, "\nrules:"+tail...)
	keys := fill(func(i int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "m%d:\n", i)
		for k := 1; k < MaxDefinitionEntries; k++ {
			fmt.Fprintf(&b, "  k%d: %d\n", k, k)
		}
		return b.String()
	})
	return map[string][]byte{"the 2025 sections repeated": big, "mappings of the most keys": keys}
}

// allocatedBy runs f and returns the bytes it allocated in all and how
// much more heap is in use right after it (before any collection).
func allocatedBy(f func()) (total, inuse int64) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc), int64(after.HeapInuse) - int64(before.HeapInuse)
}
