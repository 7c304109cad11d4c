package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"os"

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
)

// opendata writes a round's open-data package, as the web route does. It
// holds no personal data, so the file is made readable by everyone
// (0644), like any file published.
func opendata(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("opendata", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required)")
	out := fs.String("o", "", "write the zip to this file (required; - for standard output)")
	licence := fs.String("licence", "", "licence (SPDX identifier; default OPENDATA_LICENCE, "+cfg.OpenDataLicence+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *out == "" {
		return errors.New("opendata: --survey and -o are required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("opendata: unexpected %q", fs.Args())
	}
	set := openDataSettings(cfg)
	if *licence == "" {
		*licence = set.Licence
	}
	if _, err := reports.LookupLicence(*licence); err != nil {
		return fmt.Errorf("opendata: --licence: %w", err)
	}

	st, m, sv, _, err := openRound(ctx, cfg, log, *slug)
	if err != nil {
		return err
	}
	defer st.Close()
	m.Publishing = set
	if *out == "-" {
		return m.OpenData(ctx, domain.OperatorPrincipal(), stdout, sv, *licence)
	}
	// Open data: readable by everyone (0644).
	if err := writeReplace(*out, 0o644, func(w io.Writer) error {
		return m.OpenData(ctx, domain.OperatorPrincipal(), w, sv, *licence)
	}); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "open-data package of %s written to %s (licence %s; no personal data)\n", *slug, *out, *licence)
	return nil
}

// openDataSettings maps the OPENDATA_* variables onto the package's
// publisher; the contact address is MAIL_FROM's when not set.
func openDataSettings(cfg *config.Config) manage.OpenDataSettings {
	set := manage.OpenDataSettings{Publisher: cfg.OpenDataPublisher, PublisherURL: cfg.OpenDataPublisherURL,
		ContactEmail: cfg.OpenDataContactEmail, FilesURL: cfg.OpenDataBaseURL,
		CKANOrganization: cfg.OpenDataCKANOrganization, Licence: cfg.OpenDataLicence}
	if set.ContactEmail == "" {
		if a, err := mail.ParseAddress(cfg.MailFrom); err == nil {
			set.ContactEmail = a.Address
		}
	}
	return set
}
