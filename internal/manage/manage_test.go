package manage_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var ctx = context.Background()

func setup(t testing.TB) (*manage.Manager, *survey.Definition) {
	t.Helper()
	base, _ := url.Parse("https://aptauja.example.lv/prefix")
	key, err := auth.NewLinkKey([]byte("manage test key of at least 32 bytes"))
	if err != nil {
		t.Fatal(err)
	}
	m := &manage.Manager{Store: storetest.New(t), BaseURL: base, Links: key}
	if _, err := m.LoadMunicipalities(ctx); err != nil {
		t.Fatal(err)
	}
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	return m, def
}

func TestEnsureRound(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	opens := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sv, res, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil || res != manage.RoundCreated || !sv.OpensAt.Equal(opens) {
		t.Fatalf("create: %v %v", res, err)
	}
	// Again: unchanged, and the dates stay.
	sv2, res, err := m.EnsureRound(ctx, def, opens.AddDate(1, 0, 0), opens.AddDate(2, 0, 0))
	if err != nil || res != manage.RoundUnchanged || !sv2.OpensAt.Equal(opens) {
		t.Fatalf("second: %v %v %v", res, err, sv2.OpensAt)
	}
	// A changed definition replaces the snapshot while nobody has answered.
	changed, _ := survey.Parse([]byte(strings.Replace(string(def.JSON()), "Vārds, uzvārds", "Vārds un uzvārds", 1)), "")
	if _, res, err = m.EnsureRound(ctx, changed, opens, opens); err != nil || res != manage.RoundUpdated {
		t.Fatalf("update: %v %v", res, err)
	}
	// Once somebody has answered it is refused.
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga",
		Answers: survey.Answers{"resp_name": "A"}, Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.EnsureRound(ctx, def, opens, opens); !errors.Is(err, manage.ErrDefinitionInUse) {
		t.Fatalf("change after answers: %v", err)
	}
	if _, _, err := m.EnsureRound(ctx, mustSlug(t, def, "other-round"), opens, opens); err == nil {
		t.Fatal("a round that closes when it opens was accepted")
	}
}

func mustSlug(t *testing.T, def *survey.Definition, slug string) *survey.Definition {
	d, err := survey.Parse([]byte(strings.Replace(string(def.JSON()), `"slug":"regional-2025"`, `"slug":"`+slug+`"`, 1)), "")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestInvite(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	sv, _, err := m.EnsureRound(ctx, def, time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	links, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, nil, true)
	if err != nil || len(links) != 43 {
		t.Fatalf("all: %d %v", len(links), err)
	}
	first := links[0]
	if !strings.HasPrefix(first.URL, "https://aptauja.example.lv/prefix/r/") || first.Name == "" {
		t.Fatalf("link: %+v", first)
	}
	token := strings.TrimPrefix(first.URL, "https://aptauja.example.lv/prefix/r/")
	if _, err := auth.ParseToken(token); err != nil {
		t.Fatalf("token in link: %v", err)
	}
	// Missing-only issues nothing more.
	if again, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, nil, true); err != nil || len(again) != 0 {
		t.Fatalf("missing-only again: %d %v", len(again), err)
	}
	// Rotating one municipality stops its old link.
	rot, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{first.Municipality}, false)
	if err != nil || len(rot) != 1 || rot[0].URL == first.URL {
		t.Fatalf("rotate: %+v %v", rot, err)
	}
	if _, err := m.Store.InvitationByTokenHash(ctx, auth.HashToken(token)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatal("the rotated link still works")
	}
	if _, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"atlantida"}, false); err == nil {
		t.Fatal("unknown municipality accepted")
	}
	if _, err := m.Invite(ctx, domain.OperatorPrincipal(), "no-such-round", nil, false); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown round: %v", err)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	sv, _, err := m.EnsureRound(ctx, def, time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// A municipality with its own answers is left alone.
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "adazi",
		Answers: survey.Answers{"resp_name": "Īsta"}, Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	n, err := m.Demo(ctx, domain.OperatorPrincipal(), sv.Slug, 100, 7) // more than there are: every other municipality
	if err != nil || n != 42 {
		t.Fatalf("demo: %d %v", n, err)
	}
	all, err := m.Store.ResponsesForSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	submitted := 0
	for _, r := range all {
		if r.MunicipalityCode == "adazi" {
			if r.Status != domain.StatusDraft || !strings.Contains(string(r.AnswersJSON), "Īsta") {
				t.Fatal("demo touched a municipality with its own answers")
			}
			continue
		}
		a, _ := survey.DecodeAnswers(r.SubmittedJSON)
		if res := def.Validate(a, survey.Submit); !res.OK() {
			t.Fatalf("%s: demo answers are not valid: %v", r.MunicipalityCode, res.Errors)
		}
		if r.Status == domain.StatusSubmitted {
			submitted++
		}
		revs, _ := m.Store.Revisions(ctx, r.ID)
		if len(revs) != 1 || revs[0].Actor != domain.ActorSystem || revs[0].Note == nil || *revs[0].Note != "demo" {
			t.Fatalf("%s: demo revision %+v", r.MunicipalityCode, revs)
		}
	}
	if submitted != 42 {
		t.Fatalf("submitted = %d", submitted)
	}
	// Plausible: Rīga is a city of over half a million.
	riga, err := m.Store.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := riga.Answers()
	if p, _ := a["population"].(interface{ Float64() (float64, error) }).Float64(); p < 500000 {
		t.Errorf("Rīga's demo population is %v", p)
	}
}
