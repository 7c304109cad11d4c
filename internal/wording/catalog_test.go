package wording

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The wording test: the built-in catalog loads (both languages have the
// same keys, each key the same placeholders: Parse), every key is used
// somewhere, and every key the code asks for is in the catalog.

// builtAtRunTime lists the keys the code builds at run time, by where it
// builds them: file holds `"prefix` (a Go string joined with +, or a
// template's printf "prefix%s"); keys are every key it can build. A key
// in no other file as a quoted literal must be here to count as used, and
// a prefix asked for at a call site must be here too.
var builtAtRunTime = []struct {
	file, prefix string
	keys         []string
}{
	{"internal/web/links.go", "track.", []string{"track.no_link", "track.link_created", "track.invited", "track.opened",
		"track.draft", "track.submitted", "track.returned"}},
	{"internal/web/tracker.go", "track.", nil},
	{"internal/web/templates/tracker.html", "track.", nil},
	{"internal/web/templates/tracker.html", "kind.", []string{"kind.valstspilseta", "kind.novads"}},
	{"internal/web/templates/charts.html", "kind.", nil},
	{"internal/web/charts.go", "kind.", nil},
	{"internal/web/templates/tracker.html", "sort.", []string{"sort.", "sort.region", "sort.status", "sort.activity"}},
	{"internal/web/templates/tracker.html", "state.", []string{"state.not_open", "state.open", "state.closed"}},
	{"internal/web/templates/round.html", "state.", nil},
	{"internal/web/templates/surveys.html", "state.", nil},
	{"internal/web/templates/users.html", "role.", []string{"role.viewer", "role.coordinator", "role.admin"}},
	{"internal/web/templates/tokens.html", "role.", nil},
	{"internal/web/templates/audit.html", "audit.action.", []string{"audit.action.response.view", "audit.action.response.correct", "audit.action.response.return", "audit.action.export.workbook", "audit.action.export.contact_list", "audit.action.export.links", "audit.action.link.show", "audit.action.link.issue", "audit.action.link.rotate", "audit.action.link.revoke", "audit.action.mail.queue", "audit.action.mail.queue_feedback", "audit.action.feedback.release", "audit.action.feedback.withdraw", "audit.action.contacts.save", "audit.action.contacts.import", "audit.action.user.create", "audit.action.user.update", "audit.action.user.role", "audit.action.user.disable", "audit.action.user.enable", "audit.action.user.password_link", "audit.action.api_token.create", "audit.action.api_token.revoke", "audit.action.signin.ok", "audit.action.signin.failed", "audit.action.signin.throttled", "audit.action.signin.out", "audit.action.password.change", "audit.action.password.set", "audit.action.archive.export", "audit.action.archive.import", "audit.action.person.search", "audit.action.person.export", "audit.action.person.erase", "audit.action.retention.set", "audit.action.retention.erase", "audit.action.audit.view", "audit.action.audit.export"}},
	{"internal/web/audit.go", "audit.action.", nil},
	{"internal/web/templates/personal.html", "role.", nil},
	{"internal/web/links.go", "links.done.", []string{"links.done.revoked"}},
	{"internal/web/links.go", "confirm.", []string{"confirm.rotate.title", "confirm.revoke.title",
		"confirm.rotate.question", "confirm.revoke.question", "confirm.create.question",
		"confirm.rotate.button", "confirm.revoke.button"}},
	{"internal/web/templates/link_confirm.html", "confirm.", []string{"confirm.rotate.effects", "confirm.revoke.effects"}},
	{"internal/web/links.go", "message.", []string{"message.invitation", "message.reminder", "message.receipt", "message.feedback"}},
	{"internal/web/links.go", "message.status.", []string{"message.status.queued", "message.status.sending",
		"message.status.sent", "message.status.failed"}},
	{"internal/web/links.go", "messages.count.", []string{"messages.count.queued", "messages.count.sending",
		"messages.count.sent", "messages.count.failed"}},
	{"internal/web/links.go", "send.skipped.", []string{"send.skipped.no_contacts", "send.skipped.submitted",
		"send.skipped.link", "send.skipped.pending"}},
	{"internal/web/contacts.go", "import.refused.", []string{"import.refused.municipality_missing",
		"import.refused.municipality_unknown", "import.refused.municipality_ambiguous", "import.refused.email_missing",
		"import.refused.email_bad", "import.refused.duplicate", "import.refused.too_many", "import.refused.name_long",
		"import.refused.lang_bad"}},
	{"internal/web/admin.go", "users.done.", []string{"users.done.saved"}},
	{"internal/web/rounds.go", "round.done.", []string{"round.done.created", "round.done.dates", "round.done.reopened",
		"round.done.closed", "round.done.extended", "round.done.unextended", "round.done.publishable", "round.done.next",
		"round.done.replaced", "round.done.retention"}},
	{"internal/web/review.go", "response.status.", []string{"response.status.draft", "response.status.submitted",
		"response.status.returned", "response.status.none"}},
	{"internal/web/review.go", "review.done.", []string{"review.done.corrected", "review.done.returned", "review.done.extended"}},
	{"internal/web/review.go", "action.", []string{"action.save", "action.submit", "action.correct", "action.return", "action.carry", "action.confirm", "action.erase"}},
	{"internal/web/feedback_release.go", "release.skipped.", []string{"release.skipped.not_submitted"}},
	{"internal/web/feedback_release.go", "release.mail.skipped.", []string{"release.mail.skipped.not_released",
		"release.mail.skipped.no_contacts", "release.mail.skipped.no_link", "release.mail.skipped.link",
		"release.mail.skipped.pending"}},
	{"internal/web/charts.go", "charts.status.", []string{"charts.status.submitted", "charts.status.withreturns",
		"charts.status.returned", "charts.status.draft", "charts.status.none", "charts.status.all"}},
	// The reports' lookups prefix their keys (prefixedLookups); these
	// they also build at run time.
	{"reports/xlsx_responses.go", "status.", []string{"workbook.status.none", "workbook.status.draft", "workbook.status.submitted",
		"workbook.status.returned"}},
	{"reports/xlsx_responses.go", "kind.", []string{"workbook.kind.valstspilseta", "workbook.kind.novads"}},
	{"reports/xlsx_status.go", "track.", []string{"workbook.track.no_link", "workbook.track.link_created", "workbook.track.invited",
		"workbook.track.opened", "workbook.track.draft", "workbook.track.submitted", "workbook.track.returned"}},
	{"reports/feedback.go", "sent.", []string{"feedbackreport.sent.chose.also", "feedbackreport.sent.chose.not",
		"feedbackreport.sent.chose.only", "feedbackreport.sent.said.also", "feedbackreport.sent.said.not",
		"feedbackreport.sent.said.only"}},
	// errors.go: titleKey = code + ".title" for a 503 (busy, unavailable).
	{"internal/web/errors.go", ".title", []string{"busy.title", "unavailable.title"}},
	// reports/feedback.go's own "chart.title" and "chart.desc" are its word
	// table's, not the catalog's: the scan below reads only the charts'
	// ChartOptions lookups (o.t).
}

// prefixedLookup is a lookup helper that puts a prefix before the key it
// is given (a workbook's x.t("sum.generated") asking for
// "workbook.sum.generated"): a key prefix+rest counts as used when one of
// files holds rest as a quoted literal.
type prefixedLookup struct {
	prefix string
	files  []string
}

// prefixedLookups lists the lookup helpers that prefix their keys: the
// reports' (workbook.t, feedbackWord, contactWord).
var prefixedLookups = []prefixedLookup{
	{"workbook.", []string{"reports/xlsx.go", "reports/xlsx_cells.go", "reports/xlsx_codebook.go", "reports/xlsx_long.go",
		"reports/xlsx_responses.go", "reports/xlsx_status.go", "reports/xlsx_styles.go", "reports/xlsx_summary.go",
		"reports/xlsx_trends.go"}},
	{"feedbackreport.", []string{"reports/feedback.go", "reports/feedback_html.go", "reports/feedback_xlsx.go"}},
	{"contactfile.", []string{"reports/contactlist.go"}},
}

// source is a file the scan reads: its path from the repository's root
// and its text.
type source struct{ path, text string }

// repoSources reads the repository's non-test Go files, its templates
// (*.html) and the scripts of static/js.
func repoSources(t *testing.T) []source {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var out []source
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" ||
				rel == "static/vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go"),
			strings.HasSuffix(rel, ".html"),
			strings.HasPrefix(rel, "static/js/") && strings.HasSuffix(rel, ".js"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, source{rel, string(b)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(out, func(s source) bool { return s.path == "internal/web/templates/form.html" }) ||
		!slices.ContainsFunc(out, func(s source) bool { return s.path == "static/js/form.js" }) {
		t.Fatalf("the scan did not find the templates or the script under %s", root)
	}
	return out
}

// goTokens returns a Go file's tokens (comments left out).
func goTokens(src string) (toks []token.Token, lits []string) {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return toks, lits
		}
		toks, lits = append(toks, tok), append(lits, lit)
	}
}

