package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// ErrReferenceYear refuses a new round's reference year that is not
// between 2000 and 2100 or not later than its source round's.
var ErrReferenceYear = errors.New("the new round's reference year must be between 2000 and 2100 and later than the source round's")

// RoundFrom says what CreateRoundFrom did.
type RoundFrom struct {
	Survey domain.Survey
	// Source is the round it was made from.
	Source domain.Survey
	// Issued are the links issued for every active municipality.
	Issued Issued
	// Carried is the number of municipalities whose response starts with
	// carried-over answers.
	Carried int
}

// CreateRoundFrom creates the next round from the round fromSlug, for
// coordinators (domain.AccessCoordinate): its questionnaire is copied with
// the slug newSlug and the reference year referenceYear (the source's
// reference year in the title and the introduction becomes the new one;
// question texts stay as they are: they are the series'), open from opens
// to closes. The new round
// remembers its source (Survey.PreviousSurveyID). Links are issued for
// every active municipality, as IssueLinks does; contacts and users are
// not per round, so they serve the new round as they are. Each active
// municipality's response then starts with its answers submitted in the
// source round to the carry_over questions whose type and options still
// fit (CarriedAnswers), marked as not yet confirmed.
//
// Bad input (ErrBadSlug, ErrReferenceYear, CheckRoundDates, an unknown
// source: domain.ErrNotFound, a taken slug: domain.ErrExists) changes
// nothing.
func (m *Manager) CreateRoundFrom(ctx context.Context, p domain.Principal, fromSlug, newSlug string, referenceYear int, opens, closes time.Time) (RoundFrom, error) {
	var out RoundFrom
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	if err := survey.CheckSlug(newSlug); err != nil {
		return out, err
	}
	if err := CheckRoundDates(opens, closes); err != nil {
		return out, err
	}
	src, err := m.Store.SurveyBySlug(ctx, fromSlug)
	if err != nil {
		return out, fmt.Errorf("round %q: %w", fromSlug, err)
	}
	out.Source = src
	srcDef, err := m.Definition(src)
	if err != nil {
		return out, err
	}
	if referenceYear < 2000 || referenceYear > 2100 || referenceYear <= srcDef.ReferenceYear {
		return out, ErrReferenceYear
	}
	def, err := nextDefinition(srcDef, newSlug, referenceYear)
	if err != nil {
		return out, err
	}
	// A definition that breaks the series without saying so is refused
	// before anything is stored (survey.CheckSeries). A copy cannot break
	// it; an edited definition (a later "copy, then edit") can.
	if err := survey.CheckSeries(srcDef, def); err != nil {
		return out, err
	}
	if out.Survey, err = m.createRound(ctx, def, opens, closes, &src.ID); err != nil {
		return out, err
	}
	if out.Issued, err = m.IssueLinks(ctx, p, newSlug, nil, false); err != nil {
		return out, err
	}
	out.Carried, err = m.carryOver(ctx, src, srcDef, out.Survey, def)
	return out, err
}

// nextDefinition is the source definition with the new slug and reference
// year, checked again as a definition file would be.
func nextDefinition(src *survey.Definition, slug string, year int) (*survey.Definition, error) {
	d := *src.ForNextRound() // without last round's breaks_series and renamed_from marks
	d.Slug, d.ReferenceYear = slug, year
	old, next := strconv.Itoa(src.ReferenceYear), strconv.Itoa(year)
	for _, t := range []*survey.Text{&d.Title, &d.Intro} {
		t.LV = strings.ReplaceAll(t.LV, old, next)
		t.EN = strings.ReplaceAll(t.EN, old, next)
	}
	return survey.Parse(d.JSON(), "round "+slug)
}

// carryOver starts each active municipality's response in the new round
// with its carried-over answers; it returns how many were started.
func (m *Manager) carryOver(ctx context.Context, src domain.Survey, srcDef *survey.Definition, sv domain.Survey, def *survey.Definition) (int, error) {
	list, err := m.carryOvers(ctx, src, srcDef, sv, def)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range list {
		ok, err := m.Store.StartCarried(ctx, c)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// carryOvers works out, for each active municipality that submitted in
// the source round src, the answers its response in the round sv (with
// the questionnaire def) starts with (CarriedAnswers); municipalities with
// none are left out. It reads only.
func (m *Manager) carryOvers(ctx context.Context, src domain.Survey, srcDef *survey.Definition, sv domain.Survey, def *survey.Definition) ([]store.CarryOver, error) {
	munis, err := m.Store.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	active := map[string]bool{}
	for _, mu := range munis {
		active[mu.Code] = mu.Active
	}
	responses, err := m.Store.ResponsesForSurvey(ctx, src.ID)
	if err != nil {
		return nil, err
	}
	var out []store.CarryOver
	for _, r := range responses {
		if !active[r.MunicipalityCode] || r.SubmittedJSON == nil {
			continue
		}
		sub, err := survey.DecodeAnswers(r.SubmittedJSON)
		if err != nil {
			return nil, err
		}
		answers, codes := CarriedAnswers(srcDef, def, sub)
		if len(codes) == 0 {
			continue
		}
		carried := map[string]string{}
		for _, c := range codes {
			carried[c] = src.Slug
		}
		out = append(out, store.CarryOver{SurveyID: sv.ID, Municipality: r.MunicipalityCode,
			Answers: answers, Carried: carried, Note: src.Slug})
	}
	return out, nil
}

// CarriedAnswers picks from the answers submitted under the definition
// prev those the definition next carries over: its carry_over questions
// that prev has with the same type, whose answer's chosen options all
// exist in next (the "other" text with the option "other"), and that next
// accepts as a draft answer (limits and show_if included). It returns the
// answers and the question codes carried, in questionnaire order.
func CarriedAnswers(prev, next *survey.Definition, submitted survey.Answers) (survey.Answers, []string) {
	out := survey.Answers{}
	for _, q := range next.Questions() {
		old := prev.Question(q.Code)
		v, ok := submitted[q.Code]
		if !q.CarryOver || old == nil || old.Type != q.Type || !ok {
			continue
		}
		if q.Type.IsChoice() && !optionsExist(q, v) {
			continue
		}
		out[q.Code] = v
		if o, ok := submitted[q.OtherKey()]; ok && q.Other {
			out[q.OtherKey()] = o
		}
	}
	// Drop what the new questionnaire refuses, then what it hides.
	for range 3 {
		res := next.Validate(out, survey.Draft)
		if res.OK() {
			out = res.Answers
			break
		}
		for k := range res.Errors {
			delete(out, k)
			delete(out, strings.TrimSuffix(k, "_other"))
		}
	}
	if res := next.Validate(out, survey.Draft); !res.OK() {
		return survey.Answers{}, nil
	}
	var codes []string
	for _, q := range next.Questions() {
		if _, ok := out[q.Code]; ok && q.CarryOver {
			codes = append(codes, q.Code)
		}
	}
	return out, codes
}

// optionsExist reports whether every option a choice answer names is one
// of q's.
func optionsExist(q *survey.Question, v any) bool {
	var chosen []string
	switch x := v.(type) {
	case string:
		chosen = []string{x}
	case []string:
		chosen = x
	case []any:
		for _, c := range x {
			s, ok := c.(string)
			if !ok {
				return false
			}
			chosen = append(chosen, s)
		}
	default:
		return false
	}
	for _, c := range chosen {
		if q.Option(c) == nil && !(c == survey.OtherCode && q.Other) {
			return false
		}
	}
	return !slices.Contains(chosen, "")
}
