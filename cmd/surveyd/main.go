// Command surveyd is the survey service: the web server and the commands
// coordinators run. Flag parsing and wiring only; the work is done in
// internal/, survey/ and reports/.
//
//	surveyd [serve]                          run the web server (default)
//	surveyd migrate                          apply database migrations
//	surveyd seed [--opens T] [--closes T]    migrate, load municipalities and the built-in rounds
//	surveyd invite --survey SLUG [--municipality CODE,...] [--missing-only] [-o FILE] [--lang en]
//	surveyd demo --survey SLUG --responses N [--seed S]
//	surveyd demo --scale --rounds R --municipalities M --responses N [--seed S]
//	surveyd round create --file F [--slug S] --opens T --closes T
//	surveyd round create --from SLUG --slug NEW --reference-year Y --opens T --closes T
//	surveyd round replace --survey SLUG --file F
//	surveyd round retention --survey SLUG --days N|none
//	surveyd definition convert IN OUT        YAML, JSON and XLSForm (.xlsx), by extension
//	surveyd user add --email E --role R [--name N]
//	surveyd user first-admin [--email E]
//	surveyd export --survey SLUG -o FILE.xlsx [--region R] [--kind K] [--status S] [--lang en] [--personal]
//	surveyd opendata --survey SLUG -o FILE.zip [--licence ID]
//	surveyd feedback --survey SLUG -o DIR [--lang en] [--municipality CODE,...]
//	surveyd archive export --survey SLUG -o FILE
//	surveyd archive import FILE [--slug NEW]
//	surveyd keygen
//	surveyd healthcheck [--live] [--url URL]  is the server here ready? (the container's HEALTHCHECK)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Riga even where the system has no zone files

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/metrics"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/web"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "surveyd:", err)
		os.Exit(1)
	}
}

