package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/internal/web"
	"github.com/civitas-lv/surveyd/survey"
)

// BenchmarkAutosave: clients save at once over HTTP (an httptest server
// on a real database), each its own municipality, each save from the
// version its last one returned, as the form's autosave does; 43 clients
// are all the municipalities. It reports saves/s and SQL round trips per
// save. Profile with -cpuprofile.
func BenchmarkAutosave(b *testing.B) {
	for _, clients := range []int{1, 16, 43} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchAutosave(b, clients) })
	}
}

func benchAutosave(b *testing.B, clients int) {
	st := storetest.New(b)
	base, _ := url.Parse("http://survey.test")
	key, err := auth.NewLinkKey([]byte("test link key, thirty-two bytes or more"))
	if err != nil {
		b.Fatal(err)
	}
	m := &manage.Manager{Store: st, BaseURL: base, Links: key}
	if _, err := m.LoadMunicipalities(ctx); err != nil {
		b.Fatal(err)
	}
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		b.Fatal(err)
	}
	opens := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		b.Fatal(err)
	}
	links, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, nil, false)
	if err != nil {
		b.Fatal(err)
	}
	if len(links) < clients {
		b.Fatalf("%d links for %d clients", len(links), clients)
	}
	srv, err := web.New(web.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: base,
		TimeZone: time.UTC, Now: func() time.Time { return opens.Add(24 * time.Hour) }, Manager: m})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}

	save := func(token string, version, i int) (int, error) {
		body := fmt.Sprintf(`{"version":%d,"answers":{"resp_name":"Anna Ozola","resp_position":"Vadītāja","population":%d,"ngo_rules":"adopted"}}`,
			version, 1000+i)
		req, _ := http.NewRequest("PUT", hs.URL+"/api/v1/r/"+token, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d: %s", resp.StatusCode, data)
		}
		var out struct {
			Version int `json:"version"`
		}
		return out.Version, json.NewDecoder(bytes.NewReader(data)).Decode(&out)
	}
	// Each client's first save, and a warm pool.
	versions := make([]int, clients)
	tokens := make([]string, clients)
	for c := range clients {
		tokens[c] = strings.TrimPrefix(links[c].URL, "http://survey.test/r/")
		if versions[c], err = save(tokens[c], 0, 0); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	var failed atomic.Value
	trips0 := m.RoundTrips()
	b.ResetTimer()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				v, err := save(tokens[c], versions[c], int(i))
				if err != nil {
					failed.Store(err)
					return
				}
				versions[c] = v
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
	b.ReportMetric(float64(m.RoundTrips()-trips0)/float64(b.N), "trips/save")
}
