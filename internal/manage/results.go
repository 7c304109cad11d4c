package manage

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// Results gives fn one consistent view of a round for a report: a Source
// of rows (each call a fresh cursor over the same snapshot, so the
// workbook's two passes agree) and the tracker, read in one read-only
// REPEATABLE READ transaction. The rows come in the alphabetical order of
// the municipalities' names in lang. Contacts (personal data) are read
// only when personal.
func (m *Manager) Results(ctx context.Context, sv store.Survey, def *survey.Definition, personal bool, lang string,
	fn func(src reports.Source, t Tracker) error) error {
	return m.Store.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		t, err := trackerOf(ctx, sn, sv, def, personal)
		if err != nil {
			return err
		}
		order := alphabetical(t.Rows, lang)
		var contacts map[string][]store.Contact
		if personal {
			if contacts, err = sn.Contacts(ctx); err != nil {
				return err
			}
		}
		src := func() reports.Rows {
			return func(yield func(reports.Row, error) bool) {
				for r, err := range sn.ReportRows(ctx, sv.ID, order) {
					if err != nil {
						yield(reports.Row{}, err)
						return
					}
					row, err := ReportRow(r)
					for _, c := range contacts[r.Code] {
						row.Contacts = append(row.Contacts, c.Email)
					}
					if !yield(row, err) || err != nil {
						return
					}
				}
			}
		}
		return fn(src, t)
	})
}

// alphabetical lists the municipalities' codes in the order of their
// names in lang (survey.Collate).
func alphabetical(rows []TrackerRow, lang string) []string {
	list := make([]store.Municipality, len(rows))
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
func MunicipalityName(m store.Municipality, lang string) string {
	if n := m.Name(lang); n != "" {
		return n
	}
	return m.NameLV
}

// SortMunicipalities orders municipalities by their names in lang, as
// every list of them shown to people is ordered.
func SortMunicipalities(list []store.Municipality, lang string) {
	survey.SortByName(list, lang, func(m store.Municipality) string { return MunicipalityName(m, lang) })
}

// ReportRow turns a stored row into what reports read: the submitted
// snapshot when there is one, else the working copy.
func ReportRow(r store.ReportRow) (reports.Row, error) {
	row := reports.Row{Municipality: reports.Municipality{Code: r.Code, NameLV: r.NameLV, NameEN: r.NameEN,
		Kind: r.Kind, PlanningRegion: r.PlanningRegion, StatisticalRegion: r.StatisticalRegion},
		Status: reports.StatusNone, SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt, Answers: survey.Answers{}}
	if r.Status == nil {
		return row, nil
	}
	row.Status = *r.Status
	data := []byte(r.AnswersJSON)
	if r.SubmittedJSON != nil {
		data = r.SubmittedJSON
	}
	a, err := survey.DecodeAnswers(data)
	row.Answers = a
	return row, err
}

// Export writes the round's workbook: the rows from a database cursor and
// the response tracker on the status sheet, from one snapshot.
// opt.Personal decides whether personal answers and contacts are read at
// all. Unset Generated, TimeZone, Title and Round are filled in.
func (m *Manager) Export(ctx context.Context, w io.Writer, sv store.Survey, def *survey.Definition, opt reports.XLSXOptions) error {
	if opt.Generated.IsZero() {
		opt.Generated = time.Now()
	}
	if opt.TimeZone == nil {
		opt.TimeZone = m.tz()
	}
	if opt.Title == "" {
		opt.Title = sv.TitleLV
		if opt.Lang == "en" && sv.TitleEN != "" {
			opt.Title = sv.TitleEN
		}
	}
	if opt.Round == "" {
		opt.Round = fmt.Sprintf("%s · %s–%s", sv.Slug, sv.OpensAt.In(opt.TimeZone).Format("02.01.2006"),
			sv.ClosesAt.In(opt.TimeZone).Format("02.01.2006"))
	}
	return m.Results(ctx, sv, def, opt.Personal, opt.Lang, func(src reports.Source, t Tracker) error {
		opt.Status = statusRows(t, opt.Personal)
		return reports.WriteXLSX(w, def, src, opt)
	})
}

// statusRows maps the tracker onto the workbook's status sheet; contacts
// ("Name <e-mail>") only when personal.
func statusRows(t Tracker, personal bool) []reports.StatusRow {
	out := make([]reports.StatusRow, 0, len(t.Rows))
	for _, r := range t.Rows {
		sr := reports.StatusRow{Municipality: reports.Municipality{Code: r.Code, NameLV: r.NameLV, NameEN: r.NameEN,
			Kind: r.Kind, PlanningRegion: r.PlanningRegion, StatisticalRegion: r.StatisticalRegion},
			Status: r.Status, Percent: r.Percent, LastActivity: r.LastActivity, RemindersSent: r.RemindersSent}
		if personal {
			for _, ct := range r.Contacts {
				if ct.Name != "" {
					sr.Contacts = append(sr.Contacts, ct.Name+" <"+ct.Email+">")
				} else {
					sr.Contacts = append(sr.Contacts, ct.Email)
				}
			}
		}
		out = append(out, sr)
	}
	return out
}
