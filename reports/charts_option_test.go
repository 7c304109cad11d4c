package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	goopts "github.com/go-echarts/go-echarts/v2/opts"
	gorender "github.com/go-echarts/go-echarts/v2/render"
)

// chartOptionJSONBySnippet is how the options were made before
// chartOptionJSON: go-echarts' RenderSnippet executes its templates (the
// option through JSONNotEscaped, HTML-escaped by html/template and
// unescaped again), and the option is cut out of the snippet, compacted
// and its <, > and & escaped. Kept here to show the new way gives the same
// bytes, and to measure both.
func chartOptionJSONBySnippet(ch goChart) (string, error) {
	r, ok := ch.(gorender.Renderer)
	if !ok {
		return "", errors.New("not a go-echarts renderer")
	}
	raw := strings.TrimSuffix(strings.TrimSpace(r.RenderSnippet().Option), ";")
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(raw)); err != nil {
		return "", fmt.Errorf("the option is not JSON: %w", err)
	}
	var out bytes.Buffer
	json.HTMLEscape(&out, compact.Bytes())
	return out.String(), nil
}

// rateOf tallies the rows per planning region for the rate chart, every
// third one counted as not submitted.
func rateOf(rows []Row) []RateTally {
	var out []RateTally
	at := map[string]int{}
	for n, r := range rows {
		i, ok := at[r.Municipality.PlanningRegion]
		if !ok {
			i = len(out)
			at[r.Municipality.PlanningRegion] = i
			out = append(out, RateTally{Name: r.Municipality.PlanningRegion})
		}
		out[i].Total++
		if n%3 != 0 {
			out[i].Submitted++
		}
	}
	return out
}

// Every chart of the 2025 questionnaire (both languages, the overview's
// rate and regions charts, every question and indicator), and of the test
// questionnaire with labels that would end a script element, has the same
// option bytes made with JSON() as cut out of RenderSnippet.
func TestChartOptionsSameAsSnippet(t *testing.T) {
	t.Parallel()
	in := benchData(t, 86)
	s2025, err := Aggregate(in.def, source(in.rows), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		s    *Summary
		o    ChartOptions
	}{
		{"regional-2025/lv", s2025, ChartOptions{Lang: "lv", T: chartTestT, Rate: rateOf(in.rows)}},
		{"regional-2025/en", s2025, ChartOptions{Lang: "en", T: chartTestT, Rate: rateOf(in.rows)}},
		{"chart-test/lv", chartTestSummary(t, Filter{}), ChartOptions{Lang: "lv", T: chartTestT, Rate: chartTestRate}},
		{"chart-test/en", chartTestSummary(t, Filter{}), ChartOptions{Lang: "en", T: chartTestT, Rate: chartTestRate}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			got, err := buildCharts(ctx, c.s, c.o, chartOptionJSON)
			if err != nil {
				t.Fatal(err)
			}
			want, err := buildCharts(ctx, c.s, c.o, chartOptionJSONBySnippet)
			if err != nil {
				t.Fatal(err)
			}
			gotAll, wantAll := got.All(), want.All()
			if len(gotAll) != len(wantAll) {
				t.Fatalf("%d charts, by snippet %d", len(gotAll), len(wantAll))
			}
			drawn := 0
			for i, g := range gotAll {
				w := wantAll[i]
				if g.ID != w.ID {
					t.Fatalf("chart %d is %s, by snippet %s", i, g.ID, w.ID)
				}
				if g.Option != w.Option {
					t.Errorf("%s: option differs\n  JSON(): %s\n snippet: %s", g.ID, g.Option, w.Option)
				}
				if g.Option != "" {
					drawn++
				}
			}
			// Every chart of the 2025 questionnaire has something to draw,
			// so every chart's bytes were compared.
			if strings.HasPrefix(c.name, "regional-2025") && drawn != len(gotAll) {
				t.Errorf("%d of %d charts drawn", drawn, len(gotAll))
			}
			if drawn < 5 {
				t.Fatalf("only %d charts drawn", drawn)
			}
			t.Logf("%d charts, %d options compared", len(gotAll), drawn)
		})
	}
}

// BenchmarkChartOptions compares the charts of the 2025 questionnaire built
// with the option cut out of RenderSnippet (snippet) and with JSON()
// (json); tables-only is the same build without options, what both share.
func BenchmarkChartOptions(b *testing.B) {
	for _, n := range []int{43, 1000} {
		in := benchData(b, n)
		s, err := Aggregate(in.def, source(in.rows), Filter{})
		if err != nil {
			b.Fatal(err)
		}
		o := ChartOptions{Lang: "lv", Rate: rateOf(in.rows)}
		for _, way := range []struct {
			name   string
			option func(goChart) (string, error)
			tables bool
		}{
			{"snippet", chartOptionJSONBySnippet, false},
			{"json", chartOptionJSON, false},
			{"tables-only", chartOptionJSON, true},
		} {
			b.Run(fmt.Sprintf("responses=%d/%s", n, way.name), func(b *testing.B) {
				o := o
				o.TablesOnly = way.tables
				b.ReportAllocs()
				for b.Loop() {
					if _, err := buildCharts(context.Background(), s, o, way.option); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// A distribution's dots are written as the opts.ScatterData they stand
// for would be, number for number (small, large, negative, rounded, with
// and without an exponent).
func TestChartDotsSameAsScatterData(t *testing.T) {
	t.Parallel()
	values := []float64{0, -0.0, 1, -1, 0.5, 12345.67, -98765.4321, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 123e-12, 1e20, 1e21,
		-1e21, 1.7976931348623157e308, 5e-324, 0.1 + 0.2, 2025, 3.14159265358979, 1e-100, -2.5e-8, 999999999999999999999.0}
	for i := range 200 {
		values = append(values, chartRound(float64(i*i)*1.37-500, 2), float64(i)/7)
	}
	var data []goopts.ScatterData
	for _, v := range values {
		data = append(data, goopts.ScatterData{Value: []any{v, 0}})
	}
	want, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := newChartDots(values).appendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("dots\n got %s\nwant %s", got, want)
	}
	if got, err := newChartDots(nil).appendJSON(nil); err != nil || string(got) != "[]" {
		t.Errorf("no dots: %s %v", got, err)
	}
	if _, err := newChartDots([]float64{math.NaN()}).appendJSON(nil); err == nil {
		t.Error("NaN written")
	}
	// In an option, the dots take the place of their mark, which must be
	// there once.
	d := newChartDots(values)
	mark, err := json.Marshal(map[string]any{"data": d, "name": "x"})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := d.splice(string(mark))
	if err != nil || opt != `{"data":`+string(want)+`,"name":"x"}` {
		t.Errorf("spliced: %.200s %v", opt, err)
	}
	for _, bad := range []string{`{"data":[]}`, string(mark[:len(mark)-1]) + `,"again":"` + d.mark + `"}`} {
		if _, err := d.splice(bad); err == nil {
			t.Errorf("spliced into %.200s", bad)
		}
	}
	if other := newChartDots(values); other.mark == d.mark {
		t.Error("two dots with one mark")
	}
}
