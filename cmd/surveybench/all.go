package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "github.com/lib/pq"
)

// bench is one `surveybench all`: the settings and what was measured.
type bench struct {
	bin      string // surveyd
	self     string // this program (the bare writer's process)
	script   string // scripts/bench/save.pgbench
	round    string // the round the municipalities answer
	adminDSN *url.URL
	linkKey  string
	dir      string
	quick    bool
	saveTime time.Duration
	// childLimit stops an export (or the bare writer) that runs longer.
	childLimit time.Duration
	clients    []int
	sizes      []int
	dbs        []string // scratch databases made, dropped at the end
	// suffix ends every scratch database's name (this process's id), so
	// that runs side by side on one server never share (or drop) one.
	suffix string
	rows   []row
	notes  []string
}

// row is a line of the table: what | product | baseline | ratio | target | met?
type row struct{ what, product, baseline, ratio, target, met string }

func allCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	bin := fs.String("surveyd", "bin/surveyd", "the surveyd binary to measure")
	script := fs.String("pgbench-script", "scripts/bench/save.pgbench", "the minimal save for pgbench")
	round := fs.String("round", "regional-2025", "the round the autosave and the 43-response pages use (made by surveyd seed)")
	only := fs.String("only", "", "run only these parts, comma-separated: autosave, pages, workbook")
	quick := fs.Bool("quick", os.Getenv("BENCH_QUICK") == "1", "shorter runs, no 100,000-response workbook (also BENCH_QUICK=1)")
	clients := fs.String("clients", "1,16,64", "the autosave's client counts, comma-separated, ascending")
	limit := fs.Duration("export-limit", 5*time.Minute, "stop an export (or the bare writer) that runs longer, and say so")
	sizes := fs.String("sizes", "", "the workbook's sizes, comma-separated, ascending (default 1000,10000,100000; quick: 1000,10000); the pages at 10,000 come with the workbook at 10000")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b := &bench{round: *round, quick: *quick, clients: []int{1, 16, 64}, saveTime: 10 * time.Second,
		sizes: []int{1000, 10000, 100000}, childLimit: *limit, suffix: "_" + strconv.Itoa(os.Getpid())}
	if b.quick {
		b.saveTime, b.sizes = 3*time.Second, []int{1000, 10000}
	}
	if *sizes != "" {
		b.sizes = nil
		for _, f := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 2 || len(b.sizes) > 0 && n <= b.sizes[len(b.sizes)-1] {
				return fmt.Errorf("all: -sizes %q: counts of at least 2, ascending", *sizes)
			}
			b.sizes = append(b.sizes, n)
		}
	}
	b.clients = nil
	for _, f := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || len(b.clients) > 0 && n <= b.clients[len(b.clients)-1] {
			return fmt.Errorf("all: -clients %q: positive counts, ascending", *clients)
		}
		b.clients = append(b.clients, n)
	}
	var err error
	if b.bin, err = filepath.Abs(*bin); err != nil {
		return err
	}
	if b.script, err = filepath.Abs(*script); err != nil {
		return err
	}
	if b.self, err = os.Executable(); err != nil {
		return err
	}
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("all: DATABASE_URL (a PostgreSQL server to make scratch databases on) is not set")
	}
	if b.adminDSN, err = url.Parse(dsn); err != nil || b.adminDSN.Scheme == "" {
		return errors.New("all: DATABASE_URL is not a postgres:// URL")
	}
	if _, err := exec.LookPath("pgbench"); err != nil {
		return errors.New("all: pgbench is not on PATH (Debian: it comes with the postgresql package)")
	}
	key := make([]byte, 32)
	rand.Read(key)
	b.linkKey = hex.EncodeToString(key)
	if b.dir, err = os.MkdirTemp("", "surveybench-"); err != nil {
		return err
	}
	defer b.dropAll()
	ok := false
	defer func() {
		if ok && os.Getenv("SURVEYBENCH_KEEP_LOGS") == "" {
			os.RemoveAll(b.dir)
		} else {
			progress("the servers' logs are kept in %s", b.dir)
		}
	}()

	start := time.Now()
	machine, err := b.machine(ctx)
	if err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{{"autosave", b.saves}, {"pages", b.pages43}, {"workbook", b.workbooks}}
	for _, s := range steps {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), s.name) {
			continue
		}
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	ok = true
	fmt.Println(b.table())
	for _, n := range b.notes {
		fmt.Println("- " + n)
	}
	fmt.Println()
	fmt.Print(machine)
	fmt.Printf("- load average at the end: %s\n", loadavg())
	fmt.Printf("- whole run: %s (%s)\n", time.Since(start).Round(time.Second), map[bool]string{true: "quick: BENCH_QUICK=1", false: "full"}[b.quick])
	return nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "surveybench: "+format+"\n", args...)
}

