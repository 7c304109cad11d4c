package web

import (
	"bytes"
	"errors"
	"fmt"
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

type linkRow struct {
	manage.TrackerRow
	Name       string
	StatusText string
	Link       string
	// NotShowable: a working link exists but cannot be shown again.
	NotShowable bool
}

type linksPage struct {
	Page
	Survey       domain.Survey
	SurveyTitle  string
	Rows         []linkRow
	MailEnabled  bool
	Uninvited    int // municipalities with contacts and no invitation sent
	NotSubmitted int // municipalities with contacts that have not submitted
	NoContacts   int
	Flash, Error string
	NewLinkFor   string
	NewLink      string
}

func (s *Server) linksPage(c *gin.Context) error {
	s.renderLinks(c, http.StatusOK, nil)
	return nil
}

// renderLinks shows every municipality's link and the send buttons;
// extra may fill in the outcome of an action.
func (s *Server) renderLinks(c *gin.Context, status int, extra func(*linksPage)) {
	l := s.lang(c)
	sv, def, err := s.loadRound(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	o, err := s.manage.LinksPage(c.Request.Context(), actor(c), sv, def)
	if err != nil {
		s.fail(c, err)
		return
	}
	t, links := o.Tracker, o.Links
	p := linksPage{Page: s.pageAt(c, l.T("links.title"), "/surveys/"+sv.Slug+"/links"), Survey: sv, SurveyTitle: sv.TitleLV, MailEnabled: s.manage.Mail != nil}
	if l == en {
		p.SurveyTitle = sv.TitleEN
	}
	rows := trackerFilter{}.apply(t.Rows, l)
	for _, r := range rows {
		lr := linkRow{TrackerRow: r, Name: r.Name(string(l)), StatusText: l.T("track." + r.Status), Link: links[r.Code]}
		lr.NotShowable = r.LinkCreatedAt != nil && lr.Link == ""
		p.Rows = append(p.Rows, lr)
		switch {
		case len(r.Contacts) == 0:
			p.NoContacts++
		default:
			if r.InvitationsSent == 0 {
				p.Uninvited++
			}
			if r.Status != manage.TrackSubmitted {
				p.NotSubmitted++
			}
		}
	}
	if k := c.Query("done"); k != "" {
		p.Flash = l.T("links.done." + k)
	}
	if extra != nil {
		extra(&p)
	}
	s.render(c, status, "links.html", p)
}

// linksCSV downloads every showable link (for mail merge or hand
// delivery): the same columns as `surveyd invite` writes, in the page's
// language (";" and Latvian headers in Latvian).
func (s *Server) linksCSV(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	rows, err := s.manage.LinkRows(c.Request.Context(), actor(c), sv.ID, string(l))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := manage.WriteLinksCSV(&b, rows, string(l), false); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="links-%s.csv"`, sv.Slug))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	return nil
}

// linkConfirmPage asks a coordinator to confirm replacing or revoking a
// municipality's link, saying what has happened with the link so far and
// what the municipality will experience.
type linkConfirmPage struct {
	Page
	Survey    domain.Survey
	Action    string // "rotate" or "revoke"
	Code      string
	Name      string
	Status    string // the tracker status, in words
	StatusKey string
	LinkID    int64 // the working link confirmed for; 0: none
	Facts     []string
	Effects   []string
	Changed   bool // the link changed since the coordinator's last look
	BackURL   string
	Question  string
	Button    string
}

func (s *Server) rotateConfirm(c *gin.Context) error {
	return s.confirmLink(c, "rotate", http.StatusOK, false)
}

func (s *Server) revokeConfirm(c *gin.Context) error {
	return s.confirmLink(c, "revoke", http.StatusOK, false)
}

// confirmLink shows the confirmation page of an action on the link of the
// municipality in the path, as the link stands now.
func (s *Server) confirmLink(c *gin.Context, action string, status int, changed bool) error {
	l := s.lang(c)
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	r, err := s.manage.TrackerRowOf(c.Request.Context(), actor(c), sv, def, c.Param("code"))
	if err != nil {
		return err
	}
	base := "/surveys/" + url.PathEscape(sv.Slug) + "/links"
	name := r.Name(string(l))
	p := linkConfirmPage{Page: s.pageAt(c, l.T("confirm."+action+".title", "municipality", name), base+"/"+url.PathEscape(r.Code)+"/"+action),
		Survey: sv, Action: action, Code: r.Code, Name: name, Status: l.T("track." + r.Status), StatusKey: r.Status, Changed: changed,
		BackURL: base + "#l-" + r.Code}
	when := func(t *time.Time) string { return formatDatePtr(t, s.tz) }
	if r.LinkID == nil {
		p.Facts = append(p.Facts, l.T("confirm.nolink"))
		if action == "rotate" {
			p.Question, p.Button = l.T("confirm.create.question"), l.T("links.create")
			p.Effects = append(p.Effects, l.T("confirm.effect.send"))
		}
		s.render(c, status, "link_confirm.html", p)
		return nil
	}
	p.LinkID = *r.LinkID
	p.Facts = append(p.Facts, l.T("confirm.made", "date", when(r.LinkCreatedAt)))
	if r.LinkSentAt != nil {
		p.Facts = append(p.Facts, l.T("confirm.sent", "date", when(r.LinkSentAt)))
	} else {
		p.Facts = append(p.Facts, l.T("confirm.notsent"))
	}
	if r.LinkUsedAt != nil {
		p.Facts = append(p.Facts, l.T("confirm.opened", "date", when(r.LinkUsedAt)))
	} else {
		p.Facts = append(p.Facts, l.T("confirm.notopened"))
	}
	if r.ResponseStatus != nil && r.Version > 0 {
		p.Facts = append(p.Facts, l.T("confirm.answers", "status", p.Status))
	}
	p.Effects = append(p.Effects, l.T("confirm.effect.stops"), l.T("confirm.effect.typing"), l.T("confirm.effect.kept"))
	if action == "rotate" {
		p.Effects = append(p.Effects, l.T("confirm.effect.send"))
	} else {
		p.Effects = append(p.Effects, l.T("confirm.effect.nolink"))
	}
	p.Question, p.Button = l.T("confirm."+action+".question"), l.T("confirm."+action+".button")
	s.render(c, status, "link_confirm.html", p)
	return nil
}

// linkForm reads a posted link action: whether it was confirmed, and for
// which working link (0: none).
func linkForm(c *gin.Context) (confirmed bool, link int64, err error) {
	if err := c.Request.ParseForm(); err != nil {
		return false, 0, formError(err)
	}
	f := c.Request.PostForm
	if v := f.Get("link"); v != "" {
		if link, err = strconv.ParseInt(v, 10, 64); err != nil || link < 0 {
			return false, 0, badRequest(errors.New("link"))
		}
	}
	return f.Get("confirm") == "1", link, nil
}

// rotateLink issues a new link; the old one stops working at once. A
// municipality without a link gets one at once; replacing a working link
// needs the confirmation (confirm=1 and the link's id from the
// confirmation page), else the confirmation page is shown.
func (s *Server) rotateLink(c *gin.Context) error {
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	confirmed, from, err := linkForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	code := c.Param("code")
	r, err := s.manage.TrackerRowOf(ctx, actor(c), sv, def, code)
	if err != nil {
		return err
	}
	if !confirmed {
		if r.LinkID != nil {
			return s.confirmLink(c, "rotate", http.StatusOK, false)
		}
		from = 0 // a first link needs no confirmation
	}
	link, err := s.manage.ReplaceLink(ctx, actor(c), sv.ID, code, from)
	if errors.Is(err, manage.ErrLinkChanged) {
		return s.confirmLink(c, "rotate", http.StatusConflict, true)
	}
	if err != nil {
		return err
	}
	s.log.Info("link issued", "request_id", requestID(c), "survey", sv.Slug, "municipality", code,
		"user_id", principalOf(c).user.ID)
	s.renderLinks(c, http.StatusOK, func(p *linksPage) {
		p.Flash = p.Lang.T("links.rotated")
		p.NewLinkFor, p.NewLink = r.Name(string(p.Lang)), link
	})
	return nil
}

// revokeLink stops the municipality's link once confirmed (confirm=1 and
// the link's id from the confirmation page; else that page is shown). It
// has no link until a coordinator issues one.
func (s *Server) revokeLink(c *gin.Context) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	confirmed, link, err := linkForm(c)
	if err != nil {
		return err
	}
	if !confirmed {
		return s.confirmLink(c, "revoke", http.StatusOK, false)
	}
	code := c.Param("code")
	err = s.manage.RevokeLink(c.Request.Context(), actor(c), sv.ID, code, link)
	if errors.Is(err, manage.ErrLinkChanged) {
		return s.confirmLink(c, "revoke", http.StatusConflict, true)
	}
	if err != nil {
		return err
	}
	s.log.Info("link revoked", "request_id", requestID(c), "survey", sv.Slug, "municipality", code,
		"user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/links?done=revoked#l-"+code)
	return nil
}

// sendMessages queues invitations or reminders and answers at once: the
// outbox sends them in the background (manage.RunOutbox), and the messages
// page, where this leads, shows how far it got.
// Form: kind=invitation|reminder; scope=new (invitations not yet sent),
// all, or one municipality's code in municipality=.
func (s *Server) sendMessages(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	form := c.Request.PostForm
	kind := form.Get("kind")
	if kind != domain.MessageInvitation && kind != domain.MessageReminder {
		return badRequest(errors.New("kind"))
	}
	var codes []string
	if form.Get("municipality") != "" {
		codes = []string{form.Get("municipality")}
	}
	// Invitations go to those not invited yet unless scope=all.
	uninvited := form.Get("scope") != "all"
	q, err := s.manage.QueueMessages(c.Request.Context(), actor(c), sv, kind, codes, uninvited)
	switch {
	case errors.Is(err, manage.ErrNobodyToInvite):
		s.renderLinks(c, http.StatusOK, func(p *linksPage) { p.Flash = l.T("send.none") })
		return nil
	case errors.Is(err, manage.ErrNoMail):
		s.renderLinks(c, http.StatusConflict, func(p *linksPage) { p.Error = l.T("send.nomail") })
		return nil
	case err != nil:
		return err
	}
	s.log.Info("messages queued", "request_id", requestID(c), "survey", sv.Slug, "kind", kind, "queued", q.Messages)
	to := "/surveys/" + url.PathEscape(sv.Slug) + "/messages?queued=" + strconv.Itoa(q.Messages)
	for _, reason := range manage.SkipReasons {
		if list := q.Skipped[reason]; len(list) > 0 {
			to += "&" + reason + "=" + url.QueryEscape(strings.Join(list, ","))
		}
	}
	c.Redirect(http.StatusSeeOther, to)
	return nil
}

type messagesPage struct {
	Page
	Survey   domain.Survey
	Messages []messageView
	// Progress counts the round's messages by status; Busy: some are
	// waiting or being sent.
	Progress   []messageCount
	Busy       bool
	RefreshURL string
	// What the send button just did (from its redirect).
	Queued        string
	SkippedDetail []string
}

type messageCount struct {
	Status string
	Label  string
	N      int
}

type messageView struct {
	domain.Message
	Name     string
	KindText string
	Status   string
}

// maxQueuedShown bounds the count the send button's redirect may name.
const maxQueuedShown = 100000

// messagesPage lists the round's messages, newest first, under how far
// sending has got; reloading the page shows the latest (no script).
func (s *Server) messagesPage(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	o, err := s.manage.Messages(c.Request.Context(), actor(c), sv)
	if err != nil {
		return err
	}
	list := o.Messages
	names := map[string]string{}
	for _, m := range o.Municipalities {
		names[m.Code] = m.Name(string(l))
	}
	p := messagesPage{Page: s.page(c, l.T("messages.title")), Survey: sv, RefreshURL: c.Request.URL.RequestURI()}
	counts := map[string]int{}
	for _, m := range list {
		counts[m.Status]++
		p.Messages = append(p.Messages, messageView{Message: m, Name: names[m.MunicipalityCode],
			KindText: l.T("message." + m.Kind), Status: l.T("message.status." + m.Status)})
	}
	for _, st := range []string{domain.MessageQueued, domain.MessageSending, domain.MessageSent, domain.MessageFailed} {
		p.Progress = append(p.Progress, messageCount{Status: st, Label: l.T("messages.count." + st), N: counts[st]})
	}
	p.Busy = counts[domain.MessageQueued]+counts[domain.MessageSending] > 0
	if n, err := strconv.Atoi(c.Query("queued")); err == nil && n >= 0 && n <= maxQueuedShown {
		if n == 0 {
			p.Queued = l.T("send.queued.none")
		} else {
			p.Queued = l.T("send.queued", "count", n)
		}
		for _, reason := range manage.SkipReasons {
			var named []string
			for _, code := range strings.Split(c.Query(reason), ",") {
				if name, ok := names[code]; ok {
					named = append(named, name)
				}
			}
			if len(named) > 0 {
				survey.SortByName(named, string(l), func(n string) string { return n })
				p.SkippedDetail = append(p.SkippedDetail, l.T("send.skipped."+reason, "count", len(named), "municipalities", strings.Join(named, ", ")))
			}
		}
	}
	s.render(c, http.StatusOK, "messages.html", p)
	return nil
}
