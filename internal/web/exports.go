package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/gin-gonic/gin"
)

// exportXLSX serves the round's Excel workbook (filters as query
// parameters, as reports.FilterFrom reads them); personal answers and
// contacts only for those who may see personal data (manage.Export
// decides). The workbook is written into the response as it is produced;
// an error before the first byte is an error page, one after it (the
// client went away) is only logged.
func (s *Server) exportXLSX(c *gin.Context) error {
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	opt := manage.ExportOptions{Lang: string(s.lang(c)), Filter: reports.FilterFrom(c.Request.URL.Query()),
		Generated: s.now(), TimeZone: s.tz}
	w := &attachment{c: c, name: ExportFilename(sv.Slug, s.now().In(s.tz))}
	personal, err := s.manage.Export(c.Request.Context(), actor(c), w, sv, def, opt)
	switch {
	case err == nil:
		s.log.Info("workbook exported", "request_id", requestID(c), "survey", sv.Slug, "user_id", principalOf(c).user.ID,
			"personal", personal, "filter", opt.Filter.Query().Encode(), "bytes", w.n)
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
	return fileSafe(slug) + "-" + t.Format("2006-01-02") + ".xlsx"
}

// fileSafe keeps letters, digits, '-', '_' and '.' of ASCII and makes
// anything else '_'.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return r
		}
		return '_'
	}, s)
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

// openDataZip serves the round's open-data package (manage.OpenData): the
// submitted answers without personal data, whoever asks among those who
// may see results, so no role changes what it holds. It is built in
// memory (a few hundred kilobytes), so an error is still an error page.
func (s *Server) openDataZip(c *gin.Context) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := s.manage.OpenData(c.Request.Context(), actor(c), &b, sv, ""); err != nil {
		return err
	}
	s.log.Info("open-data package downloaded", "request_id", requestID(c), "survey", sv.Slug,
		"user_id", principalOf(c).user.ID, "bytes", b.Len())
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, OpenDataFilename(sv.Slug)))
	c.Data(http.StatusOK, reports.OpenDataContentType, b.Bytes())
	return nil
}

// OpenDataFilename names a round's open-data package:
// regional-2025-opendata.zip (no date: the same data, the same file).
func OpenDataFilename(slug string) string {
	return fileSafe(slug) + "-opendata.zip"
}