// dsnFor is DATABASE_URL with the database name replaced.
func (b *bench) dsnFor(db string) string {
	u := *b.adminDSN
	u.Path = "/" + db
	return u.String()
}

func (b *bench) admin() (*sql.DB, error) { return sql.Open("postgres", b.dsnFor("postgres")) }

// fresh drops the scratch database db if a killed run left it, and
// remembers it to drop at the end; surveyd creates it.
func (b *bench) fresh(ctx context.Context, db string) error {
	if err := b.drop(ctx, db); err != nil {
		return err
	}
	b.dbs = append(b.dbs, db)
	return nil
}

func (b *bench) drop(ctx context.Context, db string) error {
	if !strings.HasPrefix(db, "surveybench_") {
		return fmt.Errorf("refusing to drop %q", db)
	}
	a, err := b.admin()
	if err != nil {
		return err
	}
	defer a.Close()
	_, err = a.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+db+`" WITH (FORCE)`)
	return err
}

// dropAll drops the scratch databases, also after a failure or an
// interrupt (with a context of its own).
func (b *bench) dropAll() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, db := range b.dbs {
		if err := b.drop(ctx, db); err != nil {
			fmt.Fprintf(os.Stderr, "surveybench: could not drop %s: %v\n", db, err)
		}
	}
	b.dbs = nil
}

// env is the environment of surveyd's commands on database db.
func (b *bench) env(db string) []string {
	var out []string
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		switch k {
		case "DATABASE_URL", "LINK_KEY", "LINK_KEY_FILE", "LISTEN_ADDR", "BASE_URL", "SMTP_URL", "SMTP_URL_FILE", "LOG_LEVEL", "LOG_FORMAT":
			continue
		}
		out = append(out, e)
	}
	return append(out, "DATABASE_URL="+b.dsnFor(db), "LINK_KEY="+b.linkKey, "LOG_LEVEL=warn")
}

// cli runs a surveyd command that prepares the data (not measured), with
// time for the largest sets on a busy machine.
func (b *bench) cli(ctx context.Context, db string, args ...string) (string, error) {
	return runCLI(ctx, append(b.env(db), "DB_STATEMENT_TIMEOUT="+exportStatementTimeout), b.bin, args...)
}

// saves: the autosave over HTTP beside pgbench's minimal save, at each
// client count, alternately, on one database: the built-in rounds, 64
// simulated municipalities beside the 43 real ones (demo --scale), a link
// for each in the round.
func (b *bench) saves(ctx context.Context) error {
	db := "surveybench_save" + b.suffix
	if err := b.fresh(ctx, db); err != nil {
		return err
	}
	progress("autosave: preparing %s", db)
	maxc := b.clients[len(b.clients)-1]
	steps := [][]string{{"seed"}, {"demo", "--scale", "--rounds", "1", "--municipalities", strconv.Itoa(maxc), "--responses", "1", "--seed", "1"}}
	for _, s := range steps {
		if _, err := b.cli(ctx, db, s...); err != nil {
			return err
		}
	}
	csv, err := b.cli(ctx, db, "invite", "--survey", b.round, "--lang", "en")
	if err != nil {
		return err
	}
	links, err := readLinks(strings.NewReader(csv))
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, b.bin, b.env(db), filepath.Join(b.dir, "serve-save.log"))
	if err != nil {
		return err
	}
	err = srv.explain(b.saveRuns(ctx, db, srv, links))
	srv.stop()
	if err == nil {
		err = b.drop(ctx, db)
	}
	return err
}

