package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/civitas-lv/surveyd/reports"
	"github.com/gin-gonic/gin"
)

// exportXLSX serves the round's Excel workbook (filters as query
// parameters, as reports.FilterFrom reads them); personal answers and
// contacts only for coordinators and admins. The workbook is written into
// the response as it is produced; an error before the first byte is an
// error page, one after it (the client went away) is only logged.
func (s *Server) exportXLSX(c *gin.Context) error {
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	me := principalOf(c)
	opt := reports.XLSXOptions{Lang: string(s.lang(c)), Personal: me.seesPersonalData(),
		Filter: reports.FilterFrom(c.Request.URL.Query())}
	w := &attachment{c: c, name: ExportFilename(sv.Slug, s.now().In(s.tz))}
	opt.Generated, opt.TimeZone = s.now(), s.tz
	err = s.manage.Export(c.Request.Context(), w, sv, def, opt)
	switch {
	case err == nil:
		s.log.Info("workbook exported", "request_id", requestID(c), "survey", sv.Slug, "user_id", me.user.ID,
			"personal", opt.Personal, "filter", opt.Filter.Query().Encode(), "bytes", w.n)
	case !w.started:
		return err
	default:
		s.log.Error("workbook export cut short", "request_id", requestID(c), "survey", sv.Slug, "error", err)
		c.Abort()
	}
	return nil
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
