package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestStaffErrorPages: a staff page's 404 and 500 speak to staff; the
// respondent's pages keep their own wording (the link, the saved answers).
func TestStaffErrorPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, ck := e.user("admin")
	respondentOnly := []string{"saite", "Saite", "atbildes nav zudušas", "saglabātās atbildes", "link", "answers"}
	staffPage := func(what string, r result, status int, want ...string) {
		t.Helper()
		wantStatus(t, r, status)
		for _, s := range respondentOnly {
			if strings.Contains(text(r.body), s) {
				t.Errorf("staff %s says %q: %s", what, s, text(r.body))
			}
		}
		for _, s := range want {
			if !strings.Contains(r.body, s) {
				t.Errorf("staff %s lacks %q: %s", what, s, text(r.body))
			}
		}
	}
	// 404s: an unknown round, municipality, chart; a mistyped address.
	for _, p := range []string{"/surveys/nav-tadas", "/surveys/" + e.sv.Slug + "/responses/nekur", "/surveys/" + e.sv.Slug + "/charts/x/data.csv", "/nekur"} {
		staffPage("404 "+p, e.as(ck, "GET", p, nil), http.StatusNotFound, "Lapa nav atrasta")
	}
	staffPage("404 in English", e.as(ck, "GET", "/surveys/nav-tadas?lang=en", nil), http.StatusNotFound, "Page not found")
	// The respondent's 404 is about the link.
	r := e.do("GET", "/r/AAAAAAAAAAAAAAAAAAAAAA", nil)
	wantStatus(t, r, http.StatusNotFound)
	if !strings.Contains(r.body, "Saite nav derīga") {
		t.Errorf("respondent 404: %s", text(r.body))
	}
	token := e.apiToken(ck, admin.Email)

	// 500s: the database goes away.
	e.st.Close()
	r = e.as(ck, "GET", "/surveys", nil)
	staffPage("500", r, http.StatusInternalServerError, "Radās kļūda", "administratoram", r.header.Get("X-Request-Id"))
	r = e.as(ck, "GET", "/surveys?lang=en", nil)
	staffPage("500 in English", r, http.StatusInternalServerError, "Something went wrong", "administrator", r.header.Get("X-Request-Id"))
	r = e.do("POST", "/login", strings.NewReader("email=a%40survey.test&password=x"), "Content-Type", "application/x-www-form-urlencoded")
	staffPage("500 (sign-in)", r, http.StatusInternalServerError, "administratoram")
	r = e.do("GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil, "Authorization", "Bearer "+token)
	wantStatus(t, r, http.StatusInternalServerError)
	if m, _ := r.json(t)["message"].(string); !strings.Contains(m, "administratoram") || strings.Contains(m, "atbildes") {
		t.Errorf("staff API 500: %s", r.body)
	}
	// The respondent's 500 still reassures about the saved answers.
	r = e.do("GET", "/r/"+e.tokens["riga"], nil)
	wantStatus(t, r, http.StatusInternalServerError)
	if !strings.Contains(r.body, "saglabātās atbildes nav zudušas") || !strings.Contains(r.body, "koordinatoram") {
		t.Errorf("respondent 500: %s", text(r.body))
	}
	r = e.api("PUT", "riga", "", `{"version":0,"answers":{}}`)
	wantStatus(t, r, http.StatusInternalServerError)
	if m, _ := r.json(t)["message"].(string); !strings.Contains(m, "saglabātās atbildes nav zudušas") {
		t.Errorf("respondent API 500: %s", r.body)
	}
}

// text is a page's main part without tags (what a person reads there).
func text(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</main>"); i >= 0 {
		body = body[:i]
	}
	var b strings.Builder
	in := false
	for _, r := range body {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