// saveRuns measures each client count: over HTTP, then pgbench.
func (b *bench) saveRuns(ctx context.Context, db string, srv *server, links []link) error {
	sb := newSaveBench(srv.base, links)
	codes := make([]string, len(links))
	for i, l := range links {
		codes[i] = l.Code
	}
	admin, err := b.admin()
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, c := range b.clients {
		savers, err := sb.prepare(ctx, c, uint64(c))
		if err != nil {
			return err
		}
		if err := sb.warm(ctx, savers); err != nil {
			return err
		}
		progress("autosave: %d clients over HTTP for %s", c, b.saveTime)
		hw, err := startCPUWatch(ctx, admin, db, map[string]int{"server": srv.cmd.Process.Pid, "load": os.Getpid()})
		if err != nil {
			return err
		}
		trips0, err := srv.roundTrips(ctx)
		if err != nil {
			return err
		}
		h := sb.run(ctx, savers, b.saveTime)
		hcpu := hw.end(ctx)
		trips1, err := srv.roundTrips(ctx)
		if err != nil {
			return err
		}
		if h.Errors > 0 {
			b.notes = append(b.notes, fmt.Sprintf("autosave at %d clients: %d requests failed; the first: %s", c, h.Errors, h.FirstErr))
		}
		vars, err := pgbenchVars(savers[0], b.round, codes, sb.changes)
		if err != nil {
			return err
		}
		progress("autosave: %d clients, pgbench for %s", c, b.saveTime)
		revs, err := b.revisions(ctx, db)
		if err != nil {
			return err
		}
		pw, err := startCPUWatch(ctx, admin, db, nil)
		if err != nil {
			return err
		}
		p, err := pgbenchRun{Script: b.script, DSN: b.dsnFor(db), Dir: b.dir, Clients: c, Time: b.saveTime, Vars: vars}.run(ctx)
		pcpu := pw.end(ctx)
		f, ferr := b.floorRun(ctx, admin, db, srv, sb, savers, c)
		if ferr != nil {
			return ferr
		}
		if err != nil {
			// PostgreSQL's max_connections shared with other work on the
			// machine: say so, and keep the product's figures.
			b.notes = append(b.notes, fmt.Sprintf("pgbench at %d clients failed, no baseline: %v", c, err))
			b.saveRows(c, min(c, len(links)), h, saveResult{})
			b.rows = append(b.rows, b.floorRow(c, min(c, len(links)), f, saveResult{}))
			continue
		}
		pcpu["pgbench"] = p.CPU
		b.notes = append(b.notes, cpuNote(c, hcpu, h.Saves, pcpu, p.Saves))
		if h.Saves > 0 {
			b.notes = append(b.notes, fmt.Sprintf("SQL round trips per save at %d clients: %.2f over HTTP (the service's own count; "+
				"a save alone takes 1 after one through the same link, 2 otherwise, and saves made at the same time share them), 2 for pgbench", c, (trips1-trips0)/float64(h.Saves)))
		}
		// Every transaction must have saved: a revision row each.
		after, err := b.revisions(ctx, db)
		if err != nil {
			return err
		}
		if after-revs != p.Saves {
			b.notes = append(b.notes, fmt.Sprintf("pgbench at %d clients: %d transactions logged, %d revisions written", c, p.Saves, after-revs))
		}
		if p.Errors > 0 {
			b.notes = append(b.notes, fmt.Sprintf("pgbench at %d clients: %d transactions failed", c, p.Errors))
		}
		b.saveRows(c, min(c, len(links)), h, p)
		b.rows = append(b.rows, b.floorRow(c, min(c, len(links)), f, p))
	}
	return nil
}

// floorRun measures the HTTP floor at c clients (saveBench.floor) right
// after pgbench, for the same time, with the server's and the load tool's
// CPU; floorRow makes its row of the table.
func (b *bench) floorRun(ctx context.Context, admin *sql.DB, db string, srv *server, sb *saveBench, savers []*saver, c int) (saveResult, error) {
	progress("autosave: %d clients, the HTTP floor (%s) for %s", c, floorPath, b.saveTime)
	w, err := startCPUWatch(ctx, admin, db, map[string]int{"server": srv.cmd.Process.Pid, "load": os.Getpid()})
	if err != nil {
		return saveResult{}, err
	}
	f := sb.floor(ctx, savers, b.saveTime)
	use := w.end(ctx)
	if f.Errors > 0 {
		b.notes = append(b.notes, fmt.Sprintf("HTTP floor at %d clients: %d requests failed; the first: %s", c, f.Errors, f.FirstErr))
	}
	b.notes = append(b.notes, fmt.Sprintf("HTTP floor at %d clients (PUT %s, a save's body, refused before the database): "+
		"%.1f requests/s, p50 %s, p99 %s; CPU per request: server %.2f ms + PostgreSQL %.2f ms + load tool %.2f ms",
		c, floorPath, f.Rate, ms(f.pct(0.5)), ms(f.pct(0.99)), use.perSave("server", f.Saves), use.perSave("postgres", f.Saves), use.perSave("load", f.Saves)))
	return f, nil
}

