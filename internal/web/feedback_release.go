package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// The coordinators' feedback page: per municipality that submitted,
// whether its feedback is released, e-mailed and opened; releasing it and
// sending the e-mail with the results link for a chosen set or for all;
// withdrawing a release after a confirmation.

type feedbackReleasePage struct {
	Page
	Survey      domain.Survey
	SurveyTitle string
	Overview    manage.FeedbackOverview
	Rows        []feedbackRowView
	MailEnabled bool
	Flash       []string
	Error       string
}

type feedbackRowView struct {
	manage.TrackerRow
	Name       string
	Released   bool
	Returned   bool // returned for correction: its results are not shown now
	PreviewURL string
	XLSXURL    string
	// WithdrawURL: the confirmation page, while released.
	WithdrawURL string
}

// feedbackBase is the address of the round's feedback page.
func feedbackBase(sv domain.Survey) string {
	return "/surveys/" + url.PathEscape(sv.Slug) + "/feedback"
}

func (s *Server) feedbackReleasePage(c *gin.Context) error {
	return s.renderFeedbackRelease(c, http.StatusOK, nil)
}

// renderFeedbackRelease shows the round's feedback page; extra may fill in
// the outcome of an action.
func (s *Server) renderFeedbackRelease(c *gin.Context, status int, extra func(*feedbackReleasePage)) error {
	l := s.lang(c)
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	o, err := s.manage.FeedbackOverview(c.Request.Context(), actor(c), sv, def)
	if err != nil {
		return err
	}
	base := feedbackBase(sv)
	p := feedbackReleasePage{Page: s.pageAt(c, l.T("release.title"), base), Survey: sv, SurveyTitle: sv.TitleLV,
		Overview: o, MailEnabled: s.manage.Mail != nil}
	if l == en && sv.TitleEN != "" {
		p.SurveyTitle = sv.TitleEN
	}
	for _, r := range (trackerFilter{}).apply(o.Rows, l) {
		code := url.PathEscape(r.Code)
		v := feedbackRowView{TrackerRow: r, Name: r.Name(string(l)), Returned: r.Status == manage.TrackReturned,
			PreviewURL: base + "/" + code, XLSXURL: base + "/" + code + "/report.xlsx"}
		if r.Feedback != nil && r.Feedback.Released() {
			v.Released = true
			v.WithdrawURL = base + "/" + code + "/withdraw"
		}
		p.Rows = append(p.Rows, v)
	}
	p.Flash = feedbackFlash(c, l, o.Municipalities)
	if extra != nil {
		extra(&p)
	}
	s.render(c, status, "feedback_release.html", p)
	return nil
}

// maxCountShown bounds the counts a redirect to the feedback page may name.
const maxCountShown = 100000

// feedbackFlash says, from the query a release, a send or a withdrawal
// redirected with, what was done; municipalities are named only when they
// are municipalities.
func feedbackFlash(c *gin.Context, l lang, munis map[string]domain.Municipality) []string {
	count := func(key string) (int, bool) {
		n, err := strconv.Atoi(c.Query(key))
		return n, err == nil && n >= 0 && n <= maxCountShown
	}
	named := func(list string) []string {
		var out []string
		for _, code := range strings.Split(list, ",") {
			if m, ok := munis[code]; ok {
				out = append(out, manage.MunicipalityName(m, string(l)))
			}
		}
		survey.SortByName(out, string(l), func(n string) string { return n })
		return out
	}
	skipped := func(prefix string, reasons []string) []string {
		var out []string
		for _, reason := range reasons {
			if list := named(c.Query(reason)); len(list) > 0 {
				out = append(out, l.T(prefix+reason, "count", len(list), "municipalities", strings.Join(list, ", ")))
			}
		}
		return out
	}
	var out []string
	switch c.Query("done") {
	case "released":
		n, ok := count("n")
		if !ok {
			return nil
		}
		if n == 0 {
			out = append(out, l.T("release.done.none"))
		} else {
			out = append(out, l.T("release.done", "count", n))
			if again, ok := count("again"); ok && again > 0 {
				out = append(out, l.T("release.done.again", "count", again))
			}
		}
		out = append(out, skipped("release.skipped.", manage.ReleaseSkipReasons)...)
	case "queued":
		n, ok := count("n")
		if !ok {
			return nil
		}
		if n == 0 {
			out = append(out, l.T("send.queued.none"))
		} else {
			out = append(out, l.T("send.queued", "count", n))
		}
		out = append(out, skipped("release.mail.skipped.", manage.FeedbackMailSkipReasons)...)
	case "withdrawn":
		if list := named(c.Query("m")); len(list) == 1 {
			out = append(out, l.T("release.withdrawn.done", "municipality", list[0]))
		}
	}
	return out
}

