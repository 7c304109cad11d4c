package manage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// Reports built at once, and how long a request waits for its turn before
// it is refused with ErrBusy. Building a report holds a database
// connection while it lasts (its rows stream from one snapshot), and takes
// memory and CPU: so a handful of people exporting at once never take the
// connections respondents need (DB_MAX_CONNS), nor the server's memory.
const (
	DefaultReportSlots = 2
	DefaultReportWait  = 5 * time.Second
)

// MaxReportData bounds what is read into memory of a round's answers where
// a round is read whole (submittedRows: the earlier round of the feedback
// reports and of the charts' trends); the workbook and the other reports
// stream the rows from their snapshot instead (snapshotResults). A
// respondent's save is at most 1 MiB, so a round of the 43 municipalities
// stays far below it.
const MaxReportData = 64 << 20

// ErrBusy refuses a report when DefaultReportSlots (Manager.ReportSlots)
// are already being built and none came free in time.
var ErrBusy = errors.New("too many reports are being built at once")

// reportSlots holds a slot per report being built.
type reportSlots struct {
	once  sync.Once
	slots chan struct{}
}

// reportSlot waits for a free slot (Manager.ReportWait at most) and returns
// the function that frees it.
func (m *Manager) reportSlot(ctx context.Context) (func(), error) {
	m.reports.once.Do(func() {
		n := m.ReportSlots
		if n <= 0 {
			n = DefaultReportSlots
		}
		m.reports.slots = make(chan struct{}, n)
	})
	slots := m.reports.slots
	release := func() { <-slots }
	select {
	case slots <- struct{}{}:
		return release, nil
	default:
	}
	wait := m.ReportWait
	if wait <= 0 {
		wait = DefaultReportWait
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case slots <- struct{}{}:
		return release, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Results gives fn one consistent view of a round for a report, for anyone
// who may see results (domain.AccessView): a Source of rows and the
// tracker (see results). Contacts (personal data) are in them only when
// the principal may see personal data (p.SeesPersonalData()).
func (m *Manager) Results(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition, lang string,
	fn func(src reports.Source, t Tracker) error) error {
	if err := p.Require(domain.AccessView); err != nil {
		return err
	}
	return m.results(ctx, sv, def, p.SeesPersonalData(), lang, fn)
}

// results gives fn one consistent view of a round for a report: a Source
// of rows (each call a fresh pass over the same rows, so the workbook's two
// passes agree) and the tracker, both from one read-only REPEATABLE READ
// transaction (see snapshotResults).
func (m *Manager) results(ctx context.Context, sv domain.Survey, def *survey.Definition, personal bool, lang string,
	fn func(src reports.Source, t Tracker) error) error {
	return m.snapshotResults(ctx, sv, def, personal, lang, func(_ *store.Snapshot, _ []string, src reports.Source, t Tracker) error {
		return fn(src, t)
	})
}

// snapshotResults gives fn one consistent view of a round for a report:
// the snapshot itself (for more of it, such as earlier rounds' rows), the
// municipalities' codes in the alphabetical order of their names in lang,
// a Source of rows and the tracker. Everything is read in one read-only
// REPEATABLE READ transaction that lasts while fn runs: a Source's pass
// streams the rows from the database (store.Snapshot.ReportRows, a cursor
// fetched in batches), so memory does not grow with the number of
// responses, and the report holds one connection while it is built —
// which is why at most ReportSlots reports are built at once (ErrBusy when
// no slot comes free within ReportWait). A Source's pass ends with ctx's
// error once ctx is done. The rows come in the alphabetical order.
// Contacts (personal data) are read only when personal: the caller has
// decided it from the principal.
func (m *Manager) snapshotResults(ctx context.Context, sv domain.Survey, def *survey.Definition, personal bool, lang string,
	fn func(sn *store.Snapshot, order []string, src reports.Source, t Tracker) error) error {
	release, err := m.reportSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	return m.snapshotResultsHeld(ctx, sv, def, personal, false, lang, fn)
}

// snapshotResultsHeld is snapshotResults for a caller that holds a report
// slot already; with raw each row carries its answers document too
// (reports.Row.Raw, for the workbook's memo of rows).
func (m *Manager) snapshotResultsHeld(ctx context.Context, sv domain.Survey, def *survey.Definition, personal, raw bool, lang string,
	fn func(sn *store.Snapshot, order []string, src reports.Source, t Tracker) error) error {
	return m.Store.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		// The tracker decodes every working copy; a report row whose
		// document is the same (a submitted response's submitted copy most
		// often is) takes it decoded from there (decodedDocs).
		docs := &decodedDocs{budget: decodedDocsBudget}
		t, err := trackerOf(ctx, sn, sv, def, personal, docs)
		if err != nil {
			return err
		}
		for i := range t.Rows { // the tracker's copy of the answers is not needed
			t.Rows[i].AnswersJSON = nil
		}
		order := alphabetical(t.Rows, lang)
		var contacts map[string][]domain.Contact
		if personal { // the tracker read them, for the same municipalities
			contacts = make(map[string][]domain.Contact, len(t.Rows))
			for _, r := range t.Rows {
				contacts[r.Code] = r.Contacts
			}
		}
		src := func() reports.Rows {
			return func(yield func(reports.Row, error) bool) {
				for r, err := range sn.ReportRows(ctx, sv.ID, order) {
					if err == nil {
						err = ctx.Err()
					}
					if err != nil {
						yield(reports.Row{}, err)
						return
					}
					row, err := reportRow(r, docs)
					if raw && row.Raw == nil && err == nil && r.Status != nil {
						row.Raw = reportDoc(r)
					}
					for _, c := range contacts[r.Code] {
						row.Contacts = append(row.Contacts, c.Email)
					}
					if !yield(row, err) || err != nil {
						return
					}
				}
			}
		}
		return fn(sn, order, src, t)
	})
}