// floorRow is the HTTP floor's row at c clients: its rate (f) beside
// pgbench's (p), the most a save over this HTTP service could reach if
// the save itself cost nothing.
func (b *bench) floorRow(c, links int, f, p saveResult) row {
	what := fmt.Sprintf("autosave, %d client%s", c, map[bool]string{true: "", false: "s"}[c == 1])
	if links < c {
		what += fmt.Sprintf(" (%d links)", links)
	}
	return row{what: what + ": HTTP floor (the save's request refused before the database), requests/s",
		product: f1(f.Rate), baseline: f1(p.Rate) + " tps", ratio: ratio(f.Rate, p.Rate)}
}

// revisions counts the revision rows in db: pgbench's transactions are
// checked against it.
func (b *bench) revisions(ctx context.Context, db string) (int, error) {
	c, err := sql.Open("postgres", b.dsnFor(db))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	var n int
	return n, c.QueryRowContext(ctx, "SELECT count(*) FROM revisions").Scan(&n)
}

// pgbenchVars are the payload of the minimal save: the answers document
// a client sends (the same size) and the before and after of a few
// answers, as a revision row holds them.
func pgbenchVars(s *saver, round string, codes []string, changes int) (map[string]string, error) {
	answers, err := json.Marshal(s.answers)
	if err != nil {
		return nil, err
	}
	before, after := map[string]any{}, map[string]any{}
	alt := s.alts[len(s.alts)-1]
	for k, v := range s.answers {
		if len(before) == changes {
			break
		}
		if w, ok := alt[k]; ok {
			before[k], after[k] = v, w
		}
	}
	bj, _ := json.Marshal(before)
	aj, _ := json.Marshal(after)
	return map[string]string{"slug": round, "codes": strings.Join(codes, ","), "nlinks": strconv.Itoa(len(codes)),
		"answers": string(answers), "before": string(bj), "after": string(aj), "ready": "0"}, nil
}

func (b *bench) saveRows(c, links int, h, p saveResult) {
	what := fmt.Sprintf("autosave, %d client%s", c, map[bool]string{true: "", false: "s"}[c == 1])
	if links < c {
		what += fmt.Sprintf(" (%d links)", links)
	}
	rate := row{what: what + ": saves/s", product: f1(h.Rate), baseline: f1(p.Rate) + " tps", ratio: ratio(h.Rate, p.Rate)}
	if c >= 16 {
		rate.target, rate.met = "≥ 0.7×", met(h.Rate >= 0.7*p.Rate)
		if p.Rate == 0 { // no baseline (pgbench failed: see the notes)
			rate.met = "—"
		}
	}
	p99 := row{what: what + ": p99", product: ms(h.pct(0.99)), baseline: ms(p.pct(0.99)), ratio: ratio(h.pct(0.99), p.pct(0.99))}
	if c == 64 {
		p99.target, p99.met = "≤ 50 ms", met(h.pct(0.99) <= 50)
	}
	dist := func(r saveResult) string {
		return fmt.Sprintf("p50 %s, p90 %s, p99 %s, p99.9 %s, max %s", ms(r.pct(0.5)), ms(r.pct(0.9)), ms(r.pct(0.99)), ms(r.pct(0.999)), ms(r.pct(1)))
	}
	b.notes = append(b.notes, fmt.Sprintf("latency at %d clients: over HTTP %s; pgbench %s", c, dist(h), dist(p)))
	b.rows = append(b.rows, rate,
		row{what: what + ": p50", product: ms(h.pct(0.5)), baseline: ms(p.pct(0.5)), ratio: ratio(h.pct(0.5), p.pct(0.5))},
		p99,
		row{what: what + ": 409 rate", product: fmt.Sprintf("%.2f %%", 100*h.conflictRate()), baseline: "—"})
}

