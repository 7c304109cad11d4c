package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// Demo fills the round with plausible synthetic, submitted answers for n
// municipalities that have not answered yet, so reports can be tried. It
// never touches a municipality that has saved anything. The changes are
// recorded as the system's, with the note "demo", and the round's
// prepared answers are kept as submits keep them (keepRoundForms). For
// admins and the operator (domain.AccessAdminister): it writes answers no
// municipality gave.
func (m *Manager) Demo(ctx context.Context, p domain.Principal, slug string, n int, seed uint64) (int, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return 0, err
	}
	sv, err := m.Store.SurveyBySlug(ctx, slug)
	if err != nil {
		return 0, fmt.Errorf("survey %q: %w", slug, err)
	}
	def, err := survey.Parse(sv.Definition, slug)
	if err != nil {
		return 0, err
	}
	munis, err := m.Store.Municipalities(ctx)
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	made := 0
	for _, mu := range munis {
		if made >= n {
			break
		}
		if !mu.Active {
			continue
		}
		if _, err := m.Store.Response(ctx, sv.ID, mu.Code); err == nil {
			continue // has answers of its own
		} else if !errors.Is(err, domain.ErrNotFound) {
			return made, err
		}
		answers, err := def.Synthesize(rng, plausible(rng, mu))
		if err != nil {
			return made, err
		}
		if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: mu.Code,
			DefinitionSHA256: sv.DefinitionSHA256, Answers: answers, Submit: true,
			Actor: domain.Actor{Kind: domain.ActorSystem, Note: "demo"}}); err != nil {
			return made, err
		}
		made++
	}
	if made > 0 {
		// The prepared forms their submits through personal links would
		// have kept (keepSavedForm).
		if _, err := m.keepRoundForms(ctx, sv, def); err != nil {
			return made, err
		}
	}
	return made, nil
}

// plausible gives the figures of the 2025 questionnaire realistic sizes:
// population by kind of municipality, amounts in proportion to it, and the
// participatory-budget funnel in order. Other questions get generic values.
func plausible(rng *rand.Rand, mu domain.Municipality) survey.Override {
	pop := 3000 + rng.IntN(40000)
	if mu.Kind == "valstspilseta" {
		pop = 20000 + rng.IntN(110000)
		if mu.Code == "riga" {
			pop = 560000 + rng.IntN(40000)
		}
	}
	num := func(v float64, places int) json.Number {
		p := math.Pow(10, float64(places))
		return json.Number(strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64))
	}
	intOf := func(a survey.Answers, code string) float64 {
		if n, ok := a[code].(json.Number); ok {
			f, _ := n.Float64()
			return f
		}
		return 0
	}
	return func(q *survey.Question, a survey.Answers) (any, bool) {
		switch q.Code {
		case "population":
			return num(float64(pop), 0), true
		case "ngo_support_eur":
			return num(float64(pop)*(0.5+rng.Float64()*6), 2), true
		case "ngo_supported_count":
			return num(float64(3+rng.IntN(10+pop/2000)), 0), true
		case "del_funding_eur":
			return num(float64(pop)*(0.2+rng.Float64()*4), 2), true
		case "pb_amount_eur":
			return num(float64(pop)*(0.3+rng.Float64()*1.5), 0), true
		case "pb_share_pct":
			return num(0.4+rng.Float64()*0.8, 2), true
		case "pb_ideas_submitted":
			return num(float64(5+rng.IntN(20+pop/1000)), 0), true
		case "pb_ideas_admitted":
			return num(math.Floor(intOf(a, "pb_ideas_submitted")*(0.5+rng.Float64()*0.5)), 0), true
		case "pb_votes":
			return num(float64(pop)*(0.01+rng.Float64()*0.12), 0), true
		case "pb_winners":
			return num(math.Floor(intOf(a, "pb_ideas_admitted")*(0.1+rng.Float64()*0.5)), 0), true
		case "pb_implemented":
			return num(math.Floor(intOf(a, "pb_winners")*rng.Float64()), 0), true
		}
		return nil, false
	}
}
