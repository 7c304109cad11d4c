package web

import (
	"net/http"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/gin-gonic/gin"
)

// printPage is the printable copy of a municipality's answers: every
// question shown for them with its answer as text, for sign-off and the
// archive.
type printPage struct {
	Page
	Municipality string
	SurveyTitle  string
	RefYear      int
	StatusText   string
	Changed      bool // unsubmitted changes after submitting
	Version      int
	Prepared     string
	CopyText     string // which answers are shown
	// The other copy, when both exist and differ.
	OtherNote, OtherURL, OtherText string
	FormURL                        string
	Sections                       []printSection
}

type printSection struct {
	Code, Title string
	Questions   []printQuestion
}

type printQuestion struct {
	Code, Label, Value string
}

// printView shows the printable copy: the working copy by default, the
// submitted one with ?copy=submitted (when there is one).
func (s *Server) printView(c *gin.Context) error {
	r, ok, err := s.openRespondent(c)
	if err != nil || !ok {
		return err
	}
	l := s.lang(c)
	cp, err := r.PrintCopy(c.Query("copy") == "submitted")
	if err != nil {
		return err
	}
	muni := r.Municipality.Name(string(l))
	title := r.Def.Title.In(string(l))
	base := "/r/" + c.Param("token")
	p := printPage{Page: s.page(c, l.T("print.title", "municipality", muni, "year", r.Def.ReferenceYear)), Municipality: muni, SurveyTitle: title,
		RefYear: r.Def.ReferenceYear, Prepared: l.when(s.now().In(s.tz), locative), FormURL: base,
		Version: cp.Version, CopyText: l.T("print.copy.working")}
	var at string
	if r.Response.SubmittedAt != nil {
		at = l.when(r.Response.SubmittedAt.In(s.tz), locative)
	}
	switch r.Response.Status {
	case domain.StatusSubmitted:
		p.StatusText = l.T("print.status.submitted", "date", at)
		p.Changed = r.Response.ChangedSinceSubmit()
	case domain.StatusReturned:
		p.StatusText = l.T("print.status.returned", "date", at)
		p.Changed = r.Response.ChangedSinceSubmit()
	default:
		p.StatusText = l.T("print.status.draft")
	}
	shown := cp.Answers
	switch {
	case cp.Submitted:
		p.CopyText = l.T("print.copy.submitted", "date", at)
		if cp.OtherDiffers {
			p.OtherNote, p.OtherURL, p.OtherText = l.T("print.differs.working"), base+manage.PrintPath, l.T("print.show.working")
		}
	case cp.OtherDiffers:
		p.OtherNote, p.OtherURL, p.OtherText = l.T("print.differs.submitted"), base+manage.PrintPath+"?copy=submitted", l.T("print.show.submitted")
	}

	visible := r.Def.Visible(shown)
	for _, sec := range r.Def.Sections {
		ps := printSection{Code: sec.Code, Title: sec.Title.In(string(l))}
		for _, q := range sec.Questions {
			if !visible[q.Code] {
				continue
			}
			ps.Questions = append(ps.Questions, printQuestion{Code: q.Code, Label: q.Text.In(string(l)),
				Value: s.display(r.Def, q, shown, l)})
		}
		if len(ps.Questions) > 0 {
			p.Sections = append(p.Sections, ps)
		}
	}
	s.render(c, http.StatusOK, "print.html", p)
	return nil
}

// logReceipt logs why the e-mail receipt of a submit could not be queued;
// that does not fail the submit. The error holds neither the address nor
// the token.
func (s *Server) logReceipt(c *gin.Context, saved manage.Saved) {
	if saved.ReceiptError != nil {
		s.log.Warn("queue the receipt of a submit", "request_id", requestID(c), "error", saved.ReceiptError)
	}
}