// pages43: the charts page, the printable report and the workbook
// (export.xlsx, as a coordinator downloads it) of the round with the 43
// municipalities' submitted answers (demo), beside /healthz.
func (b *bench) pages43(ctx context.Context) error {
	db := "surveybench_p43" + b.suffix
	if err := b.fresh(ctx, db); err != nil {
		return err
	}
	progress("pages: preparing %s", db)
	if _, err := b.cli(ctx, db, "seed"); err != nil {
		return err
	}
	if _, err := b.cli(ctx, db, "demo", "--survey", b.round, "--responses", "43", "--seed", "1"); err != nil {
		return err
	}
	if err := b.settle(ctx, db); err != nil {
		return err
	}
	var after []float64
	err := b.pages(ctx, db, b.round, "43", 20, []benchPage{{"charts page", "charts", 20}, {"printable report", "report", 20},
		{"workbook (export.xlsx)", "export.xlsx", 20}}, &after)
	if err != nil {
		return err
	}
	// What excelize alone takes for the workbook's largest part: the bare
	// writer of the wide and long sheets of the same responses, in this
	// process (no HTTP, no session, no audit row; no summary, charts,
	// status or codebook sheet), beside the workbook made after a save.
	runs := 20
	if b.quick {
		runs = 10
	}
	progress("pages at 43 responses: the bare writer, %d runs in this process", runs)
	bare, err := b.bareInProcess(ctx, db, b.round, runs)
	if err != nil {
		return err
	}
	b.rows = append(b.rows, row{what: fmt.Sprintf("workbook (export.xlsx), 43 responses, first request after a save, beside "+
		"the bare writer of the same responses' wide and long sheets in the load tool's process (median of %d)", runs),
		product: ms(after[2]), baseline: "bare writer " + ms(bare), ratio: ratio(after[2], bare), target: "—", met: "—"})
	return b.drop(ctx, db)
}

// benchPage is a page of a round that pages times: its name in the table,
// its path under /surveys/ROUND/, and its target in milliseconds (0:
// none).
type benchPage struct {
	name, path string
	target     float64
}

