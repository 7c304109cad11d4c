package manage

import (
	"context"

	"github.com/civitas-lv/surveyd/reports"
)

// warmRounds is how many rounds (the newest) Warm parses the
// questionnaires of: the open ones and their trends' rounds, with room.
const warmRounds = 2 * MaxTrendRounds

// Warm does before the server takes requests what the first request
// after a start would otherwise do once for the whole process, and
// nothing that depends on what the rounds' answers are: it parses the
// questionnaires of the newest rounds (kept by Definition, as a request
// would keep them) and builds charts of made-up answers to the newest
// one and throws them away (reports.WarmCharts), so that the first charts
// page does not also pay for the chart code's first run; likewise a
// workbook of them, written with the Manager's workbook parts
// (reports.WarmWorkbook), which keeps the compressors it made and the
// parts that depend only on the questionnaire and the language for the
// first export. The first request still reads its round's rows and
// builds every chart and sheet from them.
// A round whose questionnaire does not parse is left for its requests
// to report. Last, it opens warmConnections connections to the database
// and has each prepare the store's statements (store.WarmConnections), so
// that the first requests that come together do not pay for a new
// PostgreSQL process reading the catalog.
func (m *Manager) Warm(ctx context.Context) error {
	rounds, err := m.Store.Surveys(ctx)
	if err != nil {
		return err
	}
	var warmed bool
	for i, sv := range rounds {
		if i == warmRounds {
			break
		}
		def, err := m.Definition(sv)
		if err != nil || warmed {
			continue
		}
		if err := reports.WarmCharts(ctx, def); err != nil {
			return err
		}
		if err := reports.WarmWorkbook(ctx, def, &m.bookParts); err != nil {
			return err
		}
		warmed = true
	}
	return m.Store.WarmConnections(ctx, warmConnections)
}

// warmConnections is how many connections Warm opens: a few requests at
// once on a server just started (a coordinator's pages, an export, a
// handful of respondents' saves) each find one ready.
const warmConnections = 4
