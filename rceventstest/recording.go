package rceventstest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/rcevents/rcevents-go/internal/redact"
)

// recording is a Recorder's tape when it records: it sends requests on, keeps what they
// were answered and, closed, writes it scrubbed.
type recording struct {
	path string
	s    *scrubber
	base *http.Transport

	mu      sync.Mutex
	takes   []take // in the order they were answered
	secrets finds  // learned from token exchanges and Authorization headers
	closed  bool
}

func newRecording(path string, s *scrubber) *recording {
	return &recording{path: path, s: s, base: http.DefaultTransport.(*http.Transport).Clone()}
}

func (r *recording) RoundTrip(req *http.Request) (*http.Response, error) {
	reqBody, err := requestBody(req)
	if err != nil {
		return nil, err
	}
	if r.isClosed() {
		return nil, errClosed(r.path)
	}
	out := req.Clone(req.Context())
	out.Body = http.NoBody // req's is read and closed
	if len(reqBody) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := r.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body, resp.ContentLength, resp.Request = io.NopCloser(bytes.NewReader(body)), int64(len(body)), req

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed { // answered after Close: the cassette is written
		return resp, nil
	}
	if isTokenExchange(req) {
		r.learnTokenExchange(req, reqBody, body)
		return resp, nil
	}
	auth := req.Header.Get("Authorization")
	if _, credential, ok := strings.Cut(auth, " "); ok {
		r.secrets.add(credential, redacted, secretToken)
	}
	if resp.StatusCode != http.StatusTooManyRequests { // see Recorder
		header := http.Header{}
		for _, k := range keptHeaders {
			if vs := resp.Header.Values(k); len(vs) > 0 {
				header[k] = slices.Clone(vs)
			}
		}
		r.takes = append(r.takes, take{method: req.Method, url: req.URL, auth: auth != "", reqBody: reqBody,
			status: resp.StatusCode, header: header, body: body})
	}
	return resp, nil
}

func (r *recording) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// learnTokenExchange learns the secrets of a token exchange: the client secret, sent
// with HTTP Basic or as a form field, and the tokens of the answer.
func (r *recording) learnTokenExchange(req *http.Request, reqBody, answer []byte) {
	if basic, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Basic "); ok {
		r.secrets.add(basic, redacted, secretClientSecret)
		if pair, err := base64.StdEncoding.DecodeString(basic); err == nil {
			_, secret, _ := strings.Cut(string(pair), ":")
			if s, err := url.QueryUnescape(secret); err == nil { // RFC 6749, 2.3.1
				secret = s
			}
			r.secrets.add(secret, redacted, secretClientSecret)
		}
	}
	if form, err := url.ParseQuery(string(reqBody)); err == nil {
		r.secrets.add(form.Get("client_secret"), redacted, secretClientSecret)
	}
	var tok struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
		ID      string `json:"id_token"`
	}
	if json.Unmarshal(answer, &tok) == nil {
		for _, t := range []string{tok.Access, tok.Refresh, tok.ID} {
			r.secrets.add(t, redacted, secretToken)
		}
	}
}

// close writes the cassette, unless it would hold what it must not.
func (r *recording) close() error {
	r.mu.Lock()
	r.closed = true
	takes, found := r.takes, r.secrets
	r.mu.Unlock()
	r.base.CloseIdleConnections()

	c, err := r.s.cassette(takes, &found)
	if err == nil {
		var data []byte
		data, err = c.encode()
		if err == nil {
			var leak string
			if leak, err = found.leak(data); leak != "" {
				err = fmt.Errorf("the cassette would hold %s", leak)
			}
		}
		if err == nil {
			return writeFile(r.path, data)
		}
	}
	return fmt.Errorf("rceventstest: Recorder.Close: %w; %s is not written", err, r.path)
}

// cassette returns what takes make, scrubbed: found holds the secrets learned so far.
func (s *scrubber) cassette(takes []take, found *finds) (*cassette, error) {
	api := map[string]bool{}
	for _, t := range takes {
		if t.auth {
			api[originOf(t.url)] = true
		}
	}
	// Learnt in an order that does not depend on the order of concurrent requests, so
	// that the aliases of loopback origins are the same at every recording.
	sorted := slices.Clone(takes)
	slices.SortStableFunc(sorted, func(a, b take) int { return cmp.Compare(a.rawKey(), b.rawKey()) })
	found.loopback = true
	for i := range sorted {
		s.learnRequest(found, &sorted[i])
		s.learnAnswer(found, &sorted[i], api)
	}

	rep := found.replacer()
	c := &cassette{Format: cassetteFormat, Salt: base64.RawURLEncoding.EncodeToString(s.salt)}
	for _, t := range takes {
		req, err := scrubRequest(rep, &t)
		if err != nil {
			return nil, fmt.Errorf("the request %s %s: %w", req.Method, req.Path, err)
		}
		resp := response{Status: t.status}
		for k, vs := range t.header {
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			for _, v := range vs {
				resp.Header.Add(k, rep.Replace(v))
			}
		}
		if resp.body, err = scrubBody(rep, t.body); err != nil {
			return nil, fmt.Errorf("the answer to %s %s: %w", req.Method, req.Path, err)
		}
		c.Interactions = append(c.Interactions, interaction{Request: req, Response: resp})
	}
	// Requests that became the same keep the order they were answered in.
	slices.SortStableFunc(c.Interactions, func(a, b interaction) int { return cmp.Compare(a.Request.key(), b.Request.key()) })
	return c, nil
}

// rawKey is t's request as it was sent, without its origin, for sorting.
func (t *take) rawKey() string {
	r := request{Method: t.method, Path: t.url.EscapedPath(), Query: t.url.Query(), body: body{Text: []string{string(t.reqBody)}}}
	return r.key()
}

// scrubRequest returns t's request as a cassette holds it, each value found replaced by
// rep.
func scrubRequest(rep *redact.Replacer, t *take) (request, error) {
	r := request{Method: t.method, Path: rep.Replace(t.url.EscapedPath())}
	for k, vs := range t.url.Query() {
		if r.Query == nil {
			r.Query = url.Values{}
		}
		for _, v := range vs {
			r.Query.Add(rep.Replace(k), rep.Replace(v))
		}
	}
	var err error
	r.body, err = scrubBody(rep, t.reqBody)
	return r, err
}
