package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	neturl "net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/survey"
)

// link is a municipality's personal link: its code and token.
type link struct {
	Code, Token string
}

// readLinks reads the links CSV that surveyd invite writes (either
// language: a byte-order mark, a header, then code, municipality, link,
// contacts) and orders it for the clients: simulated municipalities
// (sim-…) first, then the real ones, each by code.
func readLinks(r io.Reader) ([]link, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	sep := ','
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		sep = ';'
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	var out []link
	for i, rec := range recs {
		if i == 0 || len(rec) < 3 {
			continue
		}
		_, tok, ok := strings.Cut(rec[2], "/r/")
		if !ok || tok == "" {
			continue
		}
		out = append(out, link{Code: rec[0], Token: strings.TrimRight(tok, "/")})
	}
	if len(out) == 0 {
		return nil, errors.New("no links in the links CSV")
	}
	slices.SortFunc(out, func(a, b link) int {
		as, bs := strings.HasPrefix(a.Code, "sim-"), strings.HasPrefix(b.Code, "sim-")
		if as != bs {
			if as {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out, nil
}

// saveResult is one load run: over HTTP, or pgbench's.
type saveResult struct {
	Saves     int // completed (200, or 409 over HTTP)
	Conflicts int // 409s
	Errors    int // anything else
	FirstErr  string
	Elapsed   time.Duration
	Rate      float64 // saves per second
	Lat       []time.Duration
	CPU       time.Duration // the load process's (pgbench's)
}

func (r *saveResult) finish() {
	slices.Sort(r.Lat)
	if r.Rate == 0 && r.Elapsed > 0 {
		r.Rate = float64(r.Saves) / r.Elapsed.Seconds()
	}
}

// pct is the q-quantile of the latencies (nearest rank), in milliseconds.
func (r *saveResult) pct(q float64) float64 {
	if len(r.Lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.Lat))+0.5) - 1
	i = min(max(i, 0), len(r.Lat)-1)
	return float64(r.Lat[i].Microseconds()) / 1000
}

// conflictRate is the share of saves answered 409.
func (r *saveResult) conflictRate() float64 {
	if r.Saves == 0 {
		return 0
	}
	return float64(r.Conflicts) / float64(r.Saves)
}

// saver is one simulated form: its link, the version it holds and the
// answers it shows. It keeps each answer's JSON, so that a save only
// writes bytes out (as pgbench sends its prepared text), and its own
// connection to the server (put.go).
type saver struct {
	url     string
	path    string // the URL's path
	version int
	answers survey.Answers
	enc     map[string][]byte // each answer's JSON
	keys    []string          // the answers' keys, sorted; nil when to be made again
	alts    []survey.Answers  // other plausible answer sets to take changes from
	altKeys [][]string        // their keys, sorted
	altEnc  []map[string][]byte
	rng     *rand.Rand
	body    []byte // the request being built (reused)
	conn    *putConn
}

// setAnswers replaces the form's answers (and their JSON).
func (s *saver) setAnswers(a survey.Answers) error {
	enc, err := encodeEach(a)
	if err != nil {
		return err
	}
	s.answers, s.enc, s.keys = a, enc, nil
	return nil
}

// encodeEach is each answer's JSON.
func encodeEach(a survey.Answers) (map[string][]byte, error) {
	out := make(map[string][]byte, len(a))
	for k, v := range a {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out[k] = b
	}
	return out, nil
}

// appendBody appends the body of a save: {"version":N,"answers":{…}}, the
// answers by key as json.Marshal writes them.
func (s *saver) appendBody(b []byte) []byte {
	if s.keys == nil {
		s.keys = slices.Sorted(maps.Keys(s.answers))
	}
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, int64(s.version), 10)
	b = append(b, `,"answers":{`...)
	for i, k := range s.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, k) // codes are plain ASCII
		b = append(b, ':')
		b = append(b, s.enc[k]...)
	}
	return append(b, "}}"...)
}

// apiState is what the clients read of GET /api/v1/r/{token}.
type apiState struct {
	Version int             `json:"version"`
	Answers json.RawMessage `json:"answers"`
	Survey  struct {
		Definition json.RawMessage `json:"definition"`
	} `json:"survey"`
}

// saveBench is the HTTP autosave load against one server.
type saveBench struct {
	base   string // http://host:port
	links  []link
	client *http.Client
	def    *survey.Definition
	// changes is how many answers a save changes.
	changes int
}

func newSaveBench(base string, links []link) *saveBench {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, DisableCompression: true, IdleConnTimeout: time.Minute}
	return &saveBench{base: strings.TrimRight(base, "/"), links: links, changes: 3,
		client: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

func (b *saveBench) do(ctx context.Context, method, url string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			ue.URL = redact(ue.URL)
		}
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(data) > 0 && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusConflict) {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %d: %w", method, redact(url), resp.StatusCode, err)
		}
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusConflict {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, redact(url), resp.StatusCode, bytes.TrimSpace(data[:min(len(data), 300)]))
	}
	return resp.StatusCode, nil
}

