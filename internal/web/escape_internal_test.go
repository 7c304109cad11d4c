package web

import (
	"html/template"
	"strings"
	"testing"
)

// TestEscapePagesFindsWhatCannotBeEscaped: a page whose contexts
// html/template cannot work out is refused at start-up (escapePages), a
// page that merely fails to execute without data is not, and the pages
// escaped are then executed as they are.
func TestEscapePagesFindsWhatCannotBeEscaped(t *testing.T) {
	t.Parallel()
	good := template.Must(template.New("").Parse(`{{define "a.html"}}<p title="{{.Missing.Field}}">{{.}}</p>{{end}}{{define "part"}}{{end}}`))
	if err := escapePages(good); err != nil {
		t.Fatalf("a page that only fails without data was refused: %v", err)
	}
	var out strings.Builder
	if err := good.ExecuteTemplate(&out, "a.html", map[string]map[string]string{"Missing": {"Field": `"x"`}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `title="&#34;x&#34;"`) {
		t.Errorf("the page escaped at start-up is not escaped as before: %s", out.String())
	}
	bad := template.Must(template.New("").Parse(`{{define "b.html"}}<a href="{{if .}}x{{else}}"{{end}}>y</a>{{end}}`))
	if err := escapePages(bad); err == nil || !strings.Contains(err.Error(), "b.html") {
		t.Errorf("a page html/template cannot escape was not refused: %v", err)
	}
	// The service's own pages all escape.
	s := &Server{}
	pages, err := template.New("").Funcs(s.funcs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	if err := escapePages(pages); err != nil {
		t.Fatal(err)
	}
}