// run is the command line: main passes the process's environment and
// standard output, tests their own, so that commands run side by side in
// one test process (t.Parallel) without t.Setenv or swapping os.Stdout.
// Messages for the operator still go to standard error.
func run(args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd { // no configuration needed
	case "definition": // files only
		return definitionCmd(args)
	case "healthcheck": // LISTEN_ADDR only
		return healthcheck(args, getenv, stdout)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		gcDefaults(getenv, serveMemoryLimit, serveGCPercent)
		return serve(ctx, cfg, log)
	case "migrate":
		st, err := openStore(ctx, cfg, log, true)
		if err != nil {
			return err
		}
		defer st.Close()
		fmt.Fprintln(os.Stderr, "database schema is current")
		return nil
	case "seed":
		return seed(ctx, cfg, log, args)
	case "invite":
		return invite(ctx, cfg, log, args, stdout)
	case "demo":
		return demo(ctx, cfg, log, args)
	case "export":
		return export(ctx, cfg, log, args, getenv, stdout)
	case "opendata":
		return opendata(ctx, cfg, log, args, stdout)
	case "feedback":
		return feedback(ctx, cfg, log, args)
	case "round":
		return round(ctx, cfg, log, args, stdout)
	case "archive":
		return archiveCmd(ctx, cfg, log, args)
	case "user":
		return user(ctx, cfg, log, args, stdout)
	case "keygen":
		fmt.Fprintln(stdout, auth.GenerateKey())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage:
  surveyd [serve]                          run the web server (default)
  surveyd migrate                          apply database migrations
  surveyd seed [--opens T] [--closes T]    migrate, load municipalities and the built-in rounds
  surveyd invite --survey SLUG [--municipality CODE,...] [--missing-only] [-o FILE] [--lang en]
  surveyd demo --survey SLUG --responses N [--seed S]
  surveyd demo --scale --rounds R --municipalities M --responses N [--seed S]
                                           a synthetic benchmark data set; scratch databases only
  surveyd export --survey SLUG -o FILE.xlsx [--region R] [--kind K] [--status S] [--lang en] [--personal]
                                           the Excel workbook; personal data only with --personal
  surveyd opendata --survey SLUG -o FILE.zip [--licence ID]
                                           the open-data package (no personal data)
  surveyd feedback --survey SLUG -o DIR [--lang en] [--municipality CODE,...]
                                           each submitted municipality's feedback report: CODE.html and CODE.xlsx
  surveyd archive export --survey SLUG -o FILE
                                           one round in one file (a zip): answers, history, returns, contacts,
                                           users by e-mail; no links, passwords or sessions
  surveyd archive import FILE [--slug NEW] restore an archived round here, in one transaction; refuses a damaged
                                           or changed file, and a slug that exists (unless --slug)
  surveyd round create --file F [--slug S] --opens T --closes T
                                           create a round from a definition file (.yaml, .json or an XLSForm .xlsx)
  surveyd round create --from SLUG --slug NEW --reference-year Y --opens T --closes T
                                           the next round from the round SLUG: its questionnaire, links for every
                                           active municipality (the links CSV on stdout), last round's answers to
                                           carry_over questions offered for confirmation
  surveyd round replace --survey SLUG --file F
                                           replace the questionnaire of a round that has not opened and where no
                                           municipality has saved anything (YAML, JSON or XLSForm); last round's
                                           answers are carried over again under it
  surveyd round retention --survey SLUG --days N|none
                                           erase the round's personal data N days after its last deadline (the
                                           server's daily job does it), or keep it until erased by hand
  surveyd definition convert IN OUT        convert a questionnaire between YAML, JSON and XLSForm (.xlsx), by extension
  surveyd user add --email E --role admin|coordinator|viewer [--name N]
                                           add a user; prints a one-time set-password link
  surveyd user first-admin [--email E]     if there is no admin, create one and print its password once
  surveyd keygen                           print a new random LINK_KEY
  surveyd healthcheck [--live] [--url URL] [--timeout D]
                                           exit 0 when the server on LISTEN_ADDR is ready (GET /readyz; --live: /healthz)
Configuration comes from environment variables; see README.md.`

func newLogger(cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// openStore connects (creating the database if the server has none yet),
// migrates when asked, and refuses a schema that does not match the build.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool) (*store.Store, error) {
	if err := store.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, store.Options{StatementTimeout: cfg.DBStatementTimeout,
		IdleInTransactionTimeout: cfg.DBIdleInTransactionTimeout, MaxConns: cfg.DBMaxConns, MaxIdleConns: cfg.DBMaxIdleConns})
	if err != nil {
		return nil, err
	}
	if migrate {
		v, applied, err := st.MigrateReport(ctx)
		if err != nil {
			st.Close()
			return nil, err
		}
		if applied {
			log.Info("database migrated", "version", v)
		} else {
			log.Info("database schema is current", "version", v)
		}
	}
	if err := st.SchemaCurrent(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.CheckQueries(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	st, m, err := openManager(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer st.Close()
	var met *metrics.Metrics
	if cfg.MetricsAddr != "" {
		met = metrics.New()
		met.WatchDB(st.DB().DB)
		met.CounterFunc("surveyd_db_round_trips_total",
			"SQL round trips to PostgreSQL (a request sent, then its answer awaited), all connections.",
			func() float64 { return float64(st.RoundTrips()) })
		m.Metrics = met
	}
	// What the first request would pay once for the whole process (the
	// rounds' questionnaires parsed, the chart code's first run) is paid
	// before serving; a failure here leaves it to the requests.
	warmStart := time.Now()
	if err := m.Warm(ctx); err != nil {
		log.Warn("warming up before serving", "error", err)
	} else {
		log.Info("warmed up before serving", "took", time.Since(warmStart).Round(time.Millisecond))
	}
	h, err := web.New(web.Options{Logger: log, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone, Manager: m,
		TrustedProxies: cfg.TrustedProxies, RespondentTimeout: cfg.RespondentTimeout, StaffTimeout: cfg.StaffTimeout,
		ReportTimeout: cfg.ReportTimeout, Metrics: met})
	if err != nil {
		return err
	}
	if met != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", met.Handler())
		msrv := &http.Server{Addr: cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second}
		ml, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		go msrv.Serve(ml)
		defer msrv.Close()
		log.Info("serving metrics", "addr", ml.Addr().String())
	}
	// The outbox and the clean-up run until the server has stopped, and
	// are waited for before the store closes (the defers run in reverse).
	bg, stopBackground := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		stopBackground()
		wg.Wait()
		m.Wait() // the prepared answers being kept after a charts request
		log.Info("background work stopped")
	}()
	wg.Go(func() { m.RunOutbox(bg, cfg.OutboxInterval, log) })
	wg.Go(func() { deleteExpiredSessions(bg, m, log) })
	// Personal data of rounds past their retention period: a minute after
	// start, then daily (idempotent: every instance may run it).
	wg.Go(func() { m.RunRetention(bg, 24*time.Hour, log) })
	// The prepared answers missing of the newest rounds (a round written
	// otherwise, or a new PreparedFormat), a second after start.
	wg.Go(func() { m.RunKeepMissingForms(bg, log) })
	srv := h.HTTPServer(cfg.ListenAddr)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", cfg.ListenAddr, "base_url", cfg.BaseURL.String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	h.Drain() // /readyz says 503 from now on
	if cfg.ShutdownDrain > 0 {
		log.Info("draining: /readyz answers 503, still serving", "for", cfg.ShutdownDrain)
		select {
		case <-time.After(cfg.ShutdownDrain):
		case err := <-errc:
			return err
		}
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func seed(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	now := time.Now().In(cfg.TimeZone)
	opens := fs.String("opens", now.Format("2006-01-02"), "when a new round opens (YYYY-MM-DD or RFC 3339; dates are midnight in TIME_ZONE)")
	closes := fs.String("closes", now.AddDate(0, 0, 56).Format("2006-01-02"), "when a new round closes (a date means the end of that day)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	from, err := parseWhen(*opens, cfg.TimeZone, false)
	if err != nil {
		return fmt.Errorf("--opens: %w", err)
	}
	to, err := parseWhen(*closes, cfg.TimeZone, true)
	if err != nil {
		return fmt.Errorf("--closes: %w", err)
	}
	if err := manage.CheckRoundDates(from, to); err != nil {
		return err
	}
	st, m, err := openManager(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := m.LoadMunicipalities(ctx)
	if err != nil {
		return err
	}
	log.Info("municipalities loaded", "changed", n)
	for _, slug := range survey.BuiltinSlugs() {
		def, _, err := survey.Builtin(slug)
		if err != nil {
			return err
		}
		sv, res, err := m.EnsureRound(ctx, def, from, to)
		if errors.Is(err, manage.ErrDefinitionInUse) {
			// Answers were saved under the round's own copy: it keeps it.
			log.Warn("survey round keeps its questionnaire: the built-in file differs, but answers have been saved; create a new round to use the new file", "slug", slug)
			continue
		}
		if err != nil {
			return err
		}
		log.Info("survey round", "slug", slug, "result", string(res),
			"opens", sv.OpensAt.In(cfg.TimeZone).Format(time.RFC3339), "closes", sv.ClosesAt.In(cfg.TimeZone).Format(time.RFC3339))
	}
	return nil
}

// parseWhen reads a date (midnight, or the end of the day when endOfDay) or
// an RFC 3339 time.
func parseWhen(s string, tz *time.Location, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, tz)
	if err != nil {
		return time.Time{}, errors.New("use YYYY-MM-DD or an RFC 3339 time")
	}
	if endOfDay {
		d = d.Add(24*time.Hour - time.Minute) // 23:59 that day
	}
	return d, nil
}

func invite(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required)")
	munis := fs.String("municipality", "", "municipality codes, comma-separated (default: all)")
	missing := fs.Bool("missing-only", false, "only municipalities without a working link whose link was never revoked (default: rotate: old links stop working)")
	out := fs.String("o", "", "append the CSV to this file (made mode 0600; refused if another user owns it) instead of printing it")
	lang := fs.String("lang", "lv", "language of the CSV: lv (';' between fields, decimal comma) or en (',' and '.')")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" {
		return errors.New("invite: --survey is required")
	}
	if *lang != "lv" && *lang != "en" {
		return errors.New("invite: --lang is lv or en")
	}
	var codes []string
	for _, c := range strings.Split(*munis, ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	st, m, err := openManager(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	op := domain.OperatorPrincipal()
	issued, err := m.IssueLinks(ctx, op, *slug, codes, *missing)
	if err != nil {
		return err
	}
	if len(issued.Held) > 0 {
		fmt.Fprintf(os.Stderr, "revoked links stay revoked, no new link for: %s (a coordinator issues one on the links page, or with invite --municipality CODE)\n",
			strings.Join(issued.Held, ", "))
	}
	links := issued.Links
	rows, err := m.IssuedLinkRows(ctx, op, links, *lang)
	if err != nil {
		return err
	}
	if *out == "" {
		return manage.WriteLinksCSV(stdout, rows, *lang, false)
	}
	if len(links) == 0 {
		fmt.Fprintln(os.Stderr, "no new links")
		return nil
	}
	f, appending, err := openLinksFile(*out, *lang)
	if err != nil {
		return err
	}
	if err := manage.WriteLinksCSV(f, rows, *lang, appending); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d new links written to %s\n", len(links), *out)
	return nil
}

// openLinksFile opens the links CSV to append to, and says whether it
// already has its header. The file holds working links, so it is made
// readable by its owner only (0600) whatever mode it had; a file that is
// not a regular one (a symbolic link, say) or belongs to another user is
// refused, as that user could read every link in it. A file written in
// another format (an older surveyd's, or another language's) is moved
// aside to FILE.old (0600 too) rather than mixed with the new rows.
func openLinksFile(name, lang string) (*os.File, bool, error) {
	header := manage.LinksCSVHeader(lang)
	if fi, err := os.Lstat(name); err == nil {
		if err := checkLinksFile(name, fi, os.Getuid()); err != nil {
			return nil, false, err
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, false, err
		}
		if len(b) > 0 && !strings.HasPrefix(string(b), header) {
			if err := os.Chmod(name, 0o600); err != nil {
				return nil, false, err
			}
			if err := os.Rename(name, name+".old"); err != nil {
				return nil, false, err
			}
			fmt.Fprintf(os.Stderr, "%s was in another format: moved to %s.old\n", name, name)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY|openNoFollow, 0o600)
	if err != nil {
		return nil, false, err
	}
	// Checked again on what was opened, and made private before a link is
	// written to it.
	fi, err := f.Stat()
	if err == nil {
		err = checkLinksFile(name, fi, os.Getuid())
	}
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return nil, false, err
	}
	return f, fi.Size() > 0, nil
}

// checkLinksFile refuses a links file that is not a regular file, or that
// belongs to another user than uid.
func checkLinksFile(name string, fi os.FileInfo, uid int) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%v): links are written only to a plain file; remove it or choose another name", name, fi.Mode().Type())
	}
	if owner, ok := fileOwner(fi); ok && owner != uid {
		return fmt.Errorf("%s belongs to another user (uid %d), who could read the links in it: remove it or choose another name", name, owner)
	}
	return nil
}

func demo(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required without --scale)")
	n := fs.Int("responses", 0, "how many municipalities without answers get synthetic submitted answers; with --scale: responses in all")
	seedFlag := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random seed (repeatable output)")
	scale := fs.Bool("scale", false, "make a synthetic benchmark data set in a scratch database (see --rounds, --municipalities)")
	rounds := fs.Int("rounds", 0, "with --scale: rounds scale-2021, scale-2022, …")
	munis := fs.Int("municipalities", 0, "with --scale: simulated municipalities sim-00001, …")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
	}
	if *scale {
		if *slug != "" || *rounds <= 0 || *munis <= 0 || *n <= 0 {
			return errors.New("demo --scale: --rounds R, --municipalities M and --responses N (each > 0) are required, and no --survey")
		}
		return demoScale(ctx, cfg, log, manage.ScaleSpec{Rounds: *rounds, Municipalities: *munis, Responses: *n, Seed: *seedFlag})
	}
	if *rounds != 0 || *munis != 0 {
		return errors.New("demo: --rounds and --municipalities only with --scale")
	}
	if *slug == "" || *n <= 0 {
		return errors.New("demo: --survey and --responses N (N > 0) are required")
	}
	st, m, err := openManager(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	made, err := m.Demo(ctx, domain.OperatorPrincipal(), *slug, *n, *seedFlag)
	fmt.Fprintf(os.Stderr, "%d municipalities got synthetic submitted answers (seed %d)\n", made, *seedFlag)
	return err
}

// demoScale makes a synthetic benchmark data set (manage.Scale).
func demoScale(ctx context.Context, cfg *config.Config, log *slog.Logger, spec manage.ScaleSpec) error {
	st, m, err := openManager(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	res, err := m.Scale(ctx, domain.OperatorPrincipal(), spec)
	if err != nil {
		return fmt.Errorf("demo --scale: %w", err)
	}
	for i, sv := range res.Rounds {
		fmt.Fprintf(os.Stderr, "%s: %d responses\n", sv.Slug, res.Responses[i])
	}
	fmt.Fprintf(os.Stderr, "%d responses of %d simulated municipalities in %d rounds in %.1f s (seed %d)\n",
		spec.Responses, spec.Municipalities, spec.Rounds, time.Since(start).Seconds(), spec.Seed)
	return nil
}

// openManager opens the store (see openStore) and wires the operations on it.
func openManager(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool) (*store.Store, *manage.Manager, error) {
	st, err := openStore(ctx, cfg, log, migrate)
	if err != nil {
		return nil, nil, err
	}
	m, err := newManager(cfg, st, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, m, nil
}

// newManager wires the operations: the link key (a random one for this run
// when LINK_KEY is unset) and the mail sender when SMTP_URL is set.
func newManager(cfg *config.Config, st *store.Store, log *slog.Logger) (*manage.Manager, error) {
	secret := cfg.LinkKey
	if secret == "" {
		log.Warn("LINK_KEY is not set (nor LINK_KEY_FILE, and there is no .data/link-key here or above up to the repository's top): links issued now can be shown and e-mailed again only until the service restarts (they keep working); see `surveyd keygen`")
		secret = auth.GenerateKey()
	} else if f := cfg.Files["LINK_KEY"]; f != "" {
		log.Debug("link key read from a file", "file", f)
	}
	key, err := auth.NewLinkKey([]byte(secret))
	if err != nil {
		return nil, fmt.Errorf("LINK_KEY: %w", err)
	}
	set := openDataSettings(cfg)
	if _, err := reports.LookupLicence(set.Licence); err != nil {
		return nil, fmt.Errorf("OPENDATA_LICENCE: %w", err)
	}
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL, Links: key, TimeZone: cfg.TimeZone, Publishing: set,
		Accounts: manage.AccountSettings{SessionIdle: cfg.SessionIdle, SessionMaxAge: cfg.SessionMaxAge}}
	if cfg.SMTPURL != "" {
		set, err := mail.ParseURL(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("SMTP_URL: %w", err)
		}
		m.Mail = mail.NewSender(set)
	}
	return m, nil
}

// deleteExpiredSessions deletes expired sessions once a minute until ctx
// ends.
func deleteExpiredSessions(ctx context.Context, m *manage.Manager, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := m.DeleteExpiredSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("delete expired sessions", "error", err)
		}
	}
}

func round(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	const use = "usage: surveyd round create --file F [--slug S] --opens T --closes T\n" +
		"       surveyd round create --from SLUG --slug NEW --reference-year Y --opens T --closes T\n" +
		"       surveyd round replace --survey SLUG --file F\n" +
		"       surveyd round retention --survey SLUG --days N|none"
	if len(args) > 0 && args[0] == "replace" {
		return roundReplace(ctx, cfg, log, args[1:])
	}
	if len(args) > 0 && args[0] == "retention" {
		return roundRetention(ctx, cfg, log, args[1:])
	}
	if len(args) == 0 || args[0] != "create" {
		return errors.New(use)
	}
	fs := flag.NewFlagSet("round create", flag.ContinueOnError)
	file := fs.String("file", "", "questionnaire definition: YAML, JSON or an XLSForm .xlsx (this or --from)")
	fromSlug := fs.String("from", "", "make the next round from this round (this or --file)")
	slug := fs.String("slug", "", "round slug (default with --file: the definition's; required with --from)")
	year := fs.Int("reference-year", 0, "the new round's reference year (with --from; required)")
	lang := fs.String("lang", "lv", "with --from: language of the links CSV, lv or en")
	opens := fs.String("opens", "", "when the round opens (YYYY-MM-DD or RFC 3339; required)")
	closes := fs.String("closes", "", "the deadline (a date means 23:59 that day; required)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case *file != "" && *fromSlug != "":
		return errors.New("round create: give either --file (a new questionnaire) or --from (the previous round's), not both")
	case *file == "" && *fromSlug == "":
		return errors.New("round create: --file or --from is required\n" + use)
	case *fromSlug != "" && (*slug == "" || *year == 0):
		return errors.New("round create --from: --slug and --reference-year are required")
	case *file != "" && *year != 0:
		return errors.New("round create --file: the reference year is the definition's; --reference-year goes with --from")
	case *opens == "" || *closes == "":
		return errors.New("round create: --opens and --closes are required")
	case *lang != "lv" && *lang != "en":
		return errors.New("round create: --lang is lv or en")
	}
	from, err := parseWhen(*opens, cfg.TimeZone, false)
	if err != nil {
		return fmt.Errorf("--opens: %w", err)
	}
	to, err := parseWhen(*closes, cfg.TimeZone, true)
	if err != nil {
		return fmt.Errorf("--closes: %w", err)
	}
	if *fromSlug != "" {
		return roundFrom(ctx, cfg, log, *fromSlug, *slug, *year, from, to, *lang, stdout)
	}
	def, err := readDefinition(*file)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	// Creating a round needs neither the link key nor mail.
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone}
	sv, err := m.CreateRound(ctx, domain.OperatorPrincipal(), def, *slug, from, to)
	switch {
	case errors.Is(err, manage.ErrBadSlug):
		return fmt.Errorf("--slug %q: %w", *slug, manage.ErrBadSlug)
	case errors.Is(err, domain.ErrExists):
		name := def.Slug
		if *slug != "" {
			name = *slug
		}
		return fmt.Errorf("a round %q exists already; choose another --slug", name)
	case err != nil:
		return err
	}
	fmt.Fprintf(os.Stderr, "round %s created: open %s – %s\n", sv.Slug,
		sv.OpensAt.In(cfg.TimeZone).Format("2006-01-02 15:04"), sv.ClosesAt.In(cfg.TimeZone).Format("2006-01-02 15:04"))
	return nil
}

// roundFrom is `round create --from`: the next round, its links (the CSV
// on stdout, as invite writes it) and the carried-over answers.
func roundFrom(ctx context.Context, cfg *config.Config, log *slog.Logger, fromSlug, slug string, year int, opens, closes time.Time, lang string,
	stdout io.Writer) error {
	st, m, err := openManager(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	op := domain.OperatorPrincipal()
	res, err := m.CreateRoundFrom(ctx, op, fromSlug, slug, year, opens, closes)
	switch {
	case errors.Is(err, manage.ErrBadSlug):
		return fmt.Errorf("--slug %q: %w", slug, manage.ErrBadSlug)
	case errors.Is(err, domain.ErrExists):
		return fmt.Errorf("a round %q exists already; choose another --slug", slug)
	case errors.Is(err, domain.ErrNotFound) && res.Source.ID == 0:
		return fmt.Errorf("--from: there is no round %q", fromSlug)
	case errors.Is(err, manage.ErrReferenceYear):
		return fmt.Errorf("--reference-year %d: %w", year, err)
	case err != nil:
		return err
	}
	sv := res.Survey
	fmt.Fprintf(os.Stderr, "round %s created from %s (reference year %d, title %q): open %s – %s; links issued: %d; responses started with last round's answers to confirm: %d\n",
		sv.Slug, res.Source.Slug, sv.ReferenceYear, sv.TitleLV,
		sv.OpensAt.In(cfg.TimeZone).Format("2006-01-02 15:04"), sv.ClosesAt.In(cfg.TimeZone).Format("2006-01-02 15:04"),
		len(res.Issued.Links), res.Carried)
	rows, err := m.IssuedLinkRows(ctx, op, res.Issued.Links, lang)
	if err != nil {
		return err
	}
	return manage.WriteLinksCSV(stdout, rows, lang, false)
}

// roundReplace is `round replace`: a not-yet-open round's questionnaire
// replaced from a file (manage.ReplaceRoundDefinition).
func roundReplace(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("round replace", flag.ContinueOnError)
	slug := fs.String("survey", "", "the round's slug (required)")
	file := fs.String("file", "", "the new questionnaire: YAML, JSON or an XLSForm .xlsx (required); its slug is ignored")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *file == "" || fs.NArg() > 0 {
		return errors.New("usage: surveyd round replace --survey SLUG --file F")
	}
	def, err := readDefinition(*file)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	// Replacing a questionnaire needs neither the link key nor mail.
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone}
	res, err := m.ReplaceRoundDefinition(ctx, domain.OperatorPrincipal(), *slug, def)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return fmt.Errorf("--survey: there is no round %q", *slug)
	case err != nil:
		return fmt.Errorf("round %s: %w", *slug, err)
	}
	from := ""
	if res.Source != nil {
		from = " from " + res.Source.Slug
	}
	fmt.Fprintf(os.Stderr, "round %s: questionnaire replaced (title %q); responses started again with answers carried over%s: %d\n",
		res.Survey.Slug, res.Survey.TitleLV, from, res.Carried)
	return nil
}

// roundRetention is `round retention`: how many days after the round's
// last deadline its personal data is erased ("none": kept until erased by
// hand).
func roundRetention(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	const use = "usage: surveyd round retention --survey SLUG --days N|none"
	fs := flag.NewFlagSet("round retention", flag.ContinueOnError)
	slug := fs.String("survey", "", "the round's slug (required)")
	daysFlag := fs.String("days", "", "days after the round's last deadline, or none (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *daysFlag == "" || fs.NArg() > 0 {
		return errors.New(use)
	}
	var days *int
	if *daysFlag != "none" {
		n, err := strconv.Atoi(*daysFlag)
		if err != nil {
			return fmt.Errorf("--days %q: a whole number of days or none", *daysFlag)
		}
		days = &n
	}
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone}
	op := domain.OperatorPrincipal()
	sv, _, err := m.Round(ctx, op, *slug)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("--survey: there is no round %q", *slug)
	}
	if err != nil {
		return err
	}
	if err := m.SetRoundRetention(ctx, op, sv, days); err != nil {
		return fmt.Errorf("--days: %w", err)
	}
	rt, err := m.RoundRetention(ctx, op, sv)
	if err != nil {
		return err
	}
	if at := rt.EraseAt(); at != nil {
		fmt.Fprintf(os.Stderr, "round %s: personal data is erased %d days after its last deadline, from %s\n",
			sv.Slug, *rt.Days, at.In(cfg.TimeZone).Format("2006-01-02 15:04"))
	} else {
		fmt.Fprintf(os.Stderr, "round %s: personal data is kept until erased by hand\n", sv.Slug)
	}
	return nil
}

func user(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "first-admin") {
		return errors.New("usage: surveyd user add --email E --role R [--name N] | surveyd user first-admin [--email E]")
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	email := fs.String("email", "", "the user's e-mail address (sign-in name)")
	role := fs.String("role", "", "admin, coordinator or viewer")
	name := fs.String("name", "", "the user's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, m, err := openManager(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "first-admin" {
		if *email == "" {
			*email = "admin@localhost"
		}
		pw, err := m.FirstAdmin(ctx, *email)
		if err != nil {
			return err
		}
		if pw == "" {
			fmt.Fprintln(os.Stderr, "an admin exists already; nothing changed")
			return nil
		}
		fmt.Fprintf(stdout, "First admin created. Sign in at %s/login as %s with the password (shown only now):\n%s\n",
			cfg.BaseURL, strings.ToLower(*email), pw)
		return nil
	}
	if *email == "" || *role == "" {
		return errors.New("user add: --email and --role are required")
	}
	u, link, err := m.AddUser(ctx, domain.OperatorPrincipal(), *email, *name, *role)
	switch {
	case errors.Is(err, manage.ErrBadEmail):
		return fmt.Errorf("--email %q: not an e-mail address", *email)
	case errors.Is(err, manage.ErrBadRole):
		return fmt.Errorf("--role %q: use admin, coordinator or viewer", *role)
	case errors.Is(err, manage.ErrTooLong), errors.Is(err, manage.ErrBadCharacters):
		return fmt.Errorf("--name: %w", err)
	case errors.Is(err, domain.ErrExists):
		return fmt.Errorf("a user %s exists already", strings.ToLower(*email))
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "User %s (%s) added. One-time link to set the password (works for 72 hours):\n%s\n", u.Email, u.Role, link)
	return nil
}
