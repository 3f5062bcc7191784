package rcevents

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAPIErrorIs(t *testing.T) {
	sentinels := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrUnprocessable, ErrRateLimited, ErrServer}
	for status, want := range map[int]error{
		400: ErrBadRequest, 401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound,
		422: ErrUnprocessable, 429: ErrRateLimited, 500: ErrServer, 502: ErrServer, 503: ErrServer, 599: ErrServer,
		409: nil, 302: nil,
	} {
		err := fmt.Errorf("wrapped: %w", &APIError{StatusCode: status})
		for _, s := range sentinels {
			assert.Equal(t, s == want, errors.Is(err, s), "%d vs %v", status, s)
		}
		assert.False(t, errors.Is(err, ErrInvalidArgument))
	}
}

func TestAPIErrorAnswers(t *testing.T) {
	long := strings.Repeat("x", 2000)
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		errors  []ErrorObject
		snippet string
		message string
	}{
		{
			name:   "json api 422",
			status: 422,
			body:   `{"errors":[{"code":"blank","detail":"can't be blank","status":"422","title":"Unprocessable Entity","source":{"pointer":"/data/attributes/name"}},{"detail":"is not a valid timezone","source":{"pointer":"/data/attributes/timezone"}}]}`,
			errors: []ErrorObject{
				{Code: "blank", Detail: "can't be blank", Status: "422", Title: "Unprocessable Entity", Source: &ErrorSource{Pointer: "/data/attributes/name"}},
				{Detail: "is not a valid timezone", Source: &ErrorSource{Pointer: "/data/attributes/timezone"}},
			},
			message: "422 Unprocessable Entity: /data/attributes/name: can't be blank; /data/attributes/timezone: is not a valid timezone",
		},
		{
			name:    "parameter",
			status:  400,
			body:    `{"errors":[{"status":"400","title":"Bad Request","source":{"parameter":"filter[refunded][eq]"}}]}`,
			errors:  []ErrorObject{{Status: "400", Title: "Bad Request", Source: &ErrorSource{Parameter: "filter[refunded][eq]"}}},
			message: "400 Bad Request: filter[refunded][eq]: Bad Request",
		},
		{
			name:    "gateway html",
			status:  502,
			body:    "<html>\n<head><title>502 Bad Gateway</title></head></html>\n",
			snippet: "<html>\n<head><title>502 Bad Gateway</title></head></html>",
			message: `502 Bad Gateway: "<html>\n<head><title>502 Bad Gateway</title></head></html>"`,
		},
		{name: "empty", status: 503, message: "503 Service Unavailable"},
		{name: "long", status: 500, body: long, snippet: long[:maxErrorSnippet] + "…"},
		{name: "status as number", status: 404, body: `{"errors":[{"status":404}]}`, snippet: `{"errors":[{"status":404}]}`},
		{name: "no errors", status: 404, body: `{"errors":[]}`, snippet: `{"errors":[]}`},
		{name: "invalid utf8", status: 500, body: "bad \xff\xfe bytes", snippet: "bad \uFFFD bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			_, err := ts.client.Health(context.Background())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Equal(t, ts.URL+basePath+"/v1/health", apiErr.URL)
			assert.Equal(t, tc.errors, apiErr.Errors)
			assert.Equal(t, tc.snippet, apiErr.Body)
			if tc.message != "" {
				assert.Equal(t, "rcevents: GET "+ts.URL+basePath+"/v1/health: "+tc.message, err.Error())
			}
		})
	}
}

func TestBadSuccessAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want string
	}{
		{"truncated", `{"data":{"id":"org_1","type":"organization","attributes":{"name":"Nor`, "decoding the answer: jsontext: unexpected EOF within \"/data/attributes/name\""},
		{"wrong type", `{"data":{"id":"org_1","type":"organization","attributes":{"name":42}}}`, "JSON number into Go string within \"/data/attributes/name\""},
		{"html", `<!doctype html><html><body>Welcome</body></html>`, "decoding the answer: jsontext: invalid character '<' at start of value"},
		{"empty", ``, "decoding the answer: empty body"},
		{"too large", `{"data":{"id":"org_1","type":"organization","attributes":{"name":"` + strings.Repeat("a", maxBody) + `"}}}`, fmt.Sprintf("answer larger than %d bytes", maxBody)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/organizations/org_1", func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(tc.body))
			})
			org, err := ts.client.Organizations.Get(context.Background(), "org_1")
			require.Error(t, err)
			assert.Nil(t, org)
			assert.Contains(t, err.Error(), "rcevents: GET "+ts.URL+basePath+"/v1/organizations/org_1: 200: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestSnippet(t *testing.T) {
	assert.Equal(t, "héllo", snippet([]byte("héllo"), 10))
	assert.Equal(t, "h…", snippet([]byte("héllo"), 2), "a rune is never cut in half")
	assert.Equal(t, "", snippet(nil, 10))
}

func TestPathIDRefusesUnsafeIDs(t *testing.T) {
	for _, id := range []string{"", ".", "..", "a/b", "../x", "a?b", "a#b", "a\\b", "a\x00b", "a\nb", "a\tb", "\x7f",
		" ", "   ", "\u00a0", "evt_1 ", " evt_1", "evt_1\u00a0", "\u2003evt_1"} {
		_, err := pathID("eventID", id)
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", id)
		assert.Contains(t, err.Error(), "eventID", "%q", id)
	}
	for id, want := range map[string]string{"evt_1": "evt_1", "a b": "a%20b", "ü": "%C3%BC", "a%2F": "a%252F", "a;b": "a%3Bb", "...": "..."} {
		got, err := pathID("eventID", id)
		require.NoError(t, err, id)
		assert.Equal(t, want, got, id)
	}
}
