// Package reports computes everything the council and the coordinators read
// from the answers: aggregates per question and the definition's indicators,
// over a filtered set of responses; the Excel workbook; chart data; later
// the feedback reports and the open-data package. It is pure Go: it takes
// survey types and a row iterator and writes to an io.Writer — no Gin, no
// SQL.
package reports

import (
	"iter"
	"net/url"
	"slices"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// Row is one municipality's response: where it stands and the answers that
// count — the submitted snapshot when there is one, else the working copy.
type Row struct {
	Municipality domain.Municipality
	Status       string
	SubmittedAt  *time.Time
	UpdatedAt    *time.Time
	Answers      survey.Answers
	// Contacts are personal data: filled only for coordinators' exports.
	Contacts []string
	// Prepared, when not nil, is Answers prepared for Aggregate (Prepare):
	// used when made under the definition aggregated, else made again.
	Prepared *Prepared
	// Raw, when not nil, is the answers document Answers was decoded from
	// (survey.DecodeAnswers), not to be changed: a workbook whose rows
	// outgrow its memory for decoded rows keeps these instead, a third of
	// the size, and decodes them again for its later passes (rowMemo)
	// rather than reading the source again.
	Raw []byte
}

// Rows yields rows in municipality order; an error ends the sequence.
type Rows = iter.Seq2[Row, error]

// Source gives a fresh pass over the rows each time it is called (a
// database cursor each time); the workbook reads the rows twice.
type Source func() Rows

// Filter selects the responses a report covers. The zero Filter is every
// submitted response.
type Filter struct {
	PlanningRegion    string
	StatisticalRegion string
	Kind              string
	// Statuses to include; empty means submitted only.
	Statuses []string
}

// Keep reports whether a row is in the filtered set.
func (f Filter) Keep(r Row) bool {
	st := f.Statuses
	if len(st) == 0 {
		st = []string{domain.StatusSubmitted}
	}
	return slices.Contains(st, r.Status) &&
		(f.PlanningRegion == "" || r.Municipality.PlanningRegion == f.PlanningRegion) &&
		(f.StatisticalRegion == "" || r.Municipality.StatisticalRegion == f.StatisticalRegion) &&
		(f.Kind == "" || r.Municipality.Kind == f.Kind)
}

// FilterFrom reads a filter from query parameters: region (planning
// region), statregion, kind, status (repeatable or comma-separated; "all"
// for every status).
func FilterFrom(q url.Values) Filter {
	f := Filter{PlanningRegion: q.Get("region"), StatisticalRegion: q.Get("statregion"), Kind: q.Get("kind")}
	for _, v := range q["status"] {
		for _, s := range splitComma(v) {
			switch s {
			case "all":
				f.Statuses = []string{domain.StatusSubmitted, domain.StatusReturned, domain.StatusDraft, domain.StatusNone}
			case domain.StatusSubmitted, domain.StatusReturned, domain.StatusDraft, domain.StatusNone:
				if !slices.Contains(f.Statuses, s) {
					f.Statuses = append(f.Statuses, s)
				}
			}
		}
	}
	return f
}

// Query writes the filter as query parameters (FilterFrom reads them back).
func (f Filter) Query() url.Values {
	q := url.Values{}
	if f.PlanningRegion != "" {
		q.Set("region", f.PlanningRegion)
	}
	if f.StatisticalRegion != "" {
		q.Set("statregion", f.StatisticalRegion)
	}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	for _, s := range f.Statuses {
		q.Add("status", s)
	}
	return q
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
