package web_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/xuri/excelize/v2"
)

// openXLSX checks a workbook response and opens it.
func openXLSX(t *testing.T, r result) *excelize.File {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != reports.XLSXContentType {
		t.Fatalf("Content-Type %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// workbookText is every cell of every sheet, tab- and line-separated.
func workbookText(t *testing.T, f *excelize.File) string {
	t.Helper()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			b.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	return b.String()
}

// responseRows counts the wide sheet's response rows (below two header rows).
func responseRows(t *testing.T, f *excelize.File) [][]string {
	t.Helper()
	rows, err := f.GetRows(reports.SheetWide)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 {
		t.Fatalf("wide sheet has %d rows", len(rows))
	}
	return rows[2:]
}

func TestExportXLSX(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, coord := e.user("coordinator")
	_, viewer := e.user("viewer")
	e.setContacts(coord, "riga", "Anna Ozola <anna@riga.lv>")
	e.submitFull("riga") // personal answers: Anna Ozola, anna@novads.lv
	if _, err := e.m.Demo(ctx, domain.OperatorPrincipal(), e.sv.Slug, 100, 7); err != nil {
		t.Fatal(err)
	}
	munis, err := e.st.Municipalities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	active, vidzeme := 0, 0
	for _, m := range munis {
		if m.Active {
			active++
			if m.PlanningRegion == "Vidzemes" {
				vidzeme++
			}
		}
	}
	if vidzeme == 0 || vidzeme == active {
		t.Fatalf("reference data: %d of %d in Vidzemes", vidzeme, active)
	}
	path := "/surveys/" + e.sv.Slug + "/export.xlsx"

	// A coordinator gets everything, personal data included.
	r := e.as(coord, "GET", path, nil)
	f := openXLSX(t, r)
	today := e.clock().In(mustRiga(t)).Format("2006-01-02")
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="regional-2025-`+today+`.xlsx"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	want := []string{"Kopsavilkums", "Atbildes", "Atbildes (garā forma)", "Kodu grāmata", "Statuss"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q", got)
	}
	if n := len(responseRows(t, f)); n != active {
		t.Errorf("coordinator: %d response rows, want %d", n, active)
	}
	all := workbookText(t, f)
	for _, s := range []string{"anna@riga.lv", "anna@novads.lv", "Anna Ozola", "@example.org"} {
		if !strings.Contains(all, s) {
			t.Errorf("the coordinator's workbook lacks %q", s)
		}
	}
	codes, _ := f.GetRows(reports.SheetWide)
	if !slices.Contains(codes[1], "resp_email") || !slices.Contains(codes[1], "contacts") {
		t.Errorf("coordinator's codes row %q", codes[1])
	}
	if s, _ := f.GetRows(reports.SheetStatus); len(s) != 1+active || !strings.Contains(strings.Join(s[0], "|"), "Kontaktpersonas") {
		t.Errorf("status sheet: %d rows, header %q", len(s), s[0])
	}

	// A viewer's workbook has neither contacts nor personal answers.
	f = openXLSX(t, e.as(viewer, "GET", path, nil))
	all = workbookText(t, f)
	for _, s := range []string{"anna@riga.lv", "anna@novads.lv", "Anna Ozola", "@example.org"} {
		if strings.Contains(all, s) {
			t.Errorf("the viewer's workbook has %q", s)
		}
	}
	codes, _ = f.GetRows(reports.SheetWide)
	for _, c := range []string{"resp_name", "resp_position", "resp_email", "resp_phone", "contacts"} {
		if slices.Contains(codes[1], c) {
			t.Errorf("viewer's workbook has column %s", c)
		}
	}
	if n := len(responseRows(t, f)); n != active {
		t.Errorf("viewer: %d response rows, want %d", n, active)
	}

	// Filters are the report filters.
	f = openXLSX(t, e.as(viewer, "GET", path+"?region=Vidzemes", nil))
	rows := responseRows(t, f)
	if len(rows) != vidzeme {
		t.Errorf("region=Vidzemes: %d rows, want %d", len(rows), vidzeme)
	}
	for _, row := range rows {
		if row[3] != "Vidzemes" {
			t.Errorf("row outside the region: %q", row[:5])
		}
	}
	if sel, _ := f.GetCellValue(reports.SheetSummary, "B4"); !strings.Contains(sel, "Vidzemes") {
		t.Errorf("the summary does not say the selection: %q", sel)
	}
	f = openXLSX(t, e.as(viewer, "GET", path+"?status=draft", nil))
	if n := len(responseRows(t, f)); n != 0 {
		t.Errorf("status=draft: %d rows", n)
	}

	// In English on request; the sheet names stay Latvian.
	f = openXLSX(t, e.as(viewer, "GET", path+"?lang=en", nil))
	if v, _ := f.GetCellValue(reports.SheetWide, "A1"); v != "Municipality code" {
		t.Errorf("English header %q", v)
	}

	// Signed out: to the sign-in page. An unknown round: not found.
	r = e.as(nil, "GET", path, nil)
	if r.status != http.StatusSeeOther && r.status != http.StatusFound || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %q", r.status, r.header.Get("Location"))
	}
	r = e.as(viewer, "GET", "/surveys/no-such-round/export.xlsx", nil)
	if r.status != http.StatusNotFound || r.header.Get("Content-Type") == reports.XLSXContentType {
		t.Errorf("unknown round: %d %q", r.status, r.header.Get("Content-Type"))
	}
}

// With no responses yet the workbook has its headers and empty tables.
func TestExportXLSXEmptyRound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, viewer := e.user("viewer")
	f := openXLSX(t, e.as(viewer, "GET", "/surveys/"+e.sv.Slug+"/export.xlsx", nil))
	if n := len(responseRows(t, f)); n != 0 {
		t.Errorf("%d rows", n)
	}
	if v, _ := f.GetCellValue(reports.SheetSummary, "B5"); v != "0" {
		t.Errorf("responses %q", v)
	}
}

func mustRiga(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
