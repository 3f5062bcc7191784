package rceventstest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// api is a bare HTTP client of a fake server, authenticated with the server's static token.
type api struct {
	t     testing.TB
	srv   *rceventstest.Server
	hc    *http.Client
	token string
}

// start runs a fake server for the test and returns it with a client.
func start(t testing.TB, opts ...rceventstest.Option) (*rceventstest.Server, *api) {
	t.Helper()
	srv := rceventstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, &api{t: t, srv: srv, hc: srv.HTTPClient(), token: srv.Token}
}

// response is an answer with its body read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request. body is sent as is when it is a string, JSON-encoded otherwise, and
// not at all when nil. A transport error fails the test.
func (c *api) do(method, path string, body any) response {
	c.t.Helper()
	r, err := c.try(method, path, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// try is do, returning a transport error instead of failing.
func (c *api) try(method, path string, body any) (response, error) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = c.srv.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// expect sends a request, fails unless it is answered with status, and decodes the body
// into a value of type T.
func expect[T any](c *api, status int, method, path string, body any) T {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.Status != status {
		c.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, r.Status, status, r.Body)
	}
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		c.t.Fatalf("%s %s: decoding %s: %v", method, path, r.Body, err)
	}
	return v
}

type resourceJSON struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Attributes map[string]any `json:"attributes"`
}

type oneJSON struct {
	Data resourceJSON `json:"data"`
}

type linksJSON struct {
	First string  `json:"first"`
	Self  string  `json:"self"`
	Last  string  `json:"last"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
}

type listJSON struct {
	Data []resourceJSON `json:"data"`
	Meta *struct {
		Count int `json:"count"`
	} `json:"meta"`
	Links *linksJSON `json:"links"`
}

type errorJSON struct {
	Code   string            `json:"code"`
	Detail string            `json:"detail"`
	Status string            `json:"status"`
	Title  string            `json:"title"`
	Source map[string]string `json:"source"`
}

type errorsJSON struct {
	Errors []errorJSON `json:"errors"`
}

// get fetches one resource.
func (c *api) get(path string) resourceJSON {
	c.t.Helper()
	return expect[oneJSON](c, http.StatusOK, http.MethodGet, path, nil).Data
}

// list fetches one page of a list.
func (c *api) list(path string) listJSON {
	c.t.Helper()
	l := expect[listJSON](c, http.StatusOK, http.MethodGet, path, nil)
	if l.Meta == nil || l.Links == nil {
		c.t.Fatalf("GET %s: list without meta or links", path)
	}
	return l
}

// all walks every page of a list by following the next links.
func (c *api) all(path string) []resourceJSON {
	c.t.Helper()
	var out []resourceJSON
	for next := path; next != ""; {
		l := c.list(next)
		out = append(out, l.Data...)
		next = ""
		if l.Links.Next != nil {
			next = *l.Links.Next
		}
	}
	return out
}

// failure sends a request that must fail with status and a JSON:API errors body, and
// returns the errors.
func (c *api) failure(status int, method, path string, body any) []errorJSON {
	c.t.Helper()
	e := expect[errorsJSON](c, status, method, path, body)
	if len(e.Errors) == 0 {
		c.t.Fatalf("%s %s: %d without errors", method, path, status)
	}
	for _, err := range e.Errors {
		if err.Status != strconv.Itoa(status) {
			c.t.Errorf("%s %s: error status %q, want %q", method, path, err.Status, strconv.Itoa(status))
		}
		if err.Code == "" || err.Title == "" || err.Detail == "" || err.Source == nil {
			c.t.Errorf("%s %s: incomplete error %+v", method, path, err)
		}
	}
	return e.Errors
}

// pointers lists the source pointers of errors, sorted.
func pointers(errs []errorJSON) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Source["pointer"])
	}
	sort.Strings(out)
	return out
}

// body builds a JSON:API request body.
func body(typ string, attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": typ, "attributes": attrs}}
}

// keys returns the sorted keys of a map.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// schemas lists, per resource type, every attribute of the reference schema.
var schemas = map[string][]string{
	"organization":       {"createdAt", "email", "facebook", "id", "name", "twitter", "website"},
	"template":           {"id", "name"},
	"event":              {"createdAt", "description", "id", "metadata", "name", "published", "slug", "status", "timeEnd", "timeStart", "timezone", "type"},
	"registration":       {"attended", "bio", "createdAt", "customRegistrationFields", "email", "firstCheckIn", "firstName", "headline", "id", "lastName", "linkedin", "magicLinkId", "metadata", "phoneNumber", "qrCodeData", "qrCodeImageUrl", "questionBankEnabled", "refunded", "registeredThrough", "ticketId", "timezone", "twitter", "updatedAt", "userId", "utm", "website"},
	"ticket":             {"claimed", "count", "createdAt", "description", "discount", "eventId", "id", "name", "price", "private", "remaining", "slug"},
	"bank_question":      {"childQuestions", "defaultAnswer", "fieldType", "id", "name", "options"},
	"magicLink":          {"createdAt", "email", "extraFields", "firstName", "headline", "id", "lastName", "magicLink", "metadata", "registrationId", "status", "updatedAt"},
	"magic_link":         {"created_at", "email", "first_name", "id", "last_name", "magic_link", "registration_id"},
	"report":             {"id", "status", "title", "url"},
	"in_progress_report": {"id", "status"},
	"scheduleItem":       {"area", "areaId", "areaName", "createdAt", "description", "id", "name", "speakers", "timeEnd", "timeStart", "updatedAt"},
	"session":            {"createdAt", "id", "name", "updatedAt"},
	"stage":              {"createdAt", "id", "name", "updatedAt"},
	"booth":              {"about", "boothSize", "createdAt", "email", "facebook", "headline", "id", "instagram", "linkedin", "name", "priority", "twitter", "updatedAt", "website"},
	"tag":                {"id", "name"},
	"dataSubscription":   {"configuration", "eventId", "expiresAt", "id", "signals"},
}

// checkResource checks a resource against its schema: type, id repeated in the
// attributes, and exactly the reference's attributes.
func checkResource(t testing.TB, r resourceJSON, typ string) {
	t.Helper()
	if r.Type != typ {
		t.Errorf("resource %s: type %q, want %q", r.ID, r.Type, typ)
	}
	if r.ID == "" || r.Attributes["id"] != r.ID {
		t.Errorf("resource %s: attributes.id = %v", r.ID, r.Attributes["id"])
	}
	if got, want := keys(r.Attributes), schemas[typ]; !slices.Equal(got, want) {
		t.Errorf("%s attributes:\n got %v\nwant %v", typ, got, want)
	}
}

// query builds a path with a query string.
func query(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return path + "?" + q.Encode()
}
