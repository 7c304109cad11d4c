package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
)

// archiveCmd is `surveyd archive export|import`: one round to a file and
// back, into this or another installation.
func archiveCmd(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New("archive: export or import?\n" + usage)
	}
	switch args[0] {
	case "export":
		return archiveExport(ctx, cfg, log, args[1:])
	case "import":
		return archiveImport(ctx, cfg, log, args[1:])
	}
	return fmt.Errorf("archive: unknown subcommand %q (export or import)", args[0])
}

func archiveExport(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("archive export", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required)")
	out := fs.String("o", "", "write the archive to this file (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *out == "" || fs.NArg() > 0 {
		return errors.New("archive export: --survey and -o are required")
	}
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone}
	var rows int
	// Personal data (contacts, personal answers): readable by the owner only.
	err = writeReplace(*out, 0o600, func(w io.Writer) error {
		man, err := m.ExportArchive(ctx, domain.OperatorPrincipal(), *slug, w, time.Now())
		for _, p := range man.Parts {
			rows += p.Rows
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("archive export %s: %w", *slug, err)
	}
	fmt.Fprintf(os.Stderr, "round %s archived to %s: %d rows; personal data included (contacts, personal answers), no links or passwords\n",
		*slug, *out, rows)
	return nil
}

func archiveImport(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("archive import", flag.ContinueOnError)
	slug := fs.String("slug", "", "restore the round under this slug instead of its own")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The file may come before the flags: archive import FILE --slug NEW.
	rest := fs.Args()
	if len(rest) > 0 {
		file := rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		rest = append([]string{file}, fs.Args()...)
	}
	if len(rest) != 1 {
		return errors.New("archive import: give one archive file: surveyd archive import FILE [--slug NEW]")
	}
	name := rest[0]
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("archive import: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("archive import: %w", err)
	}
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	m := &manage.Manager{Store: st, BaseURL: cfg.BaseURL, TimeZone: cfg.TimeZone}
	res, err := m.ImportArchive(ctx, domain.OperatorPrincipal(), f, fi.Size(), *slug)
	if err != nil {
		return fmt.Errorf("archive import %s: %w (nothing was changed)", name, err)
	}
	var counts []string
	for table, n := range res.Rows {
		counts = append(counts, fmt.Sprintf("%s %d", table, n))
	}
	sort.Strings(counts)
	fmt.Fprintf(os.Stderr, "round %s (archived %s) restored as %s: %s; %d users matched by e-mail\n",
		res.Manifest.Survey, res.Manifest.CreatedAt.Format(time.RFC3339), res.Slug,
		strings.Join(counts, ", "), res.UsersMatched)
	if n := res.Rows["users"]; n > 0 {
		fmt.Fprintf(os.Stderr, "%d users added disabled, without a password: an admin enables them and sends a set-password link\n", n)
	}
	switch {
	case res.Manifest.PreviousSurvey != "" && res.PreviousLinked:
		fmt.Fprintf(os.Stderr, "linked to its previous round %s\n", res.Manifest.PreviousSurvey)
	case res.Manifest.PreviousSurvey != "":
		fmt.Fprintf(os.Stderr, "note: its previous round %s is not here; restored without that link\n", res.Manifest.PreviousSurvey)
	}
	fmt.Fprintf(os.Stderr, "no link works yet: issue new ones with `surveyd invite --survey %s`\n", res.Slug)
	return nil
}