var (
	// A quoted literal in a template or a script that could be a key (a
	// template's attribute="{{T $L "key"}}" nests quotes, so a key is
	// matched by its characters, not by pairing quotes).
	quoted = regexp.MustCompile(`"([\w.\-]*)"|'([\w.\-]*)'`)
	// A template's T call: {{T $L "key" …}}, (T .L "key" …).
	tmplCall = regexp.MustCompile(`\bT\s+[$.][\w.]*\s+"([^"]*)"`)
	// A template's key built at run time: T $L (printf "state.%s" .State).
	tmplBuilt = regexp.MustCompile(`\bT\s+[$.][\w.]*\s+\(printf\s+"([^"%]*)%s([^"]*)"`)
	// The form's script looking up a message: M.saved, M['conflict.left'].
	jsLookup = regexp.MustCompile(`\bM(?:\.(\w+)|\['([^']+)'\])`)
	// The script filling one: fmt(M.saved, {time: …}).
	jsFill = regexp.MustCompile(`\bfmt\(M(?:\.(\w+)|\['([^']+)'\]),\s*\{([^{}]*)\}\)`)
	jsName = regexp.MustCompile(`(?:^|,)\s*(\w+)\s*:`)
)

// literals returns every quoted string in the file (for Go, string
// literals only, not comments).
func literals(src source) []string {
	var out []string
	if strings.HasSuffix(src.path, ".go") {
		toks, lits := goTokens(src.text)
		for i, tok := range toks {
			if tok == token.STRING {
				if s, err := strconv.Unquote(lits[i]); err == nil {
					out = append(out, s)
				}
				// A template in a raw string (reports' feedback HTML)
				// quotes its keys inside.
				if strings.HasPrefix(lits[i], "`") {
					for _, m := range quoted.FindAllStringSubmatch(lits[i], -1) {
						out = append(out, m[1]+m[2])
					}
				}
			}
		}
		return out
	}
	for _, m := range quoted.FindAllStringSubmatch(src.text, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

// use is a key asked for at a call site; built: the start of a key built
// at run time; names: the placeholders the call fills, when the call
// names them all with literals (named false otherwise).
type use struct {
	key   string
	built bool
	names []string
	named bool
}

// withNames records the call's placeholder names from its arguments after
// the key, given as name, value pairs ("" for an argument that is not a
// quoted literal, nil args for a spread args...).
func (u use) withNames(args []string) use {
	if args == nil {
		return u
	}
	u.named = true
	for i := 0; i < len(args); i += 2 {
		name, err := strconv.Unquote(args[i])
		if err != nil || i+1 == len(args) {
			u.names = append(u.names, "?"+args[i])
			continue
		}
		u.names = append(u.names, name)
	}
	slices.Sort(u.names)
	return u
}

// goArgs returns the arguments of a call from the token at i (a comma
// before the next argument, or the closing parenthesis), each as its text:
// a quoted literal when the argument is a single string token. It returns
// nil for a call that spreads a slice (args...).
func goArgs(toks []token.Token, lits []string, i int) []string {
	args := []string{}
	for depth, cur := 0, ""; i < len(toks); i++ {
		switch toks[i] {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth == 0 {
				if cur != "" {
					args = append(args, cur)
				}
				return args
			}
			depth--
		case token.ELLIPSIS:
			return nil
		}
		switch {
		case depth == 0 && toks[i] == token.COMMA:
			if cur != "" {
				args = append(args, cur)
			}
			cur = ""
		case cur == "" && toks[i] == token.STRING:
			cur = lits[i]
		default:
			cur = "…" // not a single literal
		}
	}
	return nil
}

// tmplArgs returns a template call's arguments from text (after its key),
// up to the end of the action or of the enclosing parenthesis.
func tmplArgs(text string) []string {
	args := []string{}
	for i := 0; i < len(text); {
		for i < len(text) && text[i] == ' ' {
			i++
		}
		if i >= len(text) || strings.HasPrefix(text[i:], "}}") || strings.HasPrefix(text[i:], "-}}") || text[i] == ')' {
			return args
		}
		start := i
		if text[i] == '(' {
			for depth := 0; i < len(text); i++ {
				if text[i] == '(' {
					depth++
				} else if text[i] == ')' {
					if depth--; depth == 0 {
						i++
						break
					}
				}
			}
		} else {
			for i < len(text) && text[i] != ' ' && text[i] != ')' && !strings.HasPrefix(text[i:], "}}") {
				i++
			}
		}
		args = append(args, text[start:i])
	}
	return args
}

// calls returns the keys the file asks the catalog for: in Go T("key"),
// x.T("key"), wording.T(lang, "key") and the charts' o.t("key"); in a
// template T $L "key"; a key followed by + (Go) or a printf pattern
// (templates) is the start of a key built at run time. The charts' o.t
// passes its values positionally (web's chartT names them), so only its
// key is checked.
func calls(src source) []use {
	var out []use
	switch {
	case strings.HasSuffix(src.path, ".go"):
		toks, lits := goTokens(src.text)
		at := func(i int, tok token.Token, lit string) bool {
			return i >= 0 && i < len(toks) && toks[i] == tok && (lit == "" || lits[i] == lit)
		}
		for i := range toks {
			arg, positional := -1, false
			switch {
			case at(i, token.IDENT, "T") && at(i+1, token.LPAREN, "") && at(i-1, token.PERIOD, "") && at(i-2, token.IDENT, "wording"):
				// wording.T(lang, "key", …): the key is the second argument.
				for j, depth := i+2, 0; j < len(toks); j++ {
					if toks[j] == token.LPAREN {
						depth++
					} else if toks[j] == token.RPAREN {
						if depth == 0 {
							break
						}
						depth--
					} else if toks[j] == token.COMMA && depth == 0 {
						arg = j + 1
						break
					}
				}
			case at(i, token.IDENT, "T") && at(i+1, token.LPAREN, ""):
				arg = i + 2
			case at(i, token.IDENT, "t") && at(i+1, token.LPAREN, "") && at(i-1, token.PERIOD, "") && at(i-2, token.IDENT, "o"):
				arg, positional = i+2, true
			}
			if arg < 0 || !at(arg, token.STRING, "") {
				continue
			}
			key, err := strconv.Unquote(lits[arg])
			if err != nil {
				continue
			}
			u := use{key: key, built: at(arg+1, token.ADD, "")}
			if !u.built && !positional {
				u = u.withNames(goArgs(toks, lits, arg+1))
			}
			out = append(out, u)
		}
	case strings.HasSuffix(src.path, ".html"):
		for _, m := range tmplCall.FindAllStringSubmatchIndex(src.text, -1) {
			out = append(out, use{key: src.text[m[2]:m[3]]}.withNames(tmplArgs(src.text[m[1]:])))
		}
		for _, m := range tmplBuilt.FindAllStringSubmatch(src.text, -1) {
			out = append(out, use{key: m[1], built: true})
		}
	}
	return out
}

// clientKeys returns the keys internal/web's clientMessages sends the
// form's script, from its source.
func clientKeys(t *testing.T, srcs []source) []string {
	t.Helper()
	i := slices.IndexFunc(srcs, func(s source) bool { return s.path == "internal/web/view.go" })
	if i < 0 {
		t.Fatal("internal/web/view.go not found")
	}
	f, err := parser.ParseFile(token.NewFileSet(), "view.go", srcs[i].text, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "clientMessages" {
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					if s, err := strconv.Unquote(bl.Value); err == nil && s != "js." {
						keys = append(keys, s)
					}
				}
				return true
			})
		}
	}
	if len(keys) == 0 {
		t.Fatal("no keys in internal/web/view.go's clientMessages")
	}
	return keys
}

