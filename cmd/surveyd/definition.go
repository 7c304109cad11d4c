package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/civitas-lv/surveyd/survey"
)

// definitionCmd runs "surveyd definition convert IN OUT": a questionnaire
// from YAML, JSON or an XLSForm workbook (.xlsx) to any of them, by the
// files' extensions. The input is checked as survey.Parse checks any
// definition, and the output is read back before it is written.
func definitionCmd(args []string) error {
	if len(args) != 3 || args[0] != "convert" {
		return errors.New("usage: surveyd definition convert IN OUT   (.yaml, .yml, .json or .xlsx, by extension)")
	}
	in, out := args[1], args[2]
	if filepath.Clean(in) == filepath.Clean(out) {
		return errors.New("definition convert: IN and OUT are the same file")
	}
	outKind := definitionKind(out)
	if outKind == "" {
		return fmt.Errorf("definition convert: %s: the output must end in .yaml, .yml, .json or .xlsx", out)
	}
	def, err := readDefinition(in)
	if err != nil {
		return err
	}
	var data []byte
	switch outKind {
	case "xlsx":
		var b bytes.Buffer
		if err := survey.ExportXLSForm(def, &b); err != nil {
			return err
		}
		data = b.Bytes()
	case "yaml":
		if data, err = def.YAML(); err != nil {
			return err
		}
	case "json":
		var b bytes.Buffer
		if err := json.Indent(&b, def.JSON(), "", "  "); err != nil {
			return err
		}
		data = append(b.Bytes(), '\n')
	}
	// What is written must read back to the same questionnaire.
	back, err := parseDefinition(data, outKind, out)
	if err != nil {
		return fmt.Errorf("definition convert: the converted file does not read back: %w", err)
	}
	if !bytes.Equal(back.JSON(), def.JSON()) {
		return errors.New("definition convert: the converted file reads back to a different questionnaire; nothing written")
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s → %s: questionnaire %s, %d questions\n", in, out, def.Slug, len(def.Questions()))
	return nil
}

// definitionKind names a definition file's format by its extension.
func definitionKind(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return "yaml"
	case ".json":
		return "json"
	case ".xlsx":
		return "xlsx"
	}
	return ""
}

// readDefinition reads a questionnaire from YAML, JSON or an XLSForm
// workbook (.xlsx), checked.
func readDefinition(path string) (*survey.Definition, error) {
	kind := definitionKind(path)
	if strings.EqualFold(filepath.Ext(path), ".xls") {
		return nil, fmt.Errorf("%s: %w", path, survey.ErrOldExcel)
	}
	if kind == "" {
		return nil, fmt.Errorf("%s: a questionnaire file ends in .yaml, .yml, .json or .xlsx", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if limit := int64(survey.MaxXLSFormBytes); fi.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes is larger than any questionnaire (at most %d)", path, fi.Size(), limit)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseDefinition(data, kind, path)
}

func parseDefinition(data []byte, kind, name string) (*survey.Definition, error) {
	if kind == "xlsx" {
		return survey.ImportXLSForm(data, name)
	}
	return survey.Parse(data, name)
}