// redact keeps a personal link's token out of messages.
func redact(u string) string {
	if i := strings.Index(u, "/r/"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return u[:i+3] + "…" + rest[j:]
		}
		return u[:i+3] + "…"
	}
	return u
}

// prepare makes the clients' forms: client i takes link i (mod the
// number of links), reads its state, and gets a full set of plausible
// answers (its own when the response has some) and a few alternative sets
// its saves take changes from. No save is made.
func (b *saveBench) prepare(ctx context.Context, clients int, seed uint64) ([]*saver, error) {
	out := make([]*saver, clients)
	for i := range out {
		l := b.links[i%len(b.links)]
		s := &saver{url: b.base + "/api/v1/r/" + l.Token, path: "/api/v1/r/" + l.Token, rng: rand.New(rand.NewPCG(seed, uint64(i)))}
		var st apiState
		if _, err := b.do(ctx, http.MethodGet, s.url, nil, &st); err != nil {
			return nil, err
		}
		if b.def == nil {
			def, err := survey.Parse(st.Survey.Definition, "the API's definition")
			if err != nil {
				return nil, err
			}
			b.def = def
		}
		s.version = st.Version
		a, err := survey.DecodeAnswers(st.Answers)
		if err != nil {
			return nil, err
		}
		for range 4 {
			alt, err := b.def.Synthesize(s.rng, nil)
			if err != nil {
				return nil, err
			}
			enc, err := encodeEach(alt)
			if err != nil {
				return nil, err
			}
			s.alts, s.altKeys, s.altEnc = append(s.alts, alt), append(s.altKeys, slices.Sorted(maps.Keys(alt))), append(s.altEnc, enc)
		}
		if len(a) == 0 {
			a = maps.Clone(s.alts[0])
		}
		if err := s.setAnswers(a); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// change changes a few answers to another plausible set's values: n
// answers that differ, from a random place in its keys on.
func (s *saver) change(n int) {
	j := s.rng.IntN(len(s.alts))
	alt, keys, enc := s.alts[j], s.altKeys[j], s.altEnc[j]
	start := s.rng.IntN(len(keys))
	changed := 0
	for i := range keys {
		k := keys[(start+i)%len(keys)]
		old, had := s.enc[k]
		if had && bytes.Equal(old, enc[k]) {
			continue
		}
		if !had {
			s.keys = nil
		}
		s.answers[k], s.enc[k] = alt[k], enc[k]
		if changed++; changed == n {
			return
		}
	}
}

// savedReply is what a client reads of a 200 or 409.
type savedReply struct {
	Version int             `json:"version"`
	Cleared []string        `json:"cleared"`
	Merged  []string        `json:"merged"`
	Answers json.RawMessage `json:"answers"`
}

// save sends the form's answers as the form's script does and takes in
// the reply: the new version, and only when the reply says so, cleared
// answers dropped, a colleague's merged or conflicting answers taken.
func (b *saveBench) save(ctx context.Context, s *saver) (int, error) {
	status, data, err := b.put(s, s.path, redact(s.url))
	if err != nil {
		return status, err
	}
	if status != http.StatusOK && status != http.StatusConflict {
		return status, fmt.Errorf("PUT %s: %d %s", redact(s.url), status, bytes.TrimSpace(data[:min(len(data), 300)]))
	}
	if status == http.StatusOK && bytes.Contains(data, []byte(`"cleared":[]`)) && bytes.Contains(data, []byte(`"merged":[]`)) {
		v, ok := replyVersion(data)
		if !ok {
			return status, fmt.Errorf("PUT %s: no version in %.300s", redact(s.url), data)
		}
		s.version = v
		return status, nil
	}
	var r savedReply
	if err := json.Unmarshal(data, &r); err != nil {
		return status, fmt.Errorf("PUT %s: %d: %w", redact(s.url), status, err)
	}
	s.version = r.Version
	for _, k := range r.Cleared {
		delete(s.answers, k)
		delete(s.enc, k)
		s.keys = nil
	}
	if len(r.Answers) > 0 && string(r.Answers) != "null" && (status == http.StatusConflict || len(r.Merged) > 0) {
		if a, err := survey.DecodeAnswers(r.Answers); err == nil {
			if err := s.setAnswers(a); err != nil {
				return status, err
			}
		}
	}
	return status, nil
}

// replyVersion is the "version" of a reply, read without decoding it.
func replyVersion(data []byte) (int, bool) {
	_, rest, ok := bytes.Cut(data, []byte(`"version":`))
	if !ok {
		return 0, false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	v, err := strconv.Atoi(string(rest[:n]))
	return v, err == nil
}

// warm makes one save per client, untimed: the responses exist and the
// connections are open before the measurement.
func (b *saveBench) warm(ctx context.Context, savers []*saver) error {
	var wg sync.WaitGroup
	errs := make([]error, len(savers))
	for i, s := range savers {
		wg.Go(func() { _, errs[i] = b.save(ctx, s) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// run lets every client save, one save after the other with no pause
// (the form waits for the reply before the next save), for d.
func (b *saveBench) run(ctx context.Context, savers []*saver, d time.Duration) saveResult {
	return b.loop(ctx, savers, d, func(s *saver) { s.change(b.changes) }, b.save)
}

// put sends s's answers to path on s's connection (dialled first when it
// has none; dropped after an error, which names the request as shown).
func (b *saveBench) put(s *saver, path, shown string) (int, []byte, error) {
	if s.conn == nil {
		c, err := dialPut(b.base)
		if err != nil {
			return 0, nil, err
		}
		s.conn = c
	}
	s.body = s.appendBody(s.body[:0])
	status, data, err := s.conn.put(path, s.body)
	if err != nil {
		s.conn.close()
		s.conn = nil
		return status, nil, fmt.Errorf("PUT %s: %w", shown, err)
	}
	return status, data, nil
}

// floorPath is the autosave's route with a link that is not one: the
// server refuses it (404) when it parses the token, before any database
// work.
const floorPath = "/api/v1/r/floor"

// floor is run's HTTP floor: the same clients, connections and request
// bytes (a save's body, 3 answers changed each time, as run sends), sent
// back to back to floorPath, so the server does all of a save's HTTP work
// (reading and routing the request, the middleware, a JSON reply) and
// none of its own (no database, no decoding or validating). A reply other
// than 404 is an error.
func (b *saveBench) floor(ctx context.Context, savers []*saver, d time.Duration) saveResult {
	return b.loop(ctx, savers, d, func(s *saver) { s.change(b.changes) }, b.floorRequest)
}

// floorRequest sends a save's body to floorPath.
func (b *saveBench) floorRequest(ctx context.Context, s *saver) (int, error) {
	status, data, err := b.put(s, floorPath, floorPath)
	if err != nil {
		return status, err
	}
	if status != http.StatusNotFound {
		return status, fmt.Errorf("PUT %s: %d %s", floorPath, status, bytes.TrimSpace(data[:min(len(data), 300)]))
	}
	return status, nil
}

// loop runs every client's requests back to back for d: before each,
// prep (untimed), then one timed request; a request that fails counts as
// an error (and the client pauses 10 ms), a 409 as a conflict.
func (b *saveBench) loop(ctx context.Context, savers []*saver, d time.Duration, prep func(*saver),
	one func(context.Context, *saver) (int, error)) saveResult {
	var (
		mu  sync.Mutex
		res saveResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for _, s := range savers {
		wg.Go(func() {
			var lat []time.Duration
			var saves, conflicts, errs int
			var first string
			for ctx.Err() == nil && time.Now().Before(deadline) {
				prep(s)
				t0 := time.Now()
				status, err := one(ctx, s)
				el := time.Since(t0)
				switch {
				case err != nil:
					errs++
					if first == "" {
						first = err.Error()
					}
					time.Sleep(10 * time.Millisecond)
					continue
				case status == http.StatusConflict:
					conflicts++
				}
				saves++
				lat = append(lat, el)
			}
			mu.Lock()
			res.Saves += saves
			res.Conflicts += conflicts
			res.Errors += errs
			if res.FirstErr == "" {
				res.FirstErr = first
			}
			res.Lat = append(res.Lat, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.finish()
	return res
}

// saveCmd is `surveybench save`: the HTTP load alone, against a running
// server.
func saveCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("save", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "the server's address")
	file := fs.String("links", "", "the links CSV (surveyd invite) (required)")
	clients := fs.Int("clients", 16, "concurrent forms; more than the links share links (409s)")
	d := fs.Duration("duration", 10*time.Second, "how long to save")
	seed := fs.Uint64("seed", 1, "random seed of the answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || *clients < 1 || *d <= 0 {
		return errors.New("save: -links FILE, -clients N ≥ 1 and -duration D > 0 are required")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	links, err := readLinks(f)
	f.Close()
	if err != nil {
		return err
	}
	b := newSaveBench(*base, links)
	savers, err := b.prepare(ctx, *clients, *seed)
	if err != nil {
		return err
	}
	if err := b.warm(ctx, savers); err != nil {
		return err
	}
	r := b.run(ctx, savers, *d)
	fmt.Printf("clients %d (links %d): %d saves in %.1f s = %.1f saves/s, p50 %.2f ms, p99 %.2f ms, 409 %.2f %%, errors %d\n",
		*clients, min(*clients, len(links)), r.Saves, r.Elapsed.Seconds(), r.Rate, r.pct(0.5), r.pct(0.99), 100*r.conflictRate(), r.Errors)
	if r.FirstErr != "" {
		fmt.Println("first error:", r.FirstErr)
	}
	return nil
}
