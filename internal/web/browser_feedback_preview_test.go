package web_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
)

// TestBrowserFeedbackPreview: in Chromium, a coordinator's preview of a
// municipality's feedback report fits a 1366 px screen and a 390 px phone
// without scrolling sideways, in Latvian and English; its charts are drawn
// with the municipality's value marked. The standalone file printed to PDF
// is A4 with every area on pages of its own. With $SCREENSHOT_DIR set, the
// screenshots (whole pages and each area at 390 px) and the PDF are kept
// there.
func TestBrowserFeedbackPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	codes := e.feedbackRound()
	coord, _ := e.user("coordinator")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browser(t)
	signIn(t, c, ts.URL, coord.Email)
	me := codes[0]
	mu, err := e.st.Municipality(ctx, me)
	must(t, err)
	url := ts.URL + "/surveys/" + e.sv.Slug + "/feedback/" + me
	dir := os.Getenv("SCREENSHOT_DIR")
	for _, w := range []int64{1366, 390} {
		fitsWidth(t, c, url+"?lang=lv", "feedback", w)
		wantExact(t, c, "main h1", mu.NameLV)
		wantExact(t, c, `.feedback-tools a[href$="report.xlsx?lang=lv"]`, "Lejupielādēt .xlsx")
		// Every chart is drawn at a readable size, with the own value.
		sizes := eval[[]float64](t, c, `Array.from(document.querySelectorAll('svg.fb-chart')).map(function (s) { return s.getBoundingClientRect().width; })`)
		if len(sizes) < 8 {
			t.Errorf("%d px: %d charts", w, len(sizes))
		}
		for _, sw := range sizes {
			if sw < 250 {
				t.Errorf("%d px: a chart %v px wide", w, sw)
			}
		}
		if n := eval[int](t, c, `document.querySelectorAll('svg.fb-chart polygon').length`); n < 5 {
			t.Errorf("%d px: %d charts mark the own value", w, n)
		}
		if dir != "" {
			for _, id := range eval[[]string](t, c, `Array.from(document.querySelectorAll('.feedback h2')).map(function (h) { return h.id; })`) {
				eval[bool](t, c, `(document.getElementById('`+id+`').scrollIntoView(), true)`)
				screenshot(t, c, "feedback-"+itoa(int(w))+"-"+id)
			}
		}
		fitsWidth(t, c, url+"?lang=en", "feedback-en", w)
		wantExact(t, c, "main h1", mu.NameEN)
	}

	// The standalone file, printed.
	f, err := e.m.Feedback(ctx, domain.OperatorPrincipal(), e.sv, me, "lv")
	must(t, err)
	var doc bytes.Buffer
	must(t, reports.WriteFeedbackHTML(&doc, f, true))
	file := filepath.Join(t.TempDir(), "atgriezeniska-saite.html")
	must(t, os.WriteFile(file, doc.Bytes(), 0o600))
	must(t, chromedp.Do(c, chromedp.EmulateViewport(1366, 900), chromedp.Navigate("file://"+file),
		chromedp.WaitVisible(chromedp.CSS(".feedback"))))
	if dir != "" {
		fitsNow(t, c, "feedback-standalone", 1366)
	}
	yes := true
	var data []byte
	must(t, chromedp.Do(c, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: &yes, PreferCSSPageSize: &yes})
		data = res.Data
		return err
	})))
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", data)
	}
	if dir != "" {
		must(t, os.WriteFile(filepath.Join(dir, "feedback.pdf"), data, 0o644))
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(data, -1))
	// The first page (the introduction and the summary) and at least a
	// page per area.
	if pages < 1+len(f.Sections) {
		t.Errorf("%d pages for %d areas", pages, len(f.Sections))
	}
	// A4: 595 × 842 points.
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0 0 59[45]\.\d+ 84[12]\.\d+\s*\]`).Match(data) {
		t.Errorf("not A4: %q", regexp.MustCompile(`/MediaBox\s*\[[^\]]*\]`).Find(data))
	}
	if strings.Contains(doc.String(), "PERSONAL-") {
		t.Error("the file has personal answers")
	}
}
