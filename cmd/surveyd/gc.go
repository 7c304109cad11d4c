package main

import "runtime/debug"

// The garbage collector's settings of the commands that build workbooks
// and pages, unless the environment sets them (GOMEMLIMIT, GOGC; see the
// README's Configuration): a soft memory limit, and under it a heap that
// may grow to five times what is live before a collection (GOGC=400)
// rather than twice.
//
// What a workbook, a charts page or a save allocates is nearly all
// garbage by the end of the request, and what the server keeps live is
// small (some 10 MB: the parsed questionnaires, the caches), so at the
// default a workbook of 43 responses met a collection in most requests,
// which marked the whole live heap (a collection took 3–5 ms of CPU)
// and slowed the allocations meanwhile. With these settings the workbook
// made after a save took 15–16.5 ms over HTTP against 17–19 ms, 15–16
// against 22.5–23.5 ms of the server's CPU, with 88 page faults against
// 220–390 (surveybench all -only pages -quick, binaries without and with
// them alternated three times on a quiet 2-core machine). The limit
// bounds the large cases: a workbook of 100,000 responses keeps about
// 100 MiB live at its peak, so at the default two of them at once (the
// server's report slots) could take 500 MB; near the limit the collector
// works harder instead (at most half the CPU, as the runtime caps it).
const (
	serveMemoryLimit = 384 << 20
	serveGCPercent   = 400
	// exportMemoryLimit is the export command's: 100,000 responses keep
	// about 100 MiB live at the peak; the process stays under 200 MB
	// resident with this limit.
	exportMemoryLimit = 144 << 20
	exportGCPercent   = 400
)

// gcDefaults sets the process's soft memory limit to limit and, under it,
// GOGC to percent, unless GOMEMLIMIT is set (then neither: the operator
// chose the memory, and Go's GOGC applies as set or by default); GOGC
// alone set keeps its value under the limit.
func gcDefaults(getenv func(string) string, limit int64, percent int) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(limit)
	if getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}
