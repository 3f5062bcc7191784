package rceventstest

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// replay is a Recorder's tape when it replays: it answers requests from a cassette.
type replay struct {
	path string
	s    *scrubber

	mu       sync.Mutex
	answers  map[string][]*response // by request key, in recorded order, those not given yet
	given    map[string]int         // answers given, by request key
	personal finds                  // found in the requests so far
	closed   bool
}

func newReplay(path string, s *scrubber, c *cassette) *replay {
	p := &replay{path: path, s: s, answers: map[string][]*response{}, given: map[string]int{}}
	for i := range c.Interactions {
		in := &c.Interactions[i]
		k := in.Request.key()
		p.answers[k] = append(p.answers[k], &in.Response)
	}
	return p
}

// tokenAnswer is what a replay answers a token exchange: a token for an hour, the
// lifetime the fake gives by default.
const tokenAnswer = `{"access_token":"` + replayToken + `","token_type":"Bearer","expires_in":3600}`

func (p *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	reqBody, err := requestBody(req)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errClosed(p.path)
	}
	if isTokenExchange(req) {
		return newResponse(req, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, []byte(tokenAnswer)), nil
	}
	// The test sends real values where the cassette holds their pseudonyms.
	t := &take{method: req.Method, url: req.URL, auth: req.Header.Get("Authorization") != "", reqBody: reqBody}
	p.s.learnRequest(&p.personal, t)
	r, err := scrubRequest(p.personal.replacer(), t)
	if err != nil {
		return nil, err
	}
	k := r.key()
	queue := p.answers[k]
	if len(queue) == 0 {
		return nil, &notRecordedError{method: r.Method, path: r.Path, query: slices.Sorted(maps.Keys(r.Query)), cassette: p.path, given: p.given[k]}
	}
	p.answers[k], p.given[k] = queue[1:], p.given[k]+1
	return newResponse(req, queue[0].Status, queue[0].Header.Clone(), queue[0].bytes()), nil
}

func (p *replay) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}

// notRecordedError fails a request the cassette holds no answer for. It names the
// request by its method, path and the names of its query parameters: their values may
// be personal data.
type notRecordedError struct {
	method, path string
	query        []string
	cassette     string
	given        int // answers the cassette gave the request before
}

func (e *notRecordedError) Error() string {
	req := e.method + " " + e.path
	if len(e.query) > 0 {
		names := slices.Clone(e.query)
		for i, n := range names {
			if strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789[]_.-") != "" {
				names[i] = "…" // a name of other characters may be data too
			}
		}
		req += " (query: " + strings.Join(names, ", ") + ")"
	}
	if e.given > 0 {
		return fmt.Sprintf("rceventstest: %s was recorded in %s %d times, and is asked once more; record it again with %s=1", req, e.cassette, e.given, recordEnv)
	}
	return fmt.Sprintf("rceventstest: %s is not recorded in %s; record it again with %s=1", req, e.cassette, recordEnv)
}

func (e *notRecordedError) Unwrap() error { return ErrNotRecorded }

// Permanent tells the client not to retry the request (see rcevents.RetryPolicy): the
// cassette will not answer it next time either.
func (e *notRecordedError) Permanent() bool { return true }

// newResponse returns an answer to req with status, header and body.
func newResponse(req *http.Request, status int, header http.Header, body []byte) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
