package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserTrendsDraw: in Chromium at 1366 px and at 390 px, the 2026
// round's charts page and report draw every chart of the "Dinamika"
// section (ECharts' canvas or svg, a line series, the figures of the data
// set), with no console error and no CSP violation, and fit the width.
func TestBrowserTrendsDraw(t *testing.T) {
	t.Parallel()
	e := newTrendEnvAt(t, true)
	viewer, _ := e.user("viewer")
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	for _, size := range []struct{ w, h int }{{1366, 900}, {390, 844}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Parallel()
			c := browserAt(t, size.w, size.h)
			var mu sync.Mutex
			var console []string
			ended := false
			messages := chromedp.Console(c)
			go func() {
				for m, err := range messages {
					if err != nil {
						return
					}
					mu.Lock()
					if m.Text == "trends-test-end" {
						ended = true
					} else if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning ||
						m.Source == "security" || strings.Contains(m.Text, "Content Security Policy") {
						console = append(console, fmt.Sprintf("%s %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
					}
					mu.Unlock()
				}
			}()
			must(t, chromedp.Do(c, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
					Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {
						window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
					});`})
				return err
			})))
			signIn(t, c, ts.URL, viewer.Email)

			for _, p := range []string{"/charts", "/report", "/charts?lang=en"} {
				name := "trends" + strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(p)
				must(t, chromedp.Do(c, chromedp.EmulateViewport(int64(size.w), int64(size.h)),
					chromedp.Navigate(ts.URL+"/surveys/"+e.sv26.Slug+p),
					chromedp.WaitReady(chromedp.CSS("html[data-charts-drawn]"))))
				type drawn struct {
					All, Trend, Drawn, Lines int
					Missing, CSP             []string
					Median                   []float64
					Heading                  string
				}
				got := eval[drawn](t, c, `(function () {
					var out = {All: document.querySelectorAll('.chart[data-chart]').length, Trend: 0, Drawn: 0, Lines: 0,
						Missing: [], CSP: window.__csp || ['listener missing'], Median: [], Heading: ''};
					var sec = document.getElementById('s-results-trends');
					if (!sec) return out;
					out.Heading = sec.querySelector('h2').textContent;
					sec.querySelectorAll('.chart[data-chart]').forEach(function (el) {
						out.Trend++;
						var r = el.querySelector('canvas, svg'), box = el.getBoundingClientRect();
						if (r && box.height > 50 && box.width > 100) out.Drawn++; else out.Missing.push(el.id);
						var inst = echarts.getInstanceByDom(el);
						if (inst && inst.getOption().series.every(function (s) { return s.type === 'line'; })) out.Lines++;
					});
					var ind = echarts.getInstanceByDom(document.getElementById('chart-trend-ind_ngo_eur_per_resident'));
					if (ind) out.Median = ind.getOption().series[0].data.map(function (d) { return typeof d === 'object' ? d.value : d; });
					return out;
				})()`)
				if got.Trend < 4 || got.Drawn != got.Trend || got.Lines != got.Trend || len(got.Missing) > 0 {
					t.Errorf("%s: %d Dinamika charts, %d drawn, %d line charts; not drawn: %v", p, got.Trend, got.Drawn, got.Lines, got.Missing)
				}
				if want := map[bool]string{true: "Trends", false: "Dinamika"}[strings.Contains(p, "lang=en")]; got.Heading != want {
					t.Errorf("%s: the section's heading %q, want %q", p, got.Heading, want)
				}
				if fmt.Sprint(got.Median) != "[1.4 1.35]" {
					t.Errorf("%s: the drawn medians %v, want [1.4 1.35]", p, got.Median)
				}
				if len(got.CSP) > 0 {
					t.Errorf("%s: CSP violations: %v", p, got.CSP)
				}
				if attr := eval[string](t, c, `document.documentElement.getAttribute('data-charts-drawn')`); attr != fmt.Sprint(got.All) {
					t.Errorf("%s: charts.js drew %s of %d", p, attr, got.All)
				}
				// A legend's names take the chart's width, less its symbol.
				lw := eval[[]float64](t, c, `(function () {
					var ch = echarts.getInstanceByDom(document.getElementById('chart-trend-ngo_forms'));
					return [ch.getOption().legend[0].textStyle.width, ch.getWidth()];
				})()`)
				if lw[0] < 120 || lw[0] >= lw[1] || lw[1] > 600 && lw[0] <= 260 {
					t.Errorf("%s: the legend's names are %v px wide in a %v px chart", p, lw[0], lw[1])
				}
				// In the report (SVG), every text of a Dinamika chart — the
				// legend's every line among them — lies within the chart.
				if strings.HasPrefix(p, "/report") {
					out := eval[[]string](t, c, `(function () {
						var out = [];
						document.querySelectorAll('#s-results-trends .chart[data-chart]').forEach(function (el) {
							var box = el.getBoundingClientRect(), texts = el.querySelectorAll('svg text');
							if (texts.length === 0) out.push(el.id + ': no text');
							texts.forEach(function (tx) {
								var r = tx.getBoundingClientRect();
								if (r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)) {
									out.push(el.id + ': "' + tx.textContent + '" outside the chart');
								}
							});
						});
						return out;
					})()`)
					if len(out) > 0 {
						t.Errorf("%s: %s", p, strings.Join(out, "; "))
					}
					// The NGO forms' legend names every option, on paper too.
					legend := eval[[]string](t, c, `Array.from(document.querySelectorAll('#chart-trend-ngo_forms svg text')).map(function (t) { return t.textContent; })`)
					for _, o := range []string{"Projektu konkursi", "Konsultācijas un mācības", "NVO centrs vai NVO māja", "Cits"} {
						if !slices.Contains(legend, o) {
							t.Errorf("%s: the NGO forms' legend lacks %q: %q", p, o, legend)
						}
					}
				}
				fitsScrolling(t, c, name, int64(size.w))
			}
			// Narrowed from a wide screen to a phone, the legend follows.
			if size.w > 390 {
				must(t, chromedp.Do(c, chromedp.EmulateViewport(390, 844)))
				eventually(t, "the legend narrowed with the window", func() bool {
					lw := eval[[]float64](t, c, `(function () {
						var ch = echarts.getInstanceByDom(document.getElementById('chart-trend-ngo_forms'));
						return [ch.getOption().legend[0].textStyle.width, ch.getWidth()];
					})()`)
					return lw[1] < 390 && lw[0] < lw[1]
				})
				fitsScrolling(t, c, "trends-narrowed", 390)
			}
			must(t, chromedp.Do(c, chromedp.Evaluate[chromedp.Void](`console.info('trends-test-end')`)))
			eventually(t, "the console read to the end", func() bool { mu.Lock(); defer mu.Unlock(); return ended })
			mu.Lock()
			defer mu.Unlock()
			if len(console) > 0 {
				t.Errorf("console:\n  %s", strings.Join(console, "\n  "))
			}
		})
	}
}
