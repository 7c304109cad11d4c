package web

import (
	"encoding/json"
	"errors"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// reviewed is a response under review: round, municipality and answers.
type reviewed struct {
	sv        domain.Survey
	def       *survey.Definition
	muni      domain.Municipality
	resp      domain.Response // ID 0: nothing saved yet
	answers   survey.Answers
	submitted survey.Answers // nil: never submitted
}

func (s *Server) loadReviewed(c *gin.Context) (*reviewed, error) {
	sv, def, err := s.loadRound(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	m, err := s.store.Municipality(ctx, c.Param("code"))
	if err != nil {
		return nil, err
	}
	rv := &reviewed{sv: sv, def: def, muni: m, answers: survey.Answers{}}
	resp, err := s.store.Response(ctx, sv.ID, m.Code)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return rv, nil
	case err != nil:
		return nil, err
	}
	rv.resp = resp
	if rv.answers, err = resp.Answers(); err != nil {
		return nil, err
	}
	if resp.SubmittedJSON != nil {
		if rv.submitted, err = survey.DecodeAnswers(resp.SubmittedJSON); err != nil {
			return nil, err
		}
	}
	return rv, nil
}

// display writes one answer (and its "other" text) for people; numbers
// as survey.FormatQuantity writes them ("120 000,50 EUR", "12,5 %").
func (s *Server) display(def *survey.Definition, q *survey.Question, a survey.Answers, l lang) string {
	vals := valuesOf(def, survey.Answers{q.Code: a[q.Code], q.OtherKey(): a[q.OtherKey()]}, l)
	if _, ok := a[q.Code]; !ok {
		return ""
	}
	if n, ok := a[q.Code].(json.Number); ok && q.Type.IsNumber() {
		if r, ok := new(big.Rat).SetString(n.String()); ok {
			return survey.FormatQuantity(q.Type, r, string(l))
		}
	}
	return s.questionView(q, l, formInput{values: vals}, false).Display
}

type reviewPage struct {
	Page
	Survey        domain.Survey
	SurveyTitle   string
	Municipality  string
	Code          string
	Status        string
	StatusText    string
	Version       int
	SubmittedAt   *time.Time
	Changed       bool
	Deadline      time.Time
	Extended      bool
	State         domain.RoundState
	CanCoordinate bool
	ShowHistory   bool
	Sections      []reviewSection
	History       []historyItem
	Returns       []domain.ReturnRequest
	OpenReturn    *domain.ReturnRequest
	Flash         string
}

type reviewSection struct {
	Title     string
	Questions []reviewQuestion
}

type reviewQuestion struct {
	Code, Label     string
	Value           string
	SubmittedValue  string // when it differs from Value
	DiffersFromSent bool
	Hidden          bool // not shown to the municipality (show_if)
	Personal        bool // hidden from this viewer
	Comment         string
	CorrectURL      string
}

type historyItem struct {
	At      time.Time
	Who     string
	Action  string
	Note    string
	Version int
	Changes []changeItem
}

type changeItem struct{ Label, Before, After string }

func (s *Server) reviewPage(c *gin.Context) error {
	l := s.lang(c)
	rv, err := s.loadReviewed(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	me := principalOf(c)
	personal := me.seesPersonalData()
	ext, err := s.store.Extensions(ctx, rv.sv.ID)
	if err != nil {
		return err
	}
	var until *time.Time
	if e, ok := ext[rv.muni.Code]; ok {
		until = &e.ClosesAt
	}
	p := reviewPage{Page: s.page(c, rv.muni.Name(string(l))), Survey: rv.sv, SurveyTitle: rv.def.Title.In(string(l)),
		Municipality: rv.muni.Name(string(l)), Code: rv.muni.Code, Status: rv.resp.Status, Version: rv.resp.Version,
		SubmittedAt: rv.resp.SubmittedAt, Changed: rv.resp.ChangedSinceSubmit(), Deadline: rv.sv.Deadline(until),
		Extended: until != nil, State: rv.sv.StateWith(s.now(), until), CanCoordinate: coordinate.Allows(me.user.Role),
		ShowHistory: personal}
	if rv.resp.ID == 0 {
		p.Status = "none"
	}
	p.StatusText = l.T("response.status." + p.Status)
	if rv.resp.ID != 0 {
		if p.Returns, err = s.store.Returns(ctx, rv.resp.ID); err != nil {
			return err
		}
		if len(p.Returns) > 0 && p.Returns[0].ResolvedAt == nil {
			p.OpenReturn = &p.Returns[0]
		}
	}
	visible := rv.def.Visible(rv.answers)
	base := "/surveys/" + rv.sv.Slug + "/responses/" + rv.muni.Code
	for _, sec := range rv.def.Sections {
		rs := reviewSection{Title: sec.Title.In(string(l))}
		for _, q := range sec.Questions {
			rq := reviewQuestion{Code: q.Code, Label: q.Text.In(string(l)), Hidden: !visible[q.Code],
				Personal: q.Personal && !personal, CorrectURL: base + "/correct?q=" + q.Code}
			if !rq.Personal {
				rq.Value = s.display(rv.def, q, rv.answers, l)
				if rv.submitted != nil {
					rq.SubmittedValue = s.display(rv.def, q, rv.submitted, l)
					rq.DiffersFromSent = rq.SubmittedValue != rq.Value
				}
			}
			if p.OpenReturn != nil {
				rq.Comment = p.OpenReturn.Comments[q.Code]
			}
			if rq.Hidden && rq.Value == "" && rq.SubmittedValue == "" {
				continue // not asked of this municipality
			}
			rs.Questions = append(rs.Questions, rq)
		}
		p.Sections = append(p.Sections, rs)
	}
	if personal && rv.resp.ID != 0 {
		if p.History, err = s.history(c, rv, l); err != nil {
			return err
		}
	}
	if k := c.Query("done"); k != "" {
		p.Flash = l.T("review.done." + k)
	}
	s.render(c, http.StatusOK, "review.html", p)
	return nil
}

// history lists the response's revisions, the newest first, with each
// changed answer before and after.
func (s *Server) history(c *gin.Context, rv *reviewed, l lang) ([]historyItem, error) {
	ctx := c.Request.Context()
	revs, err := s.store.Revisions(ctx, rv.resp.ID)
	if err != nil {
		return nil, err
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	emails := map[int64]string{}
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	var out []historyItem
	for i := len(revs) - 1; i >= 0; i-- {
		r := revs[i]
		h := historyItem{At: r.CreatedAt, Action: l.T("action." + r.Action), Version: r.Version}
		switch r.Actor {
		case domain.ActorInvitation:
			h.Who = l.T("actor.invitation")
		case domain.ActorUser:
			h.Who = emails[*r.UserID]
		default:
			h.Who = l.T("actor.system")
		}
		if r.Note != nil {
			h.Note = *r.Note
		}
		before, after, err := r.Changes()
		if err != nil {
			return nil, err
		}
		for _, q := range rv.def.Questions() {
			_, b1 := before[q.Code]
			_, a1 := after[q.Code]
			_, b2 := before[q.OtherKey()]
			_, a2 := after[q.OtherKey()]
			if !b1 && !a1 && !b2 && !a2 {
				continue
			}
			ci := changeItem{Label: q.Text.In(string(l)), Before: s.display(rv.def, q, before, l),
				After: s.display(rv.def, q, after, l)}
			if (b2 || a2) && !b1 && !a1 { // only the "other" text changed
				ci.Before, _ = before[q.OtherKey()].(string)
				ci.After, _ = after[q.OtherKey()].(string)
			}
			h.Changes = append(h.Changes, ci)
		}
		out = append(out, h)
	}
	return out, nil
}

type correctPage struct {
	Page
	Survey       domain.Survey
	Municipality string
	Code         string
	Question     questionView
	Version      int
	Reason       string
	Error        string
	Submitted    bool
	BackURL      string
}

// correctForm shows one question to correct, with the current answer.
func (s *Server) correctForm(c *gin.Context) error {
	rv, err := s.loadReviewed(c)
	if err != nil {
		return err
	}
	q := rv.def.Question(c.Query("q"))
	if q == nil {
		return errNotFound
	}
	l := s.lang(c)
	s.renderCorrect(c, http.StatusOK, rv, q, formInput{values: valuesOf(rv.def, rv.answers, l)}, rv.resp.Version, "", "")
	return nil
}

func (s *Server) renderCorrect(c *gin.Context, status int, rv *reviewed, q *survey.Question, in formInput, version int, reason, problem string) {
	l := s.lang(c)
	p := correctPage{Page: s.page(c, l.T("correct.title")), Survey: rv.sv, Municipality: rv.muni.Name(string(l)),
		Code: rv.muni.Code, Question: s.questionView(q, l, in, false), Version: version, Reason: reason, Error: problem,
		Submitted: rv.submitted != nil, BackURL: "/surveys/" + rv.sv.Slug + "/responses/" + rv.muni.Code}
	s.render(c, status, "correct.html", p)
}

// correct changes one answer as the coordinator, with a reason. The
// submitted copy changes too, so the figures show the correction; it must
// stay complete and valid.
func (s *Server) correct(c *gin.Context) error {
	l := s.lang(c)
	rv, err := s.loadReviewed(c)
	if err != nil {
		return err
	}
	form, base, err := versionedForm(c)
	if err != nil {
		return err
	}
	q := rv.def.Question(form.Get("question"))
	if q == nil {
		return badRequest(errors.New("question missing"))
	}
	if rv.resp.ID == 0 {
		return errNotFound
	}
	reason := strings.TrimSpace(form.Get("reason"))
	if reason == "" {
		s.renderCorrect(c, http.StatusUnprocessableEntity, rv, q, formInput{values: form}, base, reason, l.T("correct.reason.missing"))
		return nil
	}
	if err := manage.CheckText(reason); err != nil {
		s.renderCorrect(c, http.StatusUnprocessableEntity, rv, q, formInput{values: form}, base, reason,
			textProblem(l, err, "correct.reason.long", manage.MaxTextChars))
		return nil
	}
	posted := answersOf(rv.def, form)
	merge := func(a survey.Answers) survey.Answers {
		out := survey.Answers{}
		for k, v := range a {
			out[k] = v
		}
		delete(out, q.Code)
		delete(out, q.OtherKey())
		for _, k := range []string{q.Code, q.OtherKey()} {
			if v, ok := posted[k]; ok {
				out[k] = v
			}
		}
		return out
	}
	work := rv.def.Validate(merge(rv.answers), survey.Draft)
	errs := work.Errors
	var sub survey.Answers
	if rv.submitted != nil {
		sr := rv.def.Validate(merge(rv.submitted), survey.Submit)
		if len(errs) == 0 {
			errs = sr.Errors
		}
		sub = sr.Answers
	}
	if len(errs) > 0 {
		in := formInput{values: form, errors: errs}
		problem := l.T("correct.invalid")
		if _, ok := errs[q.Code]; !ok {
			for _, m := range errs { // a rule on another question
				problem += " " + m.In(string(l))
				break
			}
		}
		s.renderCorrect(c, http.StatusUnprocessableEntity, rv, q, in, base, reason, problem)
		return nil
	}
	_, err = s.store.Correct(c.Request.Context(), store.Correction{SurveyID: rv.sv.ID, Municipality: rv.muni.Code,
		BaseVersion: base, Answers: work.Answers, Submitted: sub, UserID: principalOf(c).user.ID, Reason: reason})
	var ce *domain.ConflictError
	if errors.As(err, &ce) {
		s.renderCorrect(c, http.StatusConflict, rv, q, formInput{values: form}, ce.Current, reason, l.T("correct.conflict"))
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/surveys/"+rv.sv.Slug+"/responses/"+rv.muni.Code+"?done=corrected")
	return nil
}

type returnPage struct {
	Page
	Survey       domain.Survey
	Municipality string
	Code         string
	Version      int
	Note         string
	Sections     []returnSection
	Comments     int
	Error        string
	BackURL      string
}

// returnSection is a section of the return form: its questions with the
// municipality's answers, folded unless it has comments.
type returnSection struct {
	Code, Title string
	Questions   []returnQuestion
	Comments    int
}

type returnQuestion struct {
	Code, Label, Value, Comment string
}

func (s *Server) returnForm(c *gin.Context) error {
	rv, err := s.loadReviewed(c)
	if err != nil {
		return err
	}
	if rv.resp.Status != domain.StatusSubmitted {
		return errNotSubmitted
	}
	s.renderReturn(c, http.StatusOK, rv, rv.resp.Version, "", nil, "")
	return nil
}

var errNotSubmitted = &appError{status: http.StatusConflict, code: "not_submitted", key: "return.notsubmitted"}

func (s *Server) renderReturn(c *gin.Context, status int, rv *reviewed, version int, note string, comments map[string]string, problem string) {
	l := s.lang(c)
	p := returnPage{Page: s.page(c, l.T("return.title")), Survey: rv.sv, Municipality: rv.muni.Name(string(l)),
		Code: rv.muni.Code, Version: version, Note: note, Error: problem,
		BackURL: "/surveys/" + rv.sv.Slug + "/responses/" + rv.muni.Code}
	shown := rv.submitted
	if shown == nil {
		shown = rv.answers
	}
	visible := rv.def.Visible(shown)
	for _, sec := range rv.def.Sections {
		rs := returnSection{Code: sec.Code, Title: sec.Title.In(string(l))}
		for _, q := range sec.Questions {
			if !visible[q.Code] {
				continue
			}
			rs.Questions = append(rs.Questions, returnQuestion{Code: q.Code, Label: q.Text.In(string(l)),
				Value: s.display(rv.def, q, shown, l), Comment: comments[q.Code]})
			if comments[q.Code] != "" {
				rs.Comments++
			}
		}
		if len(rs.Questions) > 0 {
			p.Sections = append(p.Sections, rs)
			p.Comments += rs.Comments
		}
	}
	s.render(c, status, "return.html", p)
}

// returnResponse sends a submitted response back with a note and comments
// per question; the municipality sees them on its form.
func (s *Server) returnResponse(c *gin.Context) error {
	l := s.lang(c)
	rv, err := s.loadReviewed(c)
	if err != nil {
		return err
	}
	form, base, err := versionedForm(c)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(form.Get("note"))
	comments := map[string]string{}
	for _, q := range rv.def.Questions() {
		if v := strings.TrimSpace(form.Get("comment_" + q.Code)); v != "" {
			comments[q.Code] = v
		}
	}
	problem := ""
	if note == "" && len(comments) == 0 {
		problem = l.T("return.empty")
	}
	for _, v := range append([]string{note}, slices.Collect(maps.Values(comments))...) {
		if err := manage.CheckText(v); err != nil && problem == "" {
			problem = textProblem(l, err, "return.long", manage.MaxTextChars)
		}
	}
	if problem != "" {
		s.renderReturn(c, http.StatusUnprocessableEntity, rv, base, note, comments, problem)
		return nil
	}
	_, err = s.store.ReturnResponse(c.Request.Context(), rv.sv.ID, rv.muni.Code, base, principalOf(c).user.ID, note, comments)
	var ce *domain.ConflictError
	switch {
	case errors.As(err, &ce):
		s.renderReturn(c, http.StatusConflict, rv, ce.Current, note, comments, l.T("return.conflict"))
		return nil
	case errors.Is(err, domain.ErrNotSubmitted):
		return errNotSubmitted
	case err != nil:
		return err
	}
	s.log.Info("response returned", "request_id", requestID(c), "survey", rv.sv.Slug, "municipality", rv.muni.Code,
		"user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+rv.sv.Slug+"/responses/"+rv.muni.Code+"?done=returned")
	return nil
}
