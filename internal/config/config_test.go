package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != ":8080" || c.BaseURL.String() != "http://localhost:8080" || !c.MigrateOnStart || c.TimeZone.String() != "Europe/Riga" {
		t.Errorf("defaults: %+v", c)
	}
}

// The database and request deadlines: defaults, and durations only.
func TestTimeouts(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DBStatementTimeout != 30*time.Second || c.DBIdleInTransactionTimeout != time.Minute ||
		c.RespondentTimeout != 10*time.Second || c.StaffTimeout != 30*time.Second || c.ReportTimeout != 100*time.Second {
		t.Errorf("defaults: %v %v %v %v %v", c.DBStatementTimeout, c.DBIdleInTransactionTimeout, c.RespondentTimeout,
			c.StaffTimeout, c.ReportTimeout)
	}
	c, err = Load(env(map[string]string{"RESPONDENT_TIMEOUT": "5s", "REPORT_TIMEOUT": "5m"}))
	if err != nil || c.RespondentTimeout != 5*time.Second || c.ReportTimeout != 5*time.Minute {
		t.Errorf("set: %+v %v", c, err)
	}
	_, err = Load(env(map[string]string{"STAFF_TIMEOUT": "0s", "DB_STATEMENT_TIMEOUT": "soon"}))
	if err == nil || !strings.Contains(err.Error(), "STAFF_TIMEOUT") || !strings.Contains(err.Error(), "DB_STATEMENT_TIMEOUT") {
		t.Errorf("bad values: %v", err)
	}
}

func TestBadValuesAllReported(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"BASE_URL": "ftp://x", "LOG_LEVEL": "loud", "DATABASE_URL": "mysql://secretpw@x"}))
	if err == nil {
		t.Fatal("accepted bad values")
	}
	for _, want := range []string{"BASE_URL", "LOG_LEVEL", "DATABASE_URL=(secret)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "secretpw") {
		t.Error("a secret value leaked into the error")
	}
}

func TestSecretFromFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "db")
	os.WriteFile(p, []byte("postgres://u:pw@db/x\n"), 0o600)
	c, err := Load(env(map[string]string{"DATABASE_URL_FILE": p}))
	if err != nil || c.DatabaseURL != "postgres://u:pw@db/x" {
		t.Fatalf("%v %v", c, err)
	}
}

// TestREADMEListsEveryVariable keeps the README's configuration table in step.
func TestREADMEListsEveryVariable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range Options() {
		if !strings.Contains(string(b), "`"+o.Name+"`") {
			t.Errorf("README.md does not document %s", o.Name)
		}
	}
}

// TestLinkKeyFoundInDataDir: with neither LINK_KEY nor LINK_KEY_FILE set,
// the key `make run` keeps in .data/link-key is found from the working
// directory and from below it, up to the repository's top but not beyond;
// LINK_KEY_FILE and LINK_KEY still come first.
func TestLinkKeyFoundInDataDir(t *testing.T) {
	outside := t.TempDir()
	const outerKey = "outer key outside the repository, 32+ chars"
	if err := os.MkdirAll(filepath.Join(outside, ".data"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(outside, ".data", "link-key"), []byte(outerKey+"\n"), 0o600)
	repo := filepath.Join(outside, "repo")
	sub := filepath.Join(repo, "cmd", "surveyd")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o600)

	// The repository has no key yet: the one above its top is not taken.
	t.Chdir(sub)
	c, err := Load(env(nil))
	if err != nil || c.LinkKey != "" || c.Files["LINK_KEY"] != "" {
		t.Fatalf("without a key file: key %q from %q, %v", c.LinkKey, c.Files["LINK_KEY"], err)
	}

	const key = "the key make run keeps, at least 32 characters"
	os.MkdirAll(filepath.Join(repo, ".data"), 0o700)
	keyFile := filepath.Join(repo, ".data", "link-key")
	os.WriteFile(keyFile, []byte(key+"\n"), 0o600)
	for _, dir := range []string{repo, sub} {
		t.Chdir(dir)
		c, err := Load(env(nil))
		if err != nil || c.LinkKey != key || c.Files["LINK_KEY"] != keyFile {
			t.Fatalf("from %s: key %q from %q, %v", dir, c.LinkKey, c.Files["LINK_KEY"], err)
		}
	}

	other := filepath.Join(t.TempDir(), "key")
	os.WriteFile(other, []byte("a key given by LINK_KEY_FILE, 32+ characters"), 0o600)
	c, err = Load(env(map[string]string{"LINK_KEY_FILE": other}))
	if err != nil || c.LinkKey != "a key given by LINK_KEY_FILE, 32+ characters" || c.Files["LINK_KEY"] != other {
		t.Fatalf("LINK_KEY_FILE: key %q from %q, %v", c.LinkKey, c.Files["LINK_KEY"], err)
	}
	c, err = Load(env(map[string]string{"LINK_KEY": "the variable itself wins, 32+ characters"}))
	if err != nil || c.LinkKey != "the variable itself wins, 32+ characters" || c.Files["LINK_KEY"] != "" {
		t.Fatalf("LINK_KEY: key %q from %q, %v", c.LinkKey, c.Files["LINK_KEY"], err)
	}

	// A key file that is too short is reported by its name, not its value.
	os.WriteFile(keyFile, []byte("short"), 0o600)
	if _, err := Load(env(nil)); err == nil || !strings.Contains(err.Error(), "LINK_KEY=(secret) read from "+keyFile) || strings.Contains(err.Error(), "short") {
		t.Fatalf("short key file: %v", err)
	}
}

