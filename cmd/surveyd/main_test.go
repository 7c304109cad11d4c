package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

func TestMain(m *testing.M) {
	// A child process started by a test to run surveyd itself (the
	// two-instance test): SURVEYD_TEST_MAIN holds its arguments.
	if args := os.Getenv("SURVEYD_TEST_MAIN"); args != "" {
		if err := run(strings.Fields(args), os.Getenv, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "surveyd:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	storetest.Main(m)
}

// TestCommands runs the CLI as an operator would: seed, invite (CSV),
// demo, migrate.
func TestCommands(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": storetest.NewDatabase(t), "BASE_URL": "https://aptauja.example.lv", "LOG_LEVEL": "warn"}
	if err := runEnv(t, env, "seed", "--opens", "2026-12-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "links.csv")
	if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--municipality", "riga,cesis", "-o", out); err != nil {
		t.Fatal(err)
	}
	// The links CSV as the web page gives it: a byte-order mark, ";" in
	// Latvian (Latvian Excel opens it in columns), code, municipality,
	// link, contacts.
	readLinks := func() [][]string {
		t.Helper()
		b, err := os.ReadFile(out)
		if err != nil || !strings.HasPrefix(string(b), "\ufeff") || strings.Count(string(b), "\ufeff") != 1 {
			t.Fatalf("links file: %v %q", err, b)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil || len(rows) < 2 || strings.Join(rows[0], "|") != "Kods|Pašvaldība|Saite|Kontakti" {
			t.Fatalf("CSV: %v %v", rows, err)
		}
		return rows
	}
	rows := readLinks()
	if len(rows) != 3 {
		t.Fatalf("CSV: %v", rows)
	}
	if rows[1][0] != "cesis" || rows[1][1] != "Cēsu novads" || !strings.HasPrefix(rows[1][2], "https://aptauja.example.lv/r/") {
		t.Fatalf("row: %v", rows[1])
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("links file mode %v, want 0600", fi.Mode().Perm())
	}
	// The Makefile's example line: the second line, fields 2 and 3.
	if b, err := exec.Command("bash", "-c", `sed -n 2p "$1" | cut -d';' -f2,3 | tr ';' ' '`, "-", out).Output(); err != nil ||
		strings.TrimSpace(string(b)) != "Cēsu novads "+rows[1][2] {
		t.Errorf("make run's example line: %q %v", b, err)
	}
	// --missing-only adds nothing for municipalities that have links.
	if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--municipality", "riga", "--missing-only", "-o", out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); strings.Count(string(b), "\n") != 3 {
		t.Errorf("missing-only appended links: %s", b)
	}
	// New links are appended under the one header.
	if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--municipality", "valmiera,adazi", "-o", out); err != nil {
		t.Fatal(err)
	}
	if rows := readLinks(); len(rows) != 5 || rows[3][0] != "adazi" || rows[4][0] != "valmiera" {
		t.Errorf("appended rows: %q", rows)
	}
	// A file in the old format is moved aside, not mixed with the new rows.
	os.WriteFile(out, []byte("municipality,name,url\nriga,Rīgas valstspilsēta,https://x/r/y\n"), 0o600)
	if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--municipality", "riga", "-o", out); err != nil {
		t.Fatal(err)
	}
	if rows := readLinks(); len(rows) != 2 || rows[1][0] != "riga" {
		t.Errorf("after an old file: %q", rows)
	}
	if b, err := os.ReadFile(out + ".old"); err != nil || !strings.HasPrefix(string(b), "municipality,name,url") {
		t.Errorf("the old file was not kept: %q %v", b, err)
	}
	if err := runEnv(t, env, "demo", "--survey", "regional-2025", "--responses", "3", "--seed", "1"); err != nil {
		t.Fatal(err)
	}
	if err := runEnv(t, env, "migrate"); err != nil {
		t.Fatal(err)
	}
	// A round whose questionnaire differs from the built-in file, once
	// answered, keeps its own copy: seeding (make run) still succeeds.
	st, err := store.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	sv, _ := st.SurveyBySlug(context.Background(), "regional-2025")
	if err := st.ReplaceDefinition(context.Background(), sv.ID, sv.TitleLV, sv.TitleEN, sv.ReferenceYear, sv.Definition, "an-older-file"); err == nil {
		t.Fatal("replacing an answered round's questionnaire was allowed")
	}
	if _, err := st.DB().ExecContext(context.Background(), `UPDATE surveys SET definition_sha256 = 'an-older-file' WHERE id = $1`, sv.ID); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := runEnv(t, env, "seed"); err != nil {
		t.Errorf("seed over an answered round with another questionnaire: %v", err)
	}
	for _, bad := range [][]string{{"invite"}, {"demo", "--survey", "regional-2025"}, {"frobnicate"},
		{"seed", "--opens", "1.12.2026"}, {"invite", "--survey", "nope"}} {
		if err := runEnv(t, env, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

func TestParseWhen(t *testing.T) {
	t.Parallel()
	riga, _ := time.LoadLocation("Europe/Riga")
	d, err := parseWhen("2026-12-15", riga, true)
	if err != nil || d.Format("2006-01-02 15:04 -07:00") != "2026-12-15 23:59 +02:00" {
		t.Fatalf("%v %v", d, err)
	}
	d, err = parseWhen("2026-12-01", riga, false)
	if err != nil || d.Format("15:04") != "00:00" {
		t.Fatalf("%v %v", d, err)
	}
	if _, err := parseWhen("2026-12-01T09:00:00Z", riga, false); err != nil {
		t.Fatal(err)
	}
}

// outputEnv runs surveyd as main does, but with env as its whole
// environment, and returns what it printed to standard output. Tests pass
// their own environment and output rather than t.Setenv and swapping
// os.Stdout, both process-wide, so that they can run in parallel.
func outputEnv(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(args, func(k string) string { return env[k] }, &out)
	return out.String(), err
}

// runEnv is outputEnv for a test that does not look at the output.
func runEnv(t *testing.T, env map[string]string, args ...string) error {
	t.Helper()
	_, err := outputEnv(t, env, args...)
	return err
}

// TestUserAndRoundCommands: the first admin, users with set-password links,
// a link key, and a round created from a file.
func TestUserAndRoundCommands(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	env := map[string]string{"DATABASE_URL": dsn, "BASE_URL": "https://aptauja.example.lv", "LOG_LEVEL": "warn"}
	key, err := outputEnv(t, env, "keygen")
	if err != nil || len(strings.TrimSpace(key)) != 43 {
		t.Fatalf("keygen: %q %v", key, err)
	}
	env["LINK_KEY"] = strings.TrimSpace(key)
	if err := runEnv(t, env, "seed"); err != nil {
		t.Fatal(err)
	}

	out, err := outputEnv(t, env, "user", "first-admin", "--email", "Admin@Example.lv")
	if err != nil {
		t.Fatal(err)
	}
	pw := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByEmail(context.Background(), "admin@example.lv")
	h, _ := auth.NewHasher(0)
	if err != nil || u.Role != "admin" || u.PasswordHash == nil || !h.Verify(*u.PasswordHash, pw) {
		t.Fatalf("first admin %+v %v (printed %q)", u, err, out)
	}
	// Once an admin exists, nothing is printed or changed.
	out, err = outputEnv(t, env, "user", "first-admin")
	if err != nil || out != "" {
		t.Fatalf("second first-admin printed %q %v", out, err)
	}

	out, err = outputEnv(t, env, "user", "add", "--email", "Liga@Example.lv", "--role", "viewer", "--name", "Līga")
	if err != nil || !strings.Contains(out, "https://aptauja.example.lv/password/") {
		t.Fatalf("user add: %q %v", out, err)
	}
	if u, err := st.UserByEmail(context.Background(), "liga@example.lv"); err != nil || u.Role != "viewer" || u.PasswordHash != nil {
		t.Fatalf("added user %+v %v", u, err)
	}
	for _, bad := range [][]string{
		{"user", "add", "--email", "liga@example.lv", "--role", "viewer"}, // exists
		{"user", "add", "--email", "not-an-address", "--role", "viewer"},  // bad e-mail
		{"user", "add", "--email", "x@example.lv", "--role", "superuser"}, // bad role
		{"user", "remove"},
		{"round", "create", "--file", "nope.yaml", "--opens", "2027-01-01", "--closes", "2027-02-01"},
	} {
		if err := runEnv(t, env, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}

	def := filepath.Join(t.TempDir(), "pilot.yaml")
	os.WriteFile(def, []byte("format: 1\nslug: pilot\ntitle: {lv: Izmēģinājums, en: Pilot}\nreference_year: 2026\n"+
		"sections:\n  - code: a\n    title: {lv: A, en: A}\n    questions:\n      - {code: q1, type: int, text: {lv: Cik?, en: How many?}}\n"), 0o600)
	if err := runEnv(t, env, "round", "create", "--file", def, "--slug", "pilot-2027", "--opens", "2027-01-01", "--closes", "2027-02-01"); err != nil {
		t.Fatal(err)
	}
	sv, err := st.SurveyBySlug(context.Background(), "pilot-2027")
	if err != nil || sv.TitleLV != "Izmēģinājums" {
		t.Fatalf("round %+v %v", sv, err)
	}
	if err := runEnv(t, env, "round", "create", "--file", def, "--slug", "pilot-2027", "--opens", "2027-01-01", "--closes", "2027-02-01"); err == nil {
		t.Error("a second round with the same slug was created")
	}
	// A --slug that breaks the slug rule is refused, saying what a slug may hold.
	err = runEnv(t, env, "round", "create", "--file", def, "--slug", "Pilot_2028", "--opens", "2027-01-01", "--closes", "2027-02-01")
	if err == nil || !strings.Contains(err.Error(), `--slug "Pilot_2028"`) || !strings.Contains(err.Error(), "lower-case letters") {
		t.Errorf("a bad --slug: %v", err)
	}
	if _, err := st.SurveyBySlug(context.Background(), "pilot"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a bad --slug created the definition's round: %v", err)
	}

	// Links issued by the CLI with LINK_KEY can be shown again by the service.
	csvOut, err := outputEnv(t, env, "invite", "--survey", "pilot-2027", "--municipality", "riga")
	if err != nil {
		t.Fatal(err)
	}
	lk, _ := auth.NewLinkKey([]byte(strings.TrimSpace(key)))
	base, _ := url.Parse("https://aptauja.example.lv")
	m := &manage.Manager{Store: st, BaseURL: base, Links: lk}
	links, err := m.ShowableLinks(context.Background(), domain.OperatorPrincipal(), sv.ID)
	if err != nil || links["riga"] == "" || !strings.Contains(csvOut, links["riga"]) {
		t.Fatalf("derived %v, printed %q, %v", links, csvOut, err)
	}
}

// TestInviteMissingOnlySkipsRevoked: `invite --missing-only` (what `make
// run` does on every start) never issues a link again to a municipality
// whose link a coordinator revoked; naming it without --missing-only does.
func TestInviteMissingOnlySkipsRevoked(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	env := map[string]string{"DATABASE_URL": dsn, "BASE_URL": "https://aptauja.example.lv", "LOG_LEVEL": "warn",
		"LINK_KEY": "invite test link key of 32 characters or more"}
	if err := runEnv(t, env, "seed", "--opens", "2026-12-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--municipality", "riga,cesis", "-o", filepath.Join(dir, "first.csv")); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv, err := st.SurveyBySlug(context.Background(), "regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	cesis, err := st.ActiveInvitation(context.Background(), sv.ID, "cesis")
	if err != nil {
		t.Fatal(err)
	}
	lk, _ := auth.NewLinkKey([]byte("invite test link key of 32 characters or more"))
	base, _ := url.Parse("https://aptauja.example.lv")
	m := &manage.Manager{Store: st, BaseURL: base, Links: lk}
	if err := m.RevokeLink(context.Background(), domain.OperatorPrincipal(), sv.ID, "cesis", cesis.ID); err != nil {
		t.Fatal(err)
	}
	working := func() map[string]store.Invitation {
		t.Helper()
		invs, err := st.ActiveInvitations(context.Background(), sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return invs
	}

	// The next start: every municipality without a link gets one, except
	// the revoked one; nothing about it goes into the links file.
	second := filepath.Join(dir, "second.csv")
	if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--missing-only", "-o", second); err != nil {
		t.Fatal(err)
	}
	invs := working()
	if _, ok := invs["cesis"]; ok || len(invs) != 42 {
		t.Fatalf("after --missing-only: %d working links, cesis has one: %v", len(invs), ok)
	}
	b, err := os.ReadFile(second)
	if err != nil || strings.Contains(string(b), "Cēsu novads") || !strings.Contains(string(b), "Valmieras novads") ||
		strings.Contains(string(b), "Rīgas valstspilsēta") {
		t.Fatalf("second links file (%v): %s", err, b)
	}
	// Again, and naming it with --missing-only: still nothing, no file.
	third := filepath.Join(dir, "third.csv")
	for _, args := range [][]string{{}, {"--municipality", "cesis"}} {
		if err := runEnv(t, env, append([]string{"invite", "--survey", "regional-2025", "--missing-only", "-o", third}, args...)...); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(third); !os.IsNotExist(err) {
			t.Fatalf("--missing-only %v wrote a links file (%v)", args, err)
		}
		if _, ok := working()["cesis"]; ok {
			t.Fatalf("--missing-only %v issued cesis a link", args)
		}
	}
	// A deliberate act issues one: invite --municipality without
	// --missing-only.
	fourth := filepath.Join(dir, "fourth.csv")
	if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--municipality", "cesis", "-o", fourth); err != nil {
		t.Fatal(err)
	}
	inv, ok := working()["cesis"]
	if !ok || inv.ID == cesis.ID {
		t.Fatalf("invite --municipality cesis: working link %+v (%v)", inv, ok)
	}
	if b, _ := os.ReadFile(fourth); !strings.Contains(string(b), "Cēsu novads") {
		t.Fatalf("fourth links file: %s", b)
	}
}
