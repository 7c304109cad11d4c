package manage_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// TestFeedbackAll: one report per submitted municipality, in the
// alphabetical order of the language, each compared with all of them;
// codes narrow the set; a municipality with only a draft has none; the
// data time is the service's time zone.
func TestFeedbackAll(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	riga, _ := time.LoadLocation("Europe/Riga")
	m.TimeZone = riga
	sv, _, err := m.EnsureRound(ctx, def, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Ādaži saves a draft and never submits; Demo then submits for six others.
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "adazi", DefinitionSHA256: sv.DefinitionSHA256,
		Answers: survey.Answers{"population": "1000"}, Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	if n, err := m.Demo(ctx, domain.OperatorPrincipal(), sv.Slug, 6, 3); err != nil || n != 6 {
		t.Fatalf("demo: %d %v", n, err)
	}
	for _, lang := range []string{"lv", "en"} {
		var names []string
		err := m.FeedbackAll(ctx, domain.OperatorPrincipal(), sv, nil, lang, func(f *reports.Feedback) error {
			if f.Respondents != 6 || f.Lang != lang || f.Generated.Location() != riga || len(f.Sections) == 0 {
				t.Errorf("%s: %d respondents, %s, %v", f.Municipality.Code, f.Respondents, f.Lang, f.Generated.Location())
			}
			names = append(names, f.Municipality.Name(lang))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sorted := slices.Clone(names)
		survey.SortByName(sorted, lang, func(s string) string { return s })
		if len(names) != 6 || !slices.Equal(names, sorted) {
			t.Errorf("%s: %q", lang, names)
		}
	}
	var codes []string
	if err := m.FeedbackAll(ctx, domain.OperatorPrincipal(), sv, nil, "lv", func(f *reports.Feedback) error {
		codes = append(codes, f.Municipality.Code)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := m.FeedbackAll(ctx, domain.OperatorPrincipal(), sv, []string{codes[2], "adazi", codes[0]}, "lv", func(f *reports.Feedback) error {
		got = append(got, f.Municipality.Code)
		return nil
	}); err != nil || !slices.Equal(got, []string{codes[0], codes[2]}) {
		t.Errorf("narrowed to %q: %v", got, err)
	}
	if f, err := m.Feedback(ctx, domain.OperatorPrincipal(), sv, codes[1], "en"); err != nil || f.Municipality.Code != codes[1] || f.Lang != "en" {
		t.Errorf("one report: %v", err)
	}
	for _, code := range []string{"adazi", "nekurienes"} {
		if _, err := m.Feedback(ctx, domain.OperatorPrincipal(), sv, code, "lv"); !errors.Is(err, reports.ErrNotInRound) {
			t.Errorf("%s: %v", code, err)
		}
	}
	// An error from fn stops the walk and comes back.
	stop := errors.New("stop")
	calls := 0
	if err := m.FeedbackAll(ctx, domain.OperatorPrincipal(), sv, nil, "lv", func(*reports.Feedback) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("stopping: %v after %d", err, calls)
	}
}
