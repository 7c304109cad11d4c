package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
	"golang.org/x/crypto/bcrypt"
)

// instance is one `surveyd serve` process of the two-instance test.
type instance struct {
	name string
	base string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	log  *syncBuf
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startInstance runs this test binary as `surveyd serve` (TestMain) with env.
func startInstance(t *testing.T, name string, env []string) *instance {
	t.Helper()
	addr := freeAddr(t)
	in := &instance{name: name, base: "http://" + addr, log: &syncBuf{}}
	in.cmd = exec.Command(os.Args[0], "-test.run=^$")
	in.cmd.Env = append([]string{"SURVEYD_TEST_MAIN=serve", "LISTEN_ADDR=" + addr, "PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME")}, env...)
	in.cmd.Stdout, in.cmd.Stderr = in.log, in.log
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { in.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			in.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("log of instance %s:\n%s", in.name, in.log.String())
		}
	})
	return in
}

// TestTwoInstances runs two server processes on one database, both
// migrating at start, and checks what a deployment behind a reverse proxy
// relies on: the migrations ran once; a session made on one works on the
// other; sign-in failures count across both; the two outbox loops never
// send a message twice; a save on one and a stale save on the other merge
// or conflict exactly as on one instance.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.NewEmptyDatabase(t)
	smtp := mailtest.Start(t)
	env := map[string]string{"DATABASE_URL": dsn, "BASE_URL": "https://aptauja.example.lv", "LOG_FORMAT": "json",
		"LOG_LEVEL": "info", "LINK_KEY": "two-instance test link key of 32 characters or more", "SMTP_URL": smtp.URL(),
		"OUTBOX_INTERVAL": "150ms", "MIGRATE_ON_START": "true"}
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	a, b := startInstance(t, "A", list), startInstance(t, "B", list)
	// Generous timeouts: the instances run under the race detector, on a
	// machine that may be busy.
	client := &http.Client{Timeout: 60 * time.Second}
	for _, in := range []*instance{a, b} {
		deadline := time.Now().Add(60 * time.Second)
		for {
			r, err := client.Get(in.base + "/readyz")
			if err == nil {
				r.Body.Close()
				if r.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %s is not ready after 60 s: %v\n%s", in.name, err, in.log.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// The migrations ran once: one instance applied them, the other found
	// the schema current, and the schema is this build's.
	applied := 0
	for _, in := range []*instance{a, b} {
		applied += strings.Count(in.log.String(), `"msg":"database migrated"`)
	}
	if applied != 1 {
		t.Errorf("%d instances applied migrations, want exactly 1\nA: %s\nB: %s", applied, a.log.String(), b.log.String())
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st, m, err := openManager(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err) // SchemaCurrent fails unless the schema is exactly this build's
	}
	defer st.Close()

	// A round, links and a coordinator.
	if _, err := m.LoadMunicipalities(ctx); err != nil {
		t.Fatal(err)
	}
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sv, _, err := m.EnsureRound(ctx, def, now.Add(-time.Hour), now.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	links, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"riga"}, false)
	if err != nil || len(links) != 1 {
		t.Fatalf("invite: %v %v", links, err)
	}
	token := links[0].URL[strings.LastIndex(links[0].URL, "/r/")+3:]
	// The admin's password hashed at bcrypt's least cost: a hash carries its
	// cost, so each sign-in's check on the instances is cheap too (at the
	// default cost, under -race on a busy machine, one took over 30 s).
	hasher, err := auth.NewHasher(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	m.Accounts.Hasher = hasher
	pw, err := m.FirstAdmin(ctx, "admin@example.lv")
	if err != nil || pw == "" {
		t.Fatalf("first admin: %q %v", pw, err)
	}

	// A session made on A works on B.
	jar, _ := cookiejar.New(nil)
	staff := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := func(in *instance, password string) int {
		t.Helper()
		r, err := staff.PostForm(in.base+"/login", url.Values{"email": {"admin@example.lv"}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if got := login(a, pw); got != http.StatusSeeOther {
		t.Fatalf("sign-in on A: %d", got)
	}
	bURL, _ := url.Parse(b.base)
	aURL, _ := url.Parse(a.base)
	jar.SetCookies(bURL, jar.Cookies(aURL)) // the proxy's one host name
	r, err := staff.Get(b.base + "/surveys/" + sv.Slug)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Errorf("A's session on B: %d, want 200", r.StatusCode)
	}

	// Sign-in failures count across both: 5 wrong passwords, alternating,
	// and then the right one is refused on either.
	jar2, _ := cookiejar.New(nil)
	staff.Jar = jar2
	for i := range 5 {
		in := []*instance{a, b}[i%2]
		if got := login(in, "wrong password"); got != http.StatusUnauthorized {
			t.Errorf("wrong password %d on %s: %d, want 401", i+1, in.name, got)
		}
	}
	for _, in := range []*instance{a, b} {
		if got := login(in, pw); got != http.StatusTooManyRequests {
			t.Errorf("after 5 failures on both: the right password on %s answers %d, want 429", in.name, got)
		}
	}

	// Two outbox loops, one queue: every message sent exactly once.
	codes := []string{}
	munis, err := st.Municipalities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, mu := range munis[:24] {
		codes = append(codes, mu.Code)
		if err := st.ReplaceContacts(ctx, mu.Code, []domain.Contact{{Email: "kontakts@" + mu.Code + ".lv"}}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageInvitation, codes, false)
	if err != nil || q.Messages != len(codes) {
		t.Fatalf("queued %+v %v", q, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(smtp.Messages()) < len(codes) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // a few more rounds of both loops
	got := map[string]int{}
	for _, msg := range smtp.Messages() {
		for _, to := range msg.To {
			got[to]++
		}
	}
	for _, c := range codes {
		if n := got["kontakts@"+c+".lv"]; n != 1 {
			t.Errorf("%s got %d messages, want 1", c, n)
		}
	}
	if len(smtp.Messages()) != len(codes) {
		t.Errorf("%d messages sent for %d queued", len(smtp.Messages()), len(codes))
	}
	if !strings.Contains(a.log.String(), "queued messages delivered") || !strings.Contains(b.log.String(), "queued messages delivered") {
		t.Logf("only one instance delivered (the loops did not overlap this run)")
	}

	// A save on A, a stale save on B: merged when disjoint, 409 when both
	// changed the same question differently — as on one instance.
	put := func(in *instance, version int, answers string) (int, map[string]any) {
		t.Helper()
		body := fmt.Sprintf(`{"version":%d,"answers":%s}`, version, answers)
		req, _ := http.NewRequest(http.MethodPut, in.base+"/api/v1/r/"+token, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		r, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var out map[string]any
		json.NewDecoder(r.Body).Decode(&out)
		return r.StatusCode, out
	}
	if st, out := put(a, 0, `{"resp_name":"Anna Ozola","population":24000}`); st != 200 || out["version"] != 1.0 {
		t.Fatalf("first save on A: %d %v", st, out)
	}
	if st, out := put(a, 1, `{"resp_name":"Anna Ozola","population":24000,"resp_position":"Vadītāja"}`); st != 200 || out["version"] != 2.0 {
		t.Fatalf("second save on A: %d %v", st, out)
	}
	st1, out := put(b, 1, `{"resp_name":"Anna Ozola","population":25000,"ngo_rules":"adopted"}`)
	if st1 != 200 || fmt.Sprint(out["merged"]) != "[resp_position]" || out["version"] != 3.0 {
		t.Errorf("stale disjoint save on B: %d %v, want 200 merged [resp_position] version 3", st1, out)
	}
	if st, out := put(a, 3, `{"resp_name":"Anna Ozola","population":26000,"ngo_rules":"adopted","resp_position":"Vadītāja"}`); st != 200 {
		t.Fatalf("save on A: %d %v", st, out)
	}
	st2, out := put(b, 3, `{"resp_name":"Anna Ozola","population":27000,"ngo_rules":"adopted","resp_position":"Vadītāja"}`)
	if st2 != http.StatusConflict || out["error"] != "version_conflict" || fmt.Sprint(out["conflicts"]) != "[population]" {
		t.Errorf("stale overlapping save on B: %d %v, want 409 conflicts [population]", st2, out)
	}
	resp, err := st.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	revs, err := st.Revisions(ctx, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	ans, _ := resp.Answers()
	if resp.Version != 4 || len(revs) != 4 || fmt.Sprint(ans["population"]) != "26000" || ans["ngo_rules"] != "adopted" {
		t.Errorf("stored: version %d, %d revisions, answers %v; want version 4, 4 revisions, population 26000", resp.Version, len(revs), ans)
	}
}
