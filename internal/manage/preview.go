package manage

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// PreviewForm is a round's questionnaire as a municipality would open it,
// for a coordinator who tries it before the round opens. A preview is
// stateless: nothing of it is ever stored, so it cannot reach the tracker
// or any report.
type PreviewForm struct {
	Survey       domain.Survey
	Def          *survey.Definition
	Municipality domain.Municipality
	// Answers are the answers the municipality's form would start with:
	// its working copy in the round (in a round made from the previous
	// one that has not opened yet, last round's answers carried over), or
	// none. Carried marks those still to be confirmed, as the
	// municipality will see them.
	Answers survey.Answers
	Carried map[string]CarriedFrom
}

// Preview reads a round's questionnaire as the municipality code would
// open it, for coordinators (domain.AccessCoordinate), whatever the
// round's state. It reads only: domain.ErrNotFound for an unknown round
// or municipality.
func (m *Manager) Preview(ctx context.Context, p domain.Principal, slug, code string) (*PreviewForm, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	return m.previewForm(ctx, slug, code)
}

func (m *Manager) previewForm(ctx context.Context, slug, code string) (*PreviewForm, error) {
	rv, err := m.reviewed(ctx, slug, code) // the round, its questionnaire, the municipality's working copy
	if err != nil {
		return nil, err
	}
	r := &Respondent{Response: rv.Response}
	if err := m.loadCarried(ctx, r); err != nil {
		return nil, err
	}
	return &PreviewForm{Survey: rv.Survey, Def: rv.Def, Municipality: rv.Municipality, Answers: rv.Answers,
		Carried: r.Carried}, nil
}

// PreviewCheck is what checking a preview's answers found: what
// SaveAnswers (draft) or SubmitAnswers (submit) would say of them, and how
// the form would show them. Nothing was stored.
type PreviewCheck struct {
	Form *PreviewForm
	// Submit is true for a check in submit mode.
	Submit bool
	// Answers are the canonical answers (hidden questions' answers
	// removed, as a save would).
	Answers survey.Answers
	// Errors are the problems per answer key (none: a save, or a submit,
	// would be accepted).
	Errors map[string]survey.Text
	// Cleared lists answers a save would remove because their question is
	// hidden; Warnings the cross-field rules a draft breaks.
	Cleared  []string
	Warnings map[string]survey.Text
	// Visible says which questions the answers show; Progress counts per
	// section.
	Visible  map[string]bool
	Progress []survey.SectionProgress
}

// OK reports whether the answers pass the check.
func (c *PreviewCheck) OK() bool { return len(c.Errors) == 0 }

// CheckPreview checks answers typed into a preview of the round's
// questionnaire for the municipality code with the same survey.Validate
// a respondent's save (draft mode) or submit (submit mode) runs, for
// coordinators (domain.AccessCoordinate), whatever the round's state. It
// writes nothing: the answers exist only in the coordinator's page.
func (m *Manager) CheckPreview(ctx context.Context, p domain.Principal, slug, code string, answers survey.Answers, submit bool) (*PreviewCheck, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	f, err := m.previewForm(ctx, slug, code)
	if err != nil {
		return nil, err
	}
	mode := survey.Draft
	if submit {
		mode = survey.Submit
	}
	res := f.Def.Validate(answers, mode)
	return &PreviewCheck{Form: f, Submit: submit, Answers: res.Answers, Errors: res.Errors, Cleared: res.Cleared,
		Warnings: res.Warnings, Visible: f.Def.Visible(res.Answers), Progress: f.Def.Progress(res.Answers)}, nil
}
