package archive_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/archive"
)

func write(t *testing.T, parts map[string][]string, order ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := archive.NewWriter(&buf, archive.Manifest{SchemaVersion: 8, CreatedAt: time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC), Survey: "r"})
	for _, name := range order {
		if err := w.Part(name); err != nil {
			t.Fatal(err)
		}
		for _, row := range parts[name] {
			if err := w.Row(json.RawMessage(row)); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Manifest().PreviousSurvey = "q"
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTrip: rows come back as written (compacted, one a line), part
// by part, with the manifest; an unlisted part has no rows.
func TestRoundTrip(t *testing.T) {
	parts := map[string][]string{
		"a.jsonl": {`{"id": 1, "text": "Jānis\nOzols"}`, `{"id":2}`},
		"b.jsonl": nil,
	}
	data := write(t, parts, "a.jsonl", "b.jsonl")
	r, err := archive.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	m := r.Manifest()
	if m.Format != archive.Format || m.Version != archive.Version || m.SchemaVersion != 8 || m.Survey != "r" ||
		m.PreviousSurvey != "q" || len(m.Parts) != 2 || m.Parts[0].Rows != 2 || m.Parts[1].Rows != 0 {
		t.Errorf("manifest %+v", m)
	}
	var got []string
	for _, name := range []string{"a.jsonl", "b.jsonl", "c.jsonl"} {
		if err := r.Rows(name, func(row json.RawMessage) error {
			got = append(got, string(row))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{`{"id":1,"text":"Jānis\nOzols"}`, `{"id":2}`}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestWriterRefuses: a row that is not a JSON object, a row before any
// part, a part twice or with a path.
func TestWriterRefuses(t *testing.T) {
	w := archive.NewWriter(&bytes.Buffer{}, archive.Manifest{})
	if err := w.Row(json.RawMessage(`{}`)); err == nil {
		t.Error("a row before any part")
	}
	for _, name := range []string{"", "../x.jsonl", "dir/x.jsonl", archive.ManifestName} {
		if err := w.Part(name); err == nil {
			t.Errorf("part %q", name)
		}
	}
	if err := w.Part("a.jsonl"); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{`[1]`, `"x"`, `{`, ``} {
		if err := w.Row(json.RawMessage(row)); err == nil {
			t.Errorf("row %q", row)
		}
	}
	if err := w.Part("a.jsonl"); err == nil {
		t.Error("a part twice")
	}
}

// TestDamage: every byte of a small archive flipped in turn, and every
// length it can be cut to, is refused as damaged or changed (never read
// as something else, never a panic).
func TestDamage(t *testing.T) {
	data := write(t, map[string][]string{"a.jsonl": {`{"id":1,"name":"Anna"}`}}, "a.jsonl")
	refused := func(d []byte) error {
		_, err := archive.Open(bytes.NewReader(d), int64(len(d)))
		return err
	}
	for i := range data {
		d := bytes.Clone(data)
		d[i] ^= 0x01
		err := refused(d)
		if err == nil {
			// Bytes zip does not read (such as a file's times in the local
			// header, repeated in the directory) may change harmlessly; the
			// content must then be the same.
			r, _ := archive.Open(bytes.NewReader(d), int64(len(d)))
			var rows []string
			r.Rows("a.jsonl", func(row json.RawMessage) error { rows = append(rows, string(row)); return nil })
			if len(rows) != 1 || rows[0] != `{"id":1,"name":"Anna"}` {
				t.Errorf("byte %d flipped: read %q", i, rows)
			}
			continue
		}
		if !errors.Is(err, archive.ErrDamaged) && !errors.Is(err, archive.ErrTampered) && !errors.Is(err, archive.ErrVersion) {
			t.Errorf("byte %d flipped: %v", i, err)
		}
	}
	for n := range len(data) {
		if err := refused(data[:n]); !errors.Is(err, archive.ErrDamaged) {
			t.Errorf("cut to %d bytes: %v", n, err)
		}
	}
}
