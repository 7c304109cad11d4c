package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/internal/web"
	"github.com/civitas-lv/surveyd/survey"
)

// pagesBench is a server on a database with one round of a given size and
// a viewer signed in: what BenchmarkPages requests pages of.
type pagesBench struct {
	st     *store.Store
	srv    *web.Server
	slug   string
	cookie *http.Cookie
	// fresh makes another Manager and server over the same database, as
	// a process just started has them (nothing kept).
	fresh func(b *testing.B) *web.Server
}

// pagesBenches holds the databases BenchmarkPages made, one per size, so
// that a benchmark process makes the 10,000-response set once however many
// times the benchmark function runs (-count).
var pagesBenches = struct {
	sync.Mutex
	by map[int]*pagesBench
}{by: map[int]*pagesBench{}}

// newPagesBench makes (once per process) a server over a round with n
// responses: n == 43 is the demo round (regional-2025, every municipality
// answered by manage.Demo); otherwise the second round of a scale set
// (manage.Scale, 2 rounds of n responses each over n simulated
// municipalities), so the page has the trends over the first round too.
func newPagesBench(b *testing.B, n int) *pagesBench {
	b.Helper()
	pagesBenches.Lock()
	defer pagesBenches.Unlock()
	if pb := pagesBenches.by[n]; pb != nil {
		return pb
	}
	// The database outlives this benchmark (later runs reuse it): the
	// run's databases are dropped when the test binary ends (storetest.Main).
	st := storetest.New(processLong{b})
	base, _ := url.Parse("http://survey.test")
	hasher, err := auth.NewHasher(4)
	if err != nil {
		b.Fatal(err)
	}
	m := &manage.Manager{Store: st, BaseURL: base, Accounts: manage.AccountSettings{Hasher: hasher}}
	if _, err := m.LoadMunicipalities(ctx); err != nil {
		b.Fatal(err)
	}
	op := domain.OperatorPrincipal()
	var slug string
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if n == 43 {
		def, _, err := survey.Builtin("regional-2025")
		if err != nil {
			b.Fatal(err)
		}
		sv, _, err := m.EnsureRound(ctx, def, now.Add(-24*time.Hour), now.Add(40*24*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		if made, err := m.Demo(ctx, op, sv.Slug, n, 1); err != nil || made != n {
			b.Fatalf("demo made %d: %v", made, err)
		}
		slug = sv.Slug
	} else {
		res, err := m.Scale(ctx, op, manage.ScaleSpec{Rounds: 2, Municipalities: n, Responses: 2 * n, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		slug = res.Rounds[1].Slug
	}
	h, err := hasher.Hash(password)
	if err != nil {
		b.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "viewer@survey.test", "", domain.RoleViewer, h)
	if err != nil {
		b.Fatal(err)
	}
	token, hash := auth.NewToken()
	if err := st.CreateSession(ctx, hash, u.ID, now, now.Add(24*time.Hour)); err != nil {
		b.Fatal(err)
	}
	fresh := func(b *testing.B) *web.Server {
		m := &manage.Manager{Store: st, BaseURL: base, Accounts: manage.AccountSettings{Hasher: hasher}}
		srv, err := web.New(web.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: base,
			Now: func() time.Time { return now }, Manager: m})
		if err != nil {
			b.Fatal(err)
		}
		return srv
	}
	pb := &pagesBench{st: st, srv: fresh(b), slug: slug, cookie: &http.Cookie{Name: "surveyd_session", Value: token},
		fresh: fresh}
	pagesBenches.by[n] = pb
	return pb
}

// processCPU is the CPU time the process has used (user and system, every
// thread), in nanoseconds: what a request cost the server's CPU, whatever
// else the machine was doing meanwhile (the database's work is not in it).
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// processLong is a testing.TB whose cleanups never run: what it makes
// lasts as long as the process.
type processLong struct{ testing.TB }

func (processLong) Cleanup(func()) {}

// touch writes one of the round's responses again as it is: nothing
// shown changes, but the charts can no longer be the ones made before
// (the "-cold" benchmarks: the page as the first request after a save
// gets it).
func (pb *pagesBench) touch(b *testing.B) {
	_, err := pb.st.DB().ExecContext(ctx, `UPDATE responses SET updated_at = updated_at
		WHERE id = (SELECT min(r.id) FROM responses r JOIN surveys s ON s.id = r.survey_id WHERE s.slug = $1)`, pb.slug)
	if err != nil {
		b.Fatal(err)
	}
}

// get requests path through the handler and fails unless it answers 200.
func (pb *pagesBench) get(b *testing.B, path string) int {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(pb.cookie)
	w := httptest.NewRecorder()
	pb.srv.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %.300s", path, w.Code, w.Body.String())
	}
	return w.Body.Len()
}

// BenchmarkPages times the chart dashboard and the printable report of a
// round with 43 and with 10,000 responses, through the Gin handler, signed
// in as a viewer, beside GET /healthz through the same harness (the
// baseline: one round trip to the database): as a page is served again
// and again ("charts", "report"), and as the first request after a save
// gets it ("charts-cold", "report-cold": a response is written before
// each request, outside the timing), and as the first request to a
// server just made gets it ("charts-first", "report-first": a new
// Manager and server over the same database before each request, outside
// the timing; nothing is kept, but what a process makes once for all its
// servers is, and the database connections are open). Each sub-benchmark reports
// its page's time as a multiple of /healthz measured just before it
// ("x-healthz") and the CPU time the process used per request
// ("cpu-ms/op", the touching included for "-cold", the making of the
// server not for "-first"; the database's own
// work is not in it). The 10,000-response set takes a while to make, once per
// process:
//
//	go test ./internal/web -run '^$' -bench Pages -benchtime 2s
func BenchmarkPages(b *testing.B) {
	for _, n := range []int{43, 10_000} {
		// Each sub-benchmark gets its server itself, so that -bench can
		// pick one size without making the other's database.
		var healthz float64
		b.Run(fmt.Sprintf("healthz/responses=%d", n), func(b *testing.B) {
			pb := newPagesBench(b, n)
			for b.Loop() {
				pb.get(b, "/healthz")
			}
			healthz = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
		for _, page := range []string{"charts", "report", "charts-cold", "report-cold", "charts-first", "report-first"} {
			path, variant, _ := strings.Cut(page, "-")
			b.Run(fmt.Sprintf("%s/responses=%d", page, n), func(b *testing.B) {
				pb := newPagesBench(b, n)
				size := 0
				if variant == "" {
					pb.get(b, "/surveys/"+pb.slug+"/"+path) // the page as it is served again
				}
				cpu, untimed := processCPU(b), int64(0)
				for b.Loop() {
					switch variant {
					case "cold":
						b.StopTimer()
						pb.touch(b)
						b.StartTimer()
					case "first":
						b.StopTimer()
						c := processCPU(b)
						pb.srv = pb.fresh(b)
						untimed += processCPU(b) - c
						b.StartTimer()
					}
					size = pb.get(b, "/surveys/"+pb.slug+"/"+path)
				}
				b.ReportMetric(float64(processCPU(b)-cpu-untimed)/1e6/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(size), "bytes/page")
				if healthz > 0 {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/healthz, "x-healthz")
				}
			})
		}
	}
}
