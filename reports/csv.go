package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// CSV writes a CSV file meant for people to open in a spreadsheet: every
// CSV the service offers (a chart's data, the links) goes through it. It
// is UTF-8 with a byte-order mark, so spreadsheets read the diacritics. In
// Latvian fields are separated by ";" and numbers have a decimal comma —
// what Excel with Latvian regional settings reads into columns and numbers
// on a double-click; in English "," and a decimal point. Numbers are
// written plainly (no group separators, no unit) so spreadsheets take them
// as numbers; text a spreadsheet would take for a formula gets a leading
// apostrophe (CSVSafe).
type CSV struct {
	w   *csv.Writer
	dec string
}

// CSVSeparator is the field separator of a CSV in lang: ';' in Latvian,
// ',' in English.
func CSVSeparator(lang string) rune {
	if lang == "en" {
		return ','
	}
	return ';'
}

// NewCSV starts a CSV file in lang ("lv" or "en"): it writes the
// byte-order mark.
func NewCSV(w io.Writer, lang string) (*CSV, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	return AppendCSV(w, lang), nil
}

// AppendCSV continues a CSV file that NewCSV began (no byte-order mark):
// for a file appended to.
func AppendCSV(w io.Writer, lang string) *CSV {
	cw := csv.NewWriter(w)
	cw.Comma = CSVSeparator(lang)
	c := &CSV{w: cw, dec: "."}
	if lang != "en" {
		c.dec = ","
	}
	return c
}

// CSVNumber is a number cell rounded to Places decimals (trailing zeros
// dropped).
type CSVNumber struct {
	Value  float64
	Places int
}

// Write writes one row. A cell may be a string (text, made safe), nil (an
// empty cell), an int, int64, float64, json.Number or CSVNumber (a
// number); anything else is written as text.
func (c *CSV) Write(cells ...any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		rec[i] = c.cell(v)
	}
	return c.w.Write(rec)
}

func (c *CSV) cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return CSVSafe(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return c.number(x, -1)
	case CSVNumber:
		return c.number(x.Value, x.Places)
	case json.Number:
		if f, err := strconv.ParseFloat(x.String(), 64); err == nil && !math.IsInf(f, 0) {
			return strings.Replace(x.String(), ".", c.dec, 1)
		}
		return CSVSafe(x.String())
	}
	return CSVSafe(fmt.Sprint(v))
}

func (c *CSV) number(v float64, places int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if places >= 0 {
		v = chartRound(v, places)
	}
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", c.dec, 1)
}

// Flush writes out what is buffered and returns the first error.
func (c *CSV) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// CSVSafe keeps a spreadsheet from reading text as a formula: text starting
// with =, +, -, @, a tab or a carriage return gets a leading apostrophe.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
