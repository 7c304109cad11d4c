package manage_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

func TestScale(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	op := domain.OperatorPrincipal()
	res, err := m.Scale(ctx, op, manage.ScaleSpec{Rounds: 2, Municipalities: 50, Responses: 99, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rounds) != 2 || fmt.Sprint(res.Responses) != "[50 49]" {
		t.Fatalf("rounds %d, responses %v", len(res.Rounds), res.Responses)
	}
	db := m.Store.DB()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, q, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM municipalities WHERE code LIKE 'sim-%' AND active AND name_lv LIKE 'Simulēta pašvaldība %'`); n != 50 {
		t.Errorf("%d simulated municipalities, want 50", n)
	}
	if n := count(`SELECT count(DISTINCT planning_region) FROM municipalities WHERE code LIKE 'sim-%'`); n != 5 {
		t.Errorf("simulated municipalities in %d planning regions, want all 5", n)
	}
	if n := count(`SELECT count(*) FROM responses`); n != 99 {
		t.Errorf("%d responses, want 99", n)
	}
	// One revision each, as a first submit writes it.
	if n := count(`SELECT count(*) FROM revisions v JOIN responses r ON r.id = v.response_id
		WHERE v.version = 1 AND v.action = 'submit' AND v.actor = 'system' AND v.before = '{}'
		AND v.after = r.answers AND v.created_at = r.submitted_at`); n != 99 {
		t.Errorf("%d matching revisions, want 99", n)
	}
	if n := count(`SELECT count(*) FROM revisions`); n != 99 {
		t.Errorf("%d revisions, want 99", n)
	}
	var prev *int64
	for i, sv := range res.Rounds {
		if want := fmt.Sprintf("scale-%d", 2021+i); sv.Slug != want || sv.ReferenceYear != 2021+i {
			t.Errorf("round %d: %s %d, want %s", i, sv.Slug, sv.ReferenceYear, want)
		}
		if (prev == nil) != (sv.PreviousSurveyID == nil) || (prev != nil && *prev != *sv.PreviousSurveyID) {
			t.Errorf("round %s: previous %v, want %v", sv.Slug, sv.PreviousSurveyID, prev)
		}
		prev = &sv.ID
		_, def, err := m.Round(ctx, op, sv.Slug)
		if err != nil {
			t.Fatal(err)
		}
		list, err := m.Store.ResponsesForSurvey(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != res.Responses[i] {
			t.Errorf("round %s: %d responses, want %d", sv.Slug, len(list), res.Responses[i])
		}
		for _, r := range list {
			if r.Status != domain.StatusSubmitted || r.Version != 1 || r.SubmittedVersion == nil || *r.SubmittedVersion != 1 ||
				!bytes.Equal(r.AnswersJSON, r.SubmittedJSON) || r.SubmittedAt == nil ||
				r.SubmittedAt.Before(sv.OpensAt) || !r.SubmittedAt.Before(sv.ClosesAt) {
				t.Fatalf("round %s, %s: not stored as a submit: %+v", sv.Slug, r.MunicipalityCode, r)
			}
			a, err := r.Answers()
			if err != nil {
				t.Fatal(err)
			}
			if v := def.Validate(a, survey.Submit); !v.OK() {
				t.Fatalf("round %s, %s: %v", sv.Slug, r.MunicipalityCode, v.Errors)
			}
			revs, err := m.Store.Revisions(ctx, r.ID)
			if err != nil || len(revs) != 1 {
				t.Fatalf("round %s, %s: %d revisions (%v)", sv.Slug, r.MunicipalityCode, len(revs), err)
			}
		}
		tr, err := m.Tracker(ctx, op, sv, def)
		if err != nil {
			t.Fatal(err)
		}
		if tr.All.Submitted != res.Responses[i] || tr.All.Total != 50+43 {
			t.Errorf("round %s: tracker %+v", sv.Slug, tr.All)
		}
		var b bytes.Buffer
		if _, err := m.Export(ctx, op, &b, sv, def, manage.ExportOptions{}); err != nil || b.Len() == 0 {
			t.Fatalf("round %s: export: %v", sv.Slug, err)
		}
		cd, err := m.Charts(ctx, op, sv, def, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatalf("round %s: charts: %v", sv.Slug, err)
		}
		if cd.Summary.Responses != res.Responses[i] {
			t.Errorf("round %s: charts over %d responses", sv.Slug, cd.Summary.Responses)
		}
		trend := false
		for _, s := range cd.Set.Sections {
			trend = trend || s.Code == reports.TrendSectionCode
		}
		if trend != (i > 0) {
			t.Errorf("round %s: trend section %v, want %v", sv.Slug, trend, i > 0)
		}
	}

	// A second set: the slugs are taken; nothing changes.
	before := storetest.Fingerprint(t, m.Store)
	if _, err := m.Scale(ctx, op, manage.ScaleSpec{Rounds: 1, Municipalities: 5, Responses: 1}); !errors.Is(err, domain.ErrExists) {
		t.Errorf("second set: %v, want ErrExists", err)
	}
	if storetest.Fingerprint(t, m.Store) != before {
		t.Error("a refused set changed the database")
	}

	// The prepared forms a submit keeps are kept for each response: a
	// server just started reads them, and shows the charts made from the
	// documents.
	if n := count(`SELECT count(*) FROM response_prepared p JOIN responses r ON r.id = p.response_id
		AND p.row_xmin = r.xmin AND p.row_version = r.version`); n != 99 {
		t.Errorf("%d prepared forms kept of the responses as they are, want 99", n)
	}
	digest := func(m *manage.Manager) string {
		t.Helper()
		_, def, err := m.Round(ctx, op, res.Rounds[0].Slug)
		if err != nil {
			t.Fatal(err)
		}
		cd, err := m.Charts(ctx, op, res.Rounds[0], def, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		set, err := json.Marshal(cd.Set)
		if err != nil {
			t.Fatal(err)
		}
		return string(set)
	}
	fresh := &manage.Manager{Store: m.Store}
	got := digest(fresh)
	if n := manage.ChartFormsRead(fresh); n != 50 {
		t.Errorf("a server just started read %d forms of the first round, want 50", n)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM response_prepared`); err != nil {
		t.Fatal(err)
	}
	if want := digest(&manage.Manager{Store: m.Store}); got != want {
		t.Errorf("the charts from the forms kept differ from those from the documents:\n%.600s\n%.600s", got, want)
	}
}

