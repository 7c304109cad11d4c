package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// The links file is readable by its owner only, whatever existed: an
// existing 0644 file (in the current format, so it is appended to, or in
// an older one, so it is moved aside) ends up 0600, and so does the moved
// copy, which holds links too.
func TestInviteLinksFileIsPrivate(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL": storetest.NewDatabase(t),
		"BASE_URL":     "https://aptauja.example.lv",
		"LOG_LEVEL":    "warn",
		"LINK_KEY":     "links file test key of 32 characters or more",
	}
	if err := runEnv(t, env, "seed", "--opens", "2026-12-01", "--closes", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	current := filepath.Join(dir, "current.csv")
	if err := os.WriteFile(current, []byte(manage.LinksCSVHeader("lv")), 0o644); err != nil {
		t.Fatal(err)
	}
	older := filepath.Join(dir, "older.csv")
	if err := os.WriteFile(older, []byte("municipality,name,url\nriga,Rīgas valstspilsēta,https://x/r/y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{current, older} {
		if err := os.Chmod(f, 0o644); err != nil { // whatever the umask
			t.Fatal(err)
		}
		if err := runEnv(t, env, "invite", "--survey", "regional-2025", "--municipality", "riga", "-o", f); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), "Rīgas valstspilsēta;https://aptauja.example.lv/r/") {
			t.Fatalf("%s: %v %q", f, err, b)
		}
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", filepath.Base(f), fi.Mode().Perm(), err)
		}
	}
	if fi, err := os.Stat(older + ".old"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("older.csv.old: mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

// A links file owned by another user, or one that is not a plain file (a
// symbolic link to somewhere else), is refused and left as it was.
func TestLinksFileOfAnotherUserOrALinkRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "links.csv")
	if err := os.WriteFile(name, []byte(manage.LinksCSVHeader("lv")), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkLinksFile(name, fi, os.Getuid()); err != nil {
		t.Fatalf("own file refused: %v", err)
	}
	if err := checkLinksFile(name, fi, os.Getuid()+1); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
		t.Fatalf("another user's file: %v", err)
	}
	target := filepath.Join(dir, "elsewhere.csv")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if f, _, err := openLinksFile(link, "lv"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		if f != nil {
			f.Close()
		}
		t.Fatalf("a symbolic link: %v", err)
	}
	if fi, err := os.Stat(target); err != nil || fi.Size() != 0 || fi.Mode().Perm() != 0o644 {
		t.Fatalf("the link's target was touched: %v %v", fi, err)
	}
}
