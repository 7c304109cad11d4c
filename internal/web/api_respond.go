package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// apiResponse is the body of GET /api/v1/r/{token}.
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
}

type apiSurvey struct {
	Slug          string             `json:"slug"`
	Title         survey.Text        `json:"title"`
	ReferenceYear int                `json:"reference_year"`
	State         store.RoundState   `json:"state"`
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
		Survey: apiSurvey{Slug: r.Survey.Slug, Title: r.Def.Title, ReferenceYear: r.Def.ReferenceYear, State: r.State,
			OpensAt: r.Survey.OpensAt, ClosesAt: r.Deadline(), Definition: r.Def},
		Municipality:       apiMunicipality{Code: r.Municipality.Code, Name: survey.Text{LV: r.Municipality.NameLV, EN: r.Municipality.NameEN}},
		Status:             r.Response.Status,
		Version:            r.Response.Version,
		Answers:            r.Answers,
		SubmittedAt:        r.Response.SubmittedAt,
		ChangedSinceSubmit: r.Response.ChangedSinceSubmit(),
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
}

func (s *Server) apiPutResponse(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	if err := r.Writable(); err != nil {
		return err
	}
	var body putBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Version == nil || *body.Version < 0 {
		return badRequest(errors.New(`"version" is missing`))
	}
	if len(body.Answers) == 0 {
		return badRequest(errors.New(`"answers" is missing`))
	}
	in, err := survey.DecodeAnswers(body.Answers)
	if err != nil {
		return badRequest(err)
	}
	saved, err := s.manage.SaveAnswers(c.Request.Context(), r, *body.Version, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, savedOf(saved, s.lang(c)))
	return nil
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
	saved, err := s.manage.SubmitAnswers(c.Request.Context(), r, *body.Version)
	if err != nil {
		return err
	}
	s.queueReceipt(c, r, saved.Response)
	c.JSON(http.StatusOK, savedOf(saved, s.lang(c)))
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
	return out
}

// decodeJSON reads one JSON object strictly: the right content type, no
// unknown fields, nothing after it, at most maxBody bytes (413 beyond).
func decodeJSON(c *gin.Context, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &appError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", key: "badrequest.body"}
		}
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return badRequest(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(err)
	}
	if dec.More() {
		return badRequest(errors.New("unexpected data after the JSON object"))
	}
	return nil
}