// The generator refuses a database where a real municipality has
// answers, and sizes out of range, and changes nothing.
func TestScaleRefuses(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	opens := time.Now().Add(-time.Hour).Truncate(time.Second)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Demo(ctx, op, sv.Slug, 1, 1); err != nil {
		t.Fatal(err)
	}
	before := storetest.Fingerprint(t, m.Store)
	for _, spec := range []manage.ScaleSpec{
		{Rounds: 2, Municipalities: 50, Responses: 99},
		{Rounds: 0, Municipalities: 50, Responses: 1},
		{Rounds: 1, Municipalities: 0, Responses: 1},
		{Rounds: 2, Municipalities: 3, Responses: 7},
		{Rounds: 81, Municipalities: 3, Responses: 7},
	} {
		_, err := m.Scale(ctx, op, spec)
		want := manage.ErrScaleSize
		if spec.Rounds == 2 && spec.Municipalities == 50 {
			want = store.ErrRealAnswers
		}
		if !errors.Is(err, want) {
			t.Errorf("%+v: %v, want %v", spec, err, want)
		}
	}
	if storetest.Fingerprint(t, m.Store) != before {
		t.Error("a refused set changed the database")
	}
}

// BenchmarkScale makes a scale set of 10,000 responses over 5 rounds and
// 2,000 municipalities, each time in a fresh database:
//
//	go test ./internal/manage -run '^$' -bench Scale -benchtime 3x
func BenchmarkScale(b *testing.B) {
	spec := manage.ScaleSpec{Rounds: 5, Municipalities: 2000, Responses: 10_000, Seed: 1}
	for b.Loop() {
		b.StopTimer()
		m := &manage.Manager{Store: storetest.New(b)}
		b.StartTimer()
		if _, err := m.Scale(ctx, domain.OperatorPrincipal(), spec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(spec.Responses)*float64(b.N)/b.Elapsed().Seconds(), "responses/s")
}