// alphabetical lists the municipalities' codes in the order of their
// names in lang (survey.Collate).
func alphabetical(rows []TrackerRow, lang string) []string {
	list := make([]domain.Municipality, len(rows))
	for i, r := range rows {
		list[i] = r.Municipality
	}
	SortMunicipalities(list, lang)
	codes := make([]string, len(list))
	for i, m := range list {
		codes[i] = m.Code
	}
	return codes
}

// MunicipalityName is the municipality's name in lang, in Latvian when it
// has no English one.
func MunicipalityName(m domain.Municipality, lang string) string {
	if n := m.Name(lang); n != "" {
		return n
	}
	return m.NameLV
}

// SortMunicipalities orders municipalities by their names in lang, as
// every list of them shown to people is ordered.
func SortMunicipalities(list []domain.Municipality, lang string) {
	survey.SortByName(list, lang, func(m domain.Municipality) string { return MunicipalityName(m, lang) })
}

// ReportRow turns a stored row into what reports read: the submitted
// snapshot when there is one, else the working copy.
func ReportRow(r store.ReportRow) (reports.Row, error) { return reportRow(r, nil) }

// reportRow is ReportRow taking the document decoded from docs when the
// tracker decoded the same bytes.
func reportRow(r store.ReportRow, docs *decodedDocs) (reports.Row, error) {
	row := reports.Row{Municipality: domain.Municipality{Code: r.Code, NameLV: r.NameLV, NameEN: r.NameEN,
		Kind: r.Kind, PlanningRegion: r.PlanningRegion, StatisticalRegion: r.StatisticalRegion},
		Status: domain.StatusNone, SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt, Answers: survey.Answers{}}
	if r.Status == nil {
		return row, nil
	}
	row.Status = *r.Status
	data := reportDoc(r)
	if a, ok := docs.take(r.Code, data); ok {
		row.Answers = a
		return row, nil
	}
	a, err := survey.DecodeAnswers(data)
	row.Answers = a
	return row, err
}

// reportDoc is the answers document a report reads of a response: the
// submitted snapshot when there is one, else the working copy.
func reportDoc(r store.ReportRow) []byte {
	if r.SubmittedJSON != nil {
		return r.SubmittedJSON
	}
	return []byte(r.AnswersJSON)
}

// ExportOptions say which workbook to write (Export).
type ExportOptions struct {
	// Lang is the language of the content: "lv" (default) or "en".
	Lang string
	// Filter selects the responses.
	Filter reports.Filter
	// Generated is when the workbook was made (default now).
	Generated time.Time
	// TimeZone of the dates written (default the Manager's).
	TimeZone *time.Location
	// WithoutPersonal leaves personal data out even for a principal who
	// may see them (the command line's export without --personal).
	WithoutPersonal bool
}

