package web_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
)

// TestOpenDataDownload: a viewer downloads the open-data package from the
// tracker's and the charts page's link; it opens, holds the submitted
// response without its personal answers or contacts, and is byte for byte
// what a coordinator gets; without signing in there is none.
func TestOpenDataDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.submitFull("riga")
	if err := e.st.ReplaceContacts(ctx, "riga", []domain.Contact{{Email: "zz-contact@riga.lv", Name: "ZZ Kontakts"}}); err != nil {
		t.Fatal(err)
	}
	_, viewer := e.user("viewer")
	_, coord := e.user("coordinator")
	path := "/surveys/" + e.sv.Slug + "/opendata.zip"
	for _, page := range []string{"/surveys/" + e.sv.Slug, "/surveys/" + e.sv.Slug + "/charts"} {
		r := e.as(viewer, "GET", page, nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, `href="`+path+`"`) || !strings.Contains(r.body, "Atvērto datu pakete (.zip)") {
			t.Errorf("%s has no link to the open-data package", page)
		}
	}
	r := e.as(viewer, "GET", path, nil)
	wantStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != reports.OpenDataContentType {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="regional-2025-opendata.zip"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatalf("the package does not open: %v", err)
	}
	var names []string
	var all bytes.Buffer
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		all.Write(b)
		if f.Name == "responses.csv" && !bytes.Contains(b, []byte("\nriga,Rīgas valstspilsēta,")) {
			t.Errorf("responses.csv has no row for Rīga:\n%.400s", b)
		}
	}
	if strings.Join(names, " ") != "README.md datapackage.json responses.csv responses.json codebook.csv dcat.jsonld ckan.json" {
		t.Errorf("files %q", names)
	}
	for _, s := range []string{"Anna Ozola", "Speciāliste", "anna@novads.lv", "zz-contact@riga.lv", "ZZ Kontakts", e.tokens["riga"]} {
		if bytes.Contains(all.Bytes(), []byte(s)) {
			t.Errorf("the package contains %q", s)
		}
	}
	if c := e.as(coord, "GET", path, nil); c.status != http.StatusOK || c.body != r.body {
		t.Errorf("the coordinator's package differs from the viewer's (%d)", c.status)
	}
	if a := e.as(nil, "GET", path, nil); a.status == http.StatusOK || strings.HasPrefix(a.body, "PK") {
		t.Errorf("without signing in: %d", a.status)
	}
	if n := e.as(viewer, "GET", "/surveys/no-such-round/opendata.zip", nil); n.status != http.StatusNotFound {
		t.Errorf("unknown round: %d", n.status)
	}
}