// chosenFeedback reads the scope of a release or send form: all (codes
// nil) when scope is allScope, the ticked municipalities when it is
// "chosen" (none ticked: ok false, and the page says so).
func (s *Server) chosenFeedback(c *gin.Context, allScope string) (codes []string, ok bool, err error) {
	if err := c.Request.ParseForm(); err != nil {
		return nil, false, formError(err)
	}
	f := c.Request.PostForm
	switch f.Get("scope") {
	case allScope:
		return nil, true, nil
	case "chosen":
		for _, code := range f["municipality"] {
			if code = strings.TrimSpace(code); code != "" {
				codes = append(codes, code)
			}
		}
		return codes, len(codes) > 0, nil
	}
	return nil, false, badRequest(errors.New("scope"))
}

// noneChosen shows the page again, saying a municipality must be ticked.
func (s *Server) noneChosen(c *gin.Context) error {
	return s.renderFeedbackRelease(c, http.StatusUnprocessableEntity, func(p *feedbackReleasePage) {
		p.Flash, p.Error = nil, p.Lang.T("release.none.chosen")
	})
}

// releaseFeedback releases the feedback (scope=all: every municipality
// that submitted; scope=chosen: the ticked ones, municipality=CODE…) and
// leads back to the feedback page, which says what was done. Nothing is
// e-mailed.
func (s *Server) releaseFeedback(c *gin.Context) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	codes, ok, err := s.chosenFeedback(c, "all")
	if err != nil {
		return err
	}
	if !ok {
		return s.noneChosen(c)
	}
	res, err := s.manage.ReleaseFeedback(c.Request.Context(), actor(c), sv, codes)
	if err != nil {
		return err
	}
	s.log.Info("feedback released", "request_id", requestID(c), "survey", sv.Slug, "released", len(res.First)+len(res.Again),
		"again", len(res.Again), "user_id", principalOf(c).user.ID)
	q := url.Values{"done": {"released"}, "n": {strconv.Itoa(len(res.First) + len(res.Again))},
		"again": {strconv.Itoa(len(res.Again))}}
	for _, reason := range manage.ReleaseSkipReasons {
		if list := res.Skipped[reason]; len(list) > 0 {
			q.Set(reason, strings.Join(list, ","))
		}
	}
	c.Redirect(http.StatusSeeOther, feedbackBase(sv)+"?"+q.Encode())
	return nil
}

// sendFeedback queues the e-mail with the results link (scope=new: every
// released municipality not e-mailed since its latest release;
// scope=chosen: the ticked ones) and leads back to the feedback page; the
// outbox sends in the background.
func (s *Server) sendFeedback(c *gin.Context) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	codes, ok, err := s.chosenFeedback(c, "new")
	if err != nil {
		return err
	}
	if !ok {
		return s.noneChosen(c)
	}
	q, err := s.manage.QueueFeedbackMail(c.Request.Context(), actor(c), sv, codes)
	if errors.Is(err, manage.ErrNoMail) {
		return s.renderFeedbackRelease(c, http.StatusConflict, func(p *feedbackReleasePage) {
			p.Flash, p.Error = nil, p.Lang.T("release.mail.nomail")
		})
	}
	if err != nil {
		return err
	}
	s.log.Info("feedback e-mail queued", "request_id", requestID(c), "survey", sv.Slug, "queued", q.Messages,
		"user_id", principalOf(c).user.ID)
	v := url.Values{"done": {"queued"}, "n": {strconv.Itoa(q.Messages)}}
	for _, reason := range manage.FeedbackMailSkipReasons {
		if list := q.Skipped[reason]; len(list) > 0 {
			v.Set(reason, strings.Join(list, ","))
		}
	}
	c.Redirect(http.StatusSeeOther, feedbackBase(sv)+"?"+v.Encode())
	return nil
}

