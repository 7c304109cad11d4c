package manage

import "github.com/civitas-lv/surveyd/reports"

// WriteArchive lets the external tests make a round's archive without an
// audit row (TestOperationsByRole's import must change nothing when it is
// refused).
var WriteArchive = (*Manager).writeArchive

// ChartAnswersDecoded is how many answers documents Charts has read and
// decoded; ChartAnswersKept how many it keeps (chartRowCache).
func ChartAnswersDecoded(m *Manager) int64 { return m.chartRows.decoded.Load() }

func ChartAnswersKept(m *Manager) int {
	m.chartRows.mu.Lock()
	defer m.chartRows.mu.Unlock()
	return m.chartRows.rows
}

// DropChartAnswers forgets the answers Charts kept; DropChartCaches that
// and the chart sets, earlier rounds' aggregates and the charts built
// (the memo) too, as a server just started has nothing.
func DropChartAnswers(m *Manager) {
	m.chartRows.mu.Lock()
	defer m.chartRows.mu.Unlock()
	m.chartRows.rounds, m.chartRows.rows = nil, 0
}

func DropChartCaches(m *Manager) {
	DropChartAnswers(m)
	m.charts = chartCache{}
	m.summaries = summaryCache{}
	m.chartMemo = reports.ChartMemo{}
}

// DefinitionsKept is how many rounds' parsed questionnaires the Manager
// keeps (Definition).
func DefinitionsKept(m *Manager) int {
	m.defs.mu.Lock()
	defer m.defs.mu.Unlock()
	return len(m.defs.m)
}
