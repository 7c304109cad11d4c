package web

import (
	"bytes"
	"html/template"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// Page is what every page's layout needs.
type Page struct {
	Lang      lang
	Title     string
	SwitchURL string // the same page in the other language
	RequestID string
	// For signed-in users: who, and the workspace menu.
	User string
	Nav  []navItem
	// Skip is the skip link's wording: to the questionnaire on a
	// respondent's page, to the content elsewhere.
	Skip string
}

type navItem struct {
	URL, Label string
	Current    bool
}

type messagePage struct {
	Page
	Body     string
	BackURL  string
	LinkURL  string
	LinkText string
}

func (s *Server) page(c *gin.Context, title string) Page {
	return s.pageAt(c, title, c.Request.URL.Path)
}

// pageAt is page for a page shown in answer to a POST whose address differs
// from the page's own (GET) address: the language switch goes there.
func (s *Server) pageAt(c *gin.Context, title, path string) Page {
	l := s.lang(c)
	q := url.Values{}
	if path == c.Request.URL.Path {
		q = c.Request.URL.Query()
		q.Del("done")
	}
	q.Set("lang", l.T("lang.switch.code"))
	u := url.URL{Path: path, RawQuery: q.Encode()}
	p := Page{Lang: l, Title: title, SwitchURL: u.String(), RequestID: requestID(c), Skip: l.T("skip.content")}
	if strings.HasPrefix(c.Request.URL.Path, "/r/") {
		p.Skip = l.T("skip")
	}
	if me := principalOf(c); me != nil && !isAPI(c) {
		p.User = me.user.Email
		path := c.Request.URL.Path
		add := func(a access, url, key string) {
			if a.Allows(me.user.Role) {
				cur := path == url || url != "/surveys" && strings.HasPrefix(path, url+"/") ||
					url == "/surveys" && strings.HasPrefix(path, "/surveys")
				p.Nav = append(p.Nav, navItem{URL: url, Label: l.T(key), Current: cur})
			}
		}
		add(view, "/surveys", "nav.surveys")
		add(coordinate, "/contacts", "nav.contacts")
		add(administer, "/admin/users", "nav.users")
		add(administer, "/admin/tokens", "nav.tokens")
		add(administer, "/admin/audit", "nav.audit")
		add(administer, "/admin/personal", "nav.personal")
		add(signedIn, "/account", "nav.account")
	}
	return p
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": s.asset,
		"T":     func(l lang, key string, args ...any) string { return l.T(key, args...) }, // args: name, value pairs
		"qctx":  func(l lang, q questionView) questionCtx { return questionCtx{L: l, Q: q} },
		"when":  func(l lang, t time.Time) string { return l.when(t.In(s.tz), locative) },
		"whenp": func(l lang, t *time.Time) string {
			if t == nil {
				return "—"
			}
			return l.when(t.In(s.tz), locative)
		},
		"list":    func(xs ...string) []string { return xs },
		"date":    func(t time.Time) string { return t.In(s.tz).Format("02.01.2006. 15:04") },
		"datep":   func(t *time.Time) string { return formatDatePtr(t, s.tz) },
		"dtlocal": func(t time.Time) string { return t.In(s.tz).Format("2006-01-02T15:04") },
		// pct writes a whole percentage in the page's style: "63 %" in
		// Latvian, "63%" in English.
		"pct": func(l lang, n int) string { return strconv.Itoa(n) + survey.PercentSuffix(string(l)) },
		// The limits of what staff type in (manage), for the forms' maxlength,
		// min and max.
		"maxName": func() int { return manage.MaxNameChars },
		"maxText": func() int { return manage.MaxTextChars },
		"minDate": func() string { return strconv.Itoa(manage.MinYear) + "-01-01T00:00" },
		"maxDate": func() string { return strconv.Itoa(manage.MaxYear) + "-12-31T23:59" },
	}
}

// render executes a template into a buffer first, so a template error never
// sends half a page.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	s.renderSized(c, status, name, data, 0)
}

