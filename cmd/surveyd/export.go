package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// export writes a round's Excel workbook, as the web export does. It
// includes personal data (personal answers, contacts) only with --personal;
// the file is created with mode 0600 either way.
func export(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, getenv func(string) string,
	stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required)")
	out := fs.String("o", "", "write the workbook to this file (required; - for standard output)")
	region := fs.String("region", "", "only this planning region (e.g. Vidzemes)")
	statRegion := fs.String("statregion", "", "only this statistical region")
	kind := fs.String("kind", "", "only this kind of municipality: valstspilseta or novads")
	status := fs.String("status", "", "response statuses, comma-separated: submitted, returned, draft, none, or all (default submitted)")
	lang := fs.String("lang", "lv", "language of the content: lv or en (sheet names stay Latvian)")
	personal := fs.Bool("personal", false, "include personal answers and contacts (a coordinator's export)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *out == "" {
		return errors.New("export: --survey and -o are required")
	}
	if *lang != "lv" && *lang != "en" {
		return fmt.Errorf("export: --lang %q: use lv or en", *lang)
	}
	q := url.Values{"region": {*region}, "statregion": {*statRegion}, "kind": {*kind}}
	if *status != "" {
		q.Set("status", *status)
	}
	filter := reports.FilterFrom(q)
	if *status != "" && len(filter.Statuses) == 0 {
		return fmt.Errorf("export: --status %q: use submitted, returned, draft, none or all", *status)
	}

	st, m, sv, def, err := openRound(ctx, cfg, log, *slug)
	if err != nil {
		return err
	}
	defer st.Close()
	// A soft memory limit and GOGC=400 under it, unless the environment
	// sets them (gcDefaults): at the default a workbook of a few thousand
	// responses spent about a quarter of the command's CPU collecting
	// garbage; the limit bounds what the largest keep live (the tracker,
	// the aggregates, the data sheets' stream buffers).
	gcDefaults(getenv, exportMemoryLimit, exportGCPercent)
	// The operator may see personal data: --personal decides.
	opt := manage.ExportOptions{Lang: *lang, Filter: filter, Generated: time.Now(), TimeZone: cfg.TimeZone,
		WithoutPersonal: !*personal}
	write := func(w io.Writer) error {
		_, err := m.Export(ctx, domain.OperatorPrincipal(), w, sv, def, opt)
		return err
	}
	if *out == "-" {
		return write(stdout)
	}
	if err := writeReplace(*out, 0o600, write); err != nil {
		return err
	}
	what := "without personal data"
	if *personal {
		what = "WITH personal data (contacts, personal answers)"
	}
	fmt.Fprintf(os.Stderr, "workbook of %s written to %s, %s\n", *slug, *out, what)
	return nil
}

// openRound opens the store, a manager for a command that only reads (it
// needs neither the link key nor mail) and the round with its
// questionnaire, as the operator (manage.Round).
func openRound(ctx context.Context, cfg *config.Config, log *slog.Logger, slug string) (*store.Store, *manage.Manager,
	domain.Survey, *survey.Definition, error) {
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return nil, nil, domain.Survey{}, nil, err
	}
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone}
	sv, def, err := m.Round(ctx, domain.OperatorPrincipal(), slug)
	if err != nil {
		st.Close()
		return nil, nil, domain.Survey{}, nil, fmt.Errorf("survey %q: %w", slug, err)
	}
	return st, m, sv, def, nil
}

// writeReplace writes a file with the given mode: into a file beside it
// first, then renamed over it, so a failed write leaves no half-written file
// and an existing file (or a symbolic link in its place) is replaced, not
// written through.
func writeReplace(name string, mode os.FileMode, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".surveyd-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	err = tmp.Chmod(mode)
	if err == nil {
		err = fill(tmp)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
