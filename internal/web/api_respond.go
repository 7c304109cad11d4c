package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// apiResponse is the body of GET /api/v1/r/{token}. The API's own types,
// filled field by field: a change in storage or in the domain types does
// not change the API (TestAPIResponseKeys pins the keys).
type apiResponse struct {
	Survey       apiSurvey       `json:"survey"`
	Municipality apiMunicipality `json:"municipality"`
	// Status is "draft" or "submitted"; version 0 means nothing saved yet.
	Status             string         `json:"status"`
	Version            int            `json:"version"`
	Answers            survey.Answers `json:"answers"`
	SavedAt            *time.Time     `json:"saved_at"`
	SubmittedAt        *time.Time     `json:"submitted_at"`
	ChangedSinceSubmit bool           `json:"changed_since_submit"`
	// Carried are the answers carried over from a previous round and not
	// yet confirmed, by question code: they count as unanswered until
	// confirmed (POST …/confirm) or changed.
	Carried map[string]apiCarried `json:"carried"`
}

// apiCarried is the round a carried-over answer comes from.
type apiCarried struct {
	Round         string `json:"round"`
	ReferenceYear int    `json:"reference_year"`
}

type apiSurvey struct {
	Slug          string             `json:"slug"`
	Title         survey.Text        `json:"title"`
	ReferenceYear int                `json:"reference_year"`
	State         string             `json:"state"`
	OpensAt       time.Time          `json:"opens_at"`
	ClosesAt      time.Time          `json:"closes_at"`
	Definition    *survey.Definition `json:"definition"`
}

type apiMunicipality struct {
	Code string      `json:"code"`
	Name survey.Text `json:"name"`
}

