package manage_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/xuri/excelize/v2"
)

// TestWarm: Warm parses the rounds' questionnaires before any request
// (and keeps them as Definition does), writes a workbook whose parts the
// next one may be given (the Manager's workbook parts), builds no chart of
// the rounds' data — the first Charts after it still reads and decodes every
// response — and a round whose stored questionnaire does not parse does
// not stop it; and it leaves connections to the database open for the
// first requests. It writes the newest round's workbook too: the first
// export after it is made anew (not given again: it says when it was
// made) and finds nearly every part of it kept — the summary's charts,
// which depend on the round's figures, included.
func TestWarm(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	m := e.m
	for i, c := range []string{"cesis", "riga", "valmiera"} {
		e.answer(t, e.r26, c, 1000*(i+1), 500*(i+2), true, nil)
	}
	broken, err := m.Store.DB().ExecContext(ctx, `INSERT INTO surveys (slug, title_lv, title_en, reference_year, opens_at, closes_at, definition, definition_sha256)
		SELECT 'broken-2020', title_lv, title_en, 2020, opens_at - interval '5 years', closes_at - interval '5 years', '{"slug": 1}', 'x'
		FROM surveys WHERE id = $1`, e.r25.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := broken.RowsAffected(); n != 1 {
		t.Fatalf("the broken round: %d rows", n)
	}
	if n := manage.DefinitionsKept(m); n != 0 {
		t.Fatalf("%d questionnaires kept before Warm", n)
	}
	if n := manage.BookPartsKept(m); n != 0 {
		t.Fatalf("%d workbook parts kept before Warm", n)
	}
	if err := m.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if n := manage.DefinitionsKept(m); n != 2 {
		t.Fatalf("%d questionnaires kept after Warm, want the 2 that parse", n)
	}
	if n := manage.BookPartsKept(m); n == 0 {
		t.Fatal("no workbook part kept after Warm")
	}
	// Connections opened and warmed for the first requests
	// (store.WarmConnections).
	if st := m.Store.DB().Stats(); st.Idle < 4 {
		t.Fatalf("%d connections idle after Warm, want at least 4", st.Idle)
	}
	before := manage.ChartAnswersDecoded(m)
	d, err := m.Charts(ctx, domain.OperatorPrincipal(), e.r26, e.def26, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
	if err != nil {
		t.Fatal(err)
	}
	if got := manage.ChartAnswersDecoded(m) - before; got != 3 || d.Summary.Responses != 3 {
		t.Fatalf("the first Charts after Warm decoded %d answers and counts %d responses, want 3 and 3", got, d.Summary.Responses)
	}
	kept := manage.BookPartsKept(m)
	made := time.Date(2026, 11, 30, 12, 34, 56, 0, time.UTC)
	var buf bytes.Buffer
	if _, err := m.Export(ctx, domain.OperatorPrincipal(), &buf, e.r26, e.def26, manage.ExportOptions{Lang: "lv", Generated: made}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if props, err := f.GetDocProps(); err != nil || props.Created != made.Format(time.RFC3339) {
		t.Fatalf("the first export after Warm says it was made %q (%v), want %s: given again, not made", props.Created, err,
			made.Format(time.RFC3339))
	}
	if n := manage.BookPartsKept(m) - kept; n > 3 {
		t.Fatalf("the first export after Warm kept %d new parts: Warm did not write the round's workbook", n)
	}
}
