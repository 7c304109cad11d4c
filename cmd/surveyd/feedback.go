package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/domain"
)

// feedback writes every submitted municipality's feedback report (or the
// listed ones') to a directory: CODE.html, a standalone page to keep or
// send, and CODE.xlsx. It needs no release: it is the coordinators' own
// export. The directory is created readable by its owner only (0700), and
// so are the files (0600).
func feedback(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("feedback", flag.ContinueOnError)
	slug := fs.String("survey", "", "survey round slug (required)")
	out := fs.String("o", "", "write the files to this directory (required; created mode 0700 if missing)")
	lang := fs.String("lang", "lv", "language of the reports: lv or en")
	munis := fs.String("municipality", "", "municipality codes, comma-separated (default: every one that submitted)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *out == "" {
		return errors.New("feedback: --survey and -o are required")
	}
	if *lang != "lv" && *lang != "en" {
		return fmt.Errorf("feedback: --lang %q: use lv or en", *lang)
	}
	var codes []string
	for _, c := range strings.Split(*munis, ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	st, m, sv, _, err := openRound(ctx, cfg, log, *slug)
	if err != nil {
		return err
	}
	defer st.Close()
	made := false // the directory is made with the first file, so a refused run leaves none
	res, err := m.WriteFeedbackFiles(ctx, domain.OperatorPrincipal(), sv, codes, *lang, func(name string, fill func(io.Writer) error) error {
		if !made {
			if err := feedbackDir(*out); err != nil {
				return err
			}
			made = true
		}
		return writeReplace(filepath.Join(*out, name), 0o600, fill)
	})
	if err != nil {
		return err
	}
	if len(res.NotSubmitted) > 0 {
		fmt.Fprintf(os.Stderr, "no submitted answers, no report: %s\n", strings.Join(res.NotSubmitted, ", "))
	}
	fmt.Fprintf(os.Stderr, "feedback of %d municipalities of %s written to %s (an .html and an .xlsx each)\n",
		len(res.Written), *slug, *out)
	return nil
}

// feedbackDir makes the output directory (0700) unless it exists; an
// existing one keeps its mode (the files in it are 0600).
func feedbackDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o700)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}
