package manage

import (
	"context"
	"sort"
	"time"

	"github.com/civitas-lv/surveyd/internal/ahead"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// Tracker statuses of a municipality in a round, in the order of the loop.
// They are the keys of the status API's by_status, so they stay stable.
const (
	TrackNoLink      = "no_link"      // no working link (never made, or revoked)
	TrackLinkCreated = "link_created" // a working link that no e-mail has carried yet, not opened
	TrackInvited     = "invited"      // an e-mail with the working link was sent, not opened yet
	TrackOpened      = "opened"       // the link was opened, nothing saved
	TrackDraft       = "draft"        // answers saved, not submitted
	TrackReturned    = "returned"     // returned for correction, not yet submitted again
	TrackSubmitted   = "submitted"
)

// TrackStatuses lists the statuses in display order.
var TrackStatuses = []string{TrackNoLink, TrackLinkCreated, TrackInvited, TrackOpened, TrackDraft, TrackReturned, TrackSubmitted}

// TrackerRow is one municipality's standing.
type TrackerRow struct {
	store.TrackerRow
	Status          string
	Progress        []survey.SectionProgress
	Shown, Answered int
	// Required and RequiredDone count the required questions shown and
	// answered; Percent is RequiredDone of Required (optional questions
	// never make a complete response look unfinished).
	Required, RequiredDone int
	Percent                int
	ChangedSinceSubmit     bool
	LastActivity           *time.Time
	Deadline               time.Time
	// Contacts are personal data: filled only when asked for.
	Contacts []domain.Contact
	// Feedback is the municipality's feedback release (nil: never
	// released); FeedbackChanged: released, and the submitted answers
	// changed since (release again to record it).
	Feedback        *domain.FeedbackRelease
	FeedbackChanged bool
}

// Tally counts submitted responses of a group.
type Tally struct {
	Name      string `json:"name,omitempty"`
	Total     int    `json:"total"`
	Submitted int    `json:"submitted"`
	Percent   int    `json:"percent"`
}

func (t *Tally) add(submitted bool) {
	t.Total++
	if submitted {
		t.Submitted++
	}
	t.Percent = percent(t.Submitted, t.Total)
}

// percent rounds half up.
func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return (200*n + of) / (2 * of)
}

// Tracker is the response tracker of a round.
type Tracker struct {
	Rows     []TrackerRow
	All      Tally
	ByRegion []Tally
	ByStatus map[string]int
}

// Tracker builds the tracker of a round for anyone who may read rounds
// (domain.AccessView), with the contacts (personal data) only for those
// who may see them (p.SeesPersonalData).
func (m *Manager) Tracker(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition) (Tracker, error) {
	if err := p.Require(domain.AccessView); err != nil {
		return Tracker{}, err
	}
	return m.tracker(ctx, sv, def, p.SeesPersonalData())
}

// tracker builds the tracker of a round; contacts only when withContacts.
func (m *Manager) tracker(ctx context.Context, sv domain.Survey, def *survey.Definition, withContacts bool) (Tracker, error) {
	var t Tracker
	err := m.Store.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		var err error
		t, err = trackerOf(ctx, sn, sv, def, withContacts, nil)
		return err
	})
	return t, err
}

