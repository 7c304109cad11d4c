package manage

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
