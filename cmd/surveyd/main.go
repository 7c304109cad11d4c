// Command surveyd is the survey service: the web server and the commands
// coordinators run. Flag parsing and wiring only; the work is done in
// internal/ and survey/.
//
//	surveyd [serve]                          run the web server (default)
//	surveyd migrate                          apply database migrations
//	surveyd seed [--opens T] [--closes T]    migrate, load municipalities and the built-in rounds
//	surveyd invite --survey SLUG [--municipality CODE,...] [--missing-only] [-o FILE]
//	surveyd demo --survey SLUG --responses N [--seed S]
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Riga even where the system has no zone files

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/web"
	"github.com/civitas-lv/surveyd/survey"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "surveyd:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
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
		return invite(ctx, cfg, log, args)
	case "demo":
		return demo(ctx, cfg, log, args)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage:
  surveyd [serve]                          run the web server (default)
  surveyd migrate                          apply database migrations
  surveyd seed [--opens T] [--closes T]    migrate, load municipalities and the built-in rounds
  surveyd invite --survey SLUG [--municipality CODE,...] [--missing-only] [-o FILE]
  surveyd demo --survey SLUG --responses N [--seed S]
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
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if migrate {
		v, err := st.Migrate(ctx)
		if err != nil {
			st.Close()
			return nil, err
		}
		log.Info("database migrated", "version", v)
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
	st, err := openStore(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer st.Close()
	h, err := web.New(web.Options{Store: st, Logger: log, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone})
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", cfg.ListenAddr, "base_url", cfg.BaseURL.String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
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
	st, err := openStore(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer st.Close()
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL}
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

func invite(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required)")
	munis := fs.String("municipality", "", "municipality codes, comma-separated (default: all)")
	missing := fs.Bool("missing-only", false, "only municipalities without a working link (default: rotate: old links stop working)")
	out := fs.String("o", "", "append the CSV to this file (created with mode 0600) instead of printing it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" {
		return errors.New("invite: --survey is required")
	}
	var codes []string
	for _, c := range strings.Split(*munis, ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL}
	links, err := m.Invite(ctx, *slug, codes, *missing)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	header := true
	if *out != "" {
		if len(links) == 0 {
			fmt.Fprintln(os.Stderr, "no new links")
			return nil
		}
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
			header = false
		}
		w = f
	}
	cw := csv.NewWriter(w)
	if header {
		cw.Write([]string{"municipality", "name", "url"})
	}
	for _, l := range links {
		cw.Write([]string{l.Municipality, l.Name, l.URL})
	}
	cw.Flush()
	if *out != "" {
		fmt.Fprintf(os.Stderr, "%d new links written to %s\n", len(links), *out)
	}
	return cw.Error()
}

func demo(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required)")
	n := fs.Int("responses", 0, "how many municipalities without answers get synthetic submitted answers")
	seedFlag := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random seed (repeatable output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *n <= 0 {
		return errors.New("demo: --survey and --responses N (N > 0) are required")
	}
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL}
	made, err := m.Demo(ctx, *slug, *n, *seedFlag)
	fmt.Fprintf(os.Stderr, "%d municipalities got synthetic submitted answers (seed %d)\n", made, *seedFlag)
	return err
}
