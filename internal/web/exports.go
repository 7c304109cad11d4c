package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// exportXLSX serves the round's Excel workbook (filters as query
// parameters, as reports.FilterFrom reads them); personal answers and
// contacts only for coordinators and admins. The workbook is written into
// the response as it is produced; an error before the first byte is an
// error page, one after it (the client went away) is only logged.
func (s *Server) exportXLSX(c *gin.Context) {
	sv, def, err := s.loadRound(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	me := principalOf(c)
	opt := reports.XLSXOptions{Lang: string(s.lang(c)), Personal: me.seesPersonalData(),
		Filter: reports.FilterFrom(c.Request.URL.Query())}
	w := &attachment{c: c, name: ExportFilename(sv.Slug, s.now().In(s.tz))}
	err = s.writeExport(c.Request.Context(), w, sv, def, opt)
	switch {
	case err == nil:
		s.log.Info("workbook exported", "request_id", requestID(c), "survey", sv.Slug, "user_id", me.user.ID,
			"personal", opt.Personal, "filter", opt.Filter.Query().Encode(), "bytes", w.n)
	case !w.started:
		s.fail(c, err)
	default:
		s.log.Error("workbook export cut short", "request_id", requestID(c), "survey", sv.Slug, "error", err)
		c.Abort()
	}
}

// ExportFilename names a round's workbook made at t: regional-2025-2026-11-26.xlsx.
// Anything but letters, digits, '-', '_' and '.' in the slug becomes '_'
// (a slug has none, but the name goes into a header).
func ExportFilename(slug string, t time.Time) string {
	safe := strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return r
		}
		return '_'
	}, slug)
	return safe + "-" + t.Format("2006-01-02") + ".xlsx"
}

// Export writes the workbook of the round with the slug, as the web
// export does, for `surveyd export`: the rows from the database cursor,
// the response tracker on the status sheet. opt.Personal decides whether
// personal answers and contacts are read at all. Unset Generated,
// TimeZone, Title and Round are filled in from the server and the round.
func (s *Server) Export(ctx context.Context, w io.Writer, slug string, opt reports.XLSXOptions) error {
	sv, err := s.store.SurveyBySlug(ctx, slug)
	if err != nil {
		return fmt.Errorf("survey %q: %w", slug, err)
	}
	def, err := s.definition(sv)
	if err != nil {
		return err
	}
	return s.writeExport(ctx, w, sv, def, opt)
}

func (s *Server) writeExport(ctx context.Context, w io.Writer, sv store.Survey, def *survey.Definition, opt reports.XLSXOptions) error {
	src, err := s.reportSource(ctx, sv, opt.Personal)
	if err != nil {
		return err
	}
	t, err := s.manage.Tracker(ctx, sv, def, opt.Personal)
	if err != nil {
		return err
	}
	opt.Status = statusRows(t, opt.Personal)
	if opt.Generated.IsZero() {
		opt.Generated = s.now()
	}
	if opt.TimeZone == nil {
		opt.TimeZone = s.tz
	}
	if opt.Title == "" {
		opt.Title = sv.TitleLV
		if opt.Lang == string(en) && sv.TitleEN != "" {
			opt.Title = sv.TitleEN
		}
	}
	if opt.Round == "" {
		opt.Round = fmt.Sprintf("%s · %s–%s", sv.Slug, sv.OpensAt.In(opt.TimeZone).Format("02.01.2006"),
			sv.ClosesAt.In(opt.TimeZone).Format("02.01.2006"))
	}
	return reports.WriteXLSX(w, def, src, opt)
}

// statusRows maps the tracker onto the workbook's status sheet; contacts
// ("Name <e-mail>") only when personal.
func statusRows(t manage.Tracker, personal bool) []reports.StatusRow {
	out := make([]reports.StatusRow, 0, len(t.Rows))
	for _, r := range t.Rows {
		sr := reports.StatusRow{Municipality: reports.Municipality{Code: r.Code, NameLV: r.NameLV, NameEN: r.NameEN,
			Kind: r.Kind, PlanningRegion: r.PlanningRegion, StatisticalRegion: r.StatisticalRegion},
			Status: r.Status, Percent: r.Percent, LastActivity: r.LastActivity, RemindersSent: r.RemindersSent}
		if personal {
			for _, ct := range r.Contacts {
				if ct.Name != "" {
					sr.Contacts = append(sr.Contacts, ct.Name+" <"+ct.Email+">")
				} else {
					sr.Contacts = append(sr.Contacts, ct.Email)
				}
			}
		}
		out = append(out, sr)
	}
	return out
}

// attachment writes a download into the response, sending the headers
// with the first byte so that an earlier error can still be an error page.
type attachment struct {
	c       *gin.Context
	name    string
	started bool
	n       int64
}

func (a *attachment) Write(p []byte) (int, error) {
	if !a.started {
		a.started = true
		h := a.c.Writer.Header()
		h.Set("Content-Type", reports.XLSXContentType)
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, a.name))
		a.c.Status(http.StatusOK)
	}
	n, err := a.c.Writer.Write(p)
	a.n += int64(n)
	return n, err
}