// pages times the pages of round, each beside /healthz on the same
// server, rounds times each, alternately.
// When afterSave is not nil, it is set to each page's median time as the
// first request after a save.
func (b *bench) pages(ctx context.Context, db, round, label string, rounds int, pages []benchPage, afterSave *[]float64) error {
	srv, err := startServer(ctx, b.bin, b.env(db), filepath.Join(b.dir, "serve-"+db+".log"))
	if err != nil {
		return err
	}
	defer func() { srv.stop() }() // the server running at the end (restarted below)
	c, err := srv.coordinator(ctx, b.bin)
	if err != nil {
		return srv.explain(err)
	}
	if b.quick {
		rounds = max(rounds/2, 3)
	}
	progress("pages at %s responses: %d rounds", label, rounds)
	// Each page is requested after /healthz on the same server.
	var paths, own []string
	for _, p := range pages {
		paths = append(paths, "/healthz", "/surveys/"+round+"/"+p.path)
		own = append(own, "/surveys/"+round+"/"+p.path)
	}
	// timed is the row of page i timed v beside /healthz timed h.
	timed := func(i int, what string, v, h float64) row {
		r := row{what: fmt.Sprintf("%s, %s responses%s", pages[i].name, label, what), product: ms(v),
			baseline: "/healthz " + ms(h), ratio: ratio(v, h)}
		if pages[i].target > 0 {
			r.target, r.met = "≤ "+ms(pages[i].target), met(v <= pages[i].target)
		}
		return r
	}
	// What each timed request cost the server (all its threads) and the
	// database's backends, read from /proc around it: a note per page.
	admin, err := b.admin()
	if err != nil {
		return err
	}
	defer admin.Close()
	probe := newUseProbe(ctx, admin, db, &srv)
	uses := make([][]string, len(pages))
	use := func(i int, what string, u pageUse) {
		uses[i] = append(uses[i], fmt.Sprintf("%s: server %s, PostgreSQL %s", what, u.Server, u.Postgres))
	}
	t, first, firstUse, err := timePages(ctx, c, srv.base, paths, rounds, probe)
	if err != nil {
		return srv.explain(err)
	}
	for i := range pages {
		use(i, "first request", firstUse[2*i+1])
	}
	for i := range pages {
		// The first request builds the page from the database (nothing
		// made for a request is cached yet — a server writes the workbook
		// of its newest round at start, keeping the parts of it that the
		// next workbook may be given, not the workbook — and no earlier
		// round's trend summary is kept in the database: the first time
		// the round is shown; the answers' prepared forms are kept, as
		// the submits that wrote them keep them), the others are answered
		// from the cache once its stamp is checked.
		b.rows = append(b.rows, timed(i, fmt.Sprintf(" (median of %d)", rounds), t[2*i+1], t[2*i]),
			timed(i, ", first request after the server started", first[2*i+1], first[2*i]))
	}
	// The first request after a save: one response saved through its
	// personal link's API (as the form does), then one GET, saves times.
	saves := 5
	if b.quick {
		saves = 3
	}
	if err := b.openForSaves(ctx, db, round); err != nil {
		return err
	}
	csv, err := b.cli(ctx, db, "invite", "--survey", round, "--municipality", savedMunicipality, "--lang", "en")
	if err != nil {
		return err
	}
	links, err := readLinks(strings.NewReader(csv))
	if err != nil {
		return err
	}
	progress("pages at %s responses: %d saves, each followed by a request", label, saves)
	after, afterUse, err := timeAfterSaves(ctx, c, srv.base, links, own, saves, probe)
	if err != nil {
		return srv.explain(err)
	}
	for i := range pages {
		use(i, fmt.Sprintf("after a save (medians of %d)", saves), afterUse[i])
	}
	for i := range pages {
		b.rows = append(b.rows, timed(i, fmt.Sprintf(", first request after a save (median of %d)", saves), after[i], t[2*i]))
	}
	if afterSave != nil {
		*afterSave = after
	}
	// The first request after a restart: a server started anew over the
	// same database, which has served the round before (the earlier
	// round's trend summary is kept there, and the prepared forms of this
	// round's answers read whole before; the answers saved since are read
	// as documents), with the same session; restarts times, the median of
	// each.
	restarts := 5
	if b.quick {
		restarts = 3
	}
	// restarted times the first request of each path on a server started
	// anew, restarts times (before, when not nil, run while it is
	// stopped), and adds a row per page: the median of each.
	restarted := func(what, log string, before func() error) error {
		progress("pages at %s responses: the first requests after each of %d restarts%s", label, restarts, what)
		times := make([][]float64, len(paths))
		restartUses := make([][]pageUse, len(paths))
		for r := range restarts {
			srv.stop()
			if before != nil {
				if err := before(); err != nil {
					return err
				}
			}
			if srv, err = startServer(ctx, b.bin, b.env(db), filepath.Join(b.dir, fmt.Sprintf("serve-%s%d-%s.log", log, r, db))); err != nil {
				return err
			}
			_, first, firstUse, err := timePages(ctx, c, srv.base, paths, 0, probe)
			if err != nil {
				return srv.explain(err)
			}
			for i, v := range first {
				times[i], restartUses[i] = append(times[i], v), append(restartUses[i], firstUse[i])
			}
		}
		median := func(v []float64) float64 {
			v = slices.Clone(v)
			slices.Sort(v)
			return v[(len(v)-1)/2]
		}
		for i := range pages {
			b.rows = append(b.rows, timed(i, fmt.Sprintf(", first request after a restart%s (median of %d)", what, restarts),
				median(times[2*i+1]), median(times[2*i])))
			use(i, fmt.Sprintf("after a restart%s (medians of %d)", what, restarts), medianUse(restartUses[2*i+1]))
		}
		return nil
	}
	if err := restarted("", "again", nil); err != nil {
		return err
	}
	// The same with no prepared form of any answer kept (each document
	// read and parsed): a round whose answers were written otherwise than
	// through the service, or a server whose forms' format changed.
	if err := restarted(", no prepared form kept", "bare", func() error { return b.dropForms(ctx, db) }); err != nil {
		return err
	}
	for i, p := range pages {
		if probe == nil { // no /proc: nothing was read
			break
		}
		b.notes = append(b.notes, fmt.Sprintf("%s, %s responses, what a request cost (from /proc: CPU of all threads, "+
			"minor page faults; PostgreSQL: the backends of the database): %s", p.name, label, strings.Join(uses[i], "; ")))
	}
	return nil
}

// dropForms deletes every prepared form kept in the scratch database db
// (response_prepared: derived data, made again from the documents).
func (b *bench) dropForms(ctx context.Context, db string) error {
	c, err := sql.Open("postgres", b.dsnFor(db))
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, `TRUNCATE response_prepared`)
	return err
}

// openForSaves lets the round take saves in the scratch database db: the
// scale rounds closed years ago, and a personal link cannot save in a
// closed round. It moves the deadline a day past now (only when it has
// passed) and undoes an early close; the pages show the same.
func (b *bench) openForSaves(ctx context.Context, db, round string) error {
	c, err := sql.Open("postgres", b.dsnFor(db))
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, `UPDATE surveys SET closed_at = NULL, closes_at = greatest(closes_at, now() + interval '1 day')
		WHERE slug = $1 AND opens_at < now()`, round)
	return err
}

