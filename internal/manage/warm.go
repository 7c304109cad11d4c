package manage

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// warmRounds is how many rounds (the newest) Warm parses the
// questionnaires of: the open ones and their trends' rounds, with room.
const warmRounds = 2 * MaxTrendRounds

// Warm does before the server takes requests what the first request
// after a start would otherwise do once for the whole process: it parses
// the questionnaires of the newest rounds (kept by Definition, as a request
// would keep them) and builds charts of made-up answers to the newest
// one and throws them away (reports.WarmCharts), so that the first charts
// page does not also pay for the chart code's first run; likewise a
// workbook of them, written with the Manager's workbook parts
// (reports.WarmWorkbook), which keeps the compressors it made and the
// parts that depend only on the questionnaire and the language for the
// first export. The first request still reads its round's rows and
// builds every chart and sheet from them.
// A round whose questionnaire does not parse is left for its requests
// to report. Then it opens warmConnections connections to the database
// and has each prepare the store's statements (store.WarmConnections), so
// that the first requests that come together do not pay for a new
// PostgreSQL process reading the catalog. Last, it writes the workbook of
// the newest round and of the open ones, when they are small, for the
// parts of it that depend on the round's figures (warmWorkbooks).
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
	if err := m.Store.WarmConnections(ctx, warmConnections); err != nil {
		return err
	}
	return m.warmWorkbooks(ctx, rounds, time.Now())
}

// warmBooks is how many rounds' workbooks Warm writes at most, and
// warmBookResponses how many responses such a round has at most: a
// round the size of the real one (43 municipalities), whose workbook
// takes some 10–20 ms to write. A larger round's first export takes
// seconds, of which the parts the cache would give are a sliver.
const (
	warmBooks         = 2
	warmBookResponses = 200
)

// warmWorkbooks writes, into nothing, the workbook of the newest round
// and of the rounds open at now (warmBooks at most, each of at most
// warmBookResponses responses) as a coordinator downloads it: in Latvian,
// with personal data, with the Manager's workbook parts. Of such a round
// the summary's charts, its drawing and the other parts that depend on
// its figures and not on each answer come out the same in the first
// export as here (unless something changed in between), and are given
// from the parts kept (XLSXCache) rather than deflated again: a first
// export after a start then costs about what one after a save does. The
// workbook itself is not kept (workbookCache): the first export still
// reads the round and writes every sheet, and is audited as always. Its
// connection to PostgreSQL, the last used, is the next one the pool
// gives, its memory grown by the round's reads.
func (m *Manager) warmWorkbooks(ctx context.Context, rounds []domain.Survey, now time.Time) error {
	n := 0
	for i, sv := range rounds {
		if n == warmBooks || i == warmRounds {
			break
		}
		if i > 0 && sv.State(now) != domain.RoundOpen {
			continue
		}
		def, err := m.Definition(sv)
		if err != nil {
			continue
		}
		small, err := m.Store.ResponsesAtMost(ctx, sv.ID, warmBookResponses)
		if err != nil {
			return err
		}
		if !small {
			continue
		}
		n++
		if err := m.warmWorkbook(ctx, sv, def); err != nil {
			return fmt.Errorf("round %s: %w", sv.Slug, err)
		}
	}
	return nil
}

// warmWorkbook writes the round's workbook into nothing, holding a report
// slot as an export does.
func (m *Manager) warmWorkbook(ctx context.Context, sv domain.Survey, def *survey.Definition) error {
	release, err := m.reportSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	return m.writeWorkbook(ctx, io.Discard, sv, def, m.workbookOptions(sv, ExportOptions{Lang: "lv"}, true))
}

// warmConnections is how many connections Warm opens: a few requests at
// once on a server just started (a coordinator's pages, an export, a
// handful of respondents' saves) each find one ready.
const warmConnections = 4
