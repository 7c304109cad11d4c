package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