// withdrawPage asks a coordinator to confirm withdrawing a municipality's
// feedback, saying what has happened with it so far and what the
// municipality will experience.
type withdrawPage struct {
	Page
	Survey   domain.Survey
	Code     string
	Name     string
	Released string // the release confirmed for (RFC 3339); "": none
	Facts    []string
	Effects  []string
	Changed  bool
	BackURL  string
	Action   string
}

func (s *Server) withdrawFeedbackConfirm(c *gin.Context) error {
	return s.confirmWithdraw(c, http.StatusOK, false)
}

// confirmWithdraw shows the confirmation page for the municipality in the
// path, as its feedback stands now.
func (s *Server) confirmWithdraw(c *gin.Context, status int, changed bool) error {
	l := s.lang(c)
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	r, err := s.manage.TrackerRowOf(c.Request.Context(), actor(c), sv, def, c.Param("code"))
	if err != nil {
		return err
	}
	base := feedbackBase(sv)
	name := manage.MunicipalityName(r.Municipality, string(l))
	action := base + "/" + url.PathEscape(r.Code) + "/withdraw"
	p := withdrawPage{Page: s.pageAt(c, l.T("withdraw.title", "municipality", name), action), Survey: sv, Code: r.Code, Name: name,
		Changed: changed, BackURL: base + "#f-" + r.Code, Action: action}
	when := func(t *time.Time) string { return formatDatePtr(t, s.tz) }
	f := r.Feedback
	if f == nil || !f.Released() {
		p.Facts = append(p.Facts, l.T("withdraw.none"))
		s.render(c, status, "feedback_withdraw.html", p)
		return nil
	}
	p.Released = f.ReleasedAt.Format(time.RFC3339Nano)
	p.Facts = append(p.Facts, l.T("withdraw.released", "date", when(&f.ReleasedAt)))
	switch {
	case f.MailPending:
		p.Facts = append(p.Facts, l.T("withdraw.mail.pending"))
	case f.MailSentAt != nil:
		p.Facts = append(p.Facts, l.T("withdraw.mail.sent", "date", when(f.MailSentAt)))
	default:
		p.Facts = append(p.Facts, l.T("withdraw.mail.not"))
	}
	if f.FirstOpenedAt != nil {
		p.Facts = append(p.Facts, l.T("withdraw.opened", "first", when(f.FirstOpenedAt), "last", when(f.LastOpenedAt)))
	} else {
		p.Facts = append(p.Facts, l.T("withdraw.notopened"))
	}
	p.Effects = []string{l.T("withdraw.effect.hidden"), l.T("withdraw.effect.mail"), l.T("withdraw.effect.kept"),
		l.T("withdraw.effect.again")}
	s.render(c, status, "feedback_withdraw.html", p)
	return nil
}

// withdrawFeedback withdraws the municipality's release once confirmed
// (confirm=1 and released=, the release's time from the confirmation
// page; else that page is shown). A release made again meanwhile is not
// withdrawn: the page shows how things stand (409).
func (s *Server) withdrawFeedback(c *gin.Context) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	if f.Get("confirm") != "1" {
		return s.confirmWithdraw(c, http.StatusOK, false)
	}
	at, err := time.Parse(time.RFC3339Nano, f.Get("released"))
	if err != nil {
		return badRequest(errors.New("released"))
	}
	code := c.Param("code")
	err = s.manage.WithdrawFeedback(c.Request.Context(), actor(c), sv, code, at)
	if errors.Is(err, manage.ErrFeedbackChanged) || errors.Is(err, domain.ErrNotFound) {
		return s.confirmWithdraw(c, http.StatusConflict, true)
	}
	if err != nil {
		return err
	}
	s.log.Info("feedback withdrawn", "request_id", requestID(c), "survey", sv.Slug, "municipality", code,
		"user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, feedbackBase(sv)+"?"+url.Values{"done": {"withdrawn"}, "m": {code}}.Encode()+"#f-"+code)
	return nil
}
