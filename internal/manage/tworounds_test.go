package manage_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// twoRounds is a Manager (setup) with the regional 2025 round and a 2026
// round of the same questionnaire a year later (not yet made from the 2025
// one: a test sets r26.PreviousSurveyID when it wants the trends).
type twoRounds struct {
	m            *manage.Manager
	def25, def26 *survey.Definition
	r25, r26     domain.Survey
	versions     map[string]int // the last version saved, by round/municipality
}

func newTwoRounds(t testing.TB) *twoRounds {
	t.Helper()
	m, def25 := setup(t)
	def26, err := survey.Parse([]byte(strings.NewReplacer(`"slug":"regional-2025"`, `"slug":"regional-2026"`,
		`"reference_year":2025`, `"reference_year":2026`).Replace(string(def25.JSON()))), "")
	if err != nil || def26.ReferenceYear != 2026 {
		t.Fatalf("2026 definition: %v", err)
	}
	opens := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	r25, _, err := m.EnsureRound(ctx, def25, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	r26, _, err := m.EnsureRound(ctx, def26, opens.AddDate(1, 0, 0), opens.AddDate(1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	return &twoRounds{m: m, def25: def25, def26: def26, r25: r25, r26: r26, versions: map[string]int{}}
}

// answer saves muni's answers in sv as the system would, on top of its
// last save: population, ngo_support_eur unless support is 0, and extra;
// submitted when submit.
func (e *twoRounds) answer(t testing.TB, sv domain.Survey, muni string, population, support int, submit bool, extra survey.Answers) {
	t.Helper()
	def := e.def26
	if sv.ID == e.r25.ID {
		def = e.def25
	}
	a := survey.Answers{"population": json.Number(strconv.Itoa(population))}
	if support != 0 {
		a["ngo_support_eur"] = json.Number(strconv.Itoa(support))
	}
	for k, v := range extra {
		a[k] = v
	}
	key := sv.Slug + "/" + muni
	saved, err := e.m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: muni, DefinitionSHA256: manage.DefinitionSHA256(def),
		BaseVersion: e.versions[key], Answers: a, Submit: submit, Actor: domain.Actor{Kind: domain.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	e.versions[key] = saved.Response.Version
}