// settle vacuums and analyses the scratch database db once its data are
// made, as autovacuum has long done to a database in use: otherwise
// autovacuum may start on the tables just filled while the first requests
// are timed, and those requests set the hint bits of every row they are
// the first to read (PostgreSQL's "is this row's writer committed" marks),
// work that a round written over weeks has long had done.
func (b *bench) settle(ctx context.Context, db string) error {
	c, err := sql.Open("postgres", b.dsnFor(db))
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, `VACUUM (ANALYZE)`)
	return err
}

// savedMunicipality is the municipality whose response the pages' "after
// a save" rows save (a real one: every round of the bench lists it).
const savedMunicipality = "riga"

// workbooks: for each size, a database with that many submitted
// responses in one round (demo --scale makes at most 99,999 simulated
// municipalities, so N-1 of them and one real municipality from demo),
// then surveyd export and the bare writer, each in its own process,
// alternately; at 10,000 also the pages.
func (b *bench) workbooks(ctx context.Context) error {
	b.notes = append(b.notes, "the workbook: surveyd export streams the round through a cursor, the bare writer reads it in one statement; both run with DB_STATEMENT_TIMEOUT="+
		exportStatementTimeout+" (the default 30 s can cancel the bare writer's statement at 100,000 responses on a busy machine)")
	for _, n := range b.sizes {
		db := fmt.Sprintf("surveybench_w%d%s", n, b.suffix)
		if err := b.fresh(ctx, db); err != nil {
			return err
		}
		progress("workbook: preparing %s (%d responses)", db, n)
		steps := [][]string{{"seed"},
			{"demo", "--scale", "--rounds", "1", "--municipalities", strconv.Itoa(n - 1), "--responses", strconv.Itoa(n - 1), "--seed", "1"},
			{"demo", "--survey", "scale-2021", "--responses", "1", "--seed", "1"}}
		for _, s := range steps {
			if _, err := b.cli(ctx, db, s...); err != nil {
				return err
			}
		}
		if err := b.settle(ctx, db); err != nil {
			return err
		}
		reps := 3
		switch {
		case n >= 100000:
			reps = 1
		case n >= 10000 || b.quick:
			reps = 2
		}
		// The bare writer reads the round in one statement, which can
		// outlive the default DB_STATEMENT_TIMEOUT (30 s) at 100,000
		// responses on a busy machine: both get the same longer one.
		env := append(b.env(db), "DB_STATEMENT_TIMEOUT="+exportStatementTimeout)
		out := filepath.Join(b.dir, "out.xlsx")
		var prod, base childRun
		for i := range reps {
			progress("workbook: %d responses, surveyd export and the bare writer (%d/%d)", n, i+1, reps)
			p := measureChild(ctx, b.childLimit, env, out, b.bin, "export", "--survey", "scale-2021", "-o", out)
			q := measureChild(ctx, b.childLimit, env, out, b.self, "xlsx-baseline", "-survey", "scale-2021", "-o", out)
			prod, base = best(prod, p, i), best(base, q, i)
		}
		os.Remove(out)
		b.workbookRows(n, reps, prod, base)
		if n == 10000 {
			if err := b.pages(ctx, db, "scale-2021", "10,000", 5, []benchPage{{"charts page", "charts", 200},
				{"printable report", "report", 0}}, nil); err != nil {
				return err
			}
		}
		if err := b.drop(ctx, db); err != nil {
			return err
		}
	}
	return nil
}

// exportStatementTimeout is DB_STATEMENT_TIMEOUT for the export and the
// bare writer.
const exportStatementTimeout = "10m"

// best keeps the faster run's time, the larger peak RSS, and a failure.
func best(acc, r childRun, i int) childRun {
	switch {
	case i == 0:
		return r
	case acc.Err != nil:
		return acc
	case r.Err != nil:
		return r
	}
	acc.Time = min(acc.Time, r.Time)
	acc.MaxRSS = max(acc.MaxRSS, r.MaxRSS)
	return acc
}

