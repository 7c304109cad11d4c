package manage_test

import (
	"bytes"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// TestWorkbookNeverStale: Export gives the same workbook again (the same
// bytes: its summary still says when it was first made) while nothing it
// reads changes, and a fresh one at once after any change — an answer, a
// submit, an earlier round's answer, a link, a message, a deadline
// extension, a return, a feedback release, a contact, a municipality —
// or for another filter, language, personal data or not, or once the
// kept one is ten minutes old. Every export is audited, given again or
// not.
//
// Export gives the kept workbook again only while store.WorkbookStamp of
// the round and the one it was made from reads the same as when it was
// made (workbookCache.get). Two changes go through Export end to end (a
// draft in the round, an answer in the earlier round: so the stamp Export
// reads covers both rounds); for the others it is enough, and eight
// workbook builds cheaper under the race detector, that the stamp changes
// and then reads the same again. The options that are part of the cache's
// key go through Export.
func TestWorkbookNeverStale(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	m, def25, def26, r25, r26 := e.m, e.def25, e.def26, e.r25, e.r26
	r26.PreviousSurveyID = &r25.ID
	answer := func(sv domain.Survey, def *survey.Definition, muni string, population int, submit bool) {
		t.Helper()
		e.answer(t, sv, muni, population, 0, submit, nil)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := m.Store.DB().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	audited := func() int {
		t.Helper()
		var n int
		if err := m.Store.DB().GetContext(ctx, &n, `SELECT count(*) FROM audit_log WHERE action = $1`, domain.AuditExportWorkbook); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stamp := func() string {
		t.Helper()
		s, err := m.Store.WorkbookStamp(ctx, []int64{r26.ID, r25.ID}, manage.MaxTrendRounds)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	op := domain.OperatorPrincipal()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	exports := 0
	export := func(opt manage.ExportOptions) []byte {
		t.Helper()
		now = now.Add(time.Second) // a rebuilt workbook says it was made later
		if opt.Generated.IsZero() {
			opt.Generated = now
		}
		var buf bytes.Buffer
		if _, err := m.Export(ctx, op, &buf, r26, def26, opt); err != nil {
			t.Fatal(err)
		}
		exports++
		if n := audited(); n != exports {
			t.Fatalf("%d exports, %d audited", exports, n)
		}
		return buf.Bytes()
	}
	answer(r25, def25, "cesis", 1000, true)
	answer(r26, def26, "cesis", 1100, true)

	first := export(manage.ExportOptions{})
	if again := export(manage.ExportOptions{}); !bytes.Equal(again, first) {
		t.Fatal("nothing changed, yet the workbook was made again")
	}
	last, lastStamp := first, stamp()
	// fresh exports and checks that the workbook was made again, then
	// that it is given again while nothing changes.
	fresh := func(what string, opt manage.ExportOptions) {
		t.Helper()
		b := export(opt)
		if bytes.Equal(b, last) {
			t.Errorf("after %s, the workbook kept before was given", what)
		}
		if again := export(opt); !bytes.Equal(again, b) {
			t.Errorf("after %s, nothing changed, yet the workbook was made again", what)
		}
		last, lastStamp = b, stamp()
	}
	// stamped checks that the stamp changed, so that the kept workbook is
	// not given, and then reads the same while nothing changes, so that
	// the next one made is given again.
	stamped := func(what string) {
		t.Helper()
		s := stamp()
		if s == lastStamp {
			t.Errorf("after %s, the workbook's stamp is the same: the workbook kept before would be given", what)
		}
		if again := stamp(); again != s {
			t.Errorf("after %s, nothing changed, yet the stamp changed: the workbook would be made again", what)
		}
		lastStamp = s
	}
	answer(r26, def26, "riga", 2000, false)
	fresh("a draft saved", manage.ExportOptions{})
	answer(r26, def26, "riga", 2000, true)
	stamped("a submit")
	answer(r25, def25, "riga", 1900, true)
	fresh("an answer in the earlier round", manage.ExportOptions{})
	if _, err := m.Invite(ctx, op, r26.Slug, []string{"valka"}, false); err != nil {
		t.Fatal(err)
	}
	stamped("a link made")
	exec(`INSERT INTO messages (survey_id, municipality_code, kind, recipient, status, sent_at)
		VALUES ($1, 'valka', 'reminder', 'a@valka.lv', 'sent', now())`, r26.ID)
	stamped("a reminder sent")
	exec(`INSERT INTO deadline_extensions (survey_id, municipality_code, closes_at) VALUES ($1, 'valka', now())`, r26.ID)
	stamped("a deadline extended")
	exec(`INSERT INTO returns (response_id) SELECT id FROM responses WHERE survey_id = $1 AND municipality_code = 'riga'`, r26.ID)
	stamped("a return")
	exec(`INSERT INTO feedback_releases (survey_id, municipality_code, submitted_version, submitted_at)
		VALUES ($1, 'cesis', 1, now())`, r26.ID)
	stamped("a feedback release")
	if err := m.Store.ReplaceContacts(ctx, "valka", []store.Contact{{Email: "b@valka.lv"}}); err != nil {
		t.Fatal(err)
	}
	stamped("a contact")
	exec(`UPDATE municipalities SET planning_region = 'Jauns reģions' WHERE code = 'riga'`)
	stamped("a municipality moved")

	fresh("another language", manage.ExportOptions{Lang: "en"})
	fresh("another filter", manage.ExportOptions{Lang: "en", Filter: reports.Filter{Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}}})
	fresh("leaving personal data out", manage.ExportOptions{Lang: "en", WithoutPersonal: true})
	fresh("another time zone", manage.ExportOptions{Lang: "en", WithoutPersonal: true, TimeZone: time.FixedZone("X", 3600)})

	// The kept one is given for ten minutes after it was made, not later.
	opt := manage.ExportOptions{Lang: "en", WithoutPersonal: true, TimeZone: time.FixedZone("X", 3600)}
	opt.Generated = now.Add(9 * time.Minute)
	if b := export(opt); !bytes.Equal(b, last) {
		t.Error("nine minutes later, the workbook was made again")
	}
	opt.Generated = now.Add(11 * time.Minute)
	if b := export(opt); bytes.Equal(b, last) {
		t.Error("eleven minutes later, the kept workbook was given")
	}
}

// BenchmarkExport is Export of a round of 43 submitted demo responses
// (every municipality's), the database's reads included, beside the bare
// writer over the same rows:
//
//	built     made every time (another time zone each time, so nothing
//	          kept is given)
//	kept      given again: the stamp read, the bytes sent, the audit row
//	baseline  reports.WriteBaselineXLSX over store.ReportRows, each row
//	          decoded by ReportRow, as surveybench xlsx-baseline does
//
//	TEST_DATABASE_URL=… go test ./internal/manage -run '^$' -bench Export -benchtime 20x
func BenchmarkExport(b *testing.B) {
	m, def := setup(b)
	opens := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		b.Fatal(err)
	}
	op := domain.OperatorPrincipal()
	if n, err := m.Demo(ctx, op, sv.Slug, 43, 1); err != nil || n != 43 {
		b.Fatalf("demo: %d responses, %v", n, err)
	}
	export := func(b *testing.B, opt manage.ExportOptions) {
		var buf bytes.Buffer
		if _, err := m.Export(ctx, op, &buf, sv, def, opt); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1024, "KB")
	}
	b.Run("built", func(b *testing.B) {
		i := 0
		cpu := cpuTime()
		for b.Loop() {
			i++
			export(b, manage.ExportOptions{TimeZone: time.FixedZone("bench"+strconv.Itoa(i), 0)})
		}
		reportCPU(b, cpu)
	})
	b.Run("kept", func(b *testing.B) {
		export(b, manage.ExportOptions{}) // made once
		cpu := cpuTime()
		for b.Loop() {
			export(b, manage.ExportOptions{})
		}
		reportCPU(b, cpu)
	})
	b.Run("baseline", func(b *testing.B) {
		src := func() reports.Rows {
			return func(yield func(reports.Row, error) bool) {
				for r, err := range m.Store.ReportRows(ctx, sv.ID, nil) {
					var row reports.Row
					if err == nil {
						row, err = manage.ReportRow(r)
					}
					if !yield(row, err) || err != nil {
						return
					}
				}
			}
		}
		cpu := cpuTime()
		for b.Loop() {
			var buf bytes.Buffer
			if err := reports.WriteBaselineXLSX(ctx, &buf, def, src, reports.XLSXOptions{Personal: true}); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(buf.Len())/1024, "KB")
		}
		reportCPU(b, cpu)
	})
}

// cpuTime is this process's CPU time so far, user and system (not the
// database's).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time per operation since start: on a
// shared machine it varies less than the wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
