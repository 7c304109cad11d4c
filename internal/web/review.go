package web

import (
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// loadReview reads the response the address names (manage.Review).
func (s *Server) loadReview(c *gin.Context) (*manage.Review, error) {
	return s.manage.Review(c.Request.Context(), actor(c), c.Param("slug"), c.Param("code"))
}

// loadReviewToChange reads the response for a correction or a return being
// posted (not recorded as a view: the change records itself).
func (s *Server) loadReviewToChange(c *gin.Context) (*manage.Review, error) {
	return s.manage.ReviewToChange(c.Request.Context(), actor(c), c.Param("slug"), c.Param("code"))
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
	rv, err := s.loadReview(c)
	if err != nil {
		return err
	}
	personal := rv.Personal
	p := reviewPage{Page: s.page(c, rv.Municipality.Name(string(l))), Survey: rv.Survey, SurveyTitle: rv.Def.Title.In(string(l)),
		Municipality: rv.Municipality.Name(string(l)), Code: rv.Municipality.Code, Status: rv.Response.Status, Version: rv.Response.Version,
		SubmittedAt: rv.Response.SubmittedAt, Changed: rv.Response.ChangedSinceSubmit(), Deadline: rv.Survey.Deadline(rv.ExtendedUntil),
		Extended: rv.ExtendedUntil != nil, State: rv.Survey.StateWith(s.now(), rv.ExtendedUntil),
		CanCoordinate: actor(c).Can(coordinate), ShowHistory: personal, Returns: rv.Returns, OpenReturn: rv.OpenReturn}
	if rv.Response.ID == 0 {
		p.Status = "none"
	}
	p.StatusText = l.T("response.status." + p.Status)
	base := "/surveys/" + rv.Survey.Slug + "/responses/" + rv.Municipality.Code
	for _, sec := range rv.Def.Sections {
		rs := reviewSection{Title: sec.Title.In(string(l))}
		for _, q := range sec.Questions {
			rq := reviewQuestion{Code: q.Code, Label: q.Text.In(string(l)), Hidden: !rv.Visible[q.Code],
				Personal: q.Personal && !personal, CorrectURL: base + "/correct?q=" + q.Code}
			if !rq.Personal {
				rq.Value = s.display(rv.Def, q, rv.Answers, l)
				if rv.Submitted != nil {
					rq.SubmittedValue = s.display(rv.Def, q, rv.Submitted, l)
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
	p.History = s.history(rv, l)
	if k := c.Query("done"); k != "" {
		p.Flash = l.T("review.done." + k)
	}
	s.render(c, http.StatusOK, "review.html", p)
	return nil
}

// history lists the response's revisions, the newest first, with each
// changed answer before and after.
func (s *Server) history(rv *manage.Review, l lang) []historyItem {
	var out []historyItem
	for _, r := range rv.History {
		h := historyItem{At: r.At, Action: l.T("action." + r.Action), Version: r.Version, Note: r.Note}
		if r.Action == domain.RevisionErase {
			h.Note = erasedNote(rv.Def, r.Note, l)
		}
		switch r.Actor {
		case domain.ActorInvitation:
			h.Who = l.T("actor.invitation")
		case domain.ActorUser:
			h.Who = r.UserEmail
		default:
			h.Who = l.T("actor.system")
		}
		before, after := r.Before, r.After
		for _, q := range rv.Def.Questions() {
			_, b1 := before[q.Code]
			_, a1 := after[q.Code]
			_, b2 := before[q.OtherKey()]
			_, a2 := after[q.OtherKey()]
			if !b1 && !a1 && !b2 && !a2 {
				continue
			}
			ci := changeItem{Label: q.Text.In(string(l)), Before: s.display(rv.Def, q, before, l),
				After: s.display(rv.Def, q, after, l)}
			if (b2 || a2) && !b1 && !a1 { // only the "other" text changed
				ci.Before, _ = before[q.OtherKey()].(string)
				ci.After, _ = after[q.OtherKey()].(string)
			}
			h.Changes = append(h.Changes, ci)
		}
		out = append(out, h)
	}
	return out
}

// erasedNote says which answers an erasure of personal data removed, by
// their questions' texts, from the revision's note (the codes, comma
// separated; an "other" text's key names its question).
func erasedNote(def *survey.Definition, codes string, l lang) string {
	var names []string
	seen := map[string]bool{}
	for _, code := range strings.Split(codes, ",") {
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		name := code
		if q := def.Question(code); q != nil {
			name = q.Text.In(string(l))
		} else if q := def.Question(strings.TrimSuffix(code, "_other")); q != nil {
			name = q.Text.In(string(l))
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return l.T("history.erased", "questions", strings.Join(names, "; "))
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
	rv, err := s.loadReview(c)
	if err != nil {
		return err
	}
	q := rv.Def.Question(c.Query("q"))
	if q == nil {
		return errNotFound
	}
	l := s.lang(c)
	s.renderCorrect(c, http.StatusOK, rv, q, formInput{values: valuesOf(rv.Def, rv.Answers, l)}, rv.Response.Version, "", "")
	return nil
}

func (s *Server) renderCorrect(c *gin.Context, status int, rv *manage.Review, q *survey.Question, in formInput, version int, reason, problem string) {
	l := s.lang(c)
	p := correctPage{Page: s.page(c, l.T("correct.title")), Survey: rv.Survey, Municipality: rv.Municipality.Name(string(l)),
		Code: rv.Municipality.Code, Question: s.questionView(q, l, in, false), Version: version, Reason: reason, Error: problem,
		Submitted: rv.Submitted != nil, BackURL: "/surveys/" + rv.Survey.Slug + "/responses/" + rv.Municipality.Code}
	s.render(c, status, "correct.html", p)
}

// correct changes one answer as the coordinator, with a reason
// (manage.Correct). A refused correction comes back with what was typed
// and why.
func (s *Server) correct(c *gin.Context) error {
	l := s.lang(c)
	rv, err := s.loadReviewToChange(c)
	if err != nil {
		return err
	}
	form, base, err := versionedForm(c)
	if err != nil {
		return err
	}
	q := rv.Def.Question(form.Get("question"))
	if q == nil {
		return badRequest(errors.New("question missing"))
	}
	reason := strings.TrimSpace(form.Get("reason"))
	_, err = s.manage.Correct(c.Request.Context(), actor(c), manage.Correction{Slug: rv.Survey.Slug,
		Municipality: rv.Municipality.Code, Question: q.Code, BaseVersion: base, Answers: answersOf(rv.Def, form), Reason: reason})
	var ia *manage.InvalidAnswersError
	var ce *domain.ConflictError
	switch {
	case errors.Is(err, manage.ErrReasonMissing):
		s.renderCorrect(c, http.StatusUnprocessableEntity, rv, q, formInput{values: form}, base, reason, l.T("correct.reason.missing"))
		return nil
	case textProblem(l, err, "correct.reason.long", manage.MaxTextChars) != "":
		s.renderCorrect(c, http.StatusUnprocessableEntity, rv, q, formInput{values: form}, base, reason,
			textProblem(l, err, "correct.reason.long", manage.MaxTextChars))
		return nil
	case errors.As(err, &ia):
		problem := l.T("correct.invalid")
		if _, ok := ia.Errors[q.Code]; !ok {
			for _, m := range ia.Errors { // a rule on another question
				problem += " " + m.In(string(l))
				break
			}
		}
		s.renderCorrect(c, http.StatusUnprocessableEntity, rv, q, formInput{values: form, errors: ia.Errors}, base, reason, problem)
		return nil
	case errors.As(err, &ce):
		s.renderCorrect(c, http.StatusConflict, rv, q, formInput{values: form}, ce.Current, reason, l.T("correct.conflict"))
		return nil
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, "/surveys/"+rv.Survey.Slug+"/responses/"+rv.Municipality.Code+"?done=corrected")
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
	rv, err := s.loadReview(c)
	if err != nil {
		return err
	}
	if rv.Returnable() != nil {
		return errNotSubmitted
	}
	s.renderReturn(c, http.StatusOK, rv, rv.Response.Version, "", nil, "")
	return nil
}

var errNotSubmitted = &appError{status: http.StatusConflict, code: "not_submitted", key: "return.notsubmitted"}

func (s *Server) renderReturn(c *gin.Context, status int, rv *manage.Review, version int, note string, comments map[string]string, problem string) {
	l := s.lang(c)
	p := returnPage{Page: s.page(c, l.T("return.title")), Survey: rv.Survey, Municipality: rv.Municipality.Name(string(l)),
		Code: rv.Municipality.Code, Version: version, Note: note, Error: problem,
		BackURL: "/surveys/" + rv.Survey.Slug + "/responses/" + rv.Municipality.Code}
	shown := rv.Submitted
	if shown == nil {
		shown = rv.Answers
	}
	visible := rv.Def.Visible(shown)
	for _, sec := range rv.Def.Sections {
		rs := returnSection{Code: sec.Code, Title: sec.Title.In(string(l))}
		for _, q := range sec.Questions {
			if !visible[q.Code] {
				continue
			}
			rs.Questions = append(rs.Questions, returnQuestion{Code: q.Code, Label: q.Text.In(string(l)),
				Value: s.display(rv.Def, q, shown, l), Comment: comments[q.Code]})
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
// per question (manage.ReturnResponse); the municipality sees them on its
// form. A refused return comes back with what was typed and why.
func (s *Server) returnResponse(c *gin.Context) error {
	l := s.lang(c)
	rv, err := s.loadReviewToChange(c)
	if err != nil {
		return err
	}
	form, base, err := versionedForm(c)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(form.Get("note"))
	comments := map[string]string{}
	for _, q := range rv.Def.Questions() {
		if v := strings.TrimSpace(form.Get("comment_" + q.Code)); v != "" {
			comments[q.Code] = v
		}
	}
	_, err = s.manage.ReturnResponse(c.Request.Context(), actor(c), manage.Return{Slug: rv.Survey.Slug,
		Municipality: rv.Municipality.Code, BaseVersion: base, Note: note, Comments: comments})
	var ce *domain.ConflictError
	switch {
	case errors.Is(err, manage.ErrReturnEmpty):
		s.renderReturn(c, http.StatusUnprocessableEntity, rv, base, note, comments, l.T("return.empty"))
		return nil
	case textProblem(l, err, "return.long", manage.MaxTextChars) != "":
		s.renderReturn(c, http.StatusUnprocessableEntity, rv, base, note, comments, textProblem(l, err, "return.long", manage.MaxTextChars))
		return nil
	case errors.As(err, &ce):
		s.renderReturn(c, http.StatusConflict, rv, ce.Current, note, comments, l.T("return.conflict"))
		return nil
	case errors.Is(err, domain.ErrNotSubmitted):
		return errNotSubmitted
	case err != nil:
		return err
	}
	s.log.Info("response returned", "request_id", requestID(c), "survey", rv.Survey.Slug, "municipality", rv.Municipality.Code,
		"user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+rv.Survey.Slug+"/responses/"+rv.Municipality.Code+"?done=returned")
	return nil
}
