package web

import (
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// trackerFilter is the tracker's filter and sort, read from the query.
type trackerFilter struct {
	Region, Kind, Status, Sort string
}

func filterOf(c *gin.Context) trackerFilter {
	return trackerFilter{Region: c.Query("region"), Kind: c.Query("kind"), Status: c.Query("status"), Sort: c.Query("sort")}
}

func (f trackerFilter) keep(r manage.TrackerRow) bool {
	return (f.Region == "" || r.PlanningRegion == f.Region) && (f.Kind == "" || r.Kind == f.Kind) &&
		(f.Status == "" || r.Status == f.Status)
}

// statusRank orders statuses from least to most advanced.
func statusRank(st string) int {
	for i, s := range manage.TrackStatuses {
		if s == st {
			return i
		}
	}
	return len(manage.TrackStatuses)
}

func (f trackerFilter) apply(rows []manage.TrackerRow, l lang) []manage.TrackerRow {
	var out []manage.TrackerRow
	for _, r := range rows {
		if f.keep(r) {
			out = append(out, r)
		}
	}
	name := func(r manage.TrackerRow) string { return r.Name(string(l)) }
	var less func(a, b manage.TrackerRow) bool
	switch f.Sort {
	case "region":
		less = func(a, b manage.TrackerRow) bool {
			if a.PlanningRegion != b.PlanningRegion {
				return a.PlanningRegion < b.PlanningRegion
			}
			return survey.Collate(string(l), name(a), name(b)) < 0
		}
	case "status":
		less = func(a, b manage.TrackerRow) bool {
			if statusRank(a.Status) != statusRank(b.Status) {
				return statusRank(a.Status) < statusRank(b.Status)
			}
			return a.Percent < b.Percent
		}
	case "activity":
		less = func(a, b manage.TrackerRow) bool {
			ta, tb := time.Time{}, time.Time{}
			if a.LastActivity != nil {
				ta = *a.LastActivity
			}
			if b.LastActivity != nil {
				tb = *b.LastActivity
			}
			return ta.After(tb)
		}
	default:
		less = func(a, b manage.TrackerRow) bool { return survey.Collate(string(l), name(a), name(b)) < 0 }
	}
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

type trackerPage struct {
	Page
	Survey         domain.Survey
	Title          string
	State          domain.RoundState
	Tracker        manage.Tracker
	Rows           []trackerRowView
	Filter         trackerFilter
	Regions        []string
	Statuses       []string
	ShowContacts   bool
	CanCoordinate  bool
	Shown          int
	HeadlineRegion []manage.Tally
	// ResultsQuery carries the tracker's region and kind to the charts,
	// report and workbook (its status filter means tracker statuses, which
	// results do not have: they take submitted responses).
	ResultsQuery string
}

type trackerRowView struct {
	manage.TrackerRow
	Name       string
	StatusText string
	Sections   []string // "Atbalsts NVO 5/7" per section
	ReviewURL  string
}

// roundTracker loads the round in the path and its tracker, with contacts
// for those who may see them.
func (s *Server) roundTracker(c *gin.Context) (domain.Survey, manage.Tracker, error) {
	sv, def, err := s.loadRound(c)
	if err != nil {
		return sv, manage.Tracker{}, err
	}
	t, err := s.manage.Tracker(c.Request.Context(), actor(c), sv, def)
	return sv, t, err
}

func (s *Server) trackerPage(c *gin.Context) error {
	l := s.lang(c)
	sv, t, err := s.roundTracker(c)
	if err != nil {
		return err
	}
	me := principalOf(c)
	p := trackerPage{Page: s.page(c, l.T("tracker.title")), Survey: sv, Title: sv.TitleLV, State: sv.State(s.now()),
		Tracker: t, Filter: filterOf(c), Statuses: manage.TrackStatuses, ShowContacts: me.seesPersonalData(),
		CanCoordinate: coordinate.Allows(me.user.Role)}
	if l == en {
		p.Title = sv.TitleEN
	}
	for _, g := range t.ByRegion {
		p.Regions = append(p.Regions, g.Name)
	}
	for _, r := range p.Filter.apply(t.Rows, l) {
		v := trackerRowView{TrackerRow: r, Name: r.Name(string(l)), StatusText: l.T("track." + r.Status),
			ReviewURL: "/surveys/" + url.PathEscape(sv.Slug) + "/responses/" + url.PathEscape(r.Code)}
		for _, sp := range r.Progress {
			v.Sections = append(v.Sections, sp.Section.Title.In(string(l))+": "+
				l.T("tracker.section.required", "done", sp.Required-sp.RequiredMissing, "total", sp.Required))
		}
		p.Rows = append(p.Rows, v)
	}
	p.Shown = len(p.Rows)
	if q := (reports.Filter{PlanningRegion: p.Filter.Region, Kind: p.Filter.Kind}).Query().Encode(); q != "" {
		p.ResultsQuery = "?" + q
	}
	s.render(c, http.StatusOK, "tracker.html", p)
	return nil
}

// The public status API (GET /api/v1/surveys/{slug}/status) marshals
// only the types below, declared here and filled field by field, so that
// a change in storage or in manage cannot change the API silently
// (TestStatusAPIFieldNames pins the names).

// statusJSON is GET /api/v1/surveys/{slug}/status.
type statusJSON struct {
	Survey         string               `json:"survey"`
	State          string               `json:"state"`
	OpensAt        time.Time            `json:"opens_at"`
	ClosesAt       time.Time            `json:"closes_at"`
	Total          int                  `json:"total"`
	Submitted      int                  `json:"submitted"`
	Percent        int                  `json:"percent"`
	ByStatus       map[string]int       `json:"by_status"`
	ByRegion       []regionTally        `json:"by_planning_region"`
	Municipalities []municipalityStatus `json:"municipalities"`
}

type municipalityStatus struct {
	Code               string          `json:"code"`
	Name               string          `json:"name"`
	Kind               string          `json:"kind"`
	PlanningRegion     string          `json:"planning_region"`
	Status             string          `json:"status"`
	Percent            int             `json:"percent_complete"`
	Sections           []sectionStatus `json:"sections"`
	ChangedSinceSubmit bool            `json:"changed_since_submit"`
	SubmittedAt        *time.Time      `json:"submitted_at"`
	LastActivity       *time.Time      `json:"last_activity"`
	Deadline           time.Time       `json:"deadline"`
	Reminders          int             `json:"reminders_sent"`
	Returns            int             `json:"returns"`
	// Contacts are personal data: present only for coordinators and admins.
	Contacts []contactJSON `json:"contacts,omitempty"`
	// Feedback is the municipality's feedback release; null when it was
	// never released.
	Feedback *feedbackStatus `json:"feedback"`
}

// feedbackStatus is a municipality's feedback in the status API: released
// (and when, first and latest) or withdrawn; whether its submitted answers
// changed since the release; the e-mail with the results link (last asked
// for, last sent); the municipality opening its results.
type feedbackStatus struct {
	Released            bool       `json:"released"`
	FirstReleasedAt     time.Time  `json:"first_released_at"`
	ReleasedAt          time.Time  `json:"released_at"`
	WithdrawnAt         *time.Time `json:"withdrawn_at"`
	ChangedSinceRelease bool       `json:"changed_since_release"`
	MailQueuedAt        *time.Time `json:"mail_queued_at"`
	MailSentAt          *time.Time `json:"mail_sent_at"`
	FirstOpenedAt       *time.Time `json:"first_opened_at"`
	LastOpenedAt        *time.Time `json:"last_opened_at"`
}

// regionTally counts a planning region's submitted responses.
type regionTally struct {
	Name      string `json:"name,omitempty"`
	Total     int    `json:"total"`
	Submitted int    `json:"submitted"`
	Percent   int    `json:"percent"`
}

// contactJSON is a contact of a municipality (personal data).
type contactJSON struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

type sectionStatus struct {
	Code     string `json:"code"`
	Shown    int    `json:"shown"`
	Answered int    `json:"answered"`
	// Required and RequiredAnswered count the required questions shown
	// and answered (percent_complete is their share over all sections).
	Required         int `json:"required"`
	RequiredAnswered int `json:"required_answered"`
}

func (s *Server) apiStatus(c *gin.Context) error {
	l := s.lang(c)
	sv, t, err := s.roundTracker(c)
	if err != nil {
		return err
	}
	out := statusJSON{Survey: sv.Slug, State: string(sv.State(s.now())), OpensAt: sv.OpensAt, ClosesAt: sv.ClosesAt,
		Total: t.All.Total, Submitted: t.All.Submitted, Percent: t.All.Percent, ByStatus: map[string]int{},
		Municipalities: []municipalityStatus{}}
	for _, st := range manage.TrackStatuses {
		out.ByStatus[st] = t.ByStatus[st]
	}
	if t.ByRegion != nil {
		out.ByRegion = []regionTally{}
	}
	for _, g := range t.ByRegion {
		out.ByRegion = append(out.ByRegion, regionTally{Name: g.Name, Total: g.Total, Submitted: g.Submitted, Percent: g.Percent})
	}
	for _, r := range filterOf(c).apply(t.Rows, l) {
		m := municipalityStatus{Code: r.Code, Name: r.Name(string(l)), Kind: r.Kind, PlanningRegion: r.PlanningRegion,
			Status: r.Status, Percent: r.Percent, ChangedSinceSubmit: r.ChangedSinceSubmit, SubmittedAt: r.SubmittedAt,
			LastActivity: r.LastActivity, Deadline: r.Deadline, Reminders: r.RemindersSent, Returns: r.Returns,
			Sections: []sectionStatus{}}
		for _, sp := range r.Progress {
			m.Sections = append(m.Sections, sectionStatus{Code: sp.Section.Code, Shown: sp.Shown, Answered: sp.Answered,
				Required: sp.Required, RequiredAnswered: sp.Required - sp.RequiredMissing})
		}
		if actor(c).SeesPersonalData() { // the tracker has them only then, too
			for _, ct := range r.Contacts {
				m.Contacts = append(m.Contacts, contactJSON{Email: ct.Email, Name: ct.Name})
			}
		}
		if f := r.Feedback; f != nil {
			m.Feedback = &feedbackStatus{Released: f.Released(), FirstReleasedAt: f.FirstReleasedAt, ReleasedAt: f.ReleasedAt,
				WithdrawnAt: f.WithdrawnAt, ChangedSinceRelease: r.FeedbackChanged, MailQueuedAt: f.MailQueuedAt,
				MailSentAt: f.MailSentAt, FirstOpenedAt: f.FirstOpenedAt, LastOpenedAt: f.LastOpenedAt}
		}
		out.Municipalities = append(out.Municipalities, m)
	}
	c.JSON(http.StatusOK, out)
	return nil
}
