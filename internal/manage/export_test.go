package manage

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// WriteArchive lets the external tests make a round's archive without an
// audit row (TestOperationsByRole's import must change nothing when it is
// refused).
var WriteArchive = (*Manager).writeArchive

// ChartAnswersDecoded is how many answers documents Charts has read and
// decoded; ChartAnswersKept how many it keeps (chartRowCache).
func ChartAnswersDecoded(m *Manager) int64 { return m.chartRows.decoded.Load() }

// ChartFormsRead is how many of those were the prepared forms kept in
// the database (readWhole).
func ChartFormsRead(m *Manager) int64 { return m.chartRows.forms.Load() }

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

// ReadChartRound reads a round's rows for the charts in one snapshot, as
// Charts does with none of its answers kept: whole (readWhole, what it
// does) or heads first and then the answers (lookup and read, what it
// does when some are kept). Nothing is kept.
func ReadChartRound(ctx context.Context, m *Manager, surveyID int64, def *survey.Definition, submittedOnly, whole bool) ([]reports.Row, []store.ChartHead, error) {
	key := chartRoundKey{survey: surveyID, submittedOnly: submittedOnly}
	var rr *chartRoundRows
	err := m.Store.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		if whole {
			rr = &chartRoundRows{key: key, def: def}
			return rr.readWhole(ctx, sn, nil)
		}
		heads, err := sn.ChartHeads(ctx, surveyID, submittedOnly)
		if err != nil {
			return err
		}
		var none chartRowCache
		rr = none.lookup(key, def, heads)
		return rr.read(ctx, sn)
	})
	if err != nil {
		return nil, nil, err
	}
	var rows []reports.Row
	for r := range rr.all() {
		rows = append(rows, r)
	}
	return rows, rr.heads, nil
}

// BookPartsKept is how many workbook parts the Manager keeps for the next
// workbook (its reports.XLSXCache).
func BookPartsKept(m *Manager) int { return m.bookParts.Len() }
