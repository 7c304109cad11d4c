package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// An earlier round's summary kept and read back gives the trends exactly
// what its full aggregate gives: the same series, the same charts.
func TestTrendSummaryServesTheTrends(t *testing.T) {
	t.Parallel()
	rounds := trendRounds(t)
	full, err := Aggregate(rounds[0].Definition, rounds[0].Rows, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncodeTrendSummary(full)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := DecodeTrendSummary(rounds[0].Definition, Filter{}, data)
	if err != nil {
		t.Fatal(err)
	}
	series := func(earlier *Summary) (*Trend, *ChartSection) {
		rs := trendRounds(t)
		rs[0].Definition = rounds[0].Definition
		rs[0].Rows, rs[0].Summary = nil, earlier
		tr, err := TrendSeries(rs)
		if err != nil {
			t.Fatal(err)
		}
		sec, err := BuildTrendCharts(context.Background(), tr, ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		return tr, sec
	}
	wantT, wantC := series(full)
	gotT, gotC := series(kept)
	// The later round's definition is parsed anew for each: compare what
	// the series say, not the pointers to the questions.
	j := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if j(gotT.Rounds) != j(wantT.Rounds) || j(gotT.Indicators) != j(wantT.Indicators) || j(gotT.Choices) != j(wantT.Choices) {
		t.Errorf("the series differ:\n got %s %s %s\nwant %s %s %s", j(gotT.Rounds), j(gotT.Indicators), j(gotT.Choices),
			j(wantT.Rounds), j(wantT.Indicators), j(wantT.Choices))
	}
	if len(gotC.Charts) == 0 || len(gotC.Charts) != len(wantC.Charts) {
		t.Fatalf("%d trend charts, want %d (> 0)", len(gotC.Charts), len(wantC.Charts))
	}
	for i := range wantC.Charts {
		if gotC.Charts[i].Option != wantC.Charts[i].Option || !reflect.DeepEqual(gotC.Charts[i].Table, wantC.Charts[i].Table) {
			t.Errorf("chart %s differs:\n got %s\nwant %s", wantC.Charts[i].ID, gotC.Charts[i].Option, wantC.Charts[i].Option)
		}
	}
	// The figures the trends show of 2025 are there: N 3, median 100 of
	// per_ngo; 4 answered forms.
	if kept.Responses != 4 || kept.Indicators[0].N != 3 || kept.Indicators[0].Median != 100 || kept.Question("forms").Answered != 4 {
		t.Errorf("kept: %d responses, per_ngo %+v, forms answered %d", kept.Responses, kept.Indicators[0].Stats,
			kept.Question("forms").Answered)
	}
}

// A summary that does not fit the questionnaire it is read for, or of
// another format, is refused rather than read as if it fitted.
func TestTrendSummaryRefusesWhatDoesNotFit(t *testing.T) {
	t.Parallel()
	rounds := trendRounds(t)
	d25, d26 := rounds[0].Definition, rounds[1].Definition
	s, err := Aggregate(d25, rounds[0].Rows, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncodeTrendSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeTrendSummary(d25, Filter{}, data); err != nil {
		t.Fatalf("its own questionnaire: %v", err)
	}
	// 2026 renames ngos and reorders the options of forms.
	if _, err := DecodeTrendSummary(d26, Filter{}, data); err == nil {
		t.Error("read for another questionnaire")
	}
	other := strings.Replace(string(data), fmt.Sprintf(`"format":%d`, TrendSummaryFormat), `"format":0`, 1)
	if other == string(data) {
		t.Fatalf("no format in %s", data)
	}
	for name, bad := range map[string]string{
		"another format":   other,
		"an option fewer":  strings.Replace(string(data), `{"code":"rooms","count":2,"percent":50},`, "", 1),
		"an indicator off": strings.Replace(string(data), `"code":"per_ngo"`, `"code":"per_resident"`, 1),
		"not JSON":         string(data[:len(data)/2]),
	} {
		if bad == string(data) {
			t.Fatalf("%s: nothing changed in %s", name, data)
		}
		if _, err := DecodeTrendSummary(d25, Filter{}, []byte(bad)); err == nil {
			t.Errorf("%s: read", name)
		}
	}
	// No personal question is in it, nor any text answered.
	def, rows := testRows(t)
	s, err = Aggregate(def, source(rows), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if data, err = EncodeTrendSummary(s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "Balvas") || strings.Contains(string(data), "note") {
		t.Errorf("a text answer or a text question in %s", data)
	}
}

// What EncodeTrendSummary writes of a fixed set of rows is pinned, per
// TrendSummaryFormat: summaries are kept in the database across versions
// of this code, and one written by code that counted otherwise must not
// be read as this code's. When this fails, raise TrendSummaryFormat, then
// run go test ./reports -update to write the new format's file (the file
// of a format is never rewritten).
func TestTrendSummaryFormatPinned(t *testing.T) {
	t.Parallel()
	def, rows := testRows(t)
	var got strings.Builder
	for _, name := range []string{"all-submitted", "vidzeme", "with-drafts"} {
		f := map[string]Filter{"all-submitted": {}, "vidzeme": {PlanningRegion: "Vidzeme"},
			"with-drafts": {Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}}}[name]
		s, err := Aggregate(def, source(rows), f)
		if err != nil {
			t.Fatal(err)
		}
		data, err := EncodeTrendSummary(s)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "%s: %s\n", name, data)
	}
	checkFormatPinned(t, "trend-summary-format", "TrendSummaryFormat", TrendSummaryFormat, got.String())
}

// checkFormatPinned compares got with testdata/NAME-N.golden, N the
// format number the constant konst holds: a change fails the test until
// the constant is raised, which names a new file, then written by go test
// ./reports -update (an existing file is never rewritten).
func checkFormatPinned(t *testing.T, name, konst string, format int, got string) {
	t.Helper()
	path := filepath.Join("testdata", fmt.Sprintf("%s-%d.golden", name, format))
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("what %s %d writes is no longer %s: raise %s, then run go test ./reports -update\n--- got\n%s--- want (%s)\n%s",
			konst, format, path, konst, got, path, want)
	}
}