// Export writes the round's workbook, for anyone who may see results
// (domain.AccessView): the rows and the response tracker on the status
// sheet, from one snapshot (see results); it stops when ctx is done. A
// round made from an earlier one gets the trend sheet "Dinamika" over the
// rounds before it (snapshotTrendRounds, streamed from the same snapshot).
// Personal data (personal answers, contacts) are in it — and read at all —
// only when the principal may see them (p.SeesPersonalData()) and
// opt.WithoutPersonal does not leave them out; personal says whether they
// are.
//
// A workbook of at most 4 MB is kept (workbookCache) and given again for
// the same round, definition, filter, language, personal data or not and
// time zone while store.WorkbookStamp — read first, on every call — says
// nothing it was made from has changed, for at most 10 minutes: its
// summary and properties then say when it was first made. The stamp is
// read holding a report slot, as a workbook is built, so a busy server
// refuses it likewise (ErrBusy). Every export is audited, given again or
// not.
func (m *Manager) Export(ctx context.Context, p domain.Principal, w io.Writer, sv domain.Survey, def *survey.Definition,
	opt ExportOptions) (personal bool, err error) {
	if err := p.Require(domain.AccessView); err != nil {
		return false, err
	}
	defer m.exported("workbook", time.Now(), &err)
	x := m.workbookOptions(sv, opt, p.SeesPersonalData() && !opt.WithoutPersonal)
	defer func() { err = m.audited(ctx, err, p, domain.AuditExportWorkbook, sv.ID, exportDetail(x)) }()
	// A report slot first (see snapshotResults), so that no more than
	// ReportSlots exports use the database at once, a workbook given again
	// included. Then the stamp, before anything it vouches for: data read
	// after it are at least as new, and a change in between gives the
	// next call another stamp.
	release, err := m.reportSlot(ctx)
	if err != nil {
		return false, err
	}
	var once sync.Once
	free := func() { once.Do(release) }
	defer free()
	ids := []int64{sv.ID}
	key := workbookKey{survey: sv.ID, slug: sv.Slug, def: def, filter: filterKey(x.Filter), lang: x.Lang,
		personal: x.Personal, tz: x.TimeZone.String()}
	if sv.PreviousSurveyID != nil {
		ids = append(ids, *sv.PreviousSurveyID)
		key.previous = *sv.PreviousSurveyID
	}
	stamp, err := m.Store.WorkbookStamp(ctx, ids, MaxTrendRounds)
	if err != nil {
		return false, err
	}
	if data := m.books.get(key, stamp, x.Generated); data != nil {
		free() // sending it takes no database
		_, err = w.Write(data)
		return x.Personal, err
	}
	kw := &keepWriter{w: w, limit: workbookCacheMax}
	err = m.writeWorkbook(ctx, kw, sv, def, x)
	free()
	if data := kw.kept(); err == nil && data != nil {
		m.books.put(key, stamp, x.Generated, data)
	}
	return x.Personal, err
}

// workbookOptions are the options of the round's workbook asked for with
// opt, with personal data or not: its title and round line, times in the
// Manager's zone unless opt names one, made now unless opt says when,
// written with the Manager's workbook parts (XLSXOptions.Cache).
func (m *Manager) workbookOptions(sv domain.Survey, opt ExportOptions, personal bool) reports.XLSXOptions {
	x := reports.XLSXOptions{Lang: opt.Lang, Personal: personal, Filter: opt.Filter, Generated: opt.Generated,
		TimeZone: opt.TimeZone, Cache: &m.bookParts, Slug: sv.Slug}
	if x.Generated.IsZero() {
		x.Generated = time.Now()
	}
	if x.TimeZone == nil {
		x.TimeZone = m.tz()
	}
	x.Title = sv.TitleLV
	if x.Lang == "en" && sv.TitleEN != "" {
		x.Title = sv.TitleEN
	}
	x.Round = fmt.Sprintf("%s · %s–%s", sv.Slug, sv.OpensAt.In(x.TimeZone).Format("02.01.2006"),
		sv.ClosesAt.In(x.TimeZone).Format("02.01.2006"))
	return x
}

// writeWorkbook writes the round's workbook with x to w: the rows and the
// response tracker on the status sheet from one snapshot, with the trend
// sheet over the rounds before it (snapshotTrendRounds). The caller holds
// a report slot.
func (m *Manager) writeWorkbook(ctx context.Context, w io.Writer, sv domain.Survey, def *survey.Definition,
	x reports.XLSXOptions) error {
	earlier, err := m.earlierRounds(ctx, sv)
	if err != nil {
		return err
	}
	return m.snapshotResultsHeld(ctx, sv, def, x.Personal, true, x.Lang,
		func(sn *store.Snapshot, order []string, src reports.Source, t Tracker) error {
			if x.Earlier, err = m.snapshotTrendRounds(ctx, sn, earlier, order); err != nil {
				return err
			}
			x.Status = statusRows(t, x.Personal)
			return reports.WriteXLSXContext(ctx, w, def, src, x)
		})
}

// statusRows maps the tracker onto the workbook's status sheet; contacts
// ("Name <e-mail>", " (en)" after an English contact's: ContactText) only
// when personal.
func statusRows(t Tracker, personal bool) []reports.StatusRow {
	out := make([]reports.StatusRow, 0, len(t.Rows))
	for _, r := range t.Rows {
		sr := reports.StatusRow{Municipality: domain.Municipality{Code: r.Code, NameLV: r.NameLV, NameEN: r.NameEN,
			Kind: r.Kind, PlanningRegion: r.PlanningRegion, StatisticalRegion: r.StatisticalRegion},
			Status: r.Status, Percent: r.Percent, LastActivity: r.LastActivity, RemindersSent: r.RemindersSent}
		if personal {
			for _, ct := range r.Contacts {
				sr.Contacts = append(sr.Contacts, ContactText(ct))
			}
		}
		out = append(out, sr)
	}
	return out
}

// exported counts an export of kind begun at start, failed when *err is
// set (deferred by the operations that build one).
func (m *Manager) exported(kind string, start time.Time, err *error) {
	m.Metrics.Exported(kind, time.Since(start), *err != nil)
}
