package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/gin-gonic/gin"
)

// auditFilterForm is the audit page's filter as typed: the query
// parameters action, user, round, municipality, from and to (dates,
// YYYY-MM-DD, both days included) and before (the page).
type auditFilterForm struct {
	Action, User, Round, Municipality, From, To string
}

// auditRow is one row of the audit page, ready to show.
type auditRow struct {
	ID                          int64
	At, Action, ActionCode, Who string
	Round, Municipality, Addr   string
	Detail                      string
}

type auditPage struct {
	Page
	Filter  auditFilterForm
	Actions []string
	Rows    []auditRow
	Error   string
	// OlderURL and NewestURL page through the rows (""; none);
	// CSVURL downloads the filtered rows.
	OlderURL, NewestURL, CSVURL string
}

// auditFilter reads the filter from the query; a date that is not one is
// a problem to show (and left out of the filter).
func (s *Server) auditFilter(c *gin.Context) (domain.AuditFilter, auditFilterForm, string) {
	l := s.lang(c)
	q := c.Request.URL.Query()
	form := auditFilterForm{Action: strings.TrimSpace(q.Get("action")), User: strings.ToLower(strings.TrimSpace(q.Get("user"))),
		Round: strings.TrimSpace(q.Get("round")), Municipality: strings.TrimSpace(q.Get("municipality")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	f := domain.AuditFilter{Action: form.Action, UserEmail: form.User, SurveySlug: form.Round, Municipality: form.Municipality}
	problem := ""
	day := func(v string) (time.Time, bool) {
		if v == "" {
			return time.Time{}, true
		}
		t, err := time.ParseInLocation("2006-01-02", v, s.tz)
		if err != nil || t.Year() < 2000 || t.Year() > 9999 {
			problem = l.T("audit.date.bad")
			return time.Time{}, false
		}
		return t, true
	}
	if t, ok := day(form.From); ok {
		f.From = t
	}
	if t, ok := day(form.To); ok && !t.IsZero() {
		f.To = t.AddDate(0, 0, 1) // the whole day
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	return f, form, problem
}

// query is the filter as query parameters (empty ones left out).
func (f auditFilterForm) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"action": f.Action, "user": f.User, "round": f.Round,
		"municipality": f.Municipality, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// auditLogPage lists the audit log, newest first, filtered and paged, for
// admins (manage.AuditLog records the read).
func (s *Server) auditLogPage(c *gin.Context) error {
	l := s.lang(c)
	f, form, problem := s.auditFilter(c)
	page, err := s.manage.AuditLog(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	p := auditPage{Page: s.pageAt(c, l.T("audit.title"), "/admin/audit"), Filter: form, Actions: domain.AuditActions(),
		Error: problem}
	for _, e := range page.Rows {
		p.Rows = append(p.Rows, s.auditRowOf(l, e))
	}
	q := form.query()
	p.CSVURL = "/admin/audit.csv?" + q.Encode()
	if f.Before != 0 {
		p.NewestURL = "/admin/audit?" + q.Encode()
	}
	if page.Next != 0 {
		q.Set("before", strconv.FormatInt(page.Next, 10))
		p.OlderURL = "/admin/audit?" + q.Encode()
	}
	s.render(c, http.StatusOK, "audit.html", p)
	return nil
}

func (s *Server) auditRowOf(l lang, e domain.AuditEntry) auditRow {
	r := auditRow{ID: e.ID, At: e.At.In(s.tz).Format("02.01.2006. 15:04:05"), ActionCode: e.Action,
		Action: l.T("audit.action." + e.Action), Round: e.SurveySlug, Municipality: e.Municipality, Addr: e.ClientAddr}
	switch e.ActorKind {
	case domain.AuditActorOperator:
		r.Who = l.T("audit.who.operator")
	case domain.AuditActorAPIToken:
		id := int64(0)
		if e.APITokenID != nil {
			id = *e.APITokenID
		}
		r.Who = l.T("audit.who.token", "email", e.UserEmail, "id", id)
	case domain.AuditActorUser:
		r.Who = e.UserEmail
	case domain.AuditActorSystem:
		r.Who = l.T("audit.who.system")
	default:
		r.Who = l.T("audit.who.nobody")
	}
	if d := string(e.Detail); d != "{}" && d != "" {
		r.Detail = d
	}
	return r
}

// auditLogCSV downloads the filtered audit log as a CSV (cells safe
// against formulas; manage.ExportAuditLog records the export). It is
// written as it is read: an error before the first byte is an error page,
// one after it only logged.
func (s *Server) auditLogCSV(c *gin.Context) error {
	l := s.lang(c)
	f, _, problem := s.auditFilter(c)
	if problem != "" {
		return badRequest(fmt.Errorf("audit filter: %s", problem))
	}
	w := &csvAttachment{c: c, name: "audit-log-" + s.now().In(s.tz).Format("2006-01-02") + ".csv"}
	err := s.manage.ExportAuditLog(c.Request.Context(), actor(c), w, f, string(l))
	switch {
	case err == nil:
	case !w.started:
		return err
	default:
		s.log.Error("audit log export cut short", "request_id", requestID(c), "error", err)
		c.Abort()
	}
	return nil
}

// csvAttachment writes a CSV download into the response, sending the
// headers with the first byte.
type csvAttachment struct {
	c       *gin.Context
	name    string
	started bool
}

func (a *csvAttachment) Write(p []byte) (int, error) {
	if !a.started {
		a.started = true
		h := a.c.Writer.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, a.name))
		a.c.Status(http.StatusOK)
	}
	return a.c.Writer.Write(p)
}