func (b *bench) workbookRows(n, reps int, p, q childRun) {
	what := fmt.Sprintf("workbook, %s responses", thousands(n))
	if reps > 1 {
		what += fmt.Sprintf(" (best of %d)", reps)
	}
	if p.Err != nil || q.Err != nil {
		fail := func(r childRun) string {
			if r.Err != nil {
				msg := r.Err.Error()
				if len(msg) > 120 {
					msg = msg[:120] + "…"
				}
				return fmt.Sprintf("failed after %.0f s: %s", r.Time.Seconds(), strings.ReplaceAll(msg, "|", "/"))
			}
			return fmt.Sprintf("works: %.2f s, %s bytes, peak RSS %s", r.Time.Seconds(), thousands(int(r.Bytes)), mb(r.MaxRSS))
		}
		b.rows = append(b.rows, row{what: what + ": works", product: fail(p), baseline: fail(q), target: "works", met: met(p.Err == nil)})
		if p.Err != nil {
			return
		}
	}
	secs := func(d time.Duration) float64 { return d.Seconds() }
	b.rows = append(b.rows,
		row{what: what + ": time", product: fmt.Sprintf("%.2f s", secs(p.Time)), baseline: fmt.Sprintf("%.2f s", secs(q.Time)),
			ratio: ratio(secs(p.Time), secs(q.Time)), target: "≤ 1.5×", met: met(p.Time.Seconds() <= 1.5*q.Time.Seconds())},
		row{what: what + ": bytes", product: thousands(int(p.Bytes)), baseline: thousands(int(q.Bytes)), ratio: ratio(float64(p.Bytes), float64(q.Bytes))},
		row{what: what + ": peak RSS", product: mb(p.MaxRSS), baseline: mb(q.MaxRSS), ratio: ratio(float64(p.MaxRSS), float64(q.MaxRSS)),
			target: "≤ 200 MB", met: met(p.MaxRSS <= 200<<20)})
	if n >= 100000 && p.Err == nil {
		b.rows = append(b.rows, row{what: what + ": works", product: "works", baseline: "works", target: "works", met: "yes"})
	}
}

func (b *bench) table() string {
	var sb strings.Builder
	sb.WriteString("| what | product | baseline | ratio | target | met? |\n|---|---|---|---|---|---|\n")
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	for _, r := range b.rows {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s |\n", r.what, dash(r.product), dash(r.baseline), dash(r.ratio), dash(r.target), dash(r.met))
	}
	return sb.String()
}

// machine describes where the figures came from.
func (b *bench) machine(ctx context.Context) (string, error) {
	var sb strings.Builder
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	a, err := b.admin()
	if err != nil {
		return "", err
	}
	defer a.Close()
	var pg string
	if err := a.QueryRowContext(ctx, "SHOW server_version").Scan(&pg); err != nil {
		return "", fmt.Errorf("PostgreSQL at DATABASE_URL: %w", err)
	}
	fmt.Fprintf(&sb, "Machine:\n- %d CPUs (nproc), %s\n- PostgreSQL %s\n- %s (surveybench built with it)\n- started %s, load average then: %s%s\n",
		runtime.NumCPU(), cpu, pg, runtime.Version(), time.Now().UTC().Format("2006-01-02 15:04 UTC"), loadavg(), idleNow())
	if d, err := pageFaultCost(); err == nil {
		fmt.Fprintf(&sb, "- first touch of a page of fresh memory: %.1f µs (64 MB written once, median of 3): a server just "+
			"started pays it for each page its heap grows by, a new PostgreSQL process for each page of shared buffers it reads\n",
			float64(d.Nanoseconds())/1e3)
	}
	return sb.String(), nil
}

// idleNow is how idle the CPUs were over the second before (from
// /proc/stat, as vmstat reads it), as the end of the "started" line: a
// virtual machine's load average can read high for minutes after work
// ends, when the CPUs are idle.
func idleNow() string {
	read := func() (idle, total uint64, ok bool) {
		data, err := os.ReadFile("/proc/stat")
		if err != nil {
			return 0, 0, false
		}
		return cpuTimes(data)
	}
	i0, t0, ok0 := read()
	time.Sleep(time.Second)
	i1, t1, ok1 := read()
	if !ok0 || !ok1 || t1 <= t0 {
		return ""
	}
	return fmt.Sprintf("; CPUs idle over the second before: %.0f %%", 100*float64(i1-i0)/float64(t1-t0))
}

// cpuTimes is the idle (idle and iowait) and total time of all CPUs from
// /proc/stat's first line ("cpu  user nice system idle iowait irq softirq
// steal ..."), in clock ticks.
func cpuTimes(stat []byte) (idle, total uint64, ok bool) {
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0, false
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		if i >= 8 { // guest and guest_nice are already in user and nice
			break
		}
		total += n
		if i == 3 || i == 4 {
			idle += n
		}
	}
	return idle, total, true
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func ms(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
}

func mb(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 0, 64) + " MB" }

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "×"
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