func (s *Server) apiGetResponse(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	out := apiResponse{
		Survey: apiSurvey{Slug: r.Survey.Slug, Title: r.Def.Title, ReferenceYear: r.Def.ReferenceYear, State: string(r.State),
			OpensAt: r.Survey.OpensAt, ClosesAt: r.Deadline(), Definition: r.Def},
		Municipality:       apiMunicipality{Code: r.Municipality.Code, Name: survey.Text{LV: r.Municipality.NameLV, EN: r.Municipality.NameEN}},
		Status:             r.Response.Status,
		Version:            r.Response.Version,
		Answers:            r.Answers,
		SubmittedAt:        r.Response.SubmittedAt,
		ChangedSinceSubmit: r.Response.ChangedSinceSubmit(),
		Carried:            map[string]apiCarried{},
	}
	for code, from := range r.Carried {
		out.Carried[code] = apiCarried{Round: from.Round, ReferenceYear: from.Year}
	}
	if r.Response.ID != 0 {
		t := r.Response.UpdatedAt
		out.SavedAt = &t
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// putBody is the body of PUT /api/v1/r/{token}: the whole set of answers
// the page holds and the version it started from.
type putBody struct {
	Version *int            `json:"version"`
	Answers json.RawMessage `json:"answers"`
}

// savedBody answers a successful PUT or submit.
type savedBody struct {
	Version     int        `json:"version"`
	Status      string     `json:"status"`
	SavedAt     time.Time  `json:"saved_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	Changed     bool       `json:"changed"`
	Cleared     []string   `json:"cleared"`
	// Merged lists the questions a colleague changed since the version the
	// save was made from; Answers (only then) are the answers now stored.
	Merged  []string       `json:"merged"`
	Answers survey.Answers `json:"answers,omitempty"`
	// Warnings are cross-field rules the answers break (saved anyway;
	// submitting will refuse them).
	Warnings map[string]string `json:"warnings"`
	// Carried lists the questions whose carried-over answers are still
	// not confirmed (a changed answer is confirmed by the save).
	Carried []string `json:"carried"`
}

func (s *Server) apiPutResponse(c *gin.Context) error {
	// The autosave reads only what a save needs (RespondentToSave).
	r, err := s.manage.RespondentToSave(c.Request.Context(), c.Param("token"), s.now())
	if err != nil {
		return err
	}
	if err := r.Writable(); err != nil {
		return err
	}
	data, err := readJSONBody(c)
	if err != nil {
		return err
	}
	version, in, ok := quickPutBodyWith(data, r.Def.ReadAnswersObject)
	if !ok {
		if version, in, err = decodePutBody(data); err != nil {
			return err
		}
	}
	saved, err := s.manage.SaveAnswers(c.Request.Context(), r, version, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, savedOf(saved, s.lang(c)))
	return nil
}

// decodePutBody reads a PUT body as decodeJSON does, then its answers.
func decodePutBody(data []byte) (int, survey.Answers, error) {
	var body putBody
	if err := decodeJSONBytes(data, &body); err != nil {
		return 0, nil, err
	}
	if body.Version == nil || *body.Version < 0 {
		return 0, nil, badRequest(errors.New(`"version" is missing`))
	}
	if len(body.Answers) == 0 {
		return 0, nil, badRequest(errors.New(`"answers" is missing`))
	}
	in, err := survey.DecodeAnswers(body.Answers)
	if err != nil {
		return 0, nil, badRequest(err)
	}
	return *body.Version, in, nil
}

// quickPutBody reads the usual PUT body in one pass: {"version": N,
// "answers": {...}} with nothing unusual in it (survey.ReadAnswersObject).
// ok is false for anything else, which decodePutBody then reads, refuses
// or explains; where ok is true the two agree (FuzzQuickPutBody).
func quickPutBody(data []byte) (version int, answers survey.Answers, ok bool) {
	return quickPutBodyWith(data, survey.ReadAnswersObject)
}

// quickPutBodyWith is quickPutBody reading the answers with read
// (survey.ReadAnswersObject, or a definition's, which gives the same
// answers sharing the strings the definition knows).
func quickPutBodyWith(data []byte, read func([]byte) (survey.Answers, int, bool)) (version int, answers survey.Answers, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return 0, nil, false
	}
	haveVersion := false
	for {
		i = skipSpace(data, i+1)
		var key string
		switch {
		case bytes.HasPrefix(data[i:], []byte(`"version"`)):
			key = "version"
		case bytes.HasPrefix(data[i:], []byte(`"answers"`)):
			key = "answers"
		default:
			return 0, nil, false
		}
		i = skipSpace(data, i+len(key)+2)
		if i >= len(data) || data[i] != ':' {
			return 0, nil, false
		}
		i = skipSpace(data, i+1)
		if key == "version" {
			if haveVersion {
				return 0, nil, false
			}
			j := i
			for j < len(data) && data[j] >= '0' && data[j] <= '9' {
				j++
			}
			if j == i || j-i > 1 && data[i] == '0' || j-i > 15 {
				return 0, nil, false
			}
			v, err := strconv.Atoi(string(data[i:j]))
			if err != nil {
				return 0, nil, false
			}
			version, haveVersion, i = v, true, j
		} else {
			if answers != nil {
				return 0, nil, false
			}
			a, n, ok := read(data[i:])
			if !ok {
				return 0, nil, false
			}
			answers, i = a, i+n
		}
		i = skipSpace(data, i)
		if i < len(data) && data[i] == ',' {
			continue
		}
		if i >= len(data) || data[i] != '}' || !haveVersion || answers == nil {
			return 0, nil, false
		}
		if skipSpace(data, i+1) != len(data) {
			return 0, nil, false
		}
		return version, answers, true
	}
}

// skipSpace is the index of the first byte of data from i on that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (s *Server) apiSubmitResponse(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	if err := r.Writable(); err != nil {
		return err
	}
	var body struct {
		Version *int `json:"version"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return badRequest(errors.New(`"version" is missing`))
	}
	l := s.lang(c)
	saved, err := s.manage.SubmitAnswers(c.Request.Context(), r, *body.Version, string(l))
	if err != nil {
		return err
	}
	s.logReceipt(c, saved)
	c.JSON(http.StatusOK, savedOf(saved, l))
	return nil
}

func savedOf(saved manage.Saved, l lang) savedBody {
	r := saved.Response
	out := savedBody{Version: r.Version, Status: r.Status, SavedAt: r.UpdatedAt, SubmittedAt: r.SubmittedAt,
		Changed: saved.Changed, Cleared: saved.Cleared, Merged: saved.Merged, Warnings: map[string]string{}}
	if out.Cleared == nil {
		out.Cleared = []string{}
	}
	if out.Merged == nil {
		out.Merged = []string{}
	} else {
		out.Answers = saved.Answers
	}
	for k, w := range saved.Warnings {
		out.Warnings[k] = w.In(string(l))
	}
	out.Carried = []string{}
	if carried, err := r.Carried(); err == nil {
		for code := range carried {
			out.Carried = append(out.Carried, code)
		}
		slices.Sort(out.Carried)
	}
	return out
}

// apiConfirmCarried confirms carried-over answers as they are: POST
// /api/v1/r/{token}/confirm with {"version": N, "codes": [...]} (a
// section's questions, or one). Codes not carried over are skipped.
func (s *Server) apiConfirmCarried(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	if err := r.Writable(); err != nil {
		return err
	}
	var body struct {
		Version *int     `json:"version"`
		Codes   []string `json:"codes"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return badRequest(errors.New(`"version" is missing`))
	}
	if len(body.Codes) == 0 {
		return badRequest(errors.New(`"codes" is missing`))
	}
	for _, code := range body.Codes {
		if r.Def.Question(code) == nil {
			return badRequest(fmt.Errorf("%q is not a question of this questionnaire", shorten(code)))
		}
	}
	saved, err := s.manage.ConfirmCarried(c.Request.Context(), r, body.Codes, *body.Version)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, savedOf(saved, s.lang(c)))
	return nil
}

// decodeJSON reads one JSON object strictly: the right content type, no
// unknown fields, field names exactly as declared, no key twice in any
// object, nothing after it, at most maxBody bytes (413 beyond).
func decodeJSON(c *gin.Context, v any) error {
	data, err := readJSONBody(c)
	if err != nil {
		return err
	}
	return decodeJSONBytes(data, v)
}

// readJSONBody reads a request's JSON body: the right content type, at
// most maxBody bytes (413 beyond).
func readJSONBody(c *gin.Context) ([]byte, error) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return nil, &appError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", key: "badrequest.body"}
		}
	}
	data, err := readBody(c.Request)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge
		}
		return nil, badRequest(err)
	}
	return data, nil
}

// readBody reads a request's whole body. A body of known length within
// maxBody is read into one buffer of its size: io.ReadAll's growing
// buffer cost the autosave about twice the body in garbage per request.
func readBody(r *http.Request) ([]byte, error) {
	n := r.ContentLength
	if n <= 0 || n > maxBody {
		return io.ReadAll(r.Body)
	}
	data := make([]byte, n)
	k, err := io.ReadFull(r.Body, data)
	if err == io.EOF { // nothing came: as io.ReadAll, an empty body
		err = nil
	}
	return data[:k], err
}

// decodeJSONBytes is decodeJSON's reading of a body: one object, no
// unknown fields, field names exactly as declared, no key twice, nothing
// after it.
func decodeJSONBytes(data []byte, v any) error {
	if err := checkKeys(data, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(err)
	}
	// Only white space may follow (dec.More would let a stray ']' or '}'
	// through).
	if len(bytes.Trim(data[dec.InputOffset():], " \t\r\n")) != 0 {
		return badRequest(errors.New("unexpected data after the JSON object"))
	}
	return nil
}

// maxJSONDepth bounds the nesting of a request body: the respondent's
// bodies nest three deep (body, answers, a list of options).
const maxJSONDepth = 32

// checkKeys walks a JSON value token by token and refuses what
// encoding/json lets through: a key that names a field of t only when case
// is ignored ("Version" for "version"), and a key given twice in one
// object (encoding/json keeps the last). Keys of objects that are not
// structs (answers) are checked for repeats only. Malformed JSON is left
// for the decoder to report.
func checkKeys(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := checkValue(dec, t, 0); err != nil {
		var ae *appError
		if errors.As(err, &ae) {
			return err
		}
	}
	return nil
}

func checkValue(dec *json.Decoder, t reflect.Type, depth int) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	if depth >= maxJSONDepth {
		return &appError{status: http.StatusBadRequest, code: "bad_request", key: "badrequest.deep"}
	}
	if tok == json.Delim('[') {
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice && t != reflect.TypeFor[json.RawMessage]() {
			elem = t.Elem()
		}
		for dec.More() {
			if err := checkValue(dec, elem, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return &appError{status: http.StatusBadRequest, code: "bad_request", key: "badrequest.twice", args: []any{"field", shorten(key)}}
		}
		seen[key] = true
		var field reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			f, err := jsonField(t, key)
			if err != nil {
				return err
			}
			field = f.Type
		case t != nil && t.Kind() == reflect.Map:
			field = t.Elem()
		}
		if err := checkValue(dec, field, depth+1); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// jsonField finds the field of struct type t whose JSON name is exactly
// key; a name that differs only in case is refused with the right one.
func jsonField(t reflect.Type, key string) (reflect.StructField, error) {
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, nil
		}
		if strings.EqualFold(name, key) {
			return f, &appError{status: http.StatusBadRequest, code: "bad_request", key: "badrequest.case", args: []any{"field", shorten(key), "want", name}}
		}
	}
	return reflect.StructField{}, &appError{status: http.StatusBadRequest, code: "bad_request", key: "badrequest.unknown", args: []any{"field", shorten(key)}}
}

// shorten keeps a name from the request short enough to quote in a message.
func shorten(s string) string {
	n := 0
	for i := range s {
		if n++; n > 40 {
			return s[:i] + "…"
		}
	}
	return s
}