// unusedKeys returns the catalog's keys that no source holds as a quoted
// literal, no builtAtRunTime entry builds and no prefixed lookup asks for.
func unusedKeys(keys []string, srcs []source, built map[string]bool, prefixed []prefixedLookup) []string {
	seen, seenIn := map[string]bool{}, map[string]map[string]bool{}
	for _, s := range srcs {
		seenIn[s.path] = map[string]bool{}
		for _, l := range literals(s) {
			seen[l], seenIn[s.path][l] = true, true
		}
	}
	var out []string
	for _, k := range keys {
		used := seen[k] || built[k]
		for _, p := range prefixed {
			if rest, ok := strings.CutPrefix(k, p.prefix); ok && slices.ContainsFunc(p.files, func(f string) bool { return seenIn[f][rest] }) {
				used = true
			}
		}
		if !used {
			out = append(out, k)
		}
	}
	return out
}

// unknownUses returns the problems of the keys the sources ask for: a key
// not in the catalog, a key built at run time from a start no
// builtAtRunTime entry declares for that file, a key clientMessages sends
// the script that the catalog lacks, a message the script looks up that
// clientMessages does not send.
func unknownUses(c *Catalog, srcs []source, prefixes map[string][]string, client []string) []string {
	var out []string
	for _, k := range client {
		if !c.Has(k) {
			out = append(out, "internal/web/view.go: clientMessages sends "+strconv.Quote(k)+", which is not in the catalog")
		}
	}
	for _, s := range srcs {
		for _, u := range calls(s) {
			switch {
			case u.built && !slices.Contains(prefixes[s.path], u.key):
				out = append(out, s.path+": builds keys from "+strconv.Quote(u.key)+", which builtAtRunTime does not list for it")
			case !u.built && !c.Has(u.key):
				out = append(out, s.path+": asks for "+strconv.Quote(u.key)+", which is not in the catalog")
			case u.named && !slices.Equal(u.names, Placeholders(c.Raw(LV, u.key))):
				out = append(out, fmt.Sprintf("%s: fills %v of %q, whose placeholders are %v", s.path, u.names, u.key,
					Placeholders(c.Raw(LV, u.key))))
			}
		}
		if strings.HasPrefix(s.path, "static/js/") {
			for _, m := range jsLookup.FindAllStringSubmatch(s.text, -1) {
				name := m[1] + m[2]
				key := "js." + name
				if !slices.Contains(client, key) {
					key = name
				}
				if !slices.Contains(client, key) || !c.Has(key) {
					out = append(out, s.path+": looks up M["+strconv.Quote(name)+"], which clientMessages does not send from the catalog")
				}
			}
			for _, m := range jsFill.FindAllStringSubmatch(s.text, -1) {
				key := "js." + m[1] + m[2]
				if !c.Has(key) {
					key = m[1] + m[2]
				}
				var names []string
				for _, n := range jsName.FindAllStringSubmatch(m[3], -1) {
					names = append(names, n[1])
				}
				slices.Sort(names)
				if want := Placeholders(c.Raw(LV, key)); !slices.Equal(names, want) {
					out = append(out, fmt.Sprintf("%s: fills %v of %q, whose placeholders are %v", s.path, names, key, want))
				}
			}
		}
	}
	return out
}

