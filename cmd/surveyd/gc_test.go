package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestGCDefaults: the memory limit and GOGC are set unless the
// environment sets them: GOMEMLIMIT set leaves both to the runtime, GOGC
// set keeps its value under the limit. Not parallel: both settings are
// the process's (and are put back).
func TestGCDefaults(t *testing.T) {
	limit0, percent0 := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetMemoryLimit(limit0); debug.SetGCPercent(percent0) })
	for _, c := range []struct {
		env     map[string]string
		limit   int64
		percent int
	}{
		{nil, serveMemoryLimit, serveGCPercent},
		{map[string]string{"GOGC": "150"}, serveMemoryLimit, 100},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, math.MaxInt64, 100},
		{map[string]string{"GOMEMLIMIT": "1GiB", "GOGC": "off"}, math.MaxInt64, 100},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
		gcDefaults(func(k string) string { return c.env[k] }, serveMemoryLimit, serveGCPercent)
		if got := debug.SetMemoryLimit(-1); got != c.limit {
			t.Errorf("%v: memory limit %d, want %d", c.env, got, c.limit)
		}
		if got := debug.SetGCPercent(100); got != c.percent {
			t.Errorf("%v: GOGC %d, want %d", c.env, got, c.percent)
		}
	}
}