// trackerOf builds the tracker from a snapshot; the answers documents it
// decodes go into docs (nil: nowhere) for the report rows read after it.
func trackerOf(ctx context.Context, sn *store.Snapshot, sv domain.Survey, def *survey.Definition, withContacts bool,
	docs *decodedDocs) (Tracker, error) {
	var (
		contacts map[string][]domain.Contact
		err      error
	)
	if withContacts {
		if contacts, err = sn.Contacts(ctx); err != nil {
			return Tracker{}, err
		}
	}
	releases, err := sn.FeedbackReleases(ctx, sv.ID)
	if err != nil {
		return Tracker{}, err
	}
	t := Tracker{ByStatus: map[string]int{}}
	regions := map[string]*Tally{}
	// Streamed (store.Snapshot.TrackerRows), each row's answers document
	// dropped once its progress is counted: a round of 100,000
	// municipalities would otherwise hold every document at once. The rows
	// are read and their documents decoded ahead, on a goroutine of their
	// own (ahead.Seq2), while the progress of those read is counted here.
	rows := func(yield func(trackerDoc, error) bool) {
		for r, err := range sn.TrackerRows(ctx, sv.ID) {
			if !yield(trackerDoc{TrackerRow: r}, err) || err != nil {
				return
			}
		}
	}
	for d, err := range ahead.Seq2(rows, trackerAheadBatch, trackerAheadBatches, (*trackerDoc).decode) {
		if err == nil {
			err = d.err
		}
		if err != nil {
			return Tracker{}, err
		}
		r, answers := d.TrackerRow, d.answers
		docs.keep(r.Code, r.AnswersJSON, answers)
		r.AnswersJSON = nil
		row := TrackerRow{TrackerRow: r, Deadline: sv.Deadline(r.ExtendedUntil), Contacts: contacts[r.Code]}
		row.Status = trackStatus(r)
		if f, ok := releases[r.Code]; ok {
			row.Feedback = &f
			row.FeedbackChanged = f.Released() && r.SubmittedVersion != nil && *r.SubmittedVersion != f.SubmittedVersion
		}
		if r.ResponseStatus != nil {
			carried := d.carried
			row.Progress = carriedProgress(def, answers, carried) // not yet confirmed: unanswered
			for _, p := range row.Progress {
				row.Shown += p.Shown
				row.Answered += p.Answered
			}
			row.RequiredDone, row.Required = survey.Completion(row.Progress)
			row.Percent = survey.CompletionPercent(row.RequiredDone, row.Required)
			row.ChangedSinceSubmit = r.SubmittedVersion != nil && r.Version > *r.SubmittedVersion
		}
		for _, at := range []*time.Time{r.ResponseUpdated, r.LinkUsedAt, r.LastMessageAt} {
			if at != nil && (row.LastActivity == nil || at.After(*row.LastActivity)) {
				row.LastActivity = at
			}
		}
		t.Rows = append(t.Rows, row)
		t.ByStatus[row.Status]++
		sub := row.Status == TrackSubmitted
		t.All.add(sub)
		g := regions[r.PlanningRegion]
		if g == nil {
			g = &Tally{Name: r.PlanningRegion}
			regions[r.PlanningRegion] = g
		}
		g.add(sub)
	}
	for _, g := range regions {
		t.ByRegion = append(t.ByRegion, *g)
	}
	sort.Slice(t.ByRegion, func(i, j int) bool { return t.ByRegion[i].Name < t.ByRegion[j].Name })
	return t, nil
}

// Tracker rows read ahead: trackerAheadBatch in each batch, at most
// trackerAheadBatches waiting.
const (
	trackerAheadBatch   = 32
	trackerAheadBatches = 4
)

// trackerDoc is a tracker row with its answers document decoded, and its
// carried-over answers when it has a response (decode).
type trackerDoc struct {
	store.TrackerRow
	answers survey.Answers
	carried map[string]string
	err     error // of decoding
}

// decode decodes the row's documents, as trackerOf reads them.
func (d *trackerDoc) decode() {
	if d.answers, d.err = survey.DecodeAnswers(d.AnswersJSON); d.err == nil && d.ResponseStatus != nil {
		d.carried, d.err = carriedCodes(d.CarriedJSON)
	}
}

func trackStatus(r store.TrackerRow) string {
	if r.ResponseStatus != nil {
		switch *r.ResponseStatus {
		case domain.StatusSubmitted:
			return TrackSubmitted
		case domain.StatusReturned:
			return TrackReturned
		}
		// A response only the system started (carried-over answers, one
		// revision) is not the municipality's draft yet.
		if r.Version > 0 && !onlyCarried(r.Version, r.CarriedJSON) {
			return TrackDraft
		}
	}
	switch {
	case r.LinkCreatedAt == nil:
		return TrackNoLink
	case r.LinkUsedAt != nil:
		return TrackOpened
	case r.LinkSentAt != nil:
		return TrackInvited
	}
	return TrackLinkCreated
}

// TrackerRowOf is one municipality's row of the round's tracker, with its
// contacts (personal data); domain.ErrNotFound when the tracker has none for
// it (an unknown or inactive municipality that has not answered). For
// coordinators (domain.AccessCoordinate).
func (m *Manager) TrackerRowOf(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition, code string) (TrackerRow, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return TrackerRow{}, err
	}
	t, err := m.tracker(ctx, sv, def, true)
	if err != nil {
		return TrackerRow{}, err
	}
	for _, r := range t.Rows {
		if r.Code == code {
			return r, nil
		}
	}
	return TrackerRow{}, domain.ErrNotFound
}

// carriedCodes decodes a response's carried-over answers not yet confirmed.
func carriedCodes(data []byte) (map[string]string, error) {
	return domain.Response{CarriedJSON: data}.Carried()
}

// carriedAny reports whether a response has carried-over answers not yet
// confirmed.
// onlyCarried reports whether a response at version holds only the
// answers the service carried over from the previous round (one revision).
func onlyCarried(version int, carriedJSON []byte) bool {
	return version == 1 && carriedAny(carriedJSON)
}

func carriedAny(data []byte) bool {
	c, err := carriedCodes(data)
	return err == nil && len(c) > 0
}