// keyChars is what a key is made of (the scans below rely on it).
var keyChars = regexp.MustCompile(`^[a-z0-9_.\-]+$`)

// builtIn parses the built-in message files, failing the test (not
// panicking, as Default would) when they disagree.
func builtIn(t *testing.T) *Catalog {
	t.Helper()
	lv, err := files.ReadFile("lv.json")
	if err != nil {
		t.Fatal(err)
	}
	en, err := files.ReadFile("en.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(lv, en)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEveryKeyIsUsed: each key of the catalog is a quoted literal in the
// repository's code, templates or script, or is built at run time where
// builtAtRunTime says.
func TestEveryKeyIsUsed(t *testing.T) {
	t.Parallel()
	c, srcs := builtIn(t), repoSources(t)
	built := map[string]bool{}
	for _, b := range builtAtRunTime {
		i := slices.IndexFunc(srcs, func(s source) bool { return s.path == b.file })
		if i < 0 {
			t.Errorf("builtAtRunTime: %s not found", b.file)
			continue
		}
		if !strings.Contains(srcs[i].text, `"`+b.prefix) && !strings.Contains(srcs[i].text, b.prefix+`"`) {
			t.Errorf("builtAtRunTime: %s does not build keys from %q", b.file, b.prefix)
		}
		for _, k := range b.keys {
			if !strings.Contains(k, b.prefix) {
				t.Errorf("builtAtRunTime: %s cannot be built from %q", k, b.prefix)
			}
			if !c.Has(k) {
				t.Errorf("builtAtRunTime: %s is not in the catalog", k)
			}
			built[k] = true
		}
	}
	for _, p := range prefixedLookups {
		for _, f := range p.files {
			if !slices.ContainsFunc(srcs, func(s source) bool { return s.path == f }) {
				t.Errorf("prefixedLookups: %s not found", f)
			}
		}
	}
	for _, k := range unusedKeys(c.Keys(), srcs, built, prefixedLookups) {
		t.Errorf("%s is in the catalog but nothing uses it (if a key is built at run time, list it in builtAtRunTime)", k)
	}
}

// TestEveryKeyAskedForIsInTheCatalog: each key the code, the templates and
// the script ask for exists.
func TestEveryKeyAskedForIsInTheCatalog(t *testing.T) {
	t.Parallel()
	c, srcs := builtIn(t), repoSources(t)
	prefixes := map[string][]string{}
	for _, b := range builtAtRunTime {
		prefixes[b.file] = append(prefixes[b.file], b.prefix)
	}
	n, named := 0, 0
	for _, s := range srcs {
		for _, u := range calls(s) {
			n++
			if len(u.names) > 0 {
				named++
			}
		}
	}
	if n < 500 || named < 100 {
		t.Errorf("the scan found only %d call sites, %d of them filling placeholders", n, named)
	}
	for _, s := range srcs {
		if calls, read := strings.Count(s.text, "fmt(M"), len(jsFill.FindAllString(s.text, -1)); strings.HasPrefix(s.path, "static/js/") && calls != read {
			t.Errorf("%s: %d calls fmt(M…), the scan reads %d of them", s.path, calls, read)
		}
	}
	for _, p := range unknownUses(c, srcs, prefixes, clientKeys(t, srcs)) {
		t.Error(p)
	}
}

// TestTheScansCatchMistakes: the checks above fail on what they look for.
func TestTheScansCatchMistakes(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`{"a.used": "x", "b.unused": "y", "c.built.one": "z", "js.saved": "{time}", "p.one": "{name} ({n})"}`),
		[]byte(`{"a.used": "x", "b.unused": "y", "c.built.one": "z", "js.saved": "{time}", "p.one": "{name} ({n})"}`))
	if err != nil {
		t.Fatal(err)
	}
	srcs := []source{
		{"internal/web/x.go", `package web
// l.T("in.a.comment") is no use
func f() { l.T("a.used"); l.T("missing.key", "n", 1); l.T("c.built."+x); l.T("d.undeclared."+y)
	wording.T(wording.LV, "missing.too"); T("a.used"); o.t("missing.chart", 1)
	l.T("p.one", "name", f(x, y), "n", 2); l.T("p.one", args...); l.T("p.one", "nam", 1, "n", 2); l.T("p.one", "name", 1) }`},
		{"internal/web/templates/p.html", `{{T $L "missing.tmpl"}} {{T .L (printf "e.built.%s" .X)}}
	{{T $L "p.one" "name" (date .X) "n" .N}} {{T $L "a.used" "n" .N}} (T $L "p.one" .Name .N)`},
		{"static/js/form.js", `M.saved; M['missing.js']; M.unsent; fmt(M.saved, {time: f(x)}); fmt(M['saved'], {tim: 1, n: g(y, z)})`},
	}
	if got := unusedKeys(c.Keys(), srcs, map[string]bool{"c.built.one": true}, nil); !slices.Equal(got, []string{"b.unused", "js.saved"}) {
		t.Errorf("unused %v", got)
	}
	// b.unused is asked for as "unused" by a helper that prefixes "b.", in y.go.
	srcs = append(srcs, source{"reports/y.go", `package reports; func g() { x.t("unused") }`})
	for _, h := range []struct {
		files []string
		want  []string
	}{
		{[]string{"reports/y.go"}, []string{"js.saved"}},
		{[]string{"reports/z.go"}, []string{"b.unused", "js.saved"}},
	} {
		if got := unusedKeys(c.Keys(), srcs, map[string]bool{"c.built.one": true}, []prefixedLookup{{"b.", h.files}}); !slices.Equal(got, h.want) {
			t.Errorf("unused with a prefixing helper in %v: %v, want %v", h.files, got, h.want)
		}
	}
	srcs = srcs[:len(srcs)-1]
	got := unknownUses(c, srcs, map[string][]string{"internal/web/x.go": {"c.built."}}, []string{"js.saved", "js.gone"})
	for _, want := range []string{`"missing.key"`, `"d.undeclared."`, `"missing.too"`, `"missing.chart"`, `"missing.tmpl"`,
		`"e.built."`, `M["missing.js"]`, `M["unsent"]`, `"js.gone"`,
		`fills [n nam] of "p.one"`, `fills [n tim] of "js.saved"`, `fills [name] of "p.one"`, `fills [n] of "a.used"`, `fills [?.Name] of "p.one"`} {
		if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("no problem for %s in %q", want, got)
		}
	}
	if len(got) != 14 {
		t.Errorf("%d problems, want 14: %q", len(got), got)
	}
}
