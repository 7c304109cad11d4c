package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// The prepared body is what json.Marshal writes for the same save, and a
// change really changes answers.
func TestSaverBody(t *testing.T) {
	s := &saver{version: 7, rng: rand.New(rand.NewPCG(1, 2))}
	a := survey.Answers{"b": "x\"y", "a": json.Number("1.5"), "c": []string{"p", "q"}, "d": true}
	if err := s.setAnswers(a); err != nil {
		t.Fatal(err)
	}
	alt := survey.Answers{"a": json.Number("2"), "b": "z", "c": []string{"r"}, "d": false, "e": "new"}
	enc, _ := encodeEach(alt)
	s.alts, s.altKeys, s.altEnc = []survey.Answers{alt}, [][]string{{"a", "b", "c", "d", "e"}}, []map[string][]byte{enc}
	for range 3 {
		want, _ := json.Marshal(struct {
			Version int            `json:"version"`
			Answers survey.Answers `json:"answers"`
		}{s.version, s.answers})
		if got := s.appendBody(nil); string(got) != string(want) {
			t.Fatalf("body\n%s\nwant\n%s", got, want)
		}
		before, _ := json.Marshal(s.answers)
		s.change(2)
		after, _ := json.Marshal(s.answers)
		if string(before) == string(after) && len(s.answers) < 5 {
			t.Fatal("change changed nothing")
		}
	}
}

// putConn reads replies with a length and chunked ones, on one connection.
func TestPutConn(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		if r.Method != "PUT" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(400)
			return
		}
		if strings.Contains(string(data), "big") {
			w.WriteHeader(409)
			for range 100 {
				w.Write([]byte(strings.Repeat("x", 100)))
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Write(data)
	}))
	defer hs.Close()
	c, err := dialPut(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for range 3 {
		status, body, err := c.put("/x", []byte(`{"a":1}`))
		if err != nil || status != 200 || string(body) != `{"a":1}` {
			t.Fatalf("%d %q %v", status, body, err)
		}
		status, body, err = c.put("/x", []byte(`big`))
		if err != nil || status != 409 || len(body) != 10000 {
			t.Fatalf("%d %d %v", status, len(body), err)
		}
	}
}