// renderSized is render into a buffer made for about size bytes: a page
// of a few MB (the charts of 10,000 responses) is then not copied into
// ever larger buffers as it is written.
func (s *Server) renderSized(c *gin.Context, status int, name string, data any, size int) {
	var buf bytes.Buffer
	buf.Grow(size)
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("render", "request_id", requestID(c), "template", name, "error", err)
		c.Data(500, "text/plain; charset=utf-8", []byte("Radās kļūda / Something went wrong: "+requestID(c)))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// formPage is the respondent's questionnaire.
type formPage struct {
	Page
	// CarriedNote says how many of last round's answers wait for the
	// municipality's confirmation (empty: none).
	CarriedNote  string
	Action       string
	SurveyTitle  string
	Intro        string
	RefYear      int
	Municipality string
	State        domain.RoundState
	ReadOnly     bool
	Deadline     string
	ClosedSince  string
	Status       string
	SubmittedAt  string
	Changed      bool
	SavedAt      string
	Version      int
	Flash        string
	// Merged names the questions a colleague filled in that the last save
	// combined with this person's answers.
	Merged       []string
	ErrorSummary string
	ErrorList    []errorItem
	// Conflict: a save collided with a colleague's; the questions to decide
	// on are marked (questionView.Conflict) and listed here.
	Conflict     bool
	ConflictList []errorItem
	// Required and RequiredDone count the required questions shown and
	// answered: the one overall figure of progress.
	Required, RequiredDone int
	// ReturnNote is the coordinator's note when the response was returned
	// for correction (comments per question are on the questions).
	Returned   bool
	ReturnNote string
	Sections   []sectionView
	Client     clientData
	// ResultsURL leads to the municipality's results once its feedback is
	// released ("" before).
	ResultsURL string
	// Preview: a coordinator's preview (preview.go); nothing is stored.
	// SettingsURL leads back to the round, RoundState is its real state.
	Preview        bool
	SettingsURL    string
	RoundState     domain.RoundState
	RoundStateText string
}

type errorItem struct{ ID, Label, Message string }

type sectionView struct {
	Code, Title, Help string
	Index, Count      int
	Shown, Answered   int
	// Required and RequiredDone count its required questions shown and
	// answered.
	Required, RequiredDone int
	// Comments counts the coordinator's comments on its questions when
	// the response was returned.
	Comments int
	// Carried counts its carried-over answers not yet confirmed (the
	// section's "confirm all" button).
	Carried   int
	Questions []questionView
}

type questionView struct {
	Code, Type, ID, Label, Help string
	Required, Hidden            bool
	Value                       string
	Options                     []optionView
	Other                       bool
	OtherValue, OtherID         string
	Error, OtherError           string
	Warning                     string // a cross-field rule the answers break
	// Conflict: a colleague changed this answer too; Theirs is their
	// answer as text.
	Conflict              bool
	Theirs                string
	Unit, InputMode, Hint string
	MaxLength             int
	Display               string // read-only rendering
	Comment               string // the coordinator's, when returned
	// Carried is the marker of an answer carried over from a previous
	// round, not yet confirmed ("" otherwise).
	Carried     string
	DescribedBy string
}

// questionCtx passes the language along with a question to its template.
type questionCtx struct {
	L lang
	Q questionView
}

type optionView struct {
	Code, Label, ID    string
	Checked, Exclusive bool
}

// clientData is what the form's JavaScript needs, embedded as JSON.
type clientData struct {
	API       string            `json:"api"`
	Version   int               `json:"version"`
	Lang      string            `json:"lang"`
	ReadOnly  bool              `json:"readOnly"`
	Questions []clientQuestion  `json:"questions"`
	Rules     []clientRule      `json:"rules"`
	Saved     survey.Answers    `json:"saved"`
	Msgs      map[string]string `json:"msgs"`
	// Preview: API is the preview's check (POST), and nothing is saved.
	Preview bool `json:"preview,omitempty"`
}

// clientRule is a cross-field rule the page checks as the respondent types
// (the same compiled expression the server checks).
type clientRule struct {
	Field   string       `json:"field"`
	Assert  *survey.Expr `json:"assert"`
	Message string       `json:"message"`
}

type clientQuestion struct {
	Code      string       `json:"code"`
	Type      string       `json:"type"`
	Section   string       `json:"section"`
	ShowIf    *survey.Expr `json:"showIf,omitempty"`
	Other     bool         `json:"other,omitempty"`
	Exclusive []string     `json:"exclusive,omitempty"`
	Required  bool         `json:"required,omitempty"`
	// Carried: the answer is carried over from a previous round and not
	// yet confirmed; it counts as unanswered until confirmed or changed.
	Carried   bool     `json:"carried,omitempty"`
	Places    int      `json:"places,omitempty"`
	Min       *float64 `json:"min,omitempty"`
	Max       *float64 `json:"max,omitempty"`
	MaxLength int      `json:"maxLength,omitempty"`
}

// formInput is the state the form shows: the values as typed (strings, as
// a browser posts them), errors per answer key, and a colleague's
// conflicting save, if any.
type formInput struct {
	values   url.Values
	errors   map[string]survey.Text
	conflict *manage.MergeConflictError
}

// valuesOf writes canonical answers as form values.
func valuesOf(def *survey.Definition, a survey.Answers, l lang) url.Values {
	v := url.Values{}
	for _, q := range def.Questions() {
		putValue(v, q, a, l)
	}
	return v
}

// putValue writes one question's canonical answer as form values.
func putValue(v url.Values, q *survey.Question, a survey.Answers, l lang) {
	x, ok := a[q.Code]
	if !ok {
		return
	}
	switch y := x.(type) {
	case []string:
		v[q.Code] = append([]string(nil), y...)
	default:
		v.Set(q.Code, survey.FormatInput(y, string(l)))
	}
	if o, ok := a[q.OtherKey()].(string); ok && q.Other {
		v.Set(q.OtherKey(), o)
	}
}

// answersOf reads posted form values into answers, reading numbers the way
// people type them ("1 234,50"). What cannot be read as a number stays text,
// so validation reports it at its question.
func answersOf(def *survey.Definition, v url.Values) survey.Answers {
	a := survey.Answers{}
	for _, q := range def.Questions() {
		vals := v[q.Code]
		if q.Other {
			if o := strings.TrimSpace(v.Get(q.OtherKey())); o != "" {
				a[q.OtherKey()] = v.Get(q.OtherKey())
			}
		}
		if len(vals) == 0 {
			continue
		}
		switch {
		case q.Type == survey.Multi:
			a[q.Code] = vals
		case q.Type == survey.YesNo:
			switch vals[0] {
			case "true":
				a[q.Code] = true
			case "false":
				a[q.Code] = false
			default:
				a[q.Code] = vals[0]
			}
		case q.Type.IsNumber():
			if strings.TrimSpace(vals[0]) == "" {
				continue
			}
			if n, ok := survey.ParseNumberInput(vals[0]); ok {
				a[q.Code] = n
			} else {
				a[q.Code] = vals[0]
			}
		default:
			if strings.TrimSpace(vals[0]) != "" {
				a[q.Code] = vals[0]
			}
		}
	}
	// Keys the form cannot produce are reported by validation.
	for k, vals := range v {
		if _, known := a[k]; known || len(vals) == 0 || isFormControl(k) {
			continue
		}
		if def.Question(k) == nil && !strings.HasSuffix(k, "_other") {
			a[k] = vals[0]
		}
	}
	return a
}

func isFormControl(k string) bool {
	return k == "version" || k == "action" || k == "lang" || k == "theirs" || k == "confirm" || k == "confirm_section"
}

// buildForm assembles the page for the respondent with the given input.
func (s *Server) buildForm(c *gin.Context, r *respondent, in formInput) formPage {
	l := s.lang(c)
	tz := func(t time.Time) time.Time { return t.In(s.tz) }
	def := r.Def
	p := formPage{
		Page:         s.page(c, def.Title.In(string(l))),
		Action:       "/r/" + c.Param("token"),
		SurveyTitle:  def.Title.In(string(l)),
		Intro:        def.Intro.In(string(l)),
		RefYear:      def.ReferenceYear,
		Municipality: r.Municipality.Name(string(l)),
		State:        r.State,
		ReadOnly:     r.State != domain.RoundOpen,
		Deadline:     l.when(tz(r.Deadline()), dative),
		ClosedSince:  l.when(tz(r.ClosedSince()), genitive),
		Status:       r.Response.Status,
		Changed:      r.Response.ChangedSinceSubmit(),
		Version:      r.Response.Version,
	}
	if r.Return != nil {
		p.Returned, p.ReturnNote = true, r.Return.Note
	}
	if r.Response.SubmittedAt != nil {
		p.SubmittedAt = l.when(tz(*r.Response.SubmittedAt), locative)
	}
	if r.Response.ID != 0 && !r.OnlyCarried() {
		p.SavedAt = l.T("saved.at", "date", l.when(tz(r.Response.UpdatedAt), locative))
	} else { // nothing saved, or only last round's answers put in by the service
		p.SavedAt = l.T("saved.never")
	}
	// What is shown: the typed values; visibility follows the answers they
	// make (read leniently), as the browser would show them.
	shown := def.Validate(answersOf(def, in.values), survey.Draft)
	visible := def.Visible(shown.Answers)
	progress := r.Progress(shown.Answers) // carried-over answers not yet confirmed count as unanswered
	p.RequiredDone, p.Required = survey.Completion(progress)
	conflicts := map[string]bool{}
	var theirs survey.Answers
	if in.conflict != nil {
		p.Conflict, p.Version = true, in.conflict.Current
		theirs = in.conflict.Answers
		for _, code := range in.conflict.Codes {
			conflicts[code] = true
		}
	}

	p.Client = clientData{API: "/api/v1/r/" + c.Param("token"), Version: p.Version, Lang: string(l),
		ReadOnly: p.ReadOnly, Saved: r.Answers, Msgs: clientMessages(l)}
	if theirs != nil {
		p.Client.Saved = theirs
	}
	for _, rule := range def.Rules {
		p.Client.Rules = append(p.Client.Rules, clientRule{Field: rule.Field, Assert: rule.AssertExpr(),
			Message: rule.Message.In(string(l))})
	}
	carried, carriedYear := 0, 0 // last round's answers still to confirm
	for si, sec := range def.Sections {
		pr := progress[si]
		sv := sectionView{Code: sec.Code, Title: sec.Title.In(string(l)), Help: sec.Help.In(string(l)),
			Index: si + 1, Count: len(def.Sections), Shown: pr.Shown, Answered: pr.Answered,
			Required: pr.Required, RequiredDone: pr.Required - pr.RequiredMissing}
		for _, q := range sec.Questions {
			qv := s.questionView(q, l, in, !visible[q.Code])
			if w, ok := shown.Warnings[q.Code]; ok && qv.Error == "" {
				qv.Warning = w.In(string(l))
			}
			if r.Return != nil {
				qv.Comment = r.Return.Comments[q.Code]
				if qv.Comment != "" {
					qv.DescribedBy = "comment-" + q.Code + " " + qv.DescribedBy
					sv.Comments++
				}
			}
			if from, ok := r.Carried[q.Code]; ok && !p.ReadOnly && !qv.Hidden {
				qv.Carried = l.T("respond.carried.marker", "year", from.Year)
				qv.DescribedBy = "carried-" + q.Code + " " + qv.DescribedBy
				sv.Carried++
				carried, carriedYear = carried+1, from.Year
			}
			if conflicts[q.Code] {
				qv.Conflict = true
				qv.Theirs = s.displayAnswer(q, theirs, l)
				qv.DescribedBy = "theirs-" + q.Code + " " + qv.DescribedBy
				p.ConflictList = append(p.ConflictList, errorItem{ID: qv.ID, Label: qv.Label, Message: qv.Theirs})
			}
			if msg, ok := in.errors[q.Code]; ok {
				p.ErrorList = append(p.ErrorList, errorItem{ID: qv.ID, Label: qv.Label, Message: msg.In(string(l))})
			}
			if msg, ok := in.errors[q.OtherKey()]; ok && q.Other {
				p.ErrorList = append(p.ErrorList, errorItem{ID: qv.OtherID, Label: qv.Label, Message: msg.In(string(l))})
			}
			sv.Questions = append(sv.Questions, qv)
			cq := clientQuestionOf(q)
			cq.Carried = qv.Carried != ""
			p.Client.Questions = append(p.Client.Questions, cq)
		}
		p.Sections = append(p.Sections, sv)
	}
	if carried > 0 {
		key := "respond.carried.summary"
		if wording.Singular(wording.Lang(l), carried) {
			key = "respond.carried.summary.one"
		}
		p.CarriedNote = l.T(key, "count", carried, "year", carriedYear)
	}
	// Errors at keys that are not questions (an unknown code posted).
	for k, msg := range in.errors {
		if def.Question(k) == nil && !strings.HasSuffix(k, "_other") {
			p.ErrorList = append(p.ErrorList, errorItem{Label: k, Message: msg.In(string(l))})
		}
	}
	return p
}

// displayAnswer is a question's answer in a set as people read it; "Nav
// atbildes" when unanswered.
func (s *Server) displayAnswer(q *survey.Question, a survey.Answers, l lang) string {
	v := url.Values{}
	putValue(v, q, a, l)
	if d := s.questionView(q, l, formInput{values: v}, false).Display; d != "" {
		return d
	}
	return l.T("no.answer")
}

func (s *Server) questionView(q *survey.Question, l lang, in formInput, hidden bool) questionView {
	code := q.Code
	qv := questionView{Code: code, Type: string(q.Type), ID: "q-" + code, Label: q.Text.In(string(l)),
		Help: q.Help.In(string(l)), Required: q.Required, Hidden: hidden, Value: in.values.Get(code),
		Other: q.Other, OtherID: "q-" + q.OtherKey(), OtherValue: in.values.Get(q.OtherKey())}
	if msg, ok := in.errors[code]; ok {
		qv.Error = msg.In(string(l))
	}
	if msg, ok := in.errors[q.OtherKey()]; ok {
		qv.OtherError = msg.In(string(l))
	}
	checked := map[string]bool{}
	for _, v := range in.values[code] {
		checked[v] = true
	}
	var labels []string
	switch {
	case q.Type.IsChoice():
		for _, o := range q.AllOptions() {
			ov := optionView{Code: o.Code, Label: o.Text.In(string(l)), ID: "q-" + code + "-" + o.Code,
				Checked: checked[o.Code], Exclusive: o.Exclusive}
			qv.Options = append(qv.Options, ov)
			if ov.Checked {
				label := ov.Label
				if o.Code == survey.OtherCode && qv.OtherValue != "" {
					label += ": " + qv.OtherValue
				}
				labels = append(labels, label)
			}
		}
		if q.Type == survey.Multi {
			qv.Hint = l.T("choose.many")
		}
	case q.Type == survey.YesNo:
		for _, o := range []struct{ code, key string }{{"true", "yes"}, {"false", "no"}} {
			ov := optionView{Code: o.code, Label: l.T(o.key), ID: "q-" + code + "-" + o.code, Checked: checked[o.code]}
			qv.Options = append(qv.Options, ov)
			if ov.Checked {
				labels = append(labels, ov.Label)
			}
		}
	case q.Type.IsNumber():
		qv.InputMode = "decimal"
		if q.Type == survey.Int || q.Type == survey.Year {
			qv.InputMode = "numeric"
		}
		switch q.Type {
		case survey.Money:
			qv.Unit = l.T("unit.money")
		case survey.Percent:
			qv.Unit = l.T("unit.percent")
		}
		qv.Hint = numberHint(q, l)
		if qv.Value != "" {
			labels = append(labels, displayNumber(q, qv.Value, qv.Unit, l))
		}
	default:
		qv.MaxLength = q.Limit()
		if q.Type == survey.Short || q.Type == survey.Long {
			if q.MaxLength > 0 {
				qv.Hint = l.T("limits.length", "max", q.MaxLength)
			}
		}
		if qv.Value != "" {
			labels = append(labels, qv.Value)
		}
	}
	qv.Display = strings.Join(labels, "; ")
	var ids []string
	if qv.Help != "" {
		ids = append(ids, "help-"+code)
	}
	if qv.Hint != "" {
		ids = append(ids, "hint-"+code)
	}
	ids = append(ids, "err-"+code, "warn-"+code)
	qv.DescribedBy = strings.Join(ids, " ")
	return qv
}

// displayNumber writes a typed number for reading: amounts and
// percentages as everywhere else ("120 000,50 EUR", "12,5 %"); what cannot
// be read as a number stays as typed, with its unit.
func displayNumber(q *survey.Question, typed, unit string, l lang) string {
	if n, ok := survey.ParseNumberInput(typed); ok {
		if r, ok := new(big.Rat).SetString(n.String()); ok {
			return survey.FormatQuantity(q.Type, r, string(l))
		}
	}
	return strings.TrimSpace(typed + " " + unit)
}

func numberHint(q *survey.Question, l lang) string {
	group := q.Type != survey.Year
	f := func(r *big.Rat) string { return survey.FormatNumber(r, string(l), group) }
	lo, hi := q.MinRat(), q.MaxRat()
	switch {
	case lo != nil && hi != nil:
		return l.T("limits.range", "min", f(lo), "max", f(hi))
	case lo != nil && lo.Sign() != 0:
		return l.T("limits.min", "min", f(lo))
	case hi != nil:
		return l.T("limits.max", "max", f(hi))
	}
	return ""
}

func clientQuestionOf(q *survey.Question) clientQuestion {
	cq := clientQuestion{Code: q.Code, Type: string(q.Type), Section: q.Section().Code,
		ShowIf: q.ShowIfExpr(), Other: q.Other, Required: q.Required}
	for _, o := range q.Options {
		if o.Exclusive {
			cq.Exclusive = append(cq.Exclusive, o.Code)
		}
	}
	if q.Type.IsNumber() {
		cq.Places = q.Places()
		if q.Type == survey.Int || q.Type == survey.Year {
			cq.Places = 0
		}
		if r := q.MinRat(); r != nil {
			f, _ := r.Float64()
			cq.Min = &f
		}
		if r := q.MaxRat(); r != nil {
			f, _ := r.Float64()
			cq.Max = &f
		}
	}
	if q.Type.IsText() {
		cq.MaxLength = q.Limit()
	}
	return cq
}

// clientMessages are the wording the JavaScript shows.
func clientMessages(l lang) map[string]string {
	m := map[string]string{}
	for _, k := range []string{"js.saving", "js.saved", "js.unsaved", "js.offline", "js.failed", "js.invalid",
		"js.number", "js.mine", "js.theirs", "js.keep.mine", "js.take.theirs", "js.conflict.body",
		"js.conflict.left", "js.merged", "js.erased", "js.merged.submit", "js.submitting", "js.closed", "js.leave",
		"js.notfound", "show.all", "show.one", "errors.submit", "errors.save", "conflict.title",
		"progress", "progress.sr", "progress.sr.done", "progress.sr.none", "overall", "overall.done",
		"saved.never", "no.answer", "yes", "no", "js.unavailable", "js.unavailable.submit",
		"preview.submit.ok", "respond.carried.nav"} {
		m[strings.TrimPrefix(k, "js.")] = l.raw(k) // unfilled: the script fills {name}
	}
	return m
}

func formatDatePtr(t *time.Time, tz *time.Location) string {
	if t == nil {
		return "—"
	}
	return t.In(tz).Format("02.01.2006. 15:04")
}

// parseVersion reads a version number from a form field.
func parseVersion(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}