// The open-data settings: defaults, values, and bad values all reported.
func TestOpenDataSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.OpenDataPublisher != "Latvijas Pilsoniskā alianse" || c.OpenDataLicence != "CC-BY-4.0" || c.OpenDataContactEmail != "" ||
		c.OpenDataBaseURL != "" || c.OpenDataPublisherURL != "" || c.OpenDataCKANOrganization != "" {
		t.Errorf("defaults: %+v", c)
	}
	c, err = Load(env(map[string]string{"OPENDATA_PUBLISHER": " Latvijas Lauku forums ", "OPENDATA_CONTACT_EMAIL": "dati@example.lv",
		"OPENDATA_BASE_URL": "https://dati.example.lv/aptauja/", "OPENDATA_PUBLISHER_URL": "https://example.lv",
		"OPENDATA_CKAN_ORGANIZATION": "lauku-forums", "OPENDATA_LICENCE": "CC0-1.0"}))
	if err != nil || c.OpenDataPublisher != "Latvijas Lauku forums" || c.OpenDataContactEmail != "dati@example.lv" ||
		c.OpenDataBaseURL != "https://dati.example.lv/aptauja" || c.OpenDataPublisherURL != "https://example.lv" ||
		c.OpenDataCKANOrganization != "lauku-forums" || c.OpenDataLicence != "CC0-1.0" {
		t.Errorf("set: %+v %v", c, err)
	}
	_, err = Load(env(map[string]string{"OPENDATA_CONTACT_EMAIL": "Dati <dati@example.lv>", "OPENDATA_BASE_URL": "ftp://x",
		"OPENDATA_PUBLISHER_URL": "example.lv", "OPENDATA_CKAN_ORGANIZATION": "Lauku Forums", "OPENDATA_LICENCE": "CC BY 4.0",
		"OPENDATA_PUBLISHER": "a\x00b"}))
	for _, name := range []string{"OPENDATA_CONTACT_EMAIL", "OPENDATA_BASE_URL", "OPENDATA_PUBLISHER_URL",
		"OPENDATA_CKAN_ORGANIZATION", "OPENDATA_LICENCE", "OPENDATA_PUBLISHER="} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("bad %s not reported: %v", name, err)
		}
	}
}

// The connection pool: 20 connections, all kept when idle, by default;
// whole numbers from 1 only.
func TestPoolSize(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil || c.DBMaxConns != 20 || c.DBMaxIdleConns != 0 {
		t.Fatalf("defaults: %d, %d, %v", c.DBMaxConns, c.DBMaxIdleConns, err)
	}
	c, err = Load(env(map[string]string{"DB_MAX_CONNS": "40", "DB_MAX_IDLE_CONNS": "10"}))
	if err != nil || c.DBMaxConns != 40 || c.DBMaxIdleConns != 10 {
		t.Fatalf("set: %d, %d, %v", c.DBMaxConns, c.DBMaxIdleConns, err)
	}
	for _, bad := range []map[string]string{{"DB_MAX_CONNS": "0"}, {"DB_MAX_CONNS": "many"}, {"DB_MAX_IDLE_CONNS": "-1"}} {
		if _, err := Load(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
